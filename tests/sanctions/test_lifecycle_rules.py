"""Issue 12's rules with a moved clock: performed is never public (3), the ground-1 review at
two years (4), objections in the notice period (10) and retention (11)."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse

from sanctions.casework.selectors import dashboard, may_extend_listing
from sanctions.kernel.errors import ApplicationError
from sanctions.models import (
    AuditEvent,
    Case,
    EvidenceFile,
    IntegrityRecord,
    Notice,
    RecordType,
)
from sanctions.registry.selectors import is_public, records_in_effect
from tests import services, tasks
from tests.factories import make_citizen, make_official
from tests.sanctions.test_casework import pdf

pytestmark = pytest.mark.django_db

D = datetime.date(2025, 3, 3)
AFTER_NOTICE = D + datetime.timedelta(days=11)


@pytest.fixture
def court(catalog):
    return {role: make_official(role=role, authority_code="bj-dongcheng-court")
            for role in ("clerk", "reviewer", "supervisor")}  # fmt: skip


def register(court, number: str, *, ground: int = 2, on: datetime.date = D, **extra):
    return services.record_register(
        actor=court["clerk"], subject=make_citizen().subject,
        record_type=RecordType.objects.get(code="judicial-dishonest-debtor"),
        authority=court["clerk"].official.authority, decision_number=number,
        decision_date=on, judicial_ground=ground, amount=1000, obligation="支付1000元",
        today=on, **extra,
    )  # fmt: skip


# --- 3. performed is never public ---------------------------------------------------------


def test_a_performed_obligation_cannot_be_listed(court):
    with pytest.raises(ApplicationError) as refused:
        register(court, "P-0", performance_status="performed")
    assert "performance_status" in refused.value.message_dict
    assert not IntegrityRecord.objects.exists()


def test_objection_correction_to_performed_removes_the_listing(court):
    record = register(court, "P-1")
    services.publication_sweep(today=AFTER_NOTICE)
    assert is_public(record=record, today=AFTER_NOTICE)
    objection = services.objection_file(actor=court["clerk"], record=record, grounds="已履行",
                                        today=AFTER_NOTICE)  # fmt: skip
    services.objection_decide(
        actor=court["reviewer"], objection=objection, outcome="partly_upheld", reasons="已履行",
        corrections={"performance_status": "performed"}, today=AFTER_NOTICE,
    )  # fmt: skip
    record.refresh_from_db()
    assert (record.status, record.removal_reason) == ("removed", "performed")
    assert record.events.get().source == "objection"
    assert not is_public(record=record, today=AFTER_NOTICE)


def test_public_selector_never_returns_a_performed_judicial_entry(court):
    record = register(court, "P-2")
    services.publication_sweep(today=AFTER_NOTICE)
    assert is_public(record=record, today=AFTER_NOTICE)
    # a path that wrote the status without removing the listing (raw update, bypassing services)
    IntegrityRecord.objects.filter(pk=record.pk).update(performance_status="performed")
    assert not is_public(record=record, today=AFTER_NOTICE)


# --- 4. ground-1 review at two years ------------------------------------------------------


def test_ground_one_review_opens_once_with_a_notice_and_shows_on_the_dashboard(court, client):
    record = register(court, "R-1", ground=1)
    assert record.review_due_on == D + datetime.timedelta(days=730)
    services.publication_sweep(today=AFTER_NOTICE)
    before = record.review_due_on - datetime.timedelta(days=1)
    assert services.review_cases_open(today=before) == 0
    assert tasks.review_cases_open(record.review_due_on.isoformat()) == 1
    assert tasks.review_cases_open(record.review_due_on.isoformat()) == 0  # idempotent
    case = Case.objects.get(review_of=record)
    assert (case.state, case.authority, case.subject) == ("draft", record.authority, record.subject)
    assert Notice.objects.filter(record=record, kind="review").count() == 1
    assert AuditEvent.objects.filter(action="case.review_open", object_id=str(case.pk)).exists()
    assert (
        dashboard(user=court["reviewer"], today=record.review_due_on)["ground_one_reviews_due"] == 1
    )
    client.force_login(court["reviewer"])
    page = client.get(reverse("admin:index")).content.decode()
    assert "?kind=review_open" in page
    listed = client.get(reverse("admin:sanctions_case_changelist") + "?kind=review_open")
    assert [c.pk for c in listed.context["cl"].result_list] == [case.pk]
    # a review case creates no record, is not edited and is not withdrawn: it is concluded
    with pytest.raises(ApplicationError):
        services.case_submit(actor=court["clerk"], case=case)
    with pytest.raises(ApplicationError):
        services.case_withdraw(actor=court["clerk"], case=case, reason="不想复查")
    with pytest.raises(ApplicationError):
        services.case_update(actor=court["clerk"], case=case, facts="改写")
    case.refresh_from_db()
    assert case.state == "draft"
    page = client.get(reverse("admin:sanctions_case_change", args=[case.pk])).content.decode()
    assert "conclude_review" in page and "/act/withdraw/" not in page
    assert "/act/submit/" not in page and "/act/decide/" not in page


def test_review_continue_sets_the_next_review_and_remove_takes_the_listing_down(court):
    kept, dropped = register(court, "R-2", ground=1), register(court, "R-3", ground=1)
    services.publication_sweep(today=AFTER_NOTICE)
    due = kept.review_due_on
    assert services.review_cases_open(today=due) == 2
    with pytest.raises(ApplicationError):  # four-eyes roles: a clerk does not conclude
        services.review_case_conclude(
            actor=court["clerk"], case=kept.review_cases.get(), outcome="continue",
            reasons="仍有能力", today=due,
        )  # fmt: skip
    services.review_case_conclude(
        actor=court["reviewer"], case=kept.review_cases.get(), outcome="continue",
        reasons="仍有能力履行", today=due,
    )  # fmt: skip
    kept.refresh_from_db()
    assert kept.review_due_on == due + datetime.timedelta(days=730)
    assert kept.review_cases.get().state == "closed" and kept.status == "active"
    services.review_case_conclude(actor=court["reviewer"], case=dropped.review_cases.get(),
                                  outcome="performed", reasons="已履行完毕", today=due)  # fmt: skip
    dropped.refresh_from_db()
    assert (dropped.status, dropped.removal_reason) == ("removed", "performed")
    assert not is_public(record=dropped, today=due)
    # the next review of the kept listing opens two years on, not before
    assert services.review_cases_open(today=due + datetime.timedelta(days=1)) == 0


# --- 10. objections in the notice period -------------------------------------------------


def test_objection_in_the_notice_period_neither_counts_nor_publishes_until_decided(court):
    record = register(court, "O-1")
    objection = services.objection_file(actor=court["clerk"], record=record, grounds="错误",
                                        today=D + datetime.timedelta(days=2))  # fmt: skip
    record.refresh_from_db()
    assert record.status == "pending_notice"
    assert not records_in_effect(today=AFTER_NOTICE).filter(pk=record.pk).exists()
    assert services.publication_sweep(today=AFTER_NOTICE)["activated"] == 0
    assert not is_public(record=record, today=AFTER_NOTICE)
    services.objection_decide(actor=court["reviewer"], objection=objection, outcome="rejected",
                              reasons="理由不成立", today=AFTER_NOTICE)  # fmt: skip
    record.refresh_from_db()
    assert record.status == "pending_notice"
    assert services.publication_sweep(today=AFTER_NOTICE)["activated"] == 1
    assert is_public(record=record, today=AFTER_NOTICE)


def test_objection_upheld_in_the_notice_period_revokes(court):
    record = register(court, "O-2")
    objection = services.objection_file(actor=court["clerk"], record=record, grounds="错误",
                                        today=D)  # fmt: skip
    services.objection_decide(actor=court["reviewer"], objection=objection, outcome="upheld",
                              reasons="成立", today=D)  # fmt: skip
    record.refresh_from_db()
    assert record.status == "revoked"
    assert services.publication_sweep(today=AFTER_NOTICE)["activated"] == 0


def test_an_active_record_keeps_counting_while_its_objection_is_decided(court):
    record = register(court, "O-3")
    services.publication_sweep(today=AFTER_NOTICE)
    services.objection_file(actor=court["clerk"], record=record, grounds="错误",
                            today=AFTER_NOTICE)  # fmt: skip
    record.refresh_from_db()
    assert record.status == "under_objection"
    assert records_in_effect(today=AFTER_NOTICE).filter(pk=record.pk).exists()


# --- 11. retention -----------------------------------------------------------------------


def test_retention_erases_personal_data_and_files_once(
    court, client, django_capture_on_commit_callbacks
):
    case = services.case_create(
        actor=court["clerk"], subject=make_citizen(name="王保留").subject,
        record_type=RecordType.objects.get(code="judicial-dishonest-debtor"),
        title="执行案件王保留", facts="王保留拒不履行", judicial_ground=2, obligation="支付",
    )  # fmt: skip
    evidence = services.evidence_add(actor=court["clerk"], case=case, uploaded=pdf())
    stored = evidence.file.storage, evidence.file.name
    services.case_submit(actor=court["clerk"], case=case)
    record = services.case_decide(actor=court["reviewer"], case=case, decision_number="E-1",
                                  decision_date=D, today=D)  # fmt: skip
    services.case_serve_notice(actor=court["clerk"], case=case, today=D)
    services.publication_sweep(today=AFTER_NOTICE)
    services.record_remove(actor=court["reviewer"], record=record, reason="performed",
                           today=AFTER_NOTICE)  # fmt: skip
    record.refresh_from_db()
    subject = record.subject
    ended = min(record.effective_until, record.removed_at.date())
    keep_until = ended + datetime.timedelta(days=365 * record.record_type.retention_years)
    assert services.retention_sweep(today=keep_until) == 0  # the last day of retention
    assert stored[0].exists(stored[1])
    with django_capture_on_commit_callbacks(execute=True):
        assert tasks.retention_sweep((keep_until + datetime.timedelta(days=1)).isoformat()) == 1
    assert tasks.retention_sweep((keep_until + datetime.timedelta(days=2)).isoformat()) == 0
    record.refresh_from_db()
    case.refresh_from_db()
    assert record.subject is None and record.erased_at is not None
    assert (record.facts, record.obligation, record.amount) == ("", "", None)
    assert case.subject is None and "王保留" not in case.title and case.facts == ""
    assert not Notice.objects.filter(record=record).exists()
    assert not EvidenceFile.objects.filter(case=case).exists()
    assert not stored[0].exists(stored[1])
    erase = AuditEvent.objects.get(action="record.erase", object_id=str(record.pk))
    assert erase.subject is None and erase.actor is None
    assert "王保留" not in str(erase.new_values) + erase.object_repr
    assert not subject.records.exists()  # the person is no longer linked to it
    client.force_login(court["reviewer"])  # the skeleton still opens in the admin
    for name, obj in (("integrityrecord", record), ("case", case)):
        url = reverse(f"admin:sanctions_{name}_change", args=[obj.pk])
        assert client.get(url).status_code == 200


def test_partial_performance_is_a_running_total_that_cannot_go_down(court):
    record = register(court, "A-1")
    services.publication_sweep(today=AFTER_NOTICE)
    services.record_event_report(
        actor=court["clerk"], record=record, kind="partially_performed", date=AFTER_NOTICE,
        amount_performed=600, today=AFTER_NOTICE,
    )  # fmt: skip
    with pytest.raises(ApplicationError) as refused:
        services.record_event_report(
            actor=court["clerk"], record=record, kind="partially_performed",
            date=AFTER_NOTICE, amount_performed=200, today=AFTER_NOTICE,
        )  # fmt: skip
    assert "amount_performed" in refused.value.message_dict
    record.refresh_from_db()
    assert str(record.amount_performed) == "600.00" and record.events.count() == 1


# --- what mypy's None checks found (issue 15) ----------------------------------------------


def test_a_case_whose_record_was_erased_serves_no_notice(court):
    """A record removed before its decision notice was served, then erased at the end of
    retention, names nobody: serving the case's notice is refused, not a crash."""
    case = services.case_create(
        actor=court["clerk"], subject=make_citizen().subject,
        record_type=RecordType.objects.get(code="judicial-dishonest-debtor"),
        title="执行案件", facts="拒不履行", judicial_ground=2, obligation="支付",
    )  # fmt: skip
    services.evidence_add(actor=court["clerk"], case=case, uploaded=pdf())
    services.case_submit(actor=court["clerk"], case=case)
    record = services.case_decide(actor=court["reviewer"], case=case, decision_number="N-1",
                                  decision_date=D, today=D)  # fmt: skip
    services.record_remove(actor=court["reviewer"], record=record, reason="performed", today=D)
    assert services.retention_sweep(today=datetime.date(2100, 1, 1)) == 1
    with pytest.raises(ApplicationError) as refused:
        services.case_serve_notice(actor=court["clerk"], case=case, today=D)
    assert refused.value.code == "erased"
    record.refresh_from_db()
    assert record.notice_served_on is None and not Notice.objects.filter(record=record).exists()


def test_a_listing_without_an_end_date_is_not_offered_an_extension_nor_extended(court):
    record = register(court, "X-1")
    services.publication_sweep(today=AFTER_NOTICE)
    IntegrityRecord.objects.filter(pk=record.pk).update(publication_end=None)
    record.refresh_from_db()
    assert not may_extend_listing(record=record)
    with pytest.raises(ApplicationError, match="no end date"):
        services.record_extend_listing(actor=court["reviewer"], record=record, years=1,
                                       reason="拒不履行", today=AFTER_NOTICE)  # fmt: skip
    record.refresh_from_db()
    assert record.publication_end is None and record.listing_extended_at is None
