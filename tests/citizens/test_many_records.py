"""A citizen with many records: "my record" shows a page of them (newest first) with counts
by domain and status, the report summarises, and neither grows with the number of records
(issue 14: 10,000 records took 10–14 s). Speed itself is measured outside the tests; here the
shape: rows shown, what is summed, and a query count that does not depend on the records."""

from __future__ import annotations

import datetime
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from citizens import selectors
from sanctions.models import IntegrityRecord, Notice, RecordType
from sanctions.scoring.selectors import score_explain
from sanctions.scoring.services import score_recompute_inline

pytestmark = pytest.mark.django_db

STATUSES = ["active", "active", "expired", "repaired", "revoked", "pending_notice"]


def add_records(world, count: int, *, start: int = 0) -> None:
    """`count` more records about citizen A (several types, statuses and dates), each with
    its decision letter, written in bulk as an import of old decisions would leave them."""
    base = world["a_record"]
    today = timezone.localdate()
    types = list(RecordType.objects.filter(subject_kinds__contains=["person"]).order_by("code"))
    records = []
    for i in range(start, start + count):
        record_type = types[i % len(types)]
        day = today - datetime.timedelta(days=60 + i % 300)
        listed = record_type.places_on_blacklist
        records.append(IntegrityRecord(
            subject=base.subject, record_type=record_type, authority=base.authority,
            decision_number=f"MANY-{i}", decision_date=day, legal_basis="依据",
            status=STATUSES[i % len(STATUSES)], effective_from=day,
            effective_until=day + datetime.timedelta(days=365),
            judicial_ground=2 if listed else None, publication_start=day if listed else None,
            publication_end=day + datetime.timedelta(days=730) if listed else None,
        ))  # fmt: skip
    IntegrityRecord.objects.bulk_create(records)
    Notice.objects.bulk_create(
        Notice(
            subject=base.subject,
            kind="decision",
            title=f"决定书 MANY-{i}",
            body="正文",
            served_on=today,
        )  # fmt: skip
        for i in range(start, start + count)
    )
    score_recompute_inline(kind="full")


def cards(html: str) -> list[str]:
    return re.findall(r'<h3 class="h5" id="record-(\d+)"', html)


def test_my_record_shows_a_page_of_records_newest_first_and_counts(client, world):
    add_records(world, 129)  # 130 with the fixture's record
    client.force_login(world["a_user"])
    url = reverse("citizens:my_record")
    newest = list(
        IntegrityRecord.objects.filter(subject=world["a"].subject)
        .order_by("-decision_date", "-id")
        .values_list("pk", flat=True)
    )
    first = client.get(url).content.decode()
    assert cards(first) == [str(pk) for pk in newest[:50]]
    assert "Records 1–50 of 130, newest first." in first
    assert 'aria-label="Pages of records"' in first and "?page=2#records-heading" in first
    last = client.get(url, {"page": 3}).content.decode()
    assert cards(last) == [str(pk) for pk in newest[100:]]
    # a bad page number: the first or the last page, never an error
    assert cards(client.get(url, {"page": "abc"}).content.decode()) == cards(first)
    assert cards(client.get(url, {"page": "9" * 30}).content.decode()) == cards(last)
    # the counts by domain and status cover every record, not the page
    summary = selectors.record_summary(world["a"].subject)
    assert summary["total"] == 130 == sum(summary["totals"])
    assert "130 records, by domain and status" in first
    assert "Expired" in first and "Repaired" in first


def test_the_explanation_lists_its_first_rows_and_sums_the_rest(client, world, monkeypatch):
    add_records(world, 40)
    monkeypatch.setattr(selectors, "EXPLANATION_ROWS", 10)
    client.force_login(world["a_user"])
    html = client.get(reverse("citizens:my_record")).content.decode()
    explanation = score_explain(subject=world["a"].subject)
    rows = explanation["records"]
    assert len(rows) > 10
    for row in rows[:10]:
        assert f"{row['decision_number']}</a></th>" in html
    assert rows[10]["decision_number"] + "</a>" not in html
    rest = sum(row["points"] for row in rows[10:])
    assert f"{len(rows) - 10} more records that count" in html
    assert f'<td class="text-end">{rest:+d}</td>' in html
    # shown rows and the remainder add up to the score shown
    score = world["a"].subject.score
    score.refresh_from_db()
    assert explanation["base"] + sum(r["points"] for r in rows[:10]) + rest == score.total


def test_measures_are_one_row_per_measure_with_the_other_records_counted(client, world):
    add_records(world, 60)
    today = timezone.localdate()
    measures = selectors.measures_in_force(world["a"].subject, today=today)
    from sanctions.registry.selectors import active_measures

    detailed = active_measures(subject=world["a"].subject, today=today)
    assert len({m["measure"].pk for m in detailed}) == len(measures)  # one row per measure
    for row in measures:
        same = [m for m in detailed if m["measure"].pk == row["measure"].pk]
        assert row["more"] == len(same) - 1
        ends = [m["ends_on"] for m in same]
        assert row["ends_on"] == (None if None in ends else max(ends))
    assert any(row["more"] for row in measures)
    client.force_login(world["a_user"])
    html = client.get(reverse("citizens:my_record")).content.decode()
    assert re.search(r"and \d+ more records", html)


def test_the_report_lists_records_in_effect_up_to_a_cap_with_a_note(client, world, monkeypatch):
    add_records(world, 60)
    monkeypatch.setattr(selectors, "REPORT_RECORDS", 12)
    monkeypatch.setattr(selectors, "REPORT_NOTICES", 5)
    client.force_login(world["a_user"])
    html = client.get(reverse("citizens:report")).content.decode()
    section = selectors.report_section(world["a"].subject, today=timezone.localdate())
    in_effect = section["records_in_effect"]
    assert in_effect > 12 and len(section["records"]) == 12
    assert f"12 of {in_effect} records in effect are listed" in html
    assert all(item["record"].status in ("active", "under_objection")
               for item in section["records"])  # fmt: skip
    total_letters = Notice.objects.filter(
        subject__in=selectors.subjects_of(world["a_user"])
    ).count()
    assert f"The newest 5 of {total_letters} letters" in html
    # the letters' titles in English: their kind (issue 18)
    assert html.count("— Decision and intended publication (") == 5
    assert "61 records, by domain and status" in html


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_the_pages_cost_the_same_number_of_queries_for_60_or_300_records(
    client, world, monkeypatch
):
    """The page shows 50 records and the report at most REPORT_RECORDS: what they read does
    not grow with the records (it grew by several queries per record before)."""
    monkeypatch.setattr(selectors, "REPORT_RECORDS", 10)
    monkeypatch.setattr(selectors, "REPORT_NOTICES", 10)
    client.force_login(world["a_user"])
    add_records(world, 60)
    before = {name: _queries(client, reverse(name)) for name in
              ("citizens:my_record", "citizens:report")}  # fmt: skip
    add_records(world, 240, start=60)
    after = {name: _queries(client, reverse(name)) for name in
             ("citizens:my_record", "citizens:report")}  # fmt: skip
    assert after == before
