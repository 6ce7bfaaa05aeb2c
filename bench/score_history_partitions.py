"""ScoreHistory partitions benchmark: the monthly range-partitioned score history (migration
0033) against a plain copy of the same rows, in one run, and the migration on the filled table.

    .venv/bin/python bench/score_history_partitions.py [--rows 2000000] [--subjects 200000]
                                                      [--months 96] [--lookups 2000]

It works in a database of its own (`<name>_bench` on the server of DATABASE_URL, as
bench/recompute.py), fills the score history with `--rows` rows of `--subjects` subjects
spread evenly over the last `--months` months (a partition each), copies them into a plain
table with the model's old indexes (primary key id; subject, computed_at), and prints:
  1. load        INSERT … SELECT of all rows into each table
  2. lookup      one subject's whole history, as "my record" reads it (ORDER BY computed_at)
  3. lookup 12m  one subject's last 12 months (the planner prunes the older partitions)
  4. nightly     the nightly recompute's insert: a row for 1 % of the subjects, at now()
  5. retention   the oldest month away: DETACH + DROP of its partition vs DELETE on the plain
  6. migration   0033 backwards (partitioned → plain) and forwards on the filled table
with each ratio partitioned/plain (below 1: the partitioned table is faster).
"""

from __future__ import annotations

import argparse
import datetime
import json
import random
import statistics
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))

from bench.recompute import prepare_database  # noqa: E402 - after the path is set

PLAIN = "bench_scorehistory_plain"
COLUMNS = "subject_id, total, government, commercial, societal, judicial, grade, rule_version"
BEFORE = ("sanctions", "0032_audit_chain_at_commit")


def rows_sql(table: str, *, first_subject: int, months: int) -> str:
    """INSERT %(rows)s rows: row n is subject n mod subjects, in a month counted back from this
    one by a multiplicative hash of n (Knuth's; so each subject's rows fall in scattered
    months, as history rows do), at a time within the month that varies with n."""
    return f"""
        INSERT INTO {table} ({COLUMNS}, computed_at)
        SELECT {first_subject} + n %% %(subjects)s, 900 + n %% 200, 0, 0, 0, 0, 'B', 1,
               date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC'
               - (n::bigint * 2654435761 %% 4294967296 %% {months}) * interval '1 month'
               + (n %% 27) * interval '1 day' + (n %% 86400) * interval '1 second'
        FROM generate_series(0, %(rows)s - 1) AS n
    """  # noqa: S608 - the bench's own table names and integers; values are bound


def best_of(repeat: int, fn) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return min(times)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=2_000_000)
    parser.add_argument("--subjects", type=int, default=200_000)
    parser.add_argument(
        "--months", type=int, default=96,
        help="months of history, a partition each (default 96: the retention); at least 14",
    )  # fmt: skip
    parser.add_argument("--lookups", type=int, default=2000)
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()
    if args.months < 14:
        parser.error("--months must be at least 14: a month younger than 12 is never dropped")

    url = prepare_database()
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.db.migrations.executor import MigrationExecutor
    from django.utils import timezone

    from sanctions.scoring.partitions import (
        add_months,
        month_start,
        partition_name,
        score_history_partition_create,
        score_history_partition_drop,
    )
    from sanctions.scoring.selectors import score_history_partitions

    call_command("migrate", verbosity=0)
    figures: dict[str, float] = {}
    cursor = connection.cursor()
    # the CASCADE reaches the audit trail, which refuses TRUNCATE unless its owner asks — as
    # here, in the bench's own database
    cursor.execute("SET scs.allow_truncate = 'on'")
    cursor.execute(f"DROP TABLE IF EXISTS {PLAIN}")
    cursor.execute("TRUNCATE sanctions_scorehistory, sanctions_subject CASCADE")
    cursor.execute(
        "INSERT INTO sanctions_subject (kind, display_name, name_pinyin, region_code,"
        " masked_identifier, identifier_hash, created_at, updated_at, contact_email,"
        " legal_rep_name, sex, public_code)"
        " SELECT 'person', 'bench ' || n, 'bench', '110101', 'x', 'bench-' || n, now(), now(),"
        " '', '', '', 'B' || n FROM generate_series(1, %s) AS n RETURNING id",
        [args.subjects],
    )
    subject_ids = sorted(row[0] for row in cursor.fetchall())
    first_subject = subject_ids[0]
    this_month = month_start(timezone.now().date())
    wanted = {partition_name(add_months(this_month, n)) for n in range(-args.months + 1, 4)}
    for partition in score_history_partitions():  # an earlier run's other months
        if not partition.is_default and partition.name not in wanted:
            cursor.execute(f'DROP TABLE "{partition.name}"')
    for back in range(args.months):
        score_history_partition_create(month=add_months(this_month, -back))
    partitions = len(score_history_partitions())
    print(f"database {url.rsplit('/', 1)[1]}: {args.rows} rows, {args.subjects} subjects, "
          f"{args.months} months, {partitions} partitions (with DEFAULT)")  # fmt: skip
    params = {"subjects": args.subjects, "rows": args.rows}

    # 1. load
    started = time.perf_counter()
    with transaction.atomic():
        cursor.execute(
            rows_sql("sanctions_scorehistory", first_subject=first_subject, months=args.months),
            params,
        )
    figures["load_partitioned_s"] = time.perf_counter() - started
    cursor.execute(
        f"CREATE TABLE {PLAIN} (LIKE sanctions_scorehistory INCLUDING DEFAULTS"
        " INCLUDING CONSTRAINTS)"
    )
    cursor.execute(f"ALTER TABLE {PLAIN} ALTER COLUMN id ADD GENERATED BY DEFAULT AS IDENTITY")
    cursor.execute(f"ALTER TABLE {PLAIN} ADD PRIMARY KEY (id)")
    cursor.execute(f"CREATE INDEX {PLAIN}_subject ON {PLAIN} (subject_id, computed_at)")
    started = time.perf_counter()
    with transaction.atomic():
        cursor.execute(rows_sql(PLAIN, first_subject=first_subject, months=args.months), params)
    figures["load_plain_s"] = time.perf_counter() - started
    cursor.execute(f"VACUUM ANALYZE {PLAIN}")
    cursor.execute("VACUUM ANALYZE sanctions_scorehistory")
    print(f"1. load       partitioned {figures['load_partitioned_s']:7.1f} s   "
          f"plain {figures['load_plain_s']:7.1f} s   "
          f"ratio {figures['load_partitioned_s'] / figures['load_plain_s']:.2f}")  # fmt: skip

    # 2./3. lookups: the same random subjects on both tables, alternating which goes first
    sample = random.Random(16).sample(subject_ids, min(args.lookups, len(subject_ids)))

    def lookups(table: str, where: str = "") -> float:
        sql = (f"SELECT computed_at, total FROM {table} WHERE subject_id = %s {where}"  # noqa: S608
               " ORDER BY computed_at, id")  # fmt: skip
        per = []
        for subject in sample:
            started = time.perf_counter()
            cursor.execute(sql, [subject])
            cursor.fetchall()
            per.append(time.perf_counter() - started)
        return statistics.mean(per) * 1000

    # a constant bound, as Django sends it (client-side binding): pruned at planning
    since = timezone.now() - datetime.timedelta(days=365)
    recent = f"AND computed_at >= '{since.isoformat()}'"
    for label, where in (("lookup", ""), ("lookup_12m", recent)):
        lookups("sanctions_scorehistory", where)  # warm the caches
        lookups(PLAIN, where)
        part = min(lookups("sanctions_scorehistory", where), lookups("sanctions_scorehistory",
                                                                     where))  # fmt: skip
        plain = min(lookups(PLAIN, where), lookups(PLAIN, where))
        figures[f"{label}_partitioned_ms"], figures[f"{label}_plain_ms"] = part, plain
        print(f"{'2.' if label == 'lookup' else '3.'} {label:<10} partitioned {part:7.3f} ms  "
              f"plain {plain:7.3f} ms   ratio {part / plain:.2f}")  # fmt: skip

    # 4. the nightly insert: a row for 1 % of the subjects at now(), rolled back each time
    nightly_rows = max(1, args.subjects // 100)

    def nightly(table: str) -> None:
        with transaction.atomic():
            cursor.execute(
                f"INSERT INTO {table} ({COLUMNS}, computed_at)"  # noqa: S608
                " SELECT s, 950, 0, 0, 0, 0, 'A', 2, now()"
                " FROM generate_series(%s, %s) AS s",
                [first_subject, first_subject + nightly_rows - 1],
            )
            transaction.set_rollback(True)

    part = min(best_of(3, lambda: nightly("sanctions_scorehistory")),
               best_of(3, lambda: nightly("sanctions_scorehistory")))  # fmt: skip
    plain = min(best_of(3, lambda: nightly(PLAIN)), best_of(3, lambda: nightly(PLAIN)))
    figures["nightly_rows"] = nightly_rows
    figures["nightly_partitioned_s"], figures["nightly_plain_s"] = part, plain
    print(f"4. nightly    partitioned {part:7.3f} s   plain {plain:7.3f} s   "
          f"ratio {part / plain:.2f}   ({nightly_rows} rows)")  # fmt: skip

    # 5. retention: the oldest month goes
    oldest = add_months(this_month, -(args.months - 1))
    bound = datetime.datetime.combine(add_months(oldest, 1), datetime.time(), tzinfo=datetime.UTC)
    started = time.perf_counter()
    dropped_rows = score_history_partition_drop(month=oldest, retention_months=args.months - 1)
    part = time.perf_counter() - started
    started = time.perf_counter()
    with transaction.atomic():
        cursor.execute(f"DELETE FROM {PLAIN} WHERE computed_at < %s", [bound])  # noqa: S608
        deleted = cursor.rowcount
    plain = time.perf_counter() - started
    assert deleted == dropped_rows, (deleted, dropped_rows)
    figures["retention_rows"] = deleted
    figures["retention_partitioned_s"], figures["retention_plain_s"] = part, plain
    print(f"5. retention  partitioned {part:7.3f} s   plain {plain:7.3f} s   "
          f"ratio {part / plain:.3f}   ({deleted} rows; DELETE leaves them to vacuum)")  # fmt: skip
    cursor.execute(f"DROP TABLE {PLAIN}")

    # 6. the migration on the filled table, both ways
    remaining = args.rows - dropped_rows
    cursor.close()
    started = time.perf_counter()
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate([BEFORE])
    backwards = time.perf_counter() - started
    started = time.perf_counter()
    MigrationExecutor(connection).migrate(latest)
    forwards = time.perf_counter() - started
    with connection.cursor() as check:
        check.execute("SELECT count(*) FROM sanctions_scorehistory")
        assert check.fetchone()[0] == remaining
    figures["migration_rows"] = remaining
    figures["migration_forwards_s"], figures["migration_backwards_s"] = forwards, backwards
    print(f"6. migration  forwards {forwards:7.1f} s ({remaining / forwards:,.0f} rows/s)   "
          f"backwards {backwards:7.1f} s ({remaining / backwards:,.0f} rows/s)")  # fmt: skip
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
