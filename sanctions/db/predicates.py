"""The two rules that exist both as SQL and as ORM conditions, written once in each form,
side by side. `tests/sanctions/test_predicates.py` evaluates both forms on the same random
records and requires the same answer; the search tables' trigger functions (`sql/`) are
checked to embed `candidate_public_entry_sql` exactly.

Counts for the score (DESIGN.md §6): a record counts on a day inside its effective window
while it is active or under objection — not while pending notice, repaired, revoked,
removed or expired. The recompute, the explanation and the what-if preview use the SQL
(`sanctions.scoring.sql`); "records in effect" (measures, the citizen's record) the ORM.

Candidate public entry: a record that is active or under objection, was published
(`published_at`, set when its notice period ended) and has a publication window. The search
tables hold exactly the candidates (their triggers test the SQL form); an entry is public on
a day when it is a candidate inside its window that day and is not a performed judicial
obligation (`sanctions.registry.selectors.public_entries`, which the search applies to every
record it returns).
"""

from __future__ import annotations

import datetime

from django.db.models import Q

COUNTING_STATUSES = ("active", "under_objection")
CANDIDATE_STATUSES = ("active", "under_objection")


def _sql_list(values: tuple[str, ...]) -> str:
    return ", ".join(f"'{value}'" for value in values)


def counts_for_score_sql(row: str = "r", as_of: str = "%(as_of)s") -> str:
    """SQL: record `row` counts for the score on the day `as_of` (a placeholder or a column)."""
    return f"""
    {row}.status IN ({_sql_list(COUNTING_STATUSES)})
    AND {row}.effective_from <= {as_of}
    AND ({row}.effective_until IS NULL OR {row}.effective_until >= {as_of})
"""


def counts_for_score_q(today: datetime.date) -> Q:
    """ORM (IntegrityRecord): the record counts for the score on `today`."""
    return Q(status__in=COUNTING_STATUSES, effective_from__lte=today) & (
        Q(effective_until__isnull=True) | Q(effective_until__gte=today)
    )


def candidate_public_entry_sql(row: str) -> str:
    """SQL: record `row` (e.g. `NEW` in a trigger, or an alias) is a candidate public entry."""
    return (
        f"{row}.status IN ({_sql_list(CANDIDATE_STATUSES)}) AND {row}.published_at IS NOT NULL "
        f"AND {row}.publication_start IS NOT NULL"
    )


def candidate_public_entry_q() -> Q:
    """ORM (IntegrityRecord): the record is a candidate public entry."""
    return Q(
        status__in=CANDIDATE_STATUSES, published_at__isnull=False, publication_start__isnull=False
    )


def in_publication_window_q(today: datetime.date) -> Q:
    """ORM: a candidate inside its publication window on `today` (a start on or before today
    implies one is set, so with the statuses and `published_at` this is a candidate)."""
    return Q(
        status__in=CANDIDATE_STATUSES, published_at__isnull=False, publication_start__lte=today
    ) & (Q(publication_end__isnull=True) | Q(publication_end__gte=today))


def in_publication_window_sql(row: str, today: str = "%(today)s") -> str:
    """SQL form of `in_publication_window_q`."""
    return (
        f"{row}.status IN ({_sql_list(CANDIDATE_STATUSES)}) AND {row}.published_at IS NOT NULL "
        f"AND {row}.publication_start <= {today} "
        f"AND ({row}.publication_end IS NULL OR {row}.publication_end >= {today})"
    )
