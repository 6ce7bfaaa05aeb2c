"""Writes of the score history's monthly partitions (migration 0033; docs/scaling.md,
"ScoreHistory partitions"): create the months ahead, move rows out of DEFAULT into a month
created for them, detach and drop the months past the retention.

The DDL runs in two SECURITY DEFINER functions of the migration, as the tables' owner: the
application's role may not run DDL (`manage.py create_app_role`). Each step is one short
transaction that takes a transaction-level advisory lock first (PgBouncer's transaction
pooling allows no session lock), so two runs at once take turns step by step and the second
finds each step done; and a `lock_timeout`, so a step that cannot get its table lock (DETACH
needs the parent's ACCESS EXCLUSIVE lock for a moment) fails with OperationalError — the task
retries — instead of queueing every reader of the history behind it.
"""

from __future__ import annotations

import datetime
from typing import TypedDict

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction
from django.db.backends.utils import CursorWrapper
from django.utils import timezone
from django.utils.translation import gettext as _

from sanctions.kernel.audit import audit_log
from sanctions.kernel.errors import ApplicationError
from sanctions.models import ScoreHistory
from sanctions.scoring.selectors import score_history_default_months, score_history_partitions

# Months created ahead of the current one: the daily task has three months of runs to create
# next month's partition before a row would have to wait in DEFAULT.
MONTHS_AHEAD = 3
# The database function refuses to drop a month younger than this too (migration 0033): a
# retention typed as years where months were meant must not cost last year's history.
MINIMUM_RETENTION_MONTHS = 12
# pg_advisory_xact_lock key that serialises the maintenance steps (arbitrary, fixed: "SCS" "SHPT")
PARTITIONS_LOCK_KEY = 0x534353_53485054
LOCK_TIMEOUT = "5s"


class PartitionsResult(TypedDict):
    created: list[str]
    moved_from_default: int
    dropped: list[str]
    rows_dropped: int
    retention_months: int


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def add_months(month: datetime.date, months: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + months
    return datetime.date(index // 12, index % 12 + 1, 1)


def partition_name(month: datetime.date) -> str:
    return f"sanctions_scorehistory_p{month:%Y%m}"


def _step_locks(cursor: CursorWrapper) -> None:
    cursor.execute("SELECT pg_advisory_xact_lock(%s)", [PARTITIONS_LOCK_KEY])
    cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")


def score_history_partition_create(*, month: datetime.date) -> int | None:
    """Create the partition of `month` (UTC) and move its rows out of DEFAULT into it; the
    number of rows moved, or None when it existed. Not audited: no row changes."""
    with transaction.atomic(), connection.cursor() as cursor:
        _step_locks(cursor)
        cursor.execute("SELECT scs_score_history_partition_create(%s)", [month_start(month)])
        return cursor.fetchone()[0]


def score_history_partition_drop(*, month: datetime.date, retention_months: int) -> int | None:
    """Detach and drop the partition of `month` (UTC); the number of rows it held, or None
    when there is none. Audited like the retention erasure of records: the score history of
    that month is gone (an audit row about the ScoreHistory table, naming no person)."""
    with transaction.atomic(), connection.cursor() as cursor:
        _step_locks(cursor)
        cursor.execute("SELECT scs_score_history_partition_drop(%s)", [month_start(month)])
        rows = cursor.fetchone()[0]
        if rows is not None:
            audit_log(actor=None, action="score_history.partition_drop",
                      obj=ContentType.objects.get_for_model(ScoreHistory),
                      new={"partition": partition_name(month), "month": f"{month:%Y-%m}",
                           "rows": rows, "retention_months": retention_months})  # fmt: skip
        return rows


def score_history_partitions_maintain(
    *,
    today: datetime.date | None = None,
    months_ahead: int = MONTHS_AHEAD,
    retention_months: int | None = None,
) -> PartitionsResult:
    """Daily (task `score_history_partitions_task`, `manage.py score_history_partitions`):

    - create the partitions of this month (UTC) and the `months_ahead` after it, and of every
      month that has rows waiting in DEFAULT (moving them into it);
    - detach and drop every partition wholly older than the retention: its range ends on or
      before the first day of this month minus `retention_months`
      (settings.SCS_SCORE_HISTORY_RETENTION_MONTHS), each with an audit row.

    Idempotent: a second run finds every month created and nothing old left, and changes
    nothing. Each step is its own short transaction (see the module's docstring)."""
    retention = (
        settings.SCS_SCORE_HISTORY_RETENTION_MONTHS if retention_months is None
        else retention_months
    )  # fmt: skip
    if retention < MINIMUM_RETENTION_MONTHS:
        raise ApplicationError(
            _("The score history is kept at least %(months)d months.")
            % {"months": MINIMUM_RETENTION_MONTHS}
        )
    if months_ahead < 0:
        raise ApplicationError(_("The months ahead cannot be negative."))
    this_month = month_start(today or timezone.now().date())  # now() is UTC
    wanted = {add_months(this_month, n) for n in range(months_ahead + 1)}
    wanted |= set(score_history_default_months())
    result: PartitionsResult = {"created": [], "moved_from_default": 0, "dropped": [],
                                "rows_dropped": 0, "retention_months": retention}  # fmt: skip
    for month in sorted(wanted):
        moved = score_history_partition_create(month=month)
        if moved is not None:
            result["created"].append(partition_name(month))
            result["moved_from_default"] += moved
    cutoff = datetime.datetime.combine(
        add_months(this_month, -retention), datetime.time(), tzinfo=datetime.UTC
    )
    for partition in score_history_partitions():
        if partition.range_from is None or partition.range_to is None:
            continue  # DEFAULT
        if partition.range_to <= cutoff:
            month = partition.range_from.astimezone(datetime.UTC).date()
            rows = score_history_partition_drop(month=month, retention_months=retention)
            if rows is not None:
                result["dropped"].append(partition_name(month))
                result["rows_dropped"] += rows
    return result
