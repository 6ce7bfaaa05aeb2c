"""Public search benchmark: DB-side latency of every query shape with and without the
project's search indexes, and search-page throughput next to a bare view, in one run.

    .venv/bin/python bench/search.py [--subjects 1000000] [--samples 40] [--seconds 15]

Uses the benchmark database of bench/recompute.py (`<name>_bench`, built with
`seed_demo --bulk` if it is smaller than --subjects). Needs `wrk` (Debian package `wrk`) for
the page part; gunicorn (gthread workers, keep-alive) serves the project on 127.0.0.1.
The page part runs twice, each time next to the bare view on the same server: with the
search page cache off (SCS_SEARCH_PAGE_CACHE_SECONDS=0, every request renders) and on.
The DB-side part first loads the search tables into shared buffers (pg_prewarm): give the
server room for them (3.4 GB at 1,000,000 subjects), e.g. start the embedded one with
SCS_EMBEDDED_PG_SHARED_BUFFERS=4GB.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
sys.path.insert(0, str(BASE_DIR / "bench"))

PROJECT_INDEXES = ["subject_name_grams_gin", "subject_name_trgm_gin", "subject_pinyin_prefix",
                   "scs_public_name_char_record", "scs_public_entry_name_trgm",
                   "scs_public_entry_name_newest", "scs_public_entry_name_pinyin"]  # fmt: skip
# dropped with the indexes in the run without them (rolled back): the search tables' keys
PROJECT_CONSTRAINTS = [("scs_public_name_char", "scs_public_name_char_pkey"),
                       ("scs_public_entry_name", "scs_public_entry_name_pkey")]  # fmt: skip
BIG_TABLES = {"sanctions_subject", "sanctions_integrityrecord", "scs_public_name_char",
              "scs_public_entry_name"}  # fmt: skip


def percentile(values: list[float], p: float) -> float:
    values = sorted(values)
    k = (len(values) - 1) * p
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def _seq_scanned(node: dict) -> set[str]:
    found = set()
    if node.get("Node Type") == "Seq Scan":
        found.add(node.get("Relation Name", ""))
    for child in node.get("Plans", []):
        found |= _seq_scanned(child)
    return found


def explain_ms(queryset) -> tuple[float, bool]:
    """DB execution time (EXPLAIN ANALYZE) and whether the plan avoided sequential scans of
    the big tables (subjects, records)."""
    from django.db import connection

    sql, params = queryset.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    plan = plan[0] if isinstance(plan, list) else json.loads(plan)[0]
    scanned = _seq_scanned(plan["Plan"])
    indexed = not scanned & BIG_TABLES
    return plan["Execution Time"], indexed


def prewarm() -> str:
    """Load the search tables and their indexes into shared buffers (pg_prewarm), so the
    DB-side figures are those of a server whose working set is in memory, and repeatable:
    this VM returns the OS page cache to the host within minutes, so without it each run
    measured however much of 3.4 GB happened to be on disk (1-char p95 12–50 ms)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT setting FROM pg_settings WHERE name = 'shared_buffers'")
        blocks = int(cursor.fetchone()[0])
        try:
            cursor.execute("CREATE EXTENSION IF NOT EXISTS pg_prewarm")
        except Exception as error:  # noqa: BLE001 - measured cold then, and said so
            return f"not prewarmed ({error.__class__.__name__}: {error})".strip()
        cursor.execute(
            "SELECT c.oid::regclass::text, c.relpages FROM pg_class c "
            "LEFT JOIN pg_index i ON i.indexrelid = c.oid "
            "WHERE c.relname = ANY(%s) OR i.indrelid::regclass::text = ANY(%s)",
            [sorted(BIG_TABLES), sorted(BIG_TABLES)],
        )
        relations = cursor.fetchall()
        for name, _pages in relations:
            cursor.execute("SELECT pg_prewarm(%s)", [name])
    total = sum(pages for _name, pages in relations)
    return (
        f"prewarmed {len(relations)} relations, {total * 8 // 1024} MB, into shared_buffers of "
        f"{blocks * 8 // 1024} MB" + (" (they do not all fit)" if total > blocks else "")
    )


def sample_terms(n: int) -> dict[str, list]:
    from django.db import connection

    rng = random.Random(7)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT display_name, name_pinyin, kind FROM sanctions_subject "
            "TABLESAMPLE SYSTEM (1) REPEATABLE (7) LIMIT 20000"
        )
        rows = cursor.fetchall()
        cursor.execute(
            "SELECT resident_id FROM citizens_citizen TABLESAMPLE SYSTEM (1) REPEATABLE (7) "
            "LIMIT %s",
            [n],
        )
        ids = [r[0] for r in cursor.fetchall()]
    people = [r for r in rows if r[2] == "person"]
    firms = [r[0] for r in rows if r[2] == "enterprise"]
    two = [r[0] for r in people if len(r[0]) == 2]
    three = [r[0] for r in people if len(r[0]) == 3]
    return {
        "1-char name": [rng.choice(three)[1] for _ in range(n)],
        "2-char name": rng.sample(two, min(n, len(two))),
        "3-char name": rng.sample(three, min(n, len(three))),
        "pinyin": [r[1] for r in rng.sample(people, n)],
        "partial enterprise name": [f[2:6] for f in rng.sample(firms, min(n, len(firms)))],
        "exact ID": ids,
    }


def db_side(samples: dict[str, list], skip_unindexed: bool = False) -> dict[str, dict]:
    from django.db import connection, transaction

    from sanctions.publication.filters import filtered_entries
    from sanctions.publication.selectors import entries_by_identifier

    def run_all(label: str, limit: int | None = None) -> dict[str, dict]:
        out = {}
        for shape, terms in samples.items():
            terms = terms[:limit] if limit else terms
            times, indexed = [], True
            for term in terms:
                qs = (
                    entries_by_identifier(identifier=term)
                    if shape == "exact ID"
                    else filtered_entries({"q": term}, today=None)[1]
                )
                ms, used_index = explain_ms(qs[:201])
                times.append(ms)
                indexed = indexed and used_index
            out[shape] = {
                "p50_ms": round(percentile(times, 0.5), 2),
                "p95_ms": round(percentile(times, 0.95), 2),
                "indexed": indexed,
            }
            print(f"  {label:<18}{shape:<26}p50 {out[shape]['p50_ms']:>9.2f} ms  "
                  f"p95 {out[shape]['p95_ms']:>9.2f} ms  indexed={indexed}")  # fmt: skip
        return out

    with_indexes = run_all("with indexes")
    if skip_unindexed:
        return {"with": with_indexes, "without": {k: {"p50_ms": 0, "p95_ms": 0, "indexed": False}
                                                  for k in with_indexes}}  # fmt: skip
    with transaction.atomic():
        with connection.cursor() as cursor:
            for name in PROJECT_INDEXES:
                cursor.execute(f"DROP INDEX {name}")  # rolled back below
            for table, name in PROJECT_CONSTRAINTS:
                cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
        without = run_all("without", limit=5)  # full scans are slow: 5 terms per shape
        transaction.set_rollback(True)
    return {"with": with_indexes, "without": without}


def filter_shapes() -> dict[str, dict]:
    """Filters alone and with a name, including combinations with few or no entries (which
    walked every entry before migration 0021): EXPLAIN ANALYZE time, best of 3."""
    from django.db import connection

    from sanctions.publication.filters import filtered_entries

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n.authority_id FROM scs_public_entry_name n JOIN sanctions_authority a "
            "ON a.id = n.authority_id AND a.is_active GROUP BY 1 ORDER BY count(*), 1 LIMIT 1"
        )
        rare_authority = str(cursor.fetchone()[0])
        cursor.execute(
            "SELECT n.authority_id FROM scs_public_entry_name n JOIN sanctions_authority a "
            "ON a.id = n.authority_id AND a.is_active GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1"
        )
        common_authority = str(cursor.fetchone()[0])
    shapes = {
        "province": {"province": "11"},
        "authority (fewest entries)": {"authority": rare_authority},
        "authority (most entries)": {"authority": common_authority},
        "ground": {"ground": "6"},
        "kind": {"kind": "enterprise"},
        "publication month": {"published_from": "2025-01-01", "published_to": "2025-01-31"},
        "commercial + person (none)": {"domain": "commercial", "kind": "person"},
        "pinyin + kind (none)": {"q": "wang", "kind": "enterprise"},
        "3 characters + authority": {"q": "科技有限", "authority": rare_authority},
        "1 character + province": {"q": "张", "province": "11"},
        "1 character + commercial + person (none)": {
            "q": "张",
            "domain": "commercial",
            "kind": "person",
        },
        "1 character + authority (fewest entries)": {"q": "王", "authority": rare_authority},
        "legal representative": {"legal_rep": "王建国"},
    }
    out = {}
    for label, params in shapes.items():
        entries = filtered_entries(params)[1]
        runs = [explain_ms(entries[:201]) for _ in range(3)]
        out[label] = {"ms": round(min(ms for ms, _ in runs), 2), "indexed": runs[0][1]}
        print(f"  filters           {label:<42}{out[label]['ms']:>9.2f} ms  "
              f"indexed={out[label]['indexed']}")  # fmt: skip
    return out


def wrk(url: str, seconds: int, connections: int = 16) -> dict:
    result = subprocess.run(
        ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", url],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    out = result.stdout

    def latency(label: str) -> float:
        match = re.search(rf"\s{label}%\s+([\d.]+)(us|ms|s)", out)
        value, unit = float(match.group(1)), match.group(2)
        return value / 1000 if unit == "us" else value * 1000 if unit == "s" else value

    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {"rps": rps, "p50_ms": latency("50"), "p99_ms": latency("99"),
            "non_2xx": int(non2xx.group(1)) if non2xx else 0}  # fmt: skip


def _serve(env: dict, port: int, workers: int, threads: int) -> subprocess.Popen:
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "scs_portal.wsgi", "-b", f"127.0.0.1:{port}",
         "--workers", str(workers), "--worker-class", "gthread", "--threads", str(threads),
         "--keep-alive", "30", "--log-level", "warning"],
        cwd=BASE_DIR, env=env, start_new_session=True,
    )  # fmt: skip
    for _ in range(150):
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/bench/bare", timeout=1)  # noqa: S310
            break
        except OSError:
            time.sleep(0.2)
    return server


def pages(seconds: int, database_url: str, workers: int = 1, threads: int = 4) -> dict:
    """The search page next to the bare view, on the same gunicorn, twice: with the search
    page cache off (every request renders: the cost of the page itself) and on (a hot URL
    served from the cache after its first render). Each pair is measured in one server run."""
    if not shutil.which("wrk"):
        print("wrk not found (apt-get install wrk): skipping the page part")
        return {}
    port = 8899
    env = {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_DEBUG": "false",
        "DJANGO_SECRET_KEY": "bench-only-secret-key-0123456789abcdefghijklmnopqrstuvwxyz",
        "SCS_IDENTIFIER_KEY": os.environ.get(
            "SCS_IDENTIFIER_KEY", "development-only-identifier-key-0123456789abcdef"
        ),
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "false",
        "SCS_SEARCH_RATE_PER_MINUTE": "100000000",
        "SCS_BENCH_BARE_VIEW": "true",
        "LOG_LEVEL": "WARNING",
    }  # fmt: skip
    subprocess.run([sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"],
                   cwd=BASE_DIR, env=env, check=True)  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    search_url = base + "/search/?q=" + urllib.parse.quote("张伟")
    out = {}
    for label, cache_seconds in (("uncached", "0"), ("cached", "30")):
        server = _serve({**env, "SCS_SEARCH_PAGE_CACHE_SECONDS": cache_seconds}, port,
                        workers, threads)  # fmt: skip
        # other load on a shared machine comes and goes within seconds: bare and page
        # alternate in `rounds` short runs and each round gives its own ratio
        rounds, bares, page_runs = 3, [], []
        try:
            wrk(search_url, 3)  # warm-up
            for _ in range(rounds):
                bares.append(wrk(base + "/bench/bare", max(seconds // rounds, 2)))
                page_runs.append(wrk(search_url, max(seconds // rounds, 2)))
        finally:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        ratios = sorted(p["rps"] / b["rps"] for b, p in zip(bares, page_runs, strict=True))
        median = sorted(range(rounds), key=lambda i: page_runs[i]["rps"] / bares[i]["rps"])[
            rounds // 2
        ]
        out[label] = {"bare": bares[median], "search_page": page_runs[median],
                      "round_ratios": [round(r, 4) for r in ratios]}  # fmt: skip
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--subjects", type=int, default=1_000_000)
    parser.add_argument("--samples", type=int, default=40)
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument("--pages-only", action="store_true", help="skip the DB-side part")
    parser.add_argument(
        "--skip-unindexed", action="store_true", help="skip the slow run without indexes"
    )
    # One worker by default: wrk opens its 16 keep-alive connections once per run, and
    # gunicorn's workers share one listening socket, so with two workers one of them may get
    # most of the connections (seen: 12 and 4) or all of them, and a run measures half the
    # server: with 2 × 8, single runs of the same URL ranged from 530 to 1,640 req/s. One
    # worker with 4 threads serves both views on one core (wrk and Redis use the other).
    parser.add_argument("--workers", type=int, default=1, help="gunicorn worker processes")
    parser.add_argument("--threads", type=int, default=4, help="threads per gunicorn worker")
    args = parser.parse_args()

    from recompute import prepare_database

    url = prepare_database()
    import django

    django.setup()
    from django.core.management import call_command

    from sanctions.models import Subject
    from sanctions.registry.selectors import public_entries

    call_command("migrate", verbosity=0)
    if Subject.objects.count() < args.subjects:
        call_command("seed_demo", "--bulk", "--subjects", str(args.subjects), "--force")
    print(f"{Subject.objects.count()} subjects, {public_entries().count()} public entries")
    if not args.pages_only:
        print(prewarm())
    db = (
        {"with": {}, "without": {}}
        if args.pages_only
        else db_side(sample_terms(args.samples), args.skip_unindexed)
    )
    filters = {} if args.pages_only else filter_shapes()
    web = pages(args.seconds, url, args.workers, args.threads)
    figures = {"db": db, "filters": filters, "pages": web}
    print()
    for shape in db["with"]:
        w, wo = db["with"][shape], db["without"][shape]
        speedup = wo["p50_ms"] / w["p50_ms"] if w["p50_ms"] else float("inf")
        print(f"{shape:<26} indexed={w['indexed']!s:<5} p95 {w['p95_ms']:>7.2f} ms   "
              f"unindexed p50 {wo['p50_ms']:>9.2f} ms   speed-up {speedup:>8.1f}×")  # fmt: skip
    for label, run in web.items():
        bare, page = run["bare"], run["search_page"]
        print(f"\n[{label} search page; gunicorn {args.workers} gthread workers × "
              f"{args.threads} threads]")  # fmt: skip
        print(f"bare view      {bare['rps']:>8.1f} req/s  p50 {bare['p50_ms']:.2f} ms  "
              f"p99 {bare['p99_ms']:.2f} ms")  # fmt: skip
        print(f"search page    {page['rps']:>8.1f} req/s  p50 {page['p50_ms']:.2f} ms  "
              f"p99 {page['p99_ms']:.2f} ms  non-2xx {page['non_2xx']}")  # fmt: skip
        print(f"page / bare throughput = {page['rps'] / bare['rps']:.1%} (target ≥ 35 %); "
              f"page p99 / p50 = {page['p99_ms'] / page['p50_ms']:.2f} (target ≤ 3)")  # fmt: skip
        print("  (median of alternating rounds; all rounds' ratios: "
              + ", ".join(f"{r:.1%}" for r in run["round_ratios"]) + ")")  # fmt: skip
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
