"""A record's life on every path it comes in by (issue 12): case, admin-added record, API
submission and import row — each through notice → clock past the notice period → public →
performance event → gone, with its audit rows and notices."""

from __future__ import annotations

import datetime
import io

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext
from rest_framework.test import APIClient

from sanctions.agency.services.clients import api_client_create
from sanctions.models import (
    AuditEvent,
    ImportBatch,
    IntegrityRecord,
    Notice,
    RecordEvent,
    RecordType,
)
from sanctions.registry.selectors import is_public
from tests import services
from tests.factories import make_citizen, make_official, resident_id
from tests.sanctions.test_casework import pdf

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DECIDED = TODAY - datetime.timedelta(days=20)
PAST_NOTICE = TODAY + datetime.timedelta(days=11)  # the notice period is 10 days


@pytest.fixture
def court(catalog):
    return {role: make_official(role=role, authority_code="bj-dongcheng-court")
            for role in ("clerk", "reviewer", "supervisor")}  # fmt: skip


@pytest.fixture
def agency(court):
    client, key = api_client_create(
        actor=court["supervisor"], name="法院执行系统",
        authority=court["supervisor"].official.authority,
        scopes=["records:write", "restrictions:read"],
    )  # fmt: skip
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en", HTTP_AUTHORIZATION=f"Api-Key {key}")
    return client, api


def debtor_type() -> RecordType:
    return RecordType.objects.get(code="judicial-dishonest-debtor")


def sweep(day: datetime.date) -> str:
    out = io.StringIO()
    call_command("publication_sweep", "--today", day.isoformat(), stdout=out)
    return out.getvalue()


def assert_published_after_notice(client, record: IntegrityRecord) -> None:
    """Served a decision notice at intake; not public during the notice period; public
    (page and API) once the clock is past it and the sweep ran."""
    record.refresh_from_db()
    assert record.status == "pending_notice"
    assert record.notice_served_on == TODAY
    notice = Notice.objects.get(record=record, kind="decision")
    # the person's letter is in the portal's language, though the official worked in English
    with translation.override("zh-hans"):
        expected = gettext("Notice of decision %(number)s") % {"number": record.decision_number}
    assert notice.title == expected and expected.startswith("Notice") is False
    assert AuditEvent.objects.filter(
        action="record.notice_served", object_id=str(record.pk)
    ).exists()
    assert "activated=0" in sweep(TODAY)  # still inside the notice period
    assert not is_public(record=record)
    assert "activated=1" in sweep(PAST_NOTICE)
    assert "activated=0" in sweep(PAST_NOTICE)  # idempotent
    with time_machine.travel(datetime.datetime.combine(PAST_NOTICE, datetime.time(12))):
        assert is_public(record=record)
        page = client.get(reverse("entry_detail", args=[record.public_id]))
        assert page.status_code == 200 and record.decision_number in page.content.decode()
        api_entry = client.get(f"/api/v1/public/entries/{record.public_id}/")
        assert api_entry.status_code == 200
    assert AuditEvent.objects.filter(action="record.activate", object_id=str(record.pk)).exists()


def assert_gone_after_performance(client, record: IntegrityRecord, source: str) -> None:
    record.refresh_from_db()
    assert record.status == "removed" and record.removal_reason == "performed"
    assert record.performance_status == "performed"
    event = RecordEvent.objects.get(record=record)
    assert (event.kind, event.source) == ("performed", source)
    assert AuditEvent.objects.filter(action="record.event", object_id=str(event.pk)).exists()
    assert AuditEvent.objects.filter(action="record.remove", object_id=str(record.pk)).exists()
    assert Notice.objects.filter(record=record, kind="removal").exists()
    with time_machine.travel(datetime.datetime.combine(PAST_NOTICE, datetime.time(12))):
        assert not is_public(record=record)
        assert client.get(reverse("entry_detail", args=[record.public_id])).status_code == 404


def remove_in_admin(client, reviewer, record) -> None:
    with time_machine.travel(datetime.datetime.combine(PAST_NOTICE, datetime.time(12))):
        client.force_login(reviewer)  # inside the travel: sessions expire after 30 minutes
        url = reverse("admin:sanctions_integrityrecord_act", args=[record.pk, "remove"])
        # the panel step is confirmed: it says what removal does to the person
        response = client.post(url, {"reason": "performed", "confirm": "yes"}, follow=True)
        texts = [str(m) for m in response.context["messages"]]
        assert any("done" in text for text in texts), texts
    client.logout()


def test_case_path(client, court):
    case = services.case_create(
        actor=court["clerk"], subject=make_citizen().subject, record_type=debtor_type(),
        title="执行案件", facts="有履行能力而拒不履行", judicial_ground=2,
        amount=5000, obligation="支付货款5000元",
    )  # fmt: skip
    services.evidence_add(actor=court["clerk"], case=case, uploaded=pdf())
    services.case_submit(actor=court["clerk"], case=case)
    record = services.case_decide(
        actor=court["reviewer"], case=case, decision_number="(2026)京0101执1号",
        decision_date=DECIDED,
    )  # fmt: skip
    services.case_serve_notice(actor=court["clerk"], case=case)
    assert_published_after_notice(client, record)
    remove_in_admin(client, court["reviewer"], record)
    assert_gone_after_performance(client, record, "admin")


def test_admin_added_record_path(client, court):
    subject = make_citizen().subject
    client.force_login(court["clerk"])
    response = client.post(
        reverse("admin:sanctions_integrityrecord_add"),
        {
            "subject": subject.pk, "record_type": debtor_type().pk,
            "authority": court["clerk"].official.authority.pk,
            "decision_number": "(2026)京0101执2号", "decision_date": DECIDED.isoformat(),
            "judicial_ground": 2, "performance_status": "unperformed",
            "amount": "800.00", "obligation": "支付租金800元",
        },
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    client.logout()
    record = IntegrityRecord.objects.get(decision_number="(2026)京0101执2号")
    assert_published_after_notice(client, record)
    remove_in_admin(client, court["reviewer"], record)
    assert_gone_after_performance(client, record, "admin")


def api_payload(number: str) -> dict:
    return {
        "subject": {"kind": "person", "identifier": resident_id(), "name": "赵六"},
        "record_type": "judicial-dishonest-debtor", "decision_number": number,
        "decision_date": DECIDED.isoformat(), "judicial_ground": 2, "amount": "12000.00",
        "obligation": "支付货款12000元", "facts": "有履行能力而拒不履行。",
    }  # fmt: skip


def test_api_path(client, agency):
    api_client, api = agency
    response = api.post("/api/v1/records/", api_payload("(2026)京0101执3号"), format="json")
    assert response.status_code == 201, response.json()
    record = IntegrityRecord.objects.get(pk=response.json()["record_id"])
    assert_published_after_notice(client, record)
    with time_machine.travel(datetime.datetime.combine(PAST_NOTICE, datetime.time(12))):
        url = f"/api/v1/records/{record.pk}/events/"
        body = {"kind": "performed", "date": PAST_NOTICE.isoformat(), "note": "已全部履行"}
        first = api.post(url, body, format="json")
        assert first.status_code == 201, first.json()
        assert first.json()["record_status"] == "removed" and first.json()["created"] is True
        again = api.post(url, body, format="json")  # the same event: 200, nothing changes
        assert again.status_code == 200 and again.json()["created"] is False
        assert again.json()["event_id"] == first.json()["event_id"]
    assert_gone_after_performance(client, record, "api")
    assert Notice.objects.filter(record=record, kind="removal").count() == 1


def test_import_row_path(client, agency, django_capture_on_commit_callbacks):
    _api_client, api = agency
    rid = resident_id()
    header = "subject_kind,identifier,name,record_type,decision_number,decision_date,judicial_ground,amount,obligation"  # noqa: E501
    row = f"person,{rid},钱二,judicial-dishonest-debtor,(2026)京0101执4号,{DECIDED},2,300,支付300元"
    upload = SimpleUploadedFile("d.csv", f"{header}\n{row}\n".encode())
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/api/v1/imports/", {"file": upload}, format="multipart")
    assert response.status_code == 202
    assert ImportBatch.objects.get(pk=response.json()["id"]).rows_imported == 1
    record = IntegrityRecord.objects.get(decision_number="(2026)京0101执4号")
    assert_published_after_notice(client, record)
    events = SimpleUploadedFile(
        "events.csv",
        f"decision_number,event_kind,event_date\n(2026)京0101执4号,performed,{PAST_NOTICE}\n"
        .encode(),
    )  # fmt: skip
    with (
        time_machine.travel(datetime.datetime.combine(PAST_NOTICE, datetime.time(12))),
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = api.post("/api/v1/imports/", {"file": events}, format="multipart")
    assert response.status_code == 202
    batch = ImportBatch.objects.get(pk=response.json()["id"])
    assert (batch.rows_imported, batch.rows_invalid) == (1, 0), batch.report
    assert_gone_after_performance(client, record, "import")


# --- events: bad input, scope, partial performance ----------------------------------------


@pytest.fixture
def listed(agency):
    _client, api = agency
    response = api.post("/api/v1/records/", api_payload("(2026)京0101执9号"), format="json")
    record = IntegrityRecord.objects.get(pk=response.json()["record_id"])
    services.publication_sweep(today=PAST_NOTICE)
    return record


def test_event_for_another_authoritys_record_is_404(listed, catalog):
    supervisor = make_official(role="supervisor", authority_code="bj-xicheng-court",
                               username="xc.keys")  # fmt: skip
    _client, key = api_client_create(actor=supervisor, name="西城", scopes=["records:write"],
                                     authority=supervisor.official.authority)  # fmt: skip
    other = APIClient(HTTP_ACCEPT_LANGUAGE="en", HTTP_AUTHORIZATION=f"Api-Key {key}")
    body = {"kind": "performed", "date": TODAY.isoformat()}
    response = other.post(f"/api/v1/records/{listed.pk}/events/", body, format="json")
    assert response.status_code == 404
    assert other.post("/api/v1/records/99999999/events/", body, format="json").status_code == 404
    assert not RecordEvent.objects.exists()
    listed.refresh_from_db()
    assert listed.status == "active"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "performed", "date": (TODAY + datetime.timedelta(days=1)).isoformat()}, "date"),
        ({"kind": "performed", "date": (DECIDED - datetime.timedelta(days=1)).isoformat()},
         "date"),
        ({"kind": "paid_a_bit", "date": TODAY.isoformat()}, "kind"),
        ({"kind": "performed"}, "date"),
        ({"kind": "partially_performed", "date": TODAY.isoformat(),
          "amount_performed": "99999999.00"}, "amount_performed"),
        ({"kind": "partially_performed", "date": TODAY.isoformat(),
          "amount_performed": "-1"}, "amount_performed"),
    ],
)  # fmt: skip
def test_event_bad_input_is_400_with_the_field_and_changes_nothing(agency, listed, body, field):
    _client, api = agency
    response = api.post(f"/api/v1/records/{listed.pk}/events/", body, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()["errors"]
    assert not RecordEvent.objects.exists()
    listed.refresh_from_db()
    assert (listed.status, listed.performance_status) == ("active", "unperformed")


def test_event_on_removed_record_is_409_with_the_reason(agency, listed):
    _client, api = agency
    url = f"/api/v1/records/{listed.pk}/events/"
    assert api.post(url, {"kind": "settled", "date": TODAY.isoformat()},
                    format="json").status_code == 201  # fmt: skip
    response = api.post(url, {"kind": "revoked", "date": TODAY.isoformat()}, format="json")
    assert response.status_code == 409
    assert "Settlement agreement performed" in response.json()["detail"]
    assert RecordEvent.objects.count() == 1


def test_partial_performance_updates_what_the_public_sees(client, agency, listed):
    _client, api = agency
    body = {"kind": "partially_performed", "date": TODAY.isoformat(), "amount_performed": "4000"}
    response = api.post(f"/api/v1/records/{listed.pk}/events/", body, format="json")
    assert response.status_code == 201
    assert response.json()["performance_status"] == "partially_performed"
    listed.refresh_from_db()
    assert listed.status == "active" and str(listed.amount_performed) == "4000.00"
    assert Notice.objects.filter(record=listed, kind="performance").exists()
    with time_machine.travel(datetime.datetime.combine(PAST_NOTICE, datetime.time(12))):
        entry = client.get(f"/api/v1/public/entries/{listed.public_id}/").json()
    assert entry["performance_status"] == "Partially performed"
    assert entry["amount_performed"] == "4000.00"


def test_event_import_rows_report_errors_per_row(
    agency, listed, django_capture_on_commit_callbacks
):
    _client, api = agency
    content = (
        "decision_number,event_kind,event_date\n"
        f"(2026)京0101执9号,performed,{TODAY}\n"
        f"(2026)京0101执9号,revoked,{TODAY}\n"  # already removed: refused with the reason
        f"no-such-number,performed,{TODAY}\n"
        f"(2026)京0101执9号,performed,{TODAY}\n"  # the first row again: unchanged
        f"(2026)京0101执9号,performed,2999-01-01\n"
    )
    upload = SimpleUploadedFile("events.csv", content.encode())
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/api/v1/imports/", {"file": upload}, format="multipart")
    batch = ImportBatch.objects.get(pk=response.json()["id"])
    assert (batch.rows_imported, batch.rows_unchanged, batch.rows_invalid) == (1, 1, 3)
    assert {(r["row"], r["field"]) for r in batch.report} == {
        (2, "record"), (3, "decision_number"), (5, "event_date")
    }  # fmt: skip
