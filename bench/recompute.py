"""Score recompute benchmark: the project's set-based recompute against its floor and against a
naive per-subject ORM loop, all measured in one run on the same data.

    .venv/bin/python bench/recompute.py [--subjects 1000000] [--naive-sample 2000] [--reuse]

It works in a database of its own (`<name>_bench` on the server of DATABASE_URL, or of the
embedded server), builds the synthetic data set with `seed_demo --bulk` (COPY; ~3 records per
subject), and prints:
  1. floor       bare SQL aggregate of points per subject, no writes
  2. full        project's full recompute when every score changes (first computation)
  3. unchanged   the same full recompute again, nothing changed
  4. incremental after 1 % of subjects get a new record
  5. naive       per-subject ORM loop (load records, sum in Python, save) on a sample
and the ratios full/floor, unchanged/floor, incremental/full and project/naive (subjects/s).
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))


def prepare_database(suffix: str = "bench") -> str:
    """Point DATABASE_URL at a dedicated benchmark database (`<name>_<suffix>`), creating it
    if needed."""
    import psycopg

    from scs_portal import embedded

    if not os.environ.get("DATABASE_URL"):
        embedded.postgres_start()
        os.environ.setdefault("REDIS_URL", embedded.REDIS_URL)
        embedded.redis_start()
    base = os.environ.get("DATABASE_URL", embedded.DATABASE_URL)
    server, name = base.rsplit("/", 1)
    bench_name = f"{name}_{suffix}"
    with psycopg.connect(f"{server}/postgres", autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [bench_name])
        if not exists.fetchone():
            conn.execute(f'CREATE DATABASE "{bench_name}" TEMPLATE template0 ENCODING UTF8')
    os.environ["DATABASE_URL"] = f"{server}/{bench_name}"
    os.environ.setdefault("DJANGO_DEBUG", "true")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scs_portal.settings")
    return os.environ["DATABASE_URL"]


def score_floor_totals(*, as_of: datetime.date | None = None) -> tuple[int, int]:
    """The bare aggregate of points per subject with no writes (the benchmark's floor):
    (subjects scored, sum of their totals). The recompute's own aggregate (scoring.sql), so
    the floor counts exactly what a run stores (tests/sanctions/test_scoring.py checks it).
    Needs Django set up (main() does)."""
    from django.db import connection
    from django.utils import timezone

    from sanctions.scoring.selectors import active_ruleset
    from sanctions.scoring.sql import aggregate_sql, sql_params

    ruleset = active_ruleset()
    sql = f"SELECT count(*), coalesce(sum(total), 0) FROM ({aggregate_sql(ruleset, 'TRUE')}) x"
    with connection.cursor() as cursor:
        cursor.execute(sql, sql_params(ruleset, as_of or timezone.localdate()))
        count, total = cursor.fetchone()
    return count, int(total)


def score_floor_seconds(*, as_of: datetime.date | None = None) -> float:
    started = time.perf_counter()
    score_floor_totals(as_of=as_of)
    return time.perf_counter() - started


def seed_bench_data(subjects: int) -> float:
    """Empty the bench database's subjects, records and scores and seed `subjects` subjects
    with `seed_demo --bulk`; returns the seconds it took. Needs Django set up."""
    from django.core.management import call_command
    from django.db import connection

    with connection.cursor() as cursor:
        # the CASCADE reaches the audit trail and access log, which refuse TRUNCATE unless
        # their owner asks for it (migration 0026) — as here, in the bench's own database
        cursor.execute("SET scs.allow_truncate = 'on'")
        cursor.execute(
            "TRUNCATE sanctions_scorerunchunk, sanctions_scorerun, sanctions_scorehistory, "
            "sanctions_score, sanctions_scoredirty, sanctions_integrityrecord, "
            "enterprises_enterprise, citizens_citizen, sanctions_subject CASCADE"
        )
    started = time.perf_counter()
    call_command("seed_demo", "--bulk", "--subjects", str(subjects), "--force")
    return time.perf_counter() - started


def reset_scores() -> None:
    """Forget every score, run and history row: the next full run is a first computation."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE sanctions_scorerunchunk, sanctions_scorerun, sanctions_scorehistory, "
            "sanctions_score, sanctions_scoredirty"
        )


def add_records_to_sample(*, subjects: int, today: datetime.date) -> list[int]:
    """Give 1 % of subjects (enterprises, a fixed pseudo-random pick) a new active record, as
    the services would write it, and mark them dirty; returns their ids."""
    from django.db import connection

    from sanctions.registry.services.records import mark_dirty

    with connection.cursor() as cursor:
        cursor.execute(
            """
            WITH picked AS (
                SELECT id FROM sanctions_subject WHERE kind = 'enterprise'
                ORDER BY md5(id::text) LIMIT %(n)s
            ), t AS (SELECT id FROM sanctions_recordtype WHERE code = 'commercial-tax-arrears'),
            a AS (SELECT id FROM sanctions_authority WHERE code = 'bj-dongcheng-tax')
            INSERT INTO sanctions_integrityrecord
                (subject_id, record_type_id, authority_id, decision_number, decision_date,
                 legal_basis, facts, obligation, performance_status, status, effective_from,
                 effective_until, removal_reason, extension_reason, basis_document, created_at,
                 updated_at)
            SELECT picked.id, t.id, a.id, 'BENCH-' || picked.id || '-' || %(stamp)s,
                   %(today)s, 'bench', '', '', 'unperformed', 'active', %(today)s,
                   %(today)s::date + 365, '', '', '', now(), now()
            FROM picked, t, a
            RETURNING subject_id
            """,
            {"n": max(1, subjects // 100), "today": today, "stamp": time.time_ns()},
        )
        dirty = [row[0] for row in cursor.fetchall()]
    mark_dirty(dirty)
    return dirty


def timed(fn, repeat: int = 1) -> float:
    best = float("inf")
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - started)
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--subjects", type=int, default=1_000_000)
    parser.add_argument("--naive-sample", type=int, default=2000)
    parser.add_argument("--reuse", action="store_true", help="keep existing bench data")
    parser.add_argument("--json", help="also write the figures to this file")
    parser.add_argument(
        "--workers", type=int, default=os.cpu_count() or 2,
        help="parallel chunk workers for the project's runs (default: CPU count)",
    )  # fmt: skip
    args = parser.parse_args()

    url = prepare_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from sanctions.db.predicates import COUNTING_STATUSES
    from sanctions.models import IntegrityRecord, Score, Subject
    from sanctions.scoring.selectors import active_ruleset, grade_in_python
    from sanctions.scoring.services import score_recompute_inline

    call_command("migrate", verbosity=0)
    have = Subject.objects.count()
    if not (args.reuse and have >= args.subjects):
        seconds = seed_bench_data(args.subjects)
        print(f"seeded {args.subjects} subjects in {seconds:.1f}s")
    subjects = Subject.objects.count()
    records = IntegrityRecord.objects.count()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
    print(f"database {url.rsplit('/', 1)[1]}: {subjects} subjects, {records} records")
    today = datetime.date.today()

    floor = min(score_floor_seconds(as_of=today) for _ in range(3))
    w = args.workers

    def full_run():
        return score_recompute_inline(kind="full", as_of=today, workers=w)

    reset_scores()
    full_one_worker = timed(lambda: score_recompute_inline(kind="full", as_of=today, workers=1))
    reset_scores()
    full = timed(full_run)
    unchanged = timed(full_run, 2)
    scored = Score.objects.count()

    # 1 % of subjects get a new record, as the services would write it (and mark dirty)
    add_records_to_sample(subjects=subjects, today=today)
    incremental_run = None

    def run_incremental():
        nonlocal incremental_run
        incremental_run = score_recompute_inline(kind="incremental", as_of=today, workers=w)

    incremental = timed(run_incremental)

    # the naive loop: per subject, load its records, sum in Python, save
    ruleset = active_ruleset()
    overrides = ruleset.points_overrides or {}
    ids = list(Subject.objects.order_by("?").values_list("pk", flat=True)[: args.naive_sample])

    def naive():
        for subject in Subject.objects.filter(pk__in=ids):
            points = {"government": 0, "commercial": 0, "societal": 0, "judicial": 0}
            for record in subject.records.select_related("record_type"):
                counts = record.status in COUNTING_STATUSES and (
                    record.effective_from <= today
                    and (record.effective_until is None or record.effective_until >= today)
                )
                if counts:
                    t = record.record_type
                    points[t.domain] += overrides.get(t.code, t.points)
            total = ruleset.base_score + sum(points.values())
            Score.objects.update_or_create(
                subject=subject,
                defaults={**points, "total": total,
                          "grade": grade_in_python(ruleset=ruleset, total=total),
                          "rule_version": ruleset.version,
                          "computed_at": datetime.datetime.now(datetime.UTC)},
            )  # fmt: skip

    naive_seconds = timed(naive)
    naive_rate = len(ids) / naive_seconds
    best_full = min(full, full_one_worker)
    project_rate = scored / best_full
    figures = {
        "date": today.isoformat(),
        "subjects": subjects,
        "records": records,
        "scored_subjects": scored,
        "floor_s": round(floor, 3),
        "workers": w,
        "full_every_score_changes_1_worker_s": round(full_one_worker, 3),
        "full_every_score_changes_s": round(full, 3),
        "full_nothing_changed_s": round(unchanged, 3),
        "incremental_1pct_s": round(incremental, 3),
        "incremental_subjects_changed": incremental_run.subjects_changed,
        "naive_sample": len(ids),
        "naive_subjects_per_s": round(naive_rate, 1),
        "project_subjects_per_s": round(project_rate, 1),
        "full_over_floor": round(full / floor, 2),
        "full_1_worker_over_floor": round(full_one_worker / floor, 2),
        "unchanged_over_floor": round(unchanged / floor, 2),
        "incremental_over_full": round(incremental / best_full, 4),
        "project_over_naive": round(project_rate / naive_rate, 1),
    }
    print()
    print(f"{'measure':<40}{'seconds':>12}")
    print(f"{'1. floor (aggregate, no writes)':<40}{floor:>12.3f}")
    print(f"{'2. full, every score changes, 1 worker':<40}{full_one_worker:>12.3f}")
    print(f"{f'2. full, every score changes, {w} workers':<40}{full:>12.3f}")
    print(f"{'3. full, nothing changed':<40}{unchanged:>12.3f}")
    print(f"{'4. incremental, 1 % dirty':<40}{incremental:>12.3f}")
    print(f"{'5. naive ORM loop':<40}{naive_rate:>9.1f} subjects/s (sample {len(ids)})")
    print()
    print(f"full / floor          = {figures['full_over_floor']:.2f}   (target ≤ 2, aim 1.5)"
          f"   [1 worker: {full_one_worker / floor:.2f}]")  # fmt: skip
    print(f"unchanged / floor     = {figures['unchanged_over_floor']:.2f}   (target ≤ 1.2)")
    print(f"incremental / full    = {figures['incremental_over_full']:.2%} (target ≤ 5 %)")
    print(f"project / naive       = {figures['project_over_naive']:.0f}×   (target ≥ 300×)")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
