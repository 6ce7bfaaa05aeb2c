"""Who may issue what: the catalog ties each record type to the kinds of authority that may
issue it, and the case and admin paths refuse (and do not offer) any other type."""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from sanctions.kernel.errors import ApplicationError
from sanctions.models import (
    AuditEvent,
    Authority,
    Case,
    IntegrityRecord,
    RecordType,
)
from sanctions.registry.catalog_data import ISSUER_KINDS, RECORD_TYPES
from scs_portal.management.commands.seed_demo import _authority_for
from tests import services
from tests.factories import make_citizen, make_official

pytestmark = pytest.mark.django_db

D = datetime.date(2025, 3, 3)
REFUSED = "A “Court” authority may not issue this record type; it may be issued by: Tax bureau."
NOT_OFFERED = "Choose a record type your authority may issue: the list offers only those."


def rt(code: str) -> RecordType:
    return RecordType.objects.get(code=code)


def codes(queryset) -> set[str]:
    return set(queryset.values_list("code", flat=True))


def issuable_by(kind: str) -> set[str]:
    return {code for code, kinds in ISSUER_KINDS.items() if kind in kinds}


# --- the catalog ---------------------------------------------------------------------------


def test_every_seeded_type_names_its_issuers_and_the_demo_agrees(catalog):
    assert set(ISSUER_KINDS) == {row[0] for row in RECORD_TYPES}
    stored = dict(RecordType.objects.values_list("code", "issuer_kinds"))
    assert stored == ISSUER_KINDS  # what the migration (or a fresh seed) wrote
    assert stored["judicial-dishonest-debtor"] == ["court"]
    assert stored["commercial-tax-arrears"] == ["tax"]
    assert stored["commercial-food-safety"] == ["market"]
    for record_type in RecordType.objects.all():
        authority = Authority.objects.get(code=_authority_for(record_type))
        assert authority.kind in record_type.issuer_kinds, record_type.code


def test_a_type_nobody_may_issue_is_refused_everywhere(catalog, superuser):
    fields = {
        "code": "societal-test-type", "title": "测试类型", "domain": "societal",
        "polarity": "negative", "severity": "general", "points": -10,
        "subject_kinds": ["person"], "places_on_blacklist": False,
        "legal_basis": "《某条例》第一条", "attestation": "已核实。",
    }  # fmt: skip
    # the service
    with pytest.raises(ApplicationError) as excinfo:
        services.record_type_create(actor=superuser, **fields)
    assert "issuer_kinds" in excinfo.value.message_dict
    with pytest.raises(ApplicationError) as excinfo:
        services.record_type_create(actor=superuser, issuer_kinds=[], **fields)
    assert "issuer_kinds" in excinfo.value.message_dict
    assert not RecordType.objects.filter(code="societal-test-type").exists()
    debtor = rt("judicial-dishonest-debtor")
    with pytest.raises(ApplicationError) as excinfo:
        services.record_type_update(actor=superuser, record_type=debtor, issuer_kinds=[])
    assert "issuer_kinds" in excinfo.value.message_dict
    # the model's validation, also for a kind that does not exist
    for kinds in ([], ["police"]):
        with pytest.raises(Exception) as excinfo:  # noqa: PT011 - Django's ValidationError
            RecordType(**fields, issuer_kinds=kinds).full_clean()
        assert "issuer_kinds" in excinfo.value.message_dict, kinds
    # the database
    for kinds in ([], ["police"]):
        with pytest.raises(IntegrityError), transaction.atomic():
            RecordType.objects.filter(pk=debtor.pk).update(issuer_kinds=kinds)
    debtor.refresh_from_db()
    assert debtor.issuer_kinds == ["court"]
    # a valid list is accepted and audited
    created = services.record_type_create(actor=superuser, issuer_kinds=["government"], **fields)
    assert created.issuer_kinds == ["government"]
    event = AuditEvent.objects.get(action="record_type.create", object_id=str(created.pk))
    assert event.new_values["issuer_kinds"] == ["government"]


def test_record_type_admin_form_requires_an_issuer_kind(client, superuser, catalog):
    client.force_login(superuser)
    data = {
        "code": "societal-test-type", "title": "测试类型", "domain": "societal",
        "polarity": "negative", "severity": "general", "points": -10,
        "subject_kinds": "person", "legal_basis": "《某条例》第一条", "attestation": "已核实。",
        "is_active": "on",
    }  # fmt: skip
    url = reverse("admin:sanctions_recordtype_add")
    page = client.get(url).content.decode()
    assert 'name="issuer_kinds" value="health_commission"' in page
    response = client.post(url, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["issuer_kinds"] == [
        "Choose at least one kind of authority that may issue it."
    ]
    assert not RecordType.objects.filter(code="societal-test-type").exists()
    response = client.post(url, {**data, "issuer_kinds": ["transport", "government"]})
    assert response.status_code == 302
    assert rt("societal-test-type").issuer_kinds == ["transport", "government"]
    # editing: unticking every kind is refused, the stored list stays
    change = reverse("admin:sanctions_recordtype_change", args=[rt("societal-test-type").pk])
    response = client.post(change, data)
    assert (
        response.status_code == 200 and "issuer_kinds" in response.context["adminform"].form.errors
    )
    assert rt("societal-test-type").issuer_kinds == ["transport", "government"]


# --- records: the service, used by the admin, the API and imports -----------------------------


def test_record_service_refuses_a_type_the_authority_may_not_issue(catalog):
    subject = make_citizen().subject
    court = Authority.objects.get(code="bj-dongcheng-court")
    with pytest.raises(ApplicationError) as excinfo:
        services.record_create(
            actor=None, subject=subject, record_type=rt("commercial-tax-arrears"),
            authority=court, decision_number="X-1", decision_date=D,
        )  # fmt: skip
    assert excinfo.value.message_dict == {"record_type": [REFUSED]}
    assert not IntegrityRecord.objects.exists()
    # the same type from the tax bureau is recorded
    record = services.record_create(
        actor=None, subject=subject, record_type=rt("commercial-tax-arrears"),
        authority=Authority.objects.get(code="bj-dongcheng-tax"), decision_number="X-1",
        decision_date=D,
    )  # fmt: skip
    assert record.authority.kind == "tax"


def test_a_type_with_several_issuers_names_them_all(catalog):
    record_type = rt("societal-commendation")
    record_type.issuer_kinds = ["civil_affairs", "government"]
    record_type.save()
    with pytest.raises(ApplicationError) as excinfo:
        services.record_validate(
            subject=make_citizen().subject, record_type=record_type,
            authority=Authority.objects.get(code="bj-dongcheng-tax"), decision_number="C-1",
            decision_date=D,
        )  # fmt: skip
    assert excinfo.value.message_dict["record_type"] == [
        "A “Tax bureau” authority may not issue this record type; it may be issued by: "
        "Civil affairs, People's government."
    ]
    services.record_validate(
        subject=make_citizen().subject, record_type=record_type,
        authority=Authority.objects.get(code="bj-civil-affairs"), decision_number="C-1",
        decision_date=D,
    )  # fmt: skip


def record_form(subject, record_type, authority, number="(2025)京0101执9号"):
    return {
        "subject": subject.pk, "record_type": record_type.pk, "authority": authority.pk,
        "decision_number": number, "decision_date": "2025-06-01",
        "performance_status": "unperformed",
    }  # fmt: skip


def test_admin_record_add_refuses_a_type_the_authority_may_not_issue(client, superuser, catalog):
    subject = make_citizen().subject
    court = Authority.objects.get(code="bj-dongcheng-court")
    url = reverse("admin:sanctions_integrityrecord_add")
    # a superuser is offered every type: the service names the rule
    client.force_login(superuser)
    response = client.post(url, record_form(subject, rt("commercial-tax-arrears"), court))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["record_type"] == [REFUSED]
    # a court clerk was not offered the type: the form refuses it as not offered
    clerk = make_official(role="clerk", authority_code="bj-dongcheng-court")
    client.force_login(clerk)
    response = client.post(url, record_form(subject, rt("commercial-tax-arrears"), court))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["record_type"] == [NOT_OFFERED]
    assert not IntegrityRecord.objects.exists()
    assert not AuditEvent.objects.filter(action="record.create").exists()
    # the court's own type goes through
    response = client.post(
        url,
        {**record_form(subject, rt("judicial-contempt-enforcement"), court)},
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert IntegrityRecord.objects.get().record_type.code == "judicial-contempt-enforcement"


def autocomplete(client, model_name: str, term: str = "") -> set[str]:
    response = client.get(
        "/admin/autocomplete/",
        {"app_label": "sanctions", "model_name": model_name, "field_name": "record_type",
         "term": term},
    )  # fmt: skip
    assert response.status_code == 200, response.content
    ids = [int(row["id"]) for row in response.json()["results"]]
    more = response.json()["pagination"]["more"]
    assert not more  # the whole offer fits one page (asserting on all of it)
    return codes(RecordType.objects.filter(pk__in=ids))


def test_admin_pickers_offer_only_the_types_the_official_may_issue(client, superuser, catalog):
    court_types, tax_types = issuable_by("court"), issuable_by("tax")
    assert court_types and tax_types and not court_types & tax_types
    clerk = make_official(role="clerk", authority_code="bj-dongcheng-court")
    client.force_login(clerk)
    assert autocomplete(client, "integrityrecord") == court_types
    assert autocomplete(client, "case") == court_types
    assert autocomplete(client, "case", term="tax") == set()
    form = client.get(reverse("admin:sanctions_case_add")).context["adminform"].form
    assert codes(form.fields["record_type"].queryset) == court_types
    form = client.get(reverse("admin:sanctions_integrityrecord_add")).context["adminform"].form
    assert codes(form.fields["record_type"].queryset) == court_types
    # the record-type changelist's own search is not narrowed
    listing = client.get(reverse("admin:sanctions_recordtype_changelist"), {"q": "tax"})
    assert "commercial-tax-arrears" in {o.code for o in listing.context["cl"].result_list}

    client.force_login(make_official(role="supervisor", authority_code="bj-tax"))
    assert autocomplete(client, "integrityrecord") == tax_types
    assert autocomplete(client, "case") == tax_types

    client.force_login(superuser)
    assert "commercial-tax-arrears" in autocomplete(client, "integrityrecord", "tax-arrears")
    assert "judicial-dishonest-debtor" in autocomplete(client, "integrityrecord", "dishonest")


# --- cases ---------------------------------------------------------------------------------


def test_case_create_and_update_refuse_a_type_the_authority_may_not_issue(catalog):
    clerk = make_official(role="clerk", authority_code="bj-dongcheng-court")
    subject = make_citizen().subject
    with pytest.raises(ApplicationError) as excinfo:
        services.case_create(
            actor=clerk, subject=subject, record_type=rt("commercial-tax-arrears"),
            title="执行案件", facts="拒不履行",
        )  # fmt: skip
    assert excinfo.value.message_dict == {"record_type": [REFUSED]}
    assert not Case.objects.exists()
    assert not AuditEvent.objects.filter(action="case.create").exists()

    case = services.case_create(
        actor=clerk, subject=subject, record_type=rt("judicial-dishonest-debtor"),
        title="执行案件", facts="拒不履行", judicial_ground=2,
    )  # fmt: skip
    with pytest.raises(ApplicationError) as excinfo:
        services.case_update(actor=clerk, case=case, record_type=rt("commercial-tax-arrears"))
    assert excinfo.value.message_dict == {"record_type": [REFUSED]}
    case.refresh_from_db()
    assert case.record_type.code == "judicial-dishonest-debtor"
    assert not AuditEvent.objects.filter(action="case.update").exists()
    # another court type is accepted
    services.case_update(actor=clerk, case=case, record_type=rt("judicial-false-litigation"))
    case.refresh_from_db()
    assert case.record_type.code == "judicial-false-litigation"


def case_form(subject, record_type):
    return {
        "subject": subject.pk, "record_type": record_type.pk, "title": "执行案件",
        "facts": "拒不履行", "evidence-TOTAL_FORMS": 0, "evidence-INITIAL_FORMS": 0,
        "notes-TOTAL_FORMS": 0, "notes-INITIAL_FORMS": 0,
    }  # fmt: skip


def test_case_admin_refuses_a_type_the_authority_may_not_issue(client, catalog):
    clerk = make_official(role="clerk", authority_code="bj-dongcheng-court")
    subject = make_citizen().subject
    client.force_login(clerk)
    response = client.post(
        reverse("admin:sanctions_case_add"), case_form(subject, rt("commercial-tax-arrears"))
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["record_type"] == [NOT_OFFERED]
    assert not Case.objects.exists()
    # a draft's type can be changed only to another type the court may issue
    case = services.case_create(
        actor=clerk, subject=subject, record_type=rt("judicial-dishonest-debtor"),
        title="执行案件", facts="拒不履行",
    )  # fmt: skip
    change = reverse("admin:sanctions_case_change", args=[case.pk])
    response = client.post(change, case_form(subject, rt("commercial-tax-arrears")))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["record_type"] == [NOT_OFFERED]
    case.refresh_from_db()
    assert case.record_type.code == "judicial-dishonest-debtor"
    response = client.post(change, case_form(subject, rt("judicial-false-litigation")))
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.record_type.code == "judicial-false-litigation"


# --- retired types ---------------------------------------------------------------------------


def test_a_retired_type_is_neither_offered_nor_accepted(client, superuser, catalog):
    """A supervisor retires a type (is_active off, never deleted: records refer to it): the
    pickers stop offering it, and a case or record of it is refused on every path."""
    court_types = issuable_by("court")
    retired = rt("judicial-false-litigation")
    retired = services.record_type_update(actor=superuser, record_type=retired, is_active=False)
    clerk = make_official(role="clerk", authority_code="bj-dongcheng-court")
    client.force_login(clerk)
    offered = court_types - {retired.code}
    assert autocomplete(client, "case") == offered
    assert autocomplete(client, "integrityrecord") == offered
    form = client.get(reverse("admin:sanctions_case_add")).context["adminform"].form
    assert codes(form.fields["record_type"].queryset) == offered
    client.force_login(superuser)
    assert retired.code not in autocomplete(client, "integrityrecord", "false-litigation")

    subject = make_citizen().subject
    in_use = {"record_type": ["This record type is no longer in use."]}
    with pytest.raises(ApplicationError) as excinfo:
        services.case_create(actor=clerk, subject=subject, record_type=retired,
                             title="执行案件", facts="拒不履行")  # fmt: skip
    assert excinfo.value.message_dict == in_use
    case = services.case_create(
        actor=clerk, subject=subject, record_type=rt("judicial-dishonest-debtor"),
        title="执行案件", facts="拒不履行", judicial_ground=2,
    )  # fmt: skip
    with pytest.raises(ApplicationError) as excinfo:
        services.case_update(actor=clerk, case=case, record_type=retired)
    assert excinfo.value.message_dict == in_use
    case.refresh_from_db()
    assert case.record_type.code == "judicial-dishonest-debtor"
    reviewer = make_official(role="reviewer", authority_code="bj-dongcheng-court")
    with pytest.raises(ApplicationError) as excinfo:
        services.record_register(
            actor=reviewer, subject=subject, record_type=retired,
            authority=reviewer.official.authority, decision_number="(2025)京0101执1号",
            decision_date=D,
        )  # fmt: skip
    assert excinfo.value.message_dict == in_use
    assert not IntegrityRecord.objects.exists()
    # the case admin's picker refuses it like a type of another authority
    client.force_login(clerk)
    response = client.post(reverse("admin:sanctions_case_add"), case_form(subject, retired))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["record_type"] == [NOT_OFFERED]
