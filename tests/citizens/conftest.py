"""A small world for the self-service tests: citizens A and B with portal accounts, A the
legal representative of an enterprise, records about each, one of B's with an objection and
an attachment, and an official who opened B's record."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from citizens import services as citizen_services
from citizens.selectors import citizen_on_file_with
from sanctions.models import RecordType, ScoreHistory
from sanctions.registry.selectors import record_types_offered_to
from sanctions.scoring.services import score_recompute_inline
from tests import services
from tests.factories import make_citizen, make_enterprise, make_official

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PASSWORD = "A-strong-pass-2026"


def pdf(name="proof.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def decide(officials, subject, *, code, number, decision_date, judicial_ground=None):
    """A record through the real casework path: draft, review, decision, notice, sweep."""
    clerk, reviewer = officials
    case = services.case_create(
        actor=clerk, subject=subject, record_type=RecordType.objects.get(code=code),
        title="案件", facts="事实。", amount=12000, judicial_ground=judicial_ground,
    )  # fmt: skip
    services.evidence_add(actor=clerk, case=case, uploaded=pdf("judgment.pdf"))
    services.case_submit(actor=clerk, case=case)
    record = services.case_decide(
        actor=reviewer, case=case, decision_number=number, decision_date=decision_date,
        today=decision_date,
    )  # fmt: skip
    services.case_serve_notice(actor=clerk, case=case, today=decision_date)
    services.publication_sweep(today=decision_date + datetime.timedelta(days=11))
    services.publication_sweep()
    record.refresh_from_db()
    return record


def put_on_file(citizen, official):
    """A draft case about the citizen at the official's authority, unless that authority
    already holds a record or case about them: only such an authority (or the operator)
    issues the citizen's activation code (citizens.services.activation_code_refusal)."""
    if citizen_on_file_with(official, citizen):
        return
    authority = official.official.authority
    record_type = (
        record_types_offered_to(user=official, authority=authority)
        .filter(subject_kinds__contains=["person"], is_active=True)
        .order_by("code")
        .first()
    )
    services.case_create(actor=official, subject=citizen.subject, record_type=record_type,
                         title="账户激活", facts="公民申请开通门户账户。")  # fmt: skip


def activate(citizen, official):
    """Open the citizen's portal account with a letter's code the official issued."""
    put_on_file(citizen, official)
    _row, code = citizen_services.activation_code_issue(actor=official, citizen=citizen)
    return citizen_services.account_activate(
        resident_id=citizen.resident_id, name=citizen.name, code=code, password=PASSWORD
    )


@pytest.fixture
def world(catalog):
    today = timezone.localdate()
    court = (
        make_official(role="clerk", authority_code="bj-dongcheng-court"),
        make_official(role="reviewer", authority_code="bj-dongcheng-court"),
    )
    amr = (
        make_official(role="clerk", authority_code="bj-dongcheng-amr"),
        make_official(role="reviewer", authority_code="bj-dongcheng-amr"),
    )
    a = make_citizen(name="王小明", birth=datetime.date(1988, 3, 15))
    b = make_citizen(name="赵丽", birth=datetime.date(1990, 6, 1), male=False)
    enterprise = make_enterprise(name="北京甲乙科技有限公司", legal_rep=a)
    a_record = decide(court, a.subject, code="judicial-dishonest-debtor",
                      number="(2026)京0101执7号", judicial_ground=2,
                      decision_date=today - datetime.timedelta(days=40))  # fmt: skip
    e_record = decide(amr, enterprise.subject, code="commercial-product-quality",
                      number="京东市监罚〔2026〕3号",
                      decision_date=today - datetime.timedelta(days=120))  # fmt: skip
    b_record = decide(court, b.subject, code="judicial-dishonest-debtor",
                      number="(2026)京0101执9号", judicial_ground=4,
                      decision_date=today - datetime.timedelta(days=30))  # fmt: skip
    b_user = activate(b, court[0])
    b_objection = services.objection_file(
        actor=b_user, record=b_record, grounds="已履行。", attachments=[pdf("receipt.pdf")]
    )
    services.access_log_write(
        official_user=court[1], subject=b.subject, purpose="enforcement review"
    )
    # two nightly runs: before A's listing counted, and today (a history with a change); the
    # first one's history dated its day (a run stamps the time it ran)
    score_recompute_inline(kind="full", as_of=today - datetime.timedelta(days=100))
    ScoreHistory.objects.update(computed_at=timezone.now() - datetime.timedelta(days=100))
    score_recompute_inline(kind="full")
    return {
        "a": a, "b": b, "enterprise": enterprise, "court": court, "amr": amr,
        "a_user": activate(a, court[0]), "b_user": b_user,
        "a_record": a_record, "e_record": e_record, "b_record": b_record,
        "b_objection": b_objection,
    }  # fmt: skip
