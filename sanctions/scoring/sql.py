"""The SQL of scoring: the aggregate of points per subject, the chunk's write, the grade.

The aggregate, the explanation and the preview share one definition of "a record counts"
(`COUNTING_PREDICATE`) and one points expression, so explanation and stored score agree."""

from __future__ import annotations

import datetime
import json
from typing import Any

from sanctions.db.predicates import counts_for_score_sql
from sanctions.models import (
    RuleSet,
)

DOMAINS = ("government", "commercial", "societal", "judicial")

# "this record counts on day %(as_of)s" (sanctions.db.predicates, checked against the ORM form)
COUNTING_PREDICATE = counts_for_score_sql("r")
POINTS_EXPRESSION = "COALESCE((%(overrides)s::jsonb ->> t.code)::int, t.points)"
ADULT_PREDICATE = (
    "(s.birth_date IS NULL OR s.birth_date <= (%(as_of)s::date - interval '18 years'))"
)


def grade_case(ruleset: RuleSet, column: str) -> str:
    """CASE expression from validated integer bands (no user text reaches the SQL)."""
    parts = []
    for grade, minimum in ruleset.grade_bands:
        if minimum is None:
            parts.append(f"ELSE '{grade}'")
        else:
            parts.append(f"WHEN {column} >= {int(minimum)} THEN '{grade}'")
    if not parts[-1].startswith("ELSE"):
        parts.append("ELSE 'D'")
    return "CASE " + " ".join(parts) + " END"


def sql_params(ruleset: RuleSet, as_of: datetime.date, **extra: Any) -> dict[str, Any]:
    return {
        "as_of": as_of,
        "overrides": json.dumps(ruleset.points_overrides or {}),
        "base": ruleset.base_score,
        **extra,
    }


def aggregate_sql(ruleset: RuleSet, subject_filter: str) -> str:
    """SELECT subject_id, total, 4 domain sums for the adult subjects matching the filter.

    `subject_filter` is a condition on the placeholder ``{col}`` (a subject id column); it is
    applied to the records before the GROUP BY and to the subjects after it."""
    sums = ",\n".join(f"SUM(pts) FILTER (WHERE domain = '{d}') AS {d}" for d in DOMAINS)
    domains = ",\n".join(f"COALESCE(p.{d}, 0)::int AS {d}" for d in DOMAINS)
    return f"""
        SELECT s.id AS subject_id,
               (%(base)s + COALESCE(p.points, 0))::int AS total,
               {domains}
        FROM sanctions_subject s
        LEFT JOIN (
            SELECT subject_id, SUM(pts) AS points, {sums}
            FROM (
                SELECT r.subject_id, t.domain, {POINTS_EXPRESSION} AS pts
                FROM sanctions_integrityrecord r
                JOIN sanctions_recordtype t ON t.id = r.record_type_id
                WHERE {subject_filter.format(col="r.subject_id")} AND {COUNTING_PREDICATE}
            ) counted
            GROUP BY subject_id
        ) p ON p.subject_id = s.id
        WHERE {subject_filter.format(col="s.id")} AND {ADULT_PREDICATE}
    """


def chunk_sql(ruleset: RuleSet, subject_filter: str) -> str:
    """Write the chunk's scores — INSERT for subjects without a score, UPDATE ... WHERE IS
    DISTINCT FROM for the others, so unchanged rows are not touched — and a history row only
    where the score or grade changed. One statement, one snapshot; chunks are disjoint id
    ranges, and the chunk row lock serialises a chunk with itself."""
    grade = grade_case(ruleset, "a.total")
    cols = "total, government, commercial, societal, judicial"
    return f"""
        WITH a AS ({aggregate_sql(ruleset, subject_filter)}),
        g AS (SELECT a.*, {grade} AS grade FROM a),
        cmp AS (
            SELECT g.*, sc.subject_id IS NULL AS is_new,
                   (sc.total, sc.government, sc.commercial, sc.societal, sc.judicial, sc.grade)
                   IS DISTINCT FROM
                   (g.total, g.government, g.commercial, g.societal, g.judicial, g.grade)
                   AS changed,
                   sc.rule_version IS DISTINCT FROM %(version)s AS version_changed
            FROM g LEFT JOIN sanctions_score sc
                ON sc.subject_id = g.subject_id AND {subject_filter.format(col="sc.subject_id")}
        ),
        ins AS (
            INSERT INTO sanctions_score (subject_id, {cols}, grade, rule_version, computed_at)
            SELECT subject_id, {cols}, grade, %(version)s, %(now)s FROM cmp WHERE is_new
            RETURNING 1
        ),
        upd AS (
            UPDATE sanctions_score sc SET
                total = cmp.total, government = cmp.government, commercial = cmp.commercial,
                societal = cmp.societal, judicial = cmp.judicial, grade = cmp.grade,
                rule_version = %(version)s, computed_at = %(now)s
            FROM cmp
            WHERE sc.subject_id = cmp.subject_id AND NOT cmp.is_new
              AND (cmp.changed OR cmp.version_changed)
              AND (sc.total, sc.government, sc.commercial, sc.societal, sc.judicial, sc.grade,
                   sc.rule_version)
                  IS DISTINCT FROM
                  (cmp.total, cmp.government, cmp.commercial, cmp.societal, cmp.judicial,
                   cmp.grade, %(version)s)
            RETURNING 1
        ),
        hist AS (
            INSERT INTO sanctions_scorehistory
                (subject_id, {cols}, grade, rule_version, computed_at)
            SELECT subject_id, {cols}, grade, %(version)s, %(now)s FROM cmp WHERE changed
            RETURNING 1
        )
        SELECT (SELECT count(*) FROM ins) + (SELECT count(*) FROM upd),
               (SELECT count(*) FROM hist)
    """
