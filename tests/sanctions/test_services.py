import datetime

import pytest

from sanctions.kernel.errors import ApplicationError
from sanctions.models import AuditEvent, Authority, IntegrityRecord, RecordType
from sanctions.registry.services.catalog import record_type_create
from sanctions.registry.services.records import record_create
from tests.factories import make_citizen, make_enterprise

pytestmark = pytest.mark.django_db


@pytest.fixture
def court(catalog):
    return Authority.objects.get(code="bj-dongcheng-court")


def create(subject, type_code, authority, number="(2025)京0101执1号", **kw):
    kw.setdefault("decision_date", datetime.date(2025, 6, 1))
    return record_create(
        actor=None,
        subject=subject,
        record_type=RecordType.objects.get(code=type_code),
        authority=authority,
        decision_number=number,
        **kw,
    )


def test_record_create_writes_record_and_audit_row(court):
    citizen = make_citizen()
    record = create(citizen.subject, "judicial-dishonest-debtor", court, judicial_ground=2)
    assert record.status == "pending_notice"
    assert record.publication_start == datetime.date(2025, 6, 1)
    event = AuditEvent.objects.get(action="record.create", object_id=str(record.pk))
    assert event.subject_id == citizen.subject_id
    assert event.new_values["decision_number"] == "(2025)京0101执1号"


def test_duplicate_decision_number_is_refused_and_changes_nothing(court):
    subject = make_citizen().subject
    create(subject, "judicial-dishonest-debtor", court, judicial_ground=2)
    before = (IntegrityRecord.objects.count(), AuditEvent.objects.count())
    with pytest.raises(ApplicationError) as excinfo:
        create(subject, "judicial-dishonest-debtor", court, judicial_ground=3)
    assert "decision_number" in excinfo.value.message_dict
    assert (IntegrityRecord.objects.count(), AuditEvent.objects.count()) == before


def test_same_decision_number_at_another_authority_is_fine(court):
    subject = make_citizen().subject
    create(subject, "judicial-dishonest-debtor", court, judicial_ground=2)
    other = Authority.objects.get(code="bj-xicheng-court")
    create(subject, "judicial-dishonest-debtor", other, judicial_ground=2)


def test_minor_cannot_be_listed(court):
    minor = make_citizen(birth=datetime.date(2010, 5, 5))
    with pytest.raises(ApplicationError) as excinfo:
        create(minor.subject, "judicial-dishonest-debtor", court, judicial_ground=2)
    assert excinfo.value.code == "minor"
    assert not IntegrityRecord.objects.exists()


def test_future_decision_and_wrong_subject_kind_are_refused(court):
    subject = make_citizen().subject
    with pytest.raises(ApplicationError) as excinfo:
        create(subject, "judicial-dishonest-debtor", court, judicial_ground=2,
               decision_date=datetime.date.today() + datetime.timedelta(days=1))  # fmt: skip
    assert "decision_date" in excinfo.value.message_dict
    with pytest.raises(ApplicationError) as excinfo:
        create(subject, "commercial-food-safety", court)  # enterprises only
    assert "record_type" in excinfo.value.message_dict


def test_implausibly_early_decision_date_is_refused_by_the_service(court):
    # the admin, the API, bulk imports and case decisions all pass record_validate
    subject = make_citizen().subject
    with pytest.raises(ApplicationError) as excinfo:
        create(subject, "judicial-dishonest-debtor", court, judicial_ground=2,
               decision_date=datetime.date(1949, 12, 31))  # fmt: skip
    assert excinfo.value.message_dict == {
        "decision_date": ["The decision date is implausibly early."]
    }
    assert not IntegrityRecord.objects.exists()
    firm = make_enterprise().subject  # (a person of the tests was a minor in 1950)
    amr = Authority.objects.get(code="bj-dongcheng-amr")  # food safety is the regulator's
    create(firm, "commercial-food-safety", amr, decision_date=datetime.date(1950, 1, 1))


def test_enterprise_penalty_is_published_but_a_persons_is_not(catalog):
    amr = Authority.objects.get(code="bj-dongcheng-amr")
    enterprise = make_enterprise()
    published = create(enterprise.subject, "commercial-product-quality", amr, "京市监罚〔2025〕1号")
    assert published.publication_end == datetime.date(2025, 6, 1) + datetime.timedelta(days=365)
    traffic = Authority.objects.get(code="bj-traffic-police")
    person = make_citizen()
    private = create(person.subject, "societal-drunk-driving", traffic, "京交罚〔2025〕2号")
    assert private.publication_start is None


def test_record_type_with_prohibited_ground_is_refused(catalog, superuser):
    fields = {
        "code": "political-speech",
        "title": "不当政治言论",
        "domain": "societal",
        "polarity": "negative",
        "severity": "general",
        "points": -10,
        "subject_kinds": ["person"],
        "issuer_kinds": ["government"],
        "legal_basis": "某规定",
        "places_on_blacklist": False,
        "attestation": "attested",
    }
    with pytest.raises(ApplicationError) as excinfo:
        record_type_create(actor=superuser, **fields)
    assert excinfo.value.code == "prohibited_ground"
    fields.update(code="late-filing-x", title="逾期报送统计资料")
    fields["attestation"] = ""
    with pytest.raises(ApplicationError):
        record_type_create(actor=superuser, **fields)
    fields["attestation"] = "I attest."
    created = record_type_create(actor=superuser, **fields)
    assert created.attested_by == superuser
    assert AuditEvent.objects.filter(action="record_type.create", object_id=str(created.pk))
