"""POST /api/v1/records/: idempotency, conflicts, modes, audit rows, field errors."""

import pytest

from sanctions.agency.services.clients import api_client_revoke, api_key_hash
from sanctions.models import (
    ApiClient,
    ApiSubmission,
    AuditEvent,
    AuthorityApiPolicy,
    Case,
    IntegrityRecord,
    Subject,
)
from tests.api.conftest import DECISION_DATE, auth, person_payload
from tests.factories import credit_code, make_citizen, resident_id

pytestmark = pytest.mark.django_db
URL = "/api/v1/records/"


def test_submit_creates_record_then_same_payload_returns_it(api, court_agency):
    client, key = court_agency
    body = person_payload()
    first = api.post(URL, body, format="json", **auth(key))
    assert first.status_code == 201, first.json()
    record = IntegrityRecord.objects.get(pk=first.json()["record_id"])
    assert record.authority == client.authority
    assert record.created_by == client.user
    assert record.status == "pending_notice"
    assert first.json()["created"] is True

    again = api.post(URL, body, format="json", **auth(key))
    assert again.status_code == 200
    assert again.json()["record_id"] == record.pk
    assert again.json()["created"] is False
    assert IntegrityRecord.objects.filter(decision_number=body["decision_number"]).count() == 1

    # audited: the subject registration, the record and the submission, all by the client
    actions = set(AuditEvent.objects.filter(actor=client.user).values_list("action", flat=True))
    assert {"citizen.create", "record.create", "api.submit"} <= actions
    submit = AuditEvent.objects.get(action="api.submit")
    assert submit.new_values["client"] == client.key_prefix
    assert submit.subject == record.subject
    # the ledger never holds the clear identifier
    ledger = ApiSubmission.objects.get()
    assert body["subject"]["identifier"] not in str(ledger.payload)


def test_different_payload_same_number_is_409_and_changes_nothing(api, court_agency):
    _client, key = court_agency
    body = person_payload()
    assert api.post(URL, body, format="json", **auth(key)).status_code == 201
    changed = {**body, "amount": "99999.00"}
    response = api.post(URL, changed, format="json", **auth(key))
    assert response.status_code == 409
    data = response.json()
    assert data["code"] == "conflict"
    assert "amount" in data["errors"]["decision_number"][0]
    assert IntegrityRecord.objects.get().amount == 12000


def test_number_recorded_outside_the_api_is_a_conflict(api, court_agency, catalog):
    from sanctions.models import Authority, RecordType
    from sanctions.registry.services.records import record_create

    citizen = make_citizen()
    record_create(
        actor=None, subject=citizen.subject,
        record_type=RecordType.objects.get(code="judicial-dishonest-debtor"),
        authority=Authority.objects.get(code="bj-dongcheng-court"),
        decision_number="(2025)京0101执7号", decision_date=DECISION_DATE, judicial_ground=2,
    )  # fmt: skip
    response = api.post(
        URL, person_payload("(2025)京0101执7号"), format="json", **auth(court_agency[1])
    )
    assert response.status_code == 409
    assert "not submitted over the API" in response.json()["detail"]


def test_number_held_outside_the_api_is_a_conflict_before_other_record_rules(
    api, court_agency, catalog
):
    from sanctions.models import Authority, RecordType
    from sanctions.registry.services.records import record_create

    record_create(
        actor=None, subject=make_citizen().subject,
        record_type=RecordType.objects.get(code="judicial-dishonest-debtor"),
        authority=Authority.objects.get(code="bj-dongcheng-court"),
        decision_number="(2025)京0101执8号", decision_date=DECISION_DATE, judicial_ground=2,
    )  # fmt: skip
    # the number is taken: that answer (409) comes before the refusal of the future date
    body = person_payload("(2025)京0101执8号", decision_date="2999-01-01")
    response = api.post(URL, body, format="json", **auth(court_agency[1]))
    assert response.status_code == 409, response.json()
    assert "not submitted over the API" in response.json()["detail"]
    assert IntegrityRecord.objects.count() == 1 and not ApiSubmission.objects.exists()


@pytest.mark.parametrize("mode", ["record", "case"])
def test_a_submission_checks_the_record_rules_once_and_the_number_once(
    api, court_agency, monkeypatch, mode
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from sanctions.agency.services import submissions as agency
    from sanctions.registry.services import records as core

    client, key = court_agency
    if mode == "case":
        AuthorityApiPolicy.objects.create(authority=client.authority, submission_mode="case")
    calls = []

    def counting_validate(**kwargs):
        calls.append(kwargs["decision_number"])
        return validate(**kwargs)

    validate = core.record_validate
    monkeypatch.setattr(core, "record_validate", counting_validate)
    monkeypatch.setattr(agency, "record_validate", counting_validate)
    with CaptureQueriesContext(connection) as queries:
        response = api.post(URL, person_payload(), format="json", **auth(key))
    assert response.status_code == 201, response.json()
    assert calls == ["(2025)京0101执100号"]
    number_lookups = [
        q["sql"] for q in queries.captured_queries
        if q["sql"].startswith("SELECT") and 'FROM "sanctions_integrityrecord"' in q["sql"]
        and '"decision_number"' in q["sql"]
    ]  # fmt: skip
    assert len(number_lookups) == 1, number_lookups


def test_same_number_at_another_authority_is_independent(api, court_agency, tax_agency):
    body = person_payload()
    assert api.post(URL, body, format="json", **auth(court_agency[1])).status_code == 201
    tax_body = {**body, "record_type": "commercial-tax-arrears", "judicial_ground": None}
    tax_body["subject"] = {
        "kind": "enterprise",
        "identifier": credit_code(),
        "name": "某公司",
        "legal_representative": {"identifier": resident_id(), "name": "钱七"},
    }
    response = api.post(URL, tax_body, format="json", **auth(tax_agency[1]))
    assert response.status_code == 201, response.json()
    assert Subject.objects.filter(kind="enterprise", display_name="某公司").exists()


def test_existing_citizen_is_found_and_a_wrong_name_refused(api, court_agency):
    citizen = make_citizen(name="孙八")
    ok = api.post(
        URL,
        person_payload(rid=citizen.resident_id, subject={"kind": "person",
                       "identifier": citizen.resident_id, "name": "孙八"}),
        format="json", **auth(court_agency[1]),
    )  # fmt: skip
    assert ok.status_code == 201
    assert IntegrityRecord.objects.get().subject == citizen.subject
    wrong = api.post(
        URL,
        person_payload("(2025)京0101执101号", subject={"kind": "person",
                       "identifier": citizen.resident_id, "name": "孙九"}),
        format="json", **auth(court_agency[1]),
    )  # fmt: skip
    assert wrong.status_code == 400
    assert "subject.name" in wrong.json()["errors"]


@pytest.mark.parametrize(
    "change, field",
    [
        ({"decision_date": "2999-01-01"}, "decision_date"),
        ({"record_type": "no-such-type"}, "record_type"),
        ({"judicial_ground": 9}, "judicial_ground"),
        ({"amount": "-5"}, "amount"),
        ({"subject": {"kind": "person", "identifier": "110101199001011234", "name": "x"}},
         "subject.identifier"),
        ({"subject": {"kind": "person", "identifier": "abc", "name": "x"}}, "subject.identifier"),
        ({"decision_number": ""}, "decision_number"),
        ({"decision_date": "1949-12-31"}, "decision_date"),
        ({"subject": {"kind": "person", "identifier": resident_id(), "name": "x",
                      "legal_representative": {"identifier": resident_id(), "name": "y"}}},
         "subject.legal_representative"),
    ],
)  # fmt: skip
def test_field_errors_are_400_json_and_write_nothing(api, court_agency, change, field):
    response = api.post(URL, person_payload(**change), format="json", **auth(court_agency[1]))
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"], response.json()
    assert not IntegrityRecord.objects.exists()
    assert not ApiSubmission.objects.exists()


def test_minor_subject_is_refused_by_the_record_rules(api, court_agency):
    import datetime

    minor = resident_id(birth=datetime.date.today().replace(year=datetime.date.today().year - 15))
    body = person_payload(subject={"kind": "person", "identifier": minor, "name": "小明"})
    response = api.post(URL, body, format="json", **auth(court_agency[1]))
    assert response.status_code == 400
    assert "A person under 18 on the decision date is never listed." in str(response.json())
    assert not IntegrityRecord.objects.exists()
    assert not Subject.objects.filter(display_name="小明").exists()  # rolled back too


def test_case_mode_opens_a_draft_case_idempotently(api, court_agency):
    client, key = court_agency
    AuthorityApiPolicy.objects.create(authority=client.authority, submission_mode="case")
    body = person_payload()
    first = api.post(URL, body, format="json", **auth(key))
    assert first.status_code == 201, first.json()
    assert first.json()["mode"] == "case"
    case = Case.objects.get(pk=first.json()["case_id"])
    assert case.state == "draft" and case.drafted_by == client.user
    assert body["decision_number"] in case.title
    assert not IntegrityRecord.objects.exists()
    assert AuditEvent.objects.filter(action="case.create", actor=client.user).exists()
    again = api.post(URL, body, format="json", **auth(key))
    assert again.status_code == 200 and again.json()["case_id"] == case.pk
    assert Case.objects.count() == 1


def test_keys_scopes_and_revocation(api, court_agency, catalog):
    from tests.api.conftest import make_agency

    _c, read_only_key = make_agency("bj-dongcheng-court", scopes=["restrictions:read"],
                                    name="reader")  # fmt: skip
    assert api.post(URL, person_payload(), format="json").status_code == 401
    bad = api.post(URL, person_payload(), format="json", **auth("scs_deadbeef_nope"))
    assert bad.status_code == 401 and bad.json()["code"] == "authentication_failed"
    assert api.post(URL, person_payload(), format="json",
                    **auth(read_only_key)).status_code == 403  # fmt: skip
    client, key = court_agency
    supervisor = client.created_by
    api_client_revoke(actor=supervisor, client=client)
    assert api.post(URL, person_payload(), format="json", **auth(key)).status_code == 401
    revoke = AuditEvent.objects.get(action="api_client.revoke")
    assert revoke.actor == supervisor and revoke.new_values == {"is_active": False}
    create = AuditEvent.objects.filter(action="api_client.create").first()
    assert key not in str(create.new_values)  # the key itself is never written anywhere
    client.refresh_from_db()
    assert client.key_hash != key and key.split("_")[1] == client.key_prefix
    assert client.key_hash == api_key_hash(key) and not client.is_active


def test_only_a_supervisor_of_the_authority_creates_keys(catalog):
    from sanctions.agency.services.clients import api_client_create
    from sanctions.kernel.errors import ApplicationError
    from sanctions.models import Authority
    from tests.factories import make_official

    clerk = make_official(role="clerk", authority_code="bj-dongcheng-court")
    other = make_official(role="supervisor", authority_code="bj-dongcheng-tax")
    court = Authority.objects.get(code="bj-dongcheng-court")
    for actor in (clerk, other, None):
        with pytest.raises(ApplicationError) as excinfo:
            api_client_create(actor=actor, name="x", authority=court, scopes=["records:write"])
        assert excinfo.value.code == "forbidden", actor
    assert not ApiClient.objects.exists()


def test_throttle_per_client(api, court_agency, tax_agency, settings):
    from django.core.cache import cache

    cache.clear()
    settings.SCS_API_CLIENT_RATE_PER_MINUTE = 2
    for _ in range(2):
        assert api.post(URL, {}, format="json", **auth(court_agency[1])).status_code == 400
    limited = api.post(URL, {}, format="json", **auth(court_agency[1]))
    assert limited.status_code == 429 and limited.json()["code"] == "throttled"
    # another client has its own budget
    assert api.post(URL, {}, format="json", **auth(tax_agency[1])).status_code == 400


def test_seed_demo_creates_the_documented_court_client(catalog, settings):
    from django.core.management import call_command

    from sanctions.agency.services.clients import api_client_authenticate
    from sanctions.models import ApiClient
    from scs_portal.demo import demo_api_key

    settings.DEBUG = True
    call_command(
        "seed_demo", citizens=3, enterprises=1, records=3, stdout=__import__("io").StringIO()
    )
    client = api_client_authenticate(demo_api_key())
    assert client is not None and client.authority.code == "bj-dongcheng-court"
    assert ApiClient.objects.count() == 1
