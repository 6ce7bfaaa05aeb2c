"""The public list's search: name, pinyin and filter conditions over the search tables
(`sanctions.db`: their definitions and names), chosen so that every query shape the form
produces reads an index (docs/performance.md)."""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL

from sanctions.db.search import (
    ENTRY_NAME_TABLE,
    FACET_COLUMNS,
    NAME_CHAR_TABLE,
    NAME_GRAMS_FUNCTION,
)
from sanctions.kernel.pinyin import is_pinyin, normalize_pinyin
from sanctions.models import IntegrityRecord


def _like_escape(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# field -> (column SQL, gram index expression); the SQL matches the expression indexes of
# migration 0009 exactly, so the planner can use them.
# Unqualified on purpose: the condition lives in a subquery over sanctions_subject alone, which
# Django may alias (U0); no other table in scope has these columns.
_NAME_COLUMNS = {
    "display_name": "display_name",
    "legal_rep_name": "legal_rep_name",
}


def name_condition(term: str, field: str = "display_name") -> RawSQL | None:
    """An indexed condition on Subject for a name or pinyin term:
    1–2 characters → gram GIN; 3+ → trigram GIN (ILIKE); pinyin → compact-pinyin prefix."""
    term = " ".join((term or "").split())
    if not term:
        return None
    column = _NAME_COLUMNS[field]
    if field == "display_name" and is_pinyin(term) and normalize_pinyin(term):
        compact = normalize_pinyin(term)
        if len(compact) >= 2 or not any(c.isalpha() for c in term):
            return RawSQL(
                "replace(name_pinyin, ' ', '') LIKE %s",
                [_like_escape(compact) + "%"],
                output_field=BooleanField(),
            )
    # RawSQL so the SQL matches the expression indexes exactly; `column` comes from the fixed
    # _NAME_COLUMNS table and every user value is a bound parameter.
    if len(term) <= 2:
        return RawSQL(  # noqa: S611
            f"{NAME_GRAMS_FUNCTION}({column}) @> ARRAY[%s]::text[]",
            [term.lower()],
            output_field=BooleanField(),
        )
    return RawSQL(  # noqa: S611
        f"{column} ILIKE %s", ["%" + _like_escape(term) + "%"], output_field=BooleanField()
    )


def long_name_pattern(term: str, field: str = "display_name") -> str | None:
    """The ILIKE pattern to look up in ENTRY_NAME_TABLE, when name_condition would test the
    display name with ILIKE (3+ characters, not pinyin)."""
    condition = name_condition(term, field)
    if field != "display_name" or condition is None or " ILIKE " not in condition.sql:
        return None
    return condition.params[0]


def pinyin_prefix(term: str, field: str = "display_name") -> str | None:
    """The LIKE prefix to look up in ENTRY_NAME_TABLE's compact pinyin (migration 0020), when
    name_condition would search the subject's pinyin."""
    condition = name_condition(term, field)
    if field != "display_name" or condition is None or "name_pinyin" not in condition.sql:
        return None
    return condition.params[0]


def name_gram(term: str, field: str = "display_name") -> str | None:
    """The gram to look up in NAME_CHAR_TABLE, when the term is one or two characters of a
    display name searched by grams (name_condition's gram condition, not pinyin)."""
    condition = name_condition(term, field)
    if field != "display_name" or condition is None or NAME_GRAMS_FUNCTION not in condition.sql:
        return None
    return condition.params[0]


def _entry_name_search(term: str) -> tuple[str, str, bool] | None:
    """How ENTRY_NAME_TABLE answers a display-name term: (condition, its value, whether the
    planner may walk the table's (publication_start, record_id) key testing it), or None when
    the term is searched another way.

    Not for 3+ characters: the planner underestimates how many names it would test (85,000
    rows, 180 ms for a 2,000-entry brand name). Pinyin prefixes have a histogram it reads
    well (5,000 buckets): for a very common prefix (`wang`) the walk that stops after the
    page is the right plan."""
    pattern = long_name_pattern(term)
    if pattern is not None:
        return "display_name ILIKE %s", pattern, False
    prefix = pinyin_prefix(term)
    if prefix is not None:
        return "name_pinyin LIKE %s", prefix, True
    return None


def _join_search_table(entries, table: str, condition: str, value: str):
    """Entries joined to one of the search tables (no model: extra()) under `condition`;
    `table` and `condition` are constants of this module, the value a parameter."""
    record = IntegrityRecord._meta.db_table
    return entries.extra(  # noqa: S610
        tables=[table],
        where=[f"{table}.{condition}", f"{table}.record_id = {record}.id"],
        params=[value],
    )


def filter_entries_by_name(entries, term: str, field: str = "display_name"):
    """Apply a name condition to public entries directly (joined subject), so the planner can
    choose: walk the newest-first index and test the name (common terms, stops after a page),
    or find the subjects by their name index first (rare terms). One or two characters of a
    display name read NAME_CHAR_TABLE instead, three or more and pinyin ENTRY_NAME_TABLE (same
    results as the gram, ILIKE and pinyin conditions on subjects)."""
    char = name_gram(term, field)
    if char is not None:
        return _join_search_table(entries, NAME_CHAR_TABLE, "gram = %s", char)
    if field == "display_name" and (search := _entry_name_search(term)) is not None:
        condition, value, _may_walk = search
        return _join_search_table(entries, ENTRY_NAME_TABLE, condition, value)
    condition = name_condition(term, field)
    if condition is None:
        return entries
    kinds = ["enterprise"] if field == "legal_rep_name" else ["person", "enterprise"]
    # the subject__kind filter makes the join to sanctions_subject that the condition reads
    return entries.filter(subject__kind__in=kinds).filter(condition)


def newest_entries(
    *,
    today: datetime.date,
    term: str | None = None,
    facets: dict[str, Any] | None = None,
    published_from: datetime.date | None = None,
    published_to: datetime.date | None = None,
) -> RawSQL | None:
    """The ids of the newest SCS_SEARCH_MAX_RESULTS public entries whose display name
    contains `term` (or whose pinyin starts with it), and that have the `facets` (form field
    → value, see FACET_COLUMNS), chosen in the narrow search tables alone: their indexes, the
    publication window (the tables keep both dates equal to the record's) and a top-N of the
    narrow rows; only those are then joined to records. None for a name of 1–2 characters
    without filters (NAME_CHAR_TABLE's own join reads its key in order, see
    filter_entries_by_name).

    With a name of 3+ characters or pinyin and filters, the name's index comes first
    (`publication_start + 0`): a combination with few entries (`wang` among enterprises:
    none) must not walk the newest-first key testing every entry. Filters alone, or with a
    name of 1–2 characters (NAME_CHAR_TABLE joined on its (record_id) index), let the planner
    choose: walk the character's key in order, or start from the filters' indexes when the
    table's multivariate statistics say the combination is rare (张 among commercial entries
    of persons: none)."""
    conditions, params, join = [], [], ""
    order = "n.publication_start DESC, n.record_id DESC"
    gram = name_gram(term) if term else None
    if gram is not None:
        if not facets:
            return None
        join = f" JOIN {NAME_CHAR_TABLE} c ON c.record_id = n.record_id AND c.gram = %s"
        params.append(gram)
        order = "c.publication_start DESC, c.record_id DESC"
    elif term:
        search = _entry_name_search(term)
        if search is None:
            return None
        condition, value, may_walk = search
        conditions.append(f"n.{condition}")
        params.append(value)
        # `+ 0`: not the key's expression, so the name's own index comes first
        date_order = "publication_start" if may_walk and not facets else "publication_start + 0"
        order = f"n.{date_order} DESC, n.record_id DESC"
    for name, value in (facets or {}).items():
        conditions.append(f"n.{FACET_COLUMNS[name]} = %s")  # a column of the fixed map (db.search)
        params.append(value)
    # published on or before today (and published_to), on or after published_from
    latest = min(today, published_to) if published_to else today
    earliest = published_from or datetime.date.min
    where = " AND ".join([*conditions, "n.publication_start BETWEEN %s AND %s",
                          "(n.publication_end IS NULL OR n.publication_end >= %s)"])  # fmt: skip
    return RawSQL(  # noqa: S611 - every user value is a bound parameter
        f"SELECT n.record_id FROM {ENTRY_NAME_TABLE} n{join} "  # noqa: S608 - constant SQL
        f"WHERE {where} ORDER BY {order} LIMIT %s",
        [*params, earliest, latest, today, settings.SCS_SEARCH_MAX_RESULTS],
    )


def newest_first(entries: QuerySet[IntegrityRecord]) -> QuerySet[IntegrityRecord]:
    """The public list's order: newest publication first, then newest id. A search through
    NAME_CHAR_TABLE or ENTRY_NAME_TABLE orders by the same two values as that table holds them
    (kept equal by its triggers), so the planner can read its index in order and stop after
    the page, or sort only the narrow table's rows before joining the records."""
    for table in (NAME_CHAR_TABLE, ENTRY_NAME_TABLE):
        if table in entries.query.extra_tables:
            return entries.order_by().extra(
                order_by=[f"-{table}.publication_start", f"-{table}.record_id"]
            )
    return entries.order_by("-publication_start", "-id")
