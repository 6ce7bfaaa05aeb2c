"""The officials' admin: bad input gives field errors and changes nothing; lookups work."""

import pytest
from django.urls import reverse

from citizens.models import Citizen
from sanctions.models import AuditEvent, Authority, IntegrityRecord, RecordType
from tests.factories import make_citizen, make_enterprise, make_official, resident_id

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, superuser, catalog):
    client.force_login(superuser)
    return client


def test_every_admin_changelist_and_add_page_renders(admin_client):
    make_enterprise()
    for model in ["authority", "official", "measure", "recordtype", "subject",
                  "integrityrecord", "auditevent"]:  # fmt: skip
        assert admin_client.get(reverse(f"admin:sanctions_{model}_changelist")).status_code == 200
    for name in ["citizens_citizen", "enterprises_enterprise"]:
        assert admin_client.get(reverse(f"admin:{name}_changelist")).status_code == 200
        assert admin_client.get(reverse(f"admin:{name}_add")).status_code == 200
    assert admin_client.get(reverse("admin:sanctions_integrityrecord_add")).status_code == 200


@pytest.mark.parametrize(
    ("number", "message"),
    [
        ("11010119900307123", "18 characters"),
        ("110101199003071234", "check digit"),
        ("000000199003071232", "region code"),
    ],
)
def test_admin_citizen_add_refuses_bad_ids_with_a_field_error(admin_client, number, message):
    if message == "region code":
        from sanctions.kernel.identifiers import ric_check_digit

        number = number[:17] + ric_check_digit(number[:17])
    response = admin_client.post(
        reverse("admin:citizens_citizen_add"), {"resident_id": number, "name": "张伟"}
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Citizen.objects.exists()


def test_admin_citizen_add_goes_through_the_service(admin_client):
    number = resident_id()
    response = admin_client.post(
        reverse("admin:citizens_citizen_add"), {"resident_id": number, "name": "张伟", "email": ""}
    )
    assert response.status_code == 302
    citizen = Citizen.objects.get(resident_id=number)
    event = AuditEvent.objects.get(action="citizen.create", subject=citizen.subject)
    assert event.actor.is_superuser
    assert event.new_values == {"name": "张伟", "masked_id": citizen.subject.masked_identifier}
    assert number not in str(event.new_values)  # never the full number


def test_exact_id_search_finds_by_keyed_hash(admin_client):
    target = make_citizen(name="王芳")
    make_citizen(name="王芳")
    # the full number travels by POST (the lookup form), never in the list's URL
    lookup = reverse("admin:sanctions_subject_identifier_lookup")
    response = admin_client.post(lookup, {"identifier": target.resident_id}, follow=True)
    assert target.resident_id not in response.redirect_chain[-1][0]
    assert response.context["cl"].result_count == 1
    assert list(response.context["cl"].result_list) == [target.subject]


def test_admin_record_add_refuses_duplicate_decision_number(admin_client):
    subject = make_citizen().subject
    court = Authority.objects.get(code="bj-dongcheng-court")
    record_type = RecordType.objects.get(code="judicial-dishonest-debtor")
    data = {
        "subject": subject.pk,
        "record_type": record_type.pk,
        "authority": court.pk,
        "decision_number": "(2025)京0101执9号",
        "decision_date": "2025-06-01",
        "judicial_ground": 2,
        "performance_status": "unperformed",
    }
    url = reverse("admin:sanctions_integrityrecord_add")
    assert admin_client.post(url, data).status_code == 302
    response = admin_client.post(url, {**data, "judicial_ground": 3})
    assert response.status_code == 200
    assert "already has a record with decision number" in response.content.decode()
    assert IntegrityRecord.objects.count() == 1


def test_official_sees_only_records_of_own_authority(client, catalog):
    court_clerk = make_official(role="clerk", authority_code="bj-dongcheng-court")
    from sanctions.registry.services.records import record_create

    subject = make_citizen().subject
    for code, number in [("bj-dongcheng-court", "A1"), ("bj-xicheng-court", "B1")]:
        record_create(
            actor=None, subject=subject,
            record_type=RecordType.objects.get(code="judicial-dishonest-debtor"),
            authority=Authority.objects.get(code=code), decision_number=number,
            decision_date=__import__("datetime").date(2025, 1, 2), judicial_ground=2,
        )  # fmt: skip
    client.force_login(court_clerk)
    response = client.get(reverse("admin:sanctions_integrityrecord_changelist"))
    numbers = {r.decision_number for r in response.context["cl"].result_list}
    assert numbers == {"A1"}
    other = IntegrityRecord.objects.get(decision_number="B1")
    url = reverse("admin:sanctions_integrityrecord_change", args=[other.pk])
    assert client.get(url).status_code == 404


def test_audit_trail_cannot_be_edited_in_admin(admin_client):
    make_citizen()
    event = AuditEvent.objects.first()
    url = reverse("admin:sanctions_auditevent_change", args=[event.pk])
    assert admin_client.post(url, {"action": "x"}).status_code == 403
    assert admin_client.get(reverse("admin:sanctions_auditevent_add")).status_code == 403
