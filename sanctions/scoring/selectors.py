"""Reads of scoring: the active rule set, a subject's explanation (the records and points
that make the score, with the recompute's own SQL), the what-if preview of a draft, the
chunks a crashed run left undone, and the score history's monthly partitions."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from sanctions.kernel.errors import ApplicationError
from sanctions.kernel.rules import is_minor_on
from sanctions.models import (
    RuleSet,
    RuleSetState,
    ScoreRunChunk,
    Subject,
)
from sanctions.scoring.sql import (
    ADULT_PREDICATE,
    COUNTING_PREDICATE,
    DOMAINS,
    POINTS_EXPRESSION,
    aggregate_sql,
    grade_case,
    sql_params,
)


def active_ruleset() -> RuleSet:
    ruleset = RuleSet.objects.filter(state=RuleSetState.ACTIVE).first()
    if ruleset is None:
        raise ApplicationError(_("No scoring rule set is active."))
    return ruleset


def score_explain(*, subject: Subject, as_of: datetime.date | None = None) -> dict[str, Any]:
    """The records and points that make a subject's score, under the active rule version,
    computed with the recompute's own predicate and points expression."""
    ruleset = active_ruleset()
    as_of = as_of or timezone.localdate()
    params = sql_params(ruleset, as_of, subject=subject.pk)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT r.id, t.code, t.title, t.title_en, t.domain, {POINTS_EXPRESSION},
                   r.legal_basis, r.decision_number, r.decision_date, r.effective_until,
                   a.name
            FROM sanctions_integrityrecord r
            JOIN sanctions_recordtype t ON t.id = r.record_type_id
            JOIN sanctions_authority a ON a.id = r.authority_id
            JOIN sanctions_subject s ON s.id = r.subject_id
            WHERE r.subject_id = %(subject)s AND {COUNTING_PREDICATE} AND {ADULT_PREDICATE}
            ORDER BY r.decision_date, r.id
            """,
            params,
        )
        rows = [
            {
                "record_id": row[0], "type_code": row[1], "type_title": row[2],
                "type_title_en": row[3], "domain": row[4], "points": row[5],
                "legal_basis": row[6], "decision_number": row[7], "decision_date": row[8],
                "counts_until": row[9], "authority": row[10],
            }
            for row in cursor.fetchall()
        ]  # fmt: skip

    minor = subject.kind == "person" and is_minor_on(subject.birth_date, as_of)
    by_domain = {d: sum(r["points"] for r in rows if r["domain"] == d) for d in DOMAINS}
    total = ruleset.base_score + sum(by_domain.values())
    grade = grade_in_python(ruleset=ruleset, total=total)
    return {
        "rule_version": ruleset.version,
        "as_of": as_of,
        "base": ruleset.base_score,
        "records": rows,
        "by_domain": by_domain,
        "total": None if minor else total,
        "grade": None if minor else grade,
        "minor": minor,
    }


def grade_in_python(*, ruleset: RuleSet, total: int) -> str:
    for grade, minimum in ruleset.grade_bands:
        if minimum is None or total >= minimum:
            return grade
    return ruleset.grade_bands[-1][0]


def ruleset_what_if(*, ruleset: RuleSet, as_of: datetime.date | None = None) -> dict[str, Any]:
    """How many subjects would change grade (from → to) under `ruleset`, on the real data,
    computed in one aggregate with no writes."""
    as_of = as_of or timezone.localdate()
    ruleset = RuleSet.objects.get(pk=ruleset.pk)  # the stored draft, not a stale copy
    grade = grade_case(ruleset, "a.total")
    sql = f"""
        WITH a AS ({aggregate_sql(ruleset, "TRUE")})
        SELECT coalesce(sc.grade, '—') AS old, {grade} AS new, count(*)
        FROM a LEFT JOIN sanctions_score sc ON sc.subject_id = a.subject_id
        GROUP BY 1, 2 ORDER BY 1, 2
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, sql_params(ruleset, as_of))
        matrix = [{"from": old, "to": new, "count": n} for old, new, n in cursor.fetchall()]
    changed = sum(row["count"] for row in matrix if row["from"] != row["to"])
    return {"matrix": matrix, "changed": changed, "total": sum(r["count"] for r in matrix)}


def unfinished_score_chunks(*, started_before: datetime.datetime) -> QuerySet[ScoreRunChunk, int]:
    """Ids of the chunks still to do in score runs that are running and started before the
    given moment (the ones a crashed or restarted worker left behind)."""
    return ScoreRunChunk.objects.filter(
        run__state="running", done=False, run__started_at__lte=started_before
    ).values_list("pk", flat=True)


# --- the score history's monthly partitions (migration 0033, scoring.partitions) ------------

SCORE_HISTORY_TABLE = "sanctions_scorehistory"
SCORE_HISTORY_DEFAULT_PARTITION = "sanctions_scorehistory_default"


@dataclass(frozen=True)
class HistoryPartition:
    """One partition of the score history: its table, its range [range_from, range_to) (None
    for DEFAULT) and the planner's estimate of its rows (-1: never analyzed)."""

    name: str
    range_from: datetime.datetime | None
    range_to: datetime.datetime | None
    estimated_rows: int

    @property
    def is_default(self) -> bool:
        return self.range_from is None


# The bounds as PostgreSQL prints them (with the session's UTC offset), cast back exactly.
HISTORY_PARTITIONS_SQL = """
SELECT c.relname,
       (regexp_match(pg_get_expr(c.relpartbound, c.oid),
                     'FROM \\(''([^'']+)''\\) TO'))[1]::timestamptz,
       (regexp_match(pg_get_expr(c.relpartbound, c.oid),
                     'TO \\(''([^'']+)''\\)'))[1]::timestamptz,
       c.reltuples::bigint
FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
WHERE i.inhparent = %s::regclass
ORDER BY 3 NULLS FIRST, 1
"""


def score_history_partitions() -> list[HistoryPartition]:
    """The partitions of the score history, DEFAULT first, then by month."""
    with connection.cursor() as cursor:
        cursor.execute(HISTORY_PARTITIONS_SQL, [SCORE_HISTORY_TABLE])
        return [HistoryPartition(*row) for row in cursor.fetchall()]


def score_history_default_months() -> list[datetime.date]:
    """The months (UTC, as their first day) of the rows waiting in the DEFAULT partition for a
    partition of their own. DEFAULT is small: rows land there only for a month not created."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT DISTINCT date_trunc('month', computed_at AT TIME ZONE 'UTC')::date"
            f" FROM {SCORE_HISTORY_DEFAULT_PARTITION} ORDER BY 1"
        )
        return [month for (month,) in cursor.fetchall()]
