"""Growth benchmark (issue 16): the score recompute and every public search shape at several
data sizes in one run, and how each cost grows per ×4 of data.

    .venv/bin/python bench/growth.py [--sizes 250000 1000000 4000000] [--reuse] [--json FILE]

Each size has a database of its own, `<name>_growth_<size>` on the server of DATABASE_URL
(or of the embedded server), seeded with `seed_demo --bulk --subjects <size>` (~3 records per
subject). Without --reuse every database is dropped and seeded afresh, and dropped again at
the end; with --reuse a database that already holds <size> subjects is measured as it is and
kept (the hash-partitioning bench, bench/partitioned_records.py, reads the 1,000,000 one).

The run first seeds what is missing, then measures the sizes one after the other, each in a
child process of its own (one Django database per process), so that the measurements of all
sizes lie close together in time. Per size it measures, with bench/recompute.py's functions:
  floor        bare aggregate of points per subject, no writes (best of 3)
  full         first computation (every score changes), 1 worker and --workers workers
  unchanged    the same full recompute again, nothing changed (best of 2)
  incremental  after 1 % of subjects got a new record
and with bench/search.py's: the DB-side time (EXPLAIN ANALYZE, p50/p95 over --samples terms)
of every search shape with the project's indexes, and of every filter shape (best of 3).
Before measuring, the tables and indexes are read into the OS page cache (pg_prewarm 'read'):
the figures are those of a server whose working set is in memory, as far as memory allows.

It prints every cost per size, the ratio per step of data (cost(next) / cost(previous); ×4
with the default sizes), and the per-core rates: subjects/s per recompute worker, and the
queries/s one core serves at the measured DB p50 and p95 (1000 / ms).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
sys.path.insert(0, str(BASE_DIR / "bench"))

DEFAULT_SIZES = [250_000, 1_000_000, 4_000_000]
# what the recompute and the search read; the score tables are written by the recompute
WARM_TABLES = ["sanctions_subject", "sanctions_integrityrecord", "scs_public_name_char",
               "scs_public_entry_name", "sanctions_score", "sanctions_scorehistory"]  # fmt: skip
RECOMPUTE_MEASURES = ["floor_s", "full_1_worker_s", "full_workers_s", "unchanged_s",
                      "incremental_1pct_s"]  # fmt: skip


def server_url() -> str:
    """The base DATABASE_URL (the embedded server's when none is set)."""
    from scs_portal import embedded

    if not os.environ.get("DATABASE_URL"):
        embedded.postgres_start()
        os.environ.setdefault("REDIS_URL", embedded.REDIS_URL)
        embedded.redis_start()
        os.environ["DATABASE_URL"] = embedded.DATABASE_URL
    return os.environ["DATABASE_URL"]


def database_name(size: int) -> str:
    return f"{server_url().rsplit('/', 1)[1]}_growth_{size}"


def drop_database(size: int) -> None:
    import psycopg

    server = server_url().rsplit("/", 1)[0]
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database_name(size)}" WITH (FORCE)')


# --- child process: one size -------------------------------------------------------------


def this_database() -> str:
    from django.db import connection

    return connection.settings_dict["NAME"]


def setup_django(suffix: str, migrate_to: str | None) -> None:
    """Point this process at `<name>_<suffix>` (created if missing), set Django up, migrate."""
    from recompute import prepare_database

    server_url()
    prepare_database(suffix=suffix)
    import django

    django.setup()
    from django.apps import apps
    from django.core.management import call_command
    from django.utils.module_loading import module_has_submodule

    if not migrate_to:
        call_command("migrate", verbosity=0)
        return
    # the sanctions app only up to a given migration (unfinished ones in the working tree),
    # then every other app (with what it depends on)
    call_command("migrate", "sanctions", migrate_to, verbosity=0)
    for config in apps.get_app_configs():
        if config.label != "sanctions" and module_has_submodule(config.module, "migrations"):
            call_command("migrate", config.label, verbosity=0)


def child_seed(size: int, reuse: bool) -> dict:
    from recompute import seed_bench_data

    from sanctions.models import Subject

    have = Subject.objects.count()
    if reuse and have == size:
        print(f"[{size}] reusing {this_database()} ({have} subjects)", flush=True)
        return {"seed_s": None}
    seconds = seed_bench_data(size)
    print(f"[{size}] seeded {size} subjects in {seconds:.1f}s", flush=True)
    return {"seed_s": round(seconds, 1)}


def warm_os_cache() -> dict:
    """Read the tables and indexes the bench touches into the OS page cache (pg_prewarm in
    'read' mode: shared_buffers may be far smaller than the data, as on the shared server)."""
    from django.db import connection

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
        cursor.execute(  # a partitioned table's (and index's) storage is in its partitions
            "WITH t AS (SELECT coalesce(p.relid, n::regclass) AS relid FROM unnest(%s::text[]) n "
            "           LEFT JOIN LATERAL pg_partition_tree(n::regclass) p ON true "
            "           WHERE p.isleaf OR p.relid IS NULL) "
            "SELECT relid::regclass::text, pg_relation_size(relid) FROM t UNION ALL "
            "SELECT indexrelid::regclass::text, pg_relation_size(indexrelid) "
            "FROM pg_index JOIN t ON indrelid = t.relid",
            [WARM_TABLES],
        )
        relations = cursor.fetchall()
        for name, _size in relations:
            cursor.execute("SELECT pg_prewarm(%s, 'read')", [name])
    return {
        "warmed_mb": sum(size for _name, size in relations) // 2**20,
        "warm_s": round(time.perf_counter() - started, 1),
    }


def table_sizes() -> dict[str, int]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(  # a partitioned table: the sum of its partitions
            "SELECT n, coalesce((SELECT sum(pg_total_relation_size(relid)) "
            "                    FROM pg_partition_tree(n::regclass)), "
            "                   pg_total_relation_size(n::regclass))::bigint / 1048576 "
            "FROM unnest(%s::text[]) n",
            [WARM_TABLES],
        )
        return {f"{name}_mb": mb for name, mb in cursor.fetchall()}


def measure_recompute(*, subjects: int, workers: int) -> dict:
    from django.db import connection
    from recompute import add_records_to_sample, reset_scores, score_floor_seconds, timed

    from sanctions.models import Score
    from sanctions.scoring.services import score_recompute_inline

    today = datetime.date.today()
    with connection.cursor() as cursor:
        # an earlier run's 1 % records (--reuse): back to the seeded data
        cursor.execute("DELETE FROM sanctions_integrityrecord WHERE decision_number LIKE 'BENCH-%'")
        started = time.perf_counter()
        cursor.execute("VACUUM ANALYZE")  # visibility map and statistics, as after a seed
        vacuum = time.perf_counter() - started
    floor = min(score_floor_seconds(as_of=today) for _ in range(3))
    reset_scores()
    full_one = timed(lambda: score_recompute_inline(kind="full", as_of=today, workers=1))
    reset_scores()
    full = timed(lambda: score_recompute_inline(kind="full", as_of=today, workers=workers))
    unchanged = timed(lambda: score_recompute_inline(kind="full", as_of=today, workers=workers), 2)
    scored = Score.objects.count()
    dirty = add_records_to_sample(subjects=subjects, today=today)
    runs = []
    incremental = timed(
        lambda: runs.append(
            score_recompute_inline(kind="incremental", as_of=today, workers=workers)
        )
    )
    return {
        "vacuum_analyze_s": round(vacuum, 1),
        "scored_subjects": scored,
        "incremental_dirty": len(dirty),
        "incremental_changed": runs[-1].subjects_changed,
        "floor_s": round(floor, 3),
        "full_1_worker_s": round(full_one, 3),
        "full_workers_s": round(full, 3),
        "unchanged_s": round(unchanged, 3),
        "incremental_1pct_s": round(incremental, 3),
    }


def child_measure(size: int, samples: int, workers: int) -> dict:
    from search import db_side, filter_shapes, sample_terms

    from sanctions.models import IntegrityRecord, Subject
    from sanctions.registry.selectors import public_entries

    out: dict = {"load_before": [round(x, 2) for x in os.getloadavg()]}
    out |= {"subjects": Subject.objects.count()}
    print(f"[{size}] measuring {this_database()}", flush=True)
    out |= measure_recompute(subjects=out["subjects"], workers=workers)
    out |= {"records": IntegrityRecord.objects.count(), "public_entries": public_entries().count()}
    out |= table_sizes()
    out |= warm_os_cache()
    print(f"[{size}] recompute {json.dumps(out)}", flush=True)
    out["search"] = db_side(sample_terms(samples), skip_unindexed=True)["with"]
    out["filters"] = filter_shapes()
    out["load_after"] = [round(x, 2) for x in os.getloadavg()]
    return out


def child(args) -> int:
    setup_django(f"growth_{args.child}", args.migrate_to)
    result = (
        child_seed(args.child, args.reuse)
        if args.phase == "seed"
        else child_measure(args.child, args.samples, args.workers)
    )
    Path(args.json).write_text(json.dumps(result, ensure_ascii=False))
    return 0


# --- parent: seed, measure, report -------------------------------------------------------


def run_child(size: int, phase: str, args) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        out = Path(handle.name)
    command = [sys.executable, __file__, "--child", str(size), "--phase", phase,
               "--json", str(out), "--samples", str(args.samples),
               "--workers", str(args.workers)] + (["--reuse"] if args.reuse else [])  # fmt: skip
    if args.migrate_to:
        command += ["--migrate-to", args.migrate_to]
    subprocess.run(command, check=True, env=os.environ)
    try:
        return json.loads(out.read_text())
    finally:
        out.unlink()


def growth_ratios(sizes: list[int], values: list[float]) -> list[str]:
    return [f"{b / a:.2f}" if a else "-" for a, b in zip(values, values[1:], strict=False)]


def report(sizes: list[int], figures: dict[int, dict], workers: int) -> dict:
    steps = [f"{b // 1000}k/{a // 1000}k" for a, b in zip(sizes, sizes[1:], strict=False)]
    head = f"{'measure':<46}" + "".join(f"{s:>12,}" for s in sizes)
    head += "".join(f"{s:>14}" for s in steps)
    rows: dict[str, list[float]] = {}
    for key in RECOMPUTE_MEASURES:
        rows[f"recompute {key}"] = [figures[s][key] for s in sizes]
    for shape in figures[sizes[0]]["search"]:
        for p in ("p50_ms", "p95_ms"):
            rows[f"search {shape} {p}"] = [figures[s]["search"][shape][p] for s in sizes]
    for shape in figures[sizes[0]]["filters"]:
        rows[f"filter {shape} ms"] = [figures[s]["filters"][shape]["ms"] for s in sizes]
    print()
    print(head)
    for label, values in rows.items():
        print(f"{label[:46]:<46}" + "".join(f"{v:>12.3f}" for v in values)
              + "".join(f"{r:>14}" for r in growth_ratios(sizes, values)))  # fmt: skip
    print("\nper-core rates")
    rates: dict[str, list[float]] = {}
    for s in sizes:
        f = figures[s]
        rates.setdefault("full, 1 worker: subjects/s", []).append(
            f["scored_subjects"] / f["full_1_worker_s"]
        )
        rates.setdefault(f"full, {workers} workers: subjects/s per worker", []).append(
            f["scored_subjects"] / f["full_workers_s"] / workers
        )
        rates.setdefault(f"unchanged, {workers} workers: subjects/s per worker", []).append(
            f["scored_subjects"] / f["unchanged_s"] / workers
        )
        rates.setdefault(f"incremental, {workers} workers: dirty/s per worker", []).append(
            f["incremental_dirty"] / f["incremental_1pct_s"] / workers
        )
        for shape, q in f["search"].items():
            for p in ("p50_ms", "p95_ms"):
                rates.setdefault(f"search {shape}: q/s per core at {p[:3]}", []).append(
                    1000 / q[p] if q[p] else 0.0
                )
    for label, values in rates.items():
        print(f"{label[:46]:<46}" + "".join(f"{v:>12,.0f}" for v in values)
              + "".join(f"{r:>14}" for r in growth_ratios(sizes, values)))  # fmt: skip
    print("\nload average (1, 5, 15 min) before/after each size's measurement: "
          + "; ".join(f"{s:,}: {figures[s]['load_before']} → {figures[s]['load_after']}"
                      for s in sizes))  # fmt: skip
    return {"rows": rows, "rates": rates}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=DEFAULT_SIZES)
    parser.add_argument("--reuse", action="store_true", help="keep the databases between runs")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--samples", type=int, default=30, help="search terms per shape")
    parser.add_argument(
        "--workers", type=int, default=os.cpu_count() or 2,
        help="parallel chunk workers for the recompute (default: CPU count)",
    )  # fmt: skip
    parser.add_argument(
        "--migrate-to", metavar="MIGRATION",
        help="migrate the sanctions app only up to this migration (e.g. 0032)",
    )  # fmt: skip
    parser.add_argument("--seed-only", action="store_true", help="seed what is missing, stop")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--phase", choices=["seed", "measure"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args)

    sizes = sorted(set(args.sizes))
    server_url()
    started = time.perf_counter()
    seeding = {}
    for size in sizes:
        if not args.reuse:
            drop_database(size)
        seeding[size] = run_child(size, "seed", args)
    if args.seed_only:
        return 0
    figures = {}
    for size in sizes:
        figures[size] = seeding[size] | run_child(size, "measure", args)
    summary = report(sizes, figures, args.workers)
    if not args.reuse:
        for size in sizes:
            drop_database(size)
    print(f"\ntotal {time.perf_counter() - started:.0f}s")
    if args.json:
        payload = {
            "date": datetime.date.today().isoformat(),
            "workers": args.workers,
            "samples": args.samples,
            "sizes": {str(s): figures[s] for s in sizes},
            "summary": summary,
        }
        Path(args.json).write_text(json.dumps(payload, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
