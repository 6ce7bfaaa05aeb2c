"""Casework and due process, service by service, each with its audit rows."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sanctions.kernel.errors import ApplicationError
from sanctions.kernel.workdays import add_working_days
from sanctions.models import AuditEvent, Holiday, IntegrityRecord, Notice, RecordType
from sanctions.registry.selectors import public_entries
from tests import services
from tests.factories import make_citizen, make_enterprise, make_official

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
D = datetime.date(2025, 3, 3)  # a Monday


def pdf(name="judgment.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def draft(clerk, subject, code="judicial-dishonest-debtor", ground=2, **kw):
    case = services.case_create(
        actor=clerk,
        subject=subject,
        record_type=RecordType.objects.get(code=code),
        title="执行案件",
        facts="被执行人有履行能力而拒不履行。",
        judicial_ground=ground,
        amount=50000,
        **kw,
    )
    services.evidence_add(actor=clerk, case=case, uploaded=pdf())
    return case


def decided(court, subject, number="(2025)京0101执1号", **kw):
    case = draft(court["clerk"], subject, **kw)
    services.case_submit(actor=court["clerk"], case=case)
    record = services.case_decide(
        actor=court["reviewer"], case=case, decision_number=number, decision_date=D, today=D
    )
    return case, record


def actions(obj):
    return list(
        AuditEvent.objects.filter(object_type=obj._meta.label, object_id=str(obj.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )


def test_case_walks_draft_review_decided_notified_closed_with_audit(court):
    subject = make_citizen().subject
    case, record = decided(court, subject)
    assert record.case == case and record.status == "pending_notice"
    notice = services.case_serve_notice(actor=court["clerk"], case=case, today=D)
    assert notice.kind == "decision" and notice.record == record
    services.case_close(actor=court["clerk"], case=case)
    assert actions(case) == [
        "case.create", "case.evidence_add", "case.submit", "case.decide", "case.notify",
        "case.close",
    ]  # fmt: skip
    assert actions(record) == ["record.create", "record.notice_served"]


def test_serving_a_records_notice_needs_an_official_of_its_authority(court):
    """record_serve_notice checks for itself (not only through case_serve_notice): an
    official of another authority is refused and nothing is served; the operator may."""
    from django.contrib.auth import get_user_model

    _case, record = decided(court, make_citizen().subject)
    outsider = make_official(role="clerk", authority_code="bj-traffic-police",
                             username="traffic.clerk.notice")  # fmt: skip
    with pytest.raises(ApplicationError, match="Only officials of") as refused:
        services.record_serve_notice(actor=outsider, record=record, today=D)
    assert refused.value.code == "forbidden"
    record.refresh_from_db()
    assert record.notice_served_on is None and not Notice.objects.filter(record=record).exists()
    operator = get_user_model().objects.create_superuser("operator.notice", password="x" * 16)
    notice = services.record_serve_notice(actor=operator, record=record, today=D)
    record.refresh_from_db()
    assert record.notice_served_on == D and notice.record == record
    assert actions(record) == ["record.create", "record.notice_served"]


def test_four_eyes_the_drafter_cannot_decide(court):
    supervisor = court["supervisor"]
    case = draft(supervisor, make_citizen().subject)
    services.case_submit(actor=supervisor, case=case)
    with pytest.raises(ApplicationError) as excinfo:
        services.case_decide(actor=supervisor, case=case, decision_number="X1",
                             decision_date=D)  # fmt: skip
    assert excinfo.value.code == "four_eyes"
    case.refresh_from_db()
    assert case.state == "under_review" and not IntegrityRecord.objects.exists()


def test_only_officials_of_the_authority_with_the_role_may_act(court):
    case = draft(court["clerk"], make_citizen().subject)
    services.case_submit(actor=court["clerk"], case=case)
    for actor in (court["other_reviewer"], court["clerk"]):
        with pytest.raises(ApplicationError) as excinfo:
            services.case_decide(actor=actor, case=case, decision_number="X", decision_date=D)
        assert excinfo.value.code == "forbidden"


def test_submit_needs_evidence_and_evidence_is_type_and_size_checked(court, settings):
    case = services.case_create(
        actor=court["clerk"], subject=make_citizen().subject,
        record_type=RecordType.objects.get(code="judicial-dishonest-debtor"),
        title="t", facts="f", judicial_ground=2,
    )  # fmt: skip
    with pytest.raises(ApplicationError):
        services.case_submit(actor=court["clerk"], case=case)
    with pytest.raises(ApplicationError) as excinfo:
        services.evidence_add(actor=court["clerk"], case=case,
                              uploaded=pdf("x.pdf", b"MZ\x90\x00 not a pdf"))  # fmt: skip
    assert "Only PDF, PNG and JPEG" in excinfo.value.message_dict["file"][0]
    with pytest.raises(ApplicationError):
        services.evidence_add(actor=court["clerk"], case=case, uploaded=pdf("x.exe"))
    settings.SCS_EVIDENCE_MAX_BYTES = 10
    with pytest.raises(ApplicationError) as excinfo:
        services.evidence_add(actor=court["clerk"], case=case, uploaded=pdf())
    assert "larger than" in excinfo.value.message_dict["file"][0]
    assert not case.evidence.exists()


def test_minor_is_refused_at_decision_time_and_nothing_is_written(court):
    minor = make_citizen(birth=datetime.date(2010, 1, 1)).subject
    case = draft(court["clerk"], minor)
    services.case_submit(actor=court["clerk"], case=case)
    with pytest.raises(ApplicationError) as excinfo:
        services.case_decide(actor=court["reviewer"], case=case, decision_number="M1",
                             decision_date=D, today=D)  # fmt: skip
    assert excinfo.value.code == "minor"
    case.refresh_from_db()
    assert case.state == "under_review" and not IntegrityRecord.objects.exists()


def test_publication_waits_for_notice_period_then_sweep_is_idempotent(court, settings):
    case, record = decided(court, make_citizen().subject)
    assert not public_entries(today=D).exists()
    services.case_serve_notice(actor=court["clerk"], case=case, today=D)
    assert services.publication_sweep(today=D + datetime.timedelta(days=9)) == {
        "activated": 0, "expired": 0}  # fmt: skip
    assert not public_entries(today=D + datetime.timedelta(days=9)).exists()
    day10 = D + datetime.timedelta(days=10)
    assert services.publication_sweep(today=day10) == {"activated": 1, "expired": 0}
    assert services.publication_sweep(today=day10) == {"activated": 0, "expired": 0}
    assert list(public_entries(today=day10)) == [record]
    # ground 2: two years, then the sweep expires it (once)
    after = D + datetime.timedelta(days=731)
    assert not public_entries(today=after).exists()
    assert services.publication_sweep(today=after) == {"activated": 0, "expired": 1}
    assert services.publication_sweep(today=after) == {"activated": 0, "expired": 0}
    record.refresh_from_db()
    assert record.status == "expired" and record.removal_reason == "expiry"


def test_individual_administrative_penalty_is_never_public(catalog):
    traffic_clerk = make_official(role="clerk", authority_code="bj-traffic-police")
    traffic_reviewer = make_official(role="reviewer", authority_code="bj-traffic-police")
    subject = make_citizen().subject
    case = services.case_create(
        actor=traffic_clerk, subject=subject,
        record_type=RecordType.objects.get(code="societal-drunk-driving"),
        title="醉驾", facts="经检测血液酒精含量超标。",
    )  # fmt: skip
    services.evidence_add(actor=traffic_clerk, case=case, uploaded=pdf())
    services.case_submit(actor=traffic_clerk, case=case)
    record = services.case_decide(actor=traffic_reviewer, case=case, decision_number="京交1",
                                  decision_date=D, today=D)  # fmt: skip
    services.case_serve_notice(actor=traffic_clerk, case=case, today=D)
    later = D + datetime.timedelta(days=30)
    services.publication_sweep(today=later)
    record.refresh_from_db()
    assert record.status == "active"  # it counts for the score
    assert record.publication_start is None and not public_entries(today=later).exists()


def test_objection_marks_entry_then_partly_upheld_corrects_within_deadline(court):
    case, record = decided(court, make_citizen().subject)
    services.case_serve_notice(actor=court["clerk"], case=case, today=D)
    day10 = D + datetime.timedelta(days=10)
    services.publication_sweep(today=day10)
    objection = services.objection_file(actor=court["clerk"], record=record,
                                        grounds="金额有误", today=day10)  # fmt: skip
    record.refresh_from_db()
    assert record.status == "under_objection"
    assert list(public_entries(today=day10)) == [record]  # still listed, marked
    assert objection.due_on == day10 + datetime.timedelta(days=15)
    with pytest.raises(ApplicationError):
        services.objection_file(actor=court["clerk"], record=record, grounds="again")
    with pytest.raises(ApplicationError):  # another authority's reviewer
        services.objection_decide(actor=court["other_reviewer"], objection=objection,
                                  outcome="rejected", reasons="x")  # fmt: skip
    services.objection_decide(
        actor=court["reviewer"], objection=objection, outcome="partly_upheld",
        reasons="金额应为30000元", corrections={"amount": 30000}, today=day10,
    )  # fmt: skip
    record.refresh_from_db()
    objection.refresh_from_db()
    assert record.status == "active" and record.amount == 30000
    assert objection.correction_due_on == add_working_days(day10, 3)
    assert objection.corrected_on <= objection.correction_due_on
    assert objection.appeal_until == day10 + datetime.timedelta(days=10)
    assert "record.correct" in actions(record)
    kinds = set(Notice.objects.filter(record=record).values_list("kind", flat=True))
    assert {"decision", "objection_received", "objection_outcome"} <= kinds


def test_appeal_goes_to_the_parent_authority_within_ten_days(court):
    case, record = decided(court, make_citizen().subject)
    objection = services.objection_file(actor=court["clerk"], record=record, grounds="g",
                                        today=D)  # fmt: skip
    services.objection_decide(actor=court["reviewer"], objection=objection, outcome="rejected",
                              reasons="无理由", today=D)  # fmt: skip
    with pytest.raises(ApplicationError):
        services.appeal_file(actor=court["clerk"], objection=objection, grounds="g",
                             today=D + datetime.timedelta(days=11))  # fmt: skip
    appeal = services.appeal_file(actor=court["clerk"], objection=objection, grounds="g",
                                  today=D + datetime.timedelta(days=10))  # fmt: skip
    assert appeal.authority.code == "bj-2nd-intermediate-court"
    with pytest.raises(ApplicationError):  # the lower court cannot decide its own appeal
        services.appeal_decide(actor=court["reviewer"], appeal=appeal, upheld=True, reasons="r")
    services.appeal_decide(actor=court["appeal_reviewer"], appeal=appeal, upheld=True,
                           reasons="撤销")  # fmt: skip
    record.refresh_from_db()
    assert record.status == "revoked" and record.removal_reason == "objection_upheld"


def test_repair_eligibility_and_granted_repair_removes_entry_at_once(catalog):
    amr_clerk = make_official(role="clerk", authority_code="bj-dongcheng-amr")
    amr_reviewer = make_official(role="reviewer", authority_code="bj-dongcheng-amr")
    enterprise = make_enterprise()
    case = services.case_create(
        actor=amr_clerk, subject=enterprise.subject,
        record_type=RecordType.objects.get(code="commercial-product-quality"),
        title="产品抽检不合格", facts="抽检不合格。",
    )  # fmt: skip
    services.evidence_add(actor=amr_clerk, case=case, uploaded=pdf())
    services.case_submit(actor=amr_clerk, case=case)
    record = services.case_decide(actor=amr_reviewer, case=case, decision_number="京市监罚1",
                                  decision_date=D, today=D)  # fmt: skip
    services.case_serve_notice(actor=amr_clerk, case=case, today=D)
    services.publication_sweep(today=D + datetime.timedelta(days=10))
    with pytest.raises(ApplicationError) as excinfo:
        services.repair_apply(actor=amr_clerk, record=record, grounds="已整改",
                              today=D + datetime.timedelta(days=60))  # fmt: skip
    assert excinfo.value.code == "too_early"
    day91 = D + datetime.timedelta(days=91)
    application = services.repair_apply(actor=amr_clerk, record=record, grounds="已整改",
                                        today=day91)  # fmt: skip
    assert public_entries(today=day91).filter(pk=record.pk).exists()
    services.repair_decide(actor=amr_reviewer, application=application, granted=True,
                           reasons="整改到位", today=day91)  # fmt: skip
    record.refresh_from_db()
    assert record.status == "repaired"
    assert not public_entries(today=day91).exists()
    assert actions(application) == ["repair.apply", "repair.decide"]


def test_judicial_listing_cannot_be_repaired_but_is_removed_on_performance(court):
    case, record = decided(court, make_citizen().subject)
    with pytest.raises(ApplicationError) as excinfo:
        services.repair_apply(actor=court["clerk"], record=record, grounds="g",
                              today=D + datetime.timedelta(days=400))  # fmt: skip
    assert excinfo.value.code == "not_repairable"
    services.case_serve_notice(actor=court["clerk"], case=case, today=D)
    services.publication_sweep(today=D + datetime.timedelta(days=10))
    services.record_remove(actor=court["reviewer"], record=record, reason="performed")
    record.refresh_from_db()
    assert record.status == "removed" and record.performance_status == "performed"
    assert not public_entries(today=D + datetime.timedelta(days=11)).exists()


def test_extension_once_by_one_to_three_years(court):
    case, record = decided(court, make_citizen().subject)
    services.case_serve_notice(actor=court["clerk"], case=case, today=D)
    services.publication_sweep(today=D + datetime.timedelta(days=10))
    end = record.publication_end
    with pytest.raises(ApplicationError):
        services.record_extend_listing(actor=court["reviewer"], record=record, years=4,
                                       reason="r")  # fmt: skip
    services.record_extend_listing(actor=court["reviewer"], record=record, years=2,
                                   reason="仍拒不履行")  # fmt: skip
    record.refresh_from_db()
    assert record.publication_end == end + datetime.timedelta(days=730)
    with pytest.raises(ApplicationError):
        services.record_extend_listing(actor=court["reviewer"], record=record, years=1,
                                       reason="again")  # fmt: skip


def test_working_days_skip_weekends_and_holidays_and_count_worked_weekends(db):
    friday = datetime.date(2025, 5, 30)
    # 31 May - 2 June 2025: Dragon Boat holiday (seeded); Sat/Sun anyway, Mon off
    assert add_working_days(friday, 1) == datetime.date(2025, 6, 3)
    assert add_working_days(friday, 3) == datetime.date(2025, 6, 5)
    # 27 April 2025 (a Sunday) was worked in exchange for the Labour Day holiday
    assert add_working_days(datetime.date(2025, 4, 25), 1) == datetime.date(2025, 4, 27)
    Holiday.objects.create(date=datetime.date(2027, 3, 1), name="test holiday")
    assert add_working_days(datetime.date(2027, 2, 26), 1) == datetime.date(2027, 3, 2)


def test_publication_sweep_task_twice_gives_same_result(court):
    from tests.tasks import publication_sweep

    case, record = decided(court, make_citizen().subject)
    services.case_serve_notice(actor=court["clerk"], case=case, today=D)
    day = (D + datetime.timedelta(days=10)).isoformat()
    assert publication_sweep.apply(args=[day]).get() == {"activated": 1, "expired": 0}
    assert publication_sweep.apply(args=[day]).get() == {"activated": 0, "expired": 0}
    assert AuditEvent.objects.filter(action="record.activate").count() == 1


@pytest.mark.parametrize("outcome", ["rejected", "partly_upheld", "upheld"])
def test_a_listing_removed_while_under_objection_stays_removed_when_it_is_decided(court, outcome):
    case, record = decided(court, make_citizen().subject)
    services.case_serve_notice(actor=court["clerk"], case=case, today=D)
    day10 = D + datetime.timedelta(days=10)
    services.publication_sweep(today=day10)
    objection = services.objection_file(actor=court["clerk"], record=record, grounds="已履行",
                                        today=day10)  # fmt: skip
    services.record_remove(actor=court["reviewer"], record=record, reason="performed",
                           today=day10)  # fmt: skip
    assert not public_entries(today=day10).exists()
    services.objection_decide(
        actor=court["reviewer"], objection=objection, outcome=outcome, reasons="r",
        corrections={"amount": 1000} if outcome == "partly_upheld" else None, today=day10,
    )  # fmt: skip
    record.refresh_from_db()
    assert record.status == "removed" and record.removal_reason == "performed"
    assert not public_entries(today=day10).exists()
    assert "record.objection_closed" not in actions(record)
