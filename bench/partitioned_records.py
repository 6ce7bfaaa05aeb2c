"""Hash-partitioned integrity records against today's table (issue 16): the score recompute,
every public search shape, record look-ups and table maintenance on two copies of the same
database, one of them with `sanctions_integrityrecord` HASH-partitioned by subject_id.

    .venv/bin/python bench/partitioned_records.py [--subjects 1000000] [--partitions 16]
                                                  [--keep] [--json FILE]

Both copies are made with CREATE DATABASE … TEMPLATE from the growth bench's database
`<name>_growth_<subjects>` (bench/growth.py seeds it when it is missing): `<name>_plainrec_<n>`
stays as it is, `<name>_hashrec_<n>` gets its records table rebuilt as

    CREATE TABLE sanctions_integrityrecord (LIKE … INCLUDING DEFAULTS INCLUDING CONSTRAINTS)
        PARTITION BY HASH (subject_id);   -- --partitions partitions, rows copied in
    -- the same indexes, built after the copy; a unique index must contain the partition key,
    -- so the primary key (id), UNIQUE (public_id) and UNIQUE (authority_id, decision_number)
    -- become unique indexes with subject_id appended (subject_id is NULL after an erasure,
    -- so there is no primary key at all); the same triggers (search tables), the same
    -- foreign keys out; foreign keys INTO the table (notices, objections, repairs, cases,
    -- events, API submissions) cannot reference `id` alone and are dropped.

The recompute and the search run unchanged against either copy (same table name). Each part
runs in a child process per copy, the two copies alternating part by part, so that both see
the same load on a shared machine. Printed per measure: plain, partitioned, and the ratio
partitioned / plain (below 1: partitioned is faster).

Decision rule (docs/performance.md): adopt hash partitioning of the records only if it wins
on the recompute and search shapes, or the maintenance arithmetic (full-table VACUUM and
REINDEX time of one table at national scale) demands it.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
sys.path.insert(0, str(BASE_DIR / "bench"))

from growth import (  # noqa: E402 - bench/ is put on the path above
    measure_recompute,
    server_url,
    setup_django,
    table_sizes,
    warm_os_cache,
)

TABLE = "sanctions_integrityrecord"
PARTS = ["recompute", "search", "lookups", "maintenance"]


def copy_names(subjects: int) -> dict[str, str]:
    return {"plain": f"plainrec_{subjects}", "hash": f"hashrec_{subjects}"}


def admin_connection():
    import psycopg

    return psycopg.connect(f"{server_url().rsplit('/', 1)[0]}/postgres", autocommit=True)


def database(suffix: str) -> str:
    return f"{server_url().rsplit('/', 1)[1]}_{suffix}"


def make_copy(source: str, target: str) -> float:
    """CREATE DATABASE target TEMPLATE source, waiting while someone is connected to it."""
    started = time.perf_counter()
    with admin_connection() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)')
        for _ in range(360):
            busy = conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = %s", [source]
            ).fetchone()[0]
            if not busy:
                try:
                    # a file copy (one checkpoint) rather than every block through the WAL
                    conn.execute(
                        f'CREATE DATABASE "{target}" TEMPLATE "{source}" STRATEGY FILE_COPY'
                    )
                    return time.perf_counter() - started
                except Exception as error:  # noqa: BLE001 - someone connected in between
                    print(f"  waiting for {source}: {error}", flush=True)
            time.sleep(10)
    raise SystemExit(f"{source} stayed busy: no copy made")


def partition(target: str, partitions: int) -> dict:
    """Rebuild the records table of `target` as a HASH-partitioned table (see the module
    docstring); returns the seconds of each step."""
    import psycopg

    url = f"{server_url().rsplit('/', 1)[0]}/{target}"
    steps = {}
    with psycopg.connect(url, autocommit=True) as conn:

        def step(label: str, *statements: str) -> None:
            started = time.perf_counter()
            for sql in statements:
                conn.execute(sql)
            steps[label] = round(time.perf_counter() - started, 1)
            print(f"  {label:<34}{steps[label]:>8.1f}s", flush=True)

        conn.execute("SET maintenance_work_mem = '512MB'")
        indexes = [row[0] for row in conn.execute(
            "SELECT pg_get_indexdef(indexrelid) FROM pg_index WHERE indrelid = %s::regclass",
            [TABLE])]  # fmt: skip
        triggers = [row[0] for row in conn.execute(
            "SELECT pg_get_triggerdef(oid) FROM pg_trigger WHERE tgrelid = %s::regclass "
            "AND NOT tgisinternal", [TABLE])]  # fmt: skip
        foreign_keys = list(conn.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = %s::regclass AND contype = 'f'", [TABLE]))  # fmt: skip
        step(
            "create partitioned table",
            f"ALTER TABLE {TABLE} RENAME TO {TABLE}_plain",
            f"CREATE TABLE {TABLE} (LIKE {TABLE}_plain INCLUDING DEFAULTS INCLUDING CONSTRAINTS "
            f"INCLUDING STORAGE) PARTITION BY HASH (subject_id)",
            *(f"CREATE TABLE {TABLE}_h{i} PARTITION OF {TABLE} "
              f"FOR VALUES WITH (MODULUS {partitions}, REMAINDER {i})"
              for i in range(partitions)),
            # the plain table's id is an identity column; a partitioned one (PostgreSQL < 17)
            # takes a sequence default instead
            f"CREATE SEQUENCE {TABLE}_hash_id_seq",
            f"ALTER TABLE {TABLE} ALTER COLUMN id SET DEFAULT nextval('{TABLE}_hash_id_seq')",
        )  # fmt: skip
        step("copy rows", f"INSERT INTO {TABLE} SELECT * FROM {TABLE}_plain")  # noqa: S608
        step(
            "drop plain table (and FKs into it)",
            f"SELECT setval('{TABLE}_hash_id_seq', (SELECT max(id) FROM {TABLE}))",  # noqa: S608
            f"DROP TABLE {TABLE}_plain CASCADE",
        )
        statements = []
        for definition in indexes:
            definition = definition.replace(f" ON public.{TABLE}_plain ", f" ON public.{TABLE} ")
            if definition.startswith("CREATE UNIQUE INDEX"):
                columns = re.search(r"USING btree \(([^)]*)\)", definition).group(1)
                if "subject_id" not in columns.split(", "):
                    definition = definition.replace(
                        f"USING btree ({columns})", f"USING btree ({columns}, subject_id)"
                    )
            statements.append(definition)
        step("build indexes", *statements)
        step("recreate triggers", *(t.replace(f" ON public.{TABLE}_plain ", f" ON public.{TABLE} ")
                                    for t in triggers))  # fmt: skip
        step("recreate foreign keys out", *(f"ALTER TABLE {TABLE} ADD CONSTRAINT {name} {fk}"
                                            for name, fk in foreign_keys))  # fmt: skip
        step("VACUUM ANALYZE", f"VACUUM ANALYZE {TABLE}")
    return steps


# --- child process: one part on one copy -------------------------------------------------


def explain(sql: str, params: list) -> float:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    plan = plan[0] if isinstance(plan, list) else json.loads(plan)[0]
    return plan["Execution Time"]


def part_lookups(samples: int) -> dict:
    """A record by id (admin, API, the search's join back to the record) and a subject's
    records (the citizen's page, the recompute of one subject): EXPLAIN ANALYZE p50/p95."""
    from django.db import connection
    from search import percentile

    with connection.cursor() as cursor:
        cursor.execute(f"SELECT max(id) FROM {TABLE}")  # noqa: S608
        top = cursor.fetchone()[0]
        cursor.execute("SELECT max(id) FROM sanctions_subject")
        subjects = cursor.fetchone()[0]
    rng = random.Random(7)
    shapes = {
        "record by id": (f"SELECT * FROM {TABLE} WHERE id = %s", top),  # noqa: S608
        "records of a subject": (f"SELECT * FROM {TABLE} WHERE subject_id = %s", subjects),  # noqa: S608
    }
    out = {}
    for label, (sql, high) in shapes.items():
        times = [explain(sql, [rng.randint(1, high)]) for _ in range(samples)]
        out[label] = {"p50_ms": round(percentile(times, 0.5), 3),
                      "p95_ms": round(percentile(times, 0.95), 3)}  # fmt: skip
        print(
            f"  {label:<26}p50 {out[label]['p50_ms']:>8.3f} ms  p95 {out[label]['p95_ms']:>8.3f} ms"
        )
    return out


def part_maintenance() -> dict:
    """Whole-table VACUUM (FREEZE, DISABLE_PAGE_SKIPPING) — what an anti-wraparound vacuum
    does — and REINDEX of the records table; on the partitioned copy also of its largest
    partition, the unit that maintenance can then work in."""
    from django.db import connection

    out = {}
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '512MB'")
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = %s::regclass ORDER BY pg_relation_size(c.oid) DESC LIMIT 1",
            [TABLE],
        )
        row = cursor.fetchone()
        targets = {"table": TABLE} | ({"largest partition": row[0]} if row else {})
        for label, name in targets.items():
            for action, sql in (("vacuum freeze", f"VACUUM (FREEZE, DISABLE_PAGE_SKIPPING) {name}"),
                                ("reindex", f"REINDEX TABLE {name}")):  # fmt: skip
                started = time.perf_counter()
                cursor.execute(sql)
                out[f"{action} {label} s"] = round(time.perf_counter() - started, 2)
                print(f"  {action} {label:<20}{out[f'{action} {label} s']:>8.2f}s", flush=True)
    return out


def child(args) -> int:
    from search import db_side, filter_shapes, sample_terms

    setup_django(args.child, args.migrate_to)
    started = time.perf_counter()
    if args.part == "recompute":
        from sanctions.models import Subject

        result = measure_recompute(subjects=Subject.objects.count(), workers=args.workers)
        result |= table_sizes() | warm_os_cache()
    elif args.part == "search":
        warm_os_cache()
        result = {"search": db_side(sample_terms(args.samples), skip_unindexed=True)["with"],
                  "filters": filter_shapes()}  # fmt: skip
    elif args.part == "lookups":
        result = {"lookups": part_lookups(args.samples * 5)}
    else:
        result = part_maintenance()
    result[f"load_{args.part}"] = [round(x, 2) for x in os.getloadavg()]
    result["part_s"] = round(time.perf_counter() - started, 1)
    Path(args.json).write_text(json.dumps(result, ensure_ascii=False))
    return 0


# --- parent --------------------------------------------------------------------------------


def run_child(suffix: str, part: str, args) -> dict:
    with tempfile.NamedTemporaryFile(suffix=".json", delete=False) as handle:
        out = Path(handle.name)
    command = [sys.executable, __file__, "--child", suffix, "--part", part, "--json", str(out),
               "--samples", str(args.samples), "--workers", str(args.workers)]  # fmt: skip
    if args.migrate_to:
        command += ["--migrate-to", args.migrate_to]
    print(f"[{suffix}] {part}", flush=True)
    subprocess.run(command, check=True, env=os.environ)
    try:
        return json.loads(out.read_text())
    finally:
        out.unlink()


def flatten(result: dict) -> dict[str, float]:
    rows = {}
    for key, value in result.items():
        if key in ("search", "filters", "lookups"):
            for shape, figures in value.items():
                for name, figure in figures.items():
                    if name != "indexed":
                        rows[f"{key}: {shape} {name}"] = figure
        elif isinstance(value, int | float) and key not in ("part_s",):
            rows[key] = value
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--subjects", type=int, default=1_000_000)
    parser.add_argument("--partitions", type=int, default=16)
    parser.add_argument("--samples", type=int, default=30, help="search terms per shape")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--keep", action="store_true", help="keep the two copies afterwards")
    parser.add_argument("--reuse", action="store_true", help="measure copies kept by --keep")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--migrate-to", metavar="MIGRATION", help="as in bench/growth.py")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--part", choices=PARTS, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args)

    source = database(f"growth_{args.subjects}")
    with admin_connection() as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [source]).fetchone()
    if not exists:  # the growth bench seeds it
        command = [sys.executable, str(BASE_DIR / "bench" / "growth.py"), "--sizes",
                   str(args.subjects), "--reuse", "--seed-only"]  # fmt: skip
        subprocess.run(command + (["--migrate-to", args.migrate_to] if args.migrate_to else []),
                       check=True, env=os.environ)  # fmt: skip
    copies = copy_names(args.subjects)
    setup = {}
    if not args.reuse:
        for suffix in copies.values():
            seconds = make_copy(source, database(suffix))
            print(f"copied {source} to {database(suffix)} in {seconds:.1f}s", flush=True)
        print(f"partitioning {database(copies['hash'])} ({args.partitions} partitions):")
        setup = partition(database(copies["hash"]), args.partitions)
    results: dict[str, dict] = {"plain": {}, "hash": {}}
    for part in PARTS:
        for label in ("plain", "hash"):
            results[label] |= run_child(copies[label], part, args)
    plain, hashed = flatten(results["plain"]), flatten(results["hash"])
    print(f"\n{'measure':<58}{'plain':>11}{'hash':>11}{'hash/plain':>12}")
    ratios = {}
    for key in plain:
        if key in hashed:
            ratios[key] = hashed[key] / plain[key] if plain[key] else float("nan")
            print(f"{key[:58]:<58}{plain[key]:>11.3f}{hashed[key]:>11.3f}{ratios[key]:>12.2f}")
    print("hash only: " + ", ".join(f"{k} {v}" for k, v in hashed.items() if k not in plain))
    print("load average (1, 5, 15 min) after each part: " + "; ".join(
        f"{label} {part} {results[label][f'load_{part}']}"
        for part in PARTS for label in ("plain", "hash")))  # fmt: skip
    if not args.keep:
        with admin_connection() as conn:
            for suffix in copies.values():
                conn.execute(f'DROP DATABASE IF EXISTS "{database(suffix)}" WITH (FORCE)')
    if args.json:
        payload = {"subjects": args.subjects, "partitions": args.partitions,
                   "partitioning_steps_s": setup, "plain": results["plain"],
                   "hash": results["hash"], "ratios": ratios}  # fmt: skip
        Path(args.json).write_text(json.dumps(payload, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
