"""The rules that exist both as SQL and as ORM conditions (sanctions.db.predicates) give the
same answer on the same records: random records over every status, window and performance
the model allows, with dates around the days asked about, and records changed after they
were inserted (the triggers' update path)."""

from __future__ import annotations

import datetime
import random

import pytest
from django.db import connection
from django.utils import timezone

from sanctions.db.predicates import (
    COUNTING_STATUSES,
    candidate_public_entry_q,
    candidate_public_entry_sql,
    counts_for_score_q,
    counts_for_score_sql,
    in_publication_window_sql,
)
from sanctions.db.search import ENTRY_NAME_TABLE, NAME_CHAR_TABLE
from sanctions.models import (
    Authority,
    Domain,
    IntegrityRecord,
    PerformanceStatus,
    RecordStatus,
    RecordType,
)
from sanctions.registry.selectors import public_entries, records_in_effect
from tests.factories import make_citizen, make_enterprise

TODAY = datetime.date(2026, 6, 15)
DAYS = [TODAY + datetime.timedelta(days=d) for d in (-400, -2, -1, 0, 1, 2, 400)]
NAMES = ["张伟", "王芳", "欧阳娜娜", "李", "北京诚信科技有限公司", "Ab"]


def _date_near(rng: random.Random, day: datetime.date) -> datetime.date:
    return day + datetime.timedelta(days=rng.choice([-3, -2, -1, 0, 1, 2, 3, -300, 300]))


def _random_records(rng: random.Random, count: int) -> list[IntegrityRecord]:
    subjects = [make_citizen(name=name).subject for name in NAMES[:4]] + [
        make_enterprise(name=NAMES[4]).subject
    ]
    types = list(RecordType.objects.filter(domain=Domain.JUDICIAL)[:2]) + list(
        RecordType.objects.exclude(domain=Domain.JUDICIAL)[:2]
    )
    authority = Authority.objects.first()
    records = []
    for number in range(count):
        decision = _date_near(rng, TODAY - datetime.timedelta(days=30))
        effective_from = decision
        effective_until = rng.choice([None, _date_near(rng, TODAY), effective_from])
        if effective_until is not None and effective_until < effective_from:
            effective_until = effective_from
        start = rng.choice([None, decision, _date_near(rng, TODAY)])
        if start is not None and start < decision:
            start = decision
        end = None
        if start is not None:
            end = rng.choice([None, start, _date_near(rng, TODAY)])
            if end is not None and end < start:
                end = start
        records.append(
            IntegrityRecord(
                subject=rng.choice(subjects),
                record_type=rng.choice(types),
                authority=authority,
                decision_number=f"PRED-{number}",
                decision_date=decision,
                legal_basis="test",
                status=rng.choice(RecordStatus.values),
                performance_status=rng.choice(PerformanceStatus.values),
                effective_from=effective_from,
                effective_until=effective_until,
                publication_start=start,
                publication_end=end,
                published_at=rng.choice([None, timezone.now()]),
            )
        )
    return IntegrityRecord.objects.bulk_create(records)


def _sql_ids(condition: str, params: dict | None = None) -> set[int]:
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT r.id FROM sanctions_integrityrecord r WHERE {condition}",  # noqa: S608
            params or {},
        )
        return {row[0] for row in cursor.fetchall()}


def _search_table_ids(table: str) -> set[int]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT DISTINCT record_id FROM {table}")  # noqa: S608 - a constant
        return {row[0] for row in cursor.fetchall()}


def _check_every_rule(all_ids: set[int]) -> None:
    statuses = dict(IntegrityRecord.objects.filter(pk__in=all_ids).values_list("pk", "status"))
    candidates = set(
        IntegrityRecord.objects.filter(candidate_public_entry_q()).values_list("pk", flat=True)
    )
    assert candidates == _sql_ids(candidate_public_entry_sql("r"))
    # the search tables hold exactly the candidates (every candidate's name has grams)
    assert _search_table_ids(ENTRY_NAME_TABLE) == candidates
    assert _search_table_ids(NAME_CHAR_TABLE) == candidates
    judicial_performed = set(
        IntegrityRecord.objects.filter(
            record_type__domain=Domain.JUDICIAL, performance_status=PerformanceStatus.PERFORMED
        ).values_list("pk", flat=True)
    )
    for day in DAYS:
        counted_orm = set(records_in_effect(today=day).values_list("pk", flat=True))
        counted_sql = _sql_ids(counts_for_score_sql("r"), {"as_of": day})
        assert counted_orm == counted_sql, day
        assert counted_orm == set(
            IntegrityRecord.objects.filter(counts_for_score_q(day)).values_list("pk", flat=True)
        )
        assert {pk for pk, status in statuses.items() if status in COUNTING_STATUSES} >= counted_orm
        public_orm = set(public_entries(today=day).values_list("pk", flat=True))
        in_window = _sql_ids(in_publication_window_sql("r"), {"today": day})
        assert in_window <= candidates
        assert public_orm == in_window - judicial_performed, day
        # what the search depends on: every public entry is in both search tables
        assert public_orm <= _search_table_ids(ENTRY_NAME_TABLE) & _search_table_ids(
            NAME_CHAR_TABLE
        )


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sql_and_orm_agree_on_random_records(catalog, seed):
    rng = random.Random(seed)
    records = _random_records(rng, 120)
    ids = {record.pk for record in records}
    _check_every_rule(ids)
    # changed after insertion: the triggers' update path, and the window moving
    for record in rng.sample(records, 60):
        record.status = rng.choice(RecordStatus.values)
        record.published_at = rng.choice([None, timezone.now()])
        if record.publication_start is not None:
            record.publication_end = rng.choice([None, record.publication_start])
        record.save(update_fields=["status", "published_at", "publication_end"])
    _check_every_rule(ids)


@pytest.mark.django_db
def test_the_rules_can_fail(catalog):
    """A record that is not a candidate is in no search table and in neither ORM form."""
    [record] = _random_records(random.Random(0), 1)
    record.status = RecordStatus.PENDING_NOTICE
    record.published_at = None
    record.save()
    assert not IntegrityRecord.objects.filter(candidate_public_entry_q(), pk=record.pk).exists()
    assert record.pk not in _sql_ids(candidate_public_entry_sql("r"))
    assert record.pk not in _search_table_ids(ENTRY_NAME_TABLE)
    assert not records_in_effect(today=TODAY).filter(pk=record.pk).exists()
    record.status = RecordStatus.ACTIVE
    record.published_at = timezone.now()
    record.publication_start = record.decision_date
    record.publication_end = None
    record.effective_from = record.decision_date
    record.effective_until = None
    record.save()
    assert record.pk in _sql_ids(candidate_public_entry_sql("r"))
    assert record.pk in _search_table_ids(ENTRY_NAME_TABLE)
    assert records_in_effect(today=TODAY).filter(pk=record.pk).exists()
