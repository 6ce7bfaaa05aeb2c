"""Issue 12, item 8: the demo data is believable — every record has its basis document; an
amount and an obligation only where the record type has them; enterprises are registered in
the region of their credit code, and named after its city."""

import re

import pytest
from django.core.management import call_command

from enterprises.models import Enterprise
from sanctions.models import IntegrityRecord
from scs_portal.demo import DemoGenerator, city_of

pytestmark = pytest.mark.django_db

JUDGMENT = re.compile(r"^（20\d\d）京0101民初\d+号$")
AGENCY_DOCUMENT = re.compile(r"^京[\u4e00-\u9fff]+〔20\d\d〕\d+号$")
# types whose decision orders nothing payable (honours, certificates, findings, lists)
NO_AMOUNT = {
    "judicial-performed-voluntarily", "commercial-a-grade-taxpayer",
    "commercial-contract-honouring", "commercial-abnormal-operation",
    "commercial-serious-illegal-list", "societal-work-safety-serious",
    "societal-academic-fraud", "societal-exam-cheating", "societal-commendation",
    "societal-volunteer-service", "societal-blood-donation", "societal-drunk-driving",
    "government-broken-commitment",
}  # fmt: skip
COURT_SANCTIONS = {"judicial-contempt-enforcement", "judicial-false-litigation"}
COURT_DEBTS = {"judicial-dishonest-debtor", "judicial-consumption-order-breach",
               "government-official-dishonest-debtor", "government-contract-breach"}  # fmt: skip


def test_company_names_follow_the_region_of_their_credit_code():
    gen = DemoGenerator(3)
    assert city_of("110105") == "北京" and city_of("310104") == "上海"
    assert city_of("130102") == "石家庄" and city_of("440103") == "广州"
    assert city_of("999999") == ""
    assert gen.company_name("310104").startswith("上海")
    code = gen.credit_code(7, ["110105"])
    assert code[2:8] == "110105"


def test_demo_records_say_why_and_only_what_their_type_has(settings, catalog):
    settings.DEBUG = True
    call_command("seed_demo", "--citizens", "40", "--enterprises", "8", "--records", "150")
    records = list(IntegrityRecord.objects.select_related("record_type"))
    assert len(records) > 100
    seen = set()
    for record in records:
        record_type = record.record_type
        seen.add(record_type.code)
        assert record.legal_basis == record_type.legal_basis
        assert record.basis_document, record.decision_number
        if record_type.domain == "judicial" or record_type.code in COURT_DEBTS:
            if record_type.code in COURT_SANCTIONS:  # the court's own sanction decision
                assert re.match(r"^（20\d\d）京0101司惩\d+号$", record.basis_document)
            else:
                assert JUDGMENT.match(record.basis_document), record.basis_document
        else:
            assert AGENCY_DOCUMENT.match(record.basis_document), record.basis_document
        if record_type.polarity == "positive" or record_type.code in NO_AMOUNT:
            assert record.amount is None, record_type.code
            if record_type.polarity == "positive":
                assert record.obligation == "", record_type.code
        else:
            assert record.amount is not None and record.amount > 0, record_type.code
            # the obligation states the amount the decision orders
            assert f"人民币{int(record.amount):,}元" in record.obligation, record.obligation
        if record_type.code in COURT_DEBTS:
            assert record.obligation.startswith(("支付", "偿还", "赔偿")), record.obligation
    # the plan covers the catalog widely enough for the checks above to mean something
    assert {"judicial-dishonest-debtor", "commercial-tax-arrears"} <= seen
    assert seen & NO_AMOUNT
    # the cases in the officials' work queue too
    from sanctions.models import Case

    for case in Case.objects.all():
        assert JUDGMENT.match(case.basis_document) and case.amount
        assert f"人民币{int(case.amount):,}元" in case.obligation
    for enterprise in Enterprise.objects.select_related("subject"):
        code = enterprise.credit_code
        assert enterprise.subject.region_code == code[2:8], code
        assert code[2:4] == "11", code  # Beijing, where the demo's authorities are
        assert enterprise.name.startswith(city_of(code[2:8])), enterprise.name
