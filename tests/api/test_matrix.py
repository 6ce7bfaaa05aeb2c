"""Role × endpoint × object: every API operation called by anonymous, citizens A and B,
agencies P (court) and Q (tax), and officials of two authorities. A 2xx answer is expected
exactly where the table says so; anything else must be a refusal (401/403/404) — zero
unexpected 2xx, and the allowed ones return only the caller's own objects."""

import itertools

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from sanctions.models import ImportBatch, IntegrityRecord
from tests.api.conftest import DECISION_DATE, auth, make_agency, person_payload
from tests.citizens.conftest import world  # noqa: F401 - fixture
from tests.factories import resident_id

pytestmark = pytest.mark.django_db

ACTORS = ["anonymous", "citizen_a", "citizen_b", "agency_p", "agency_q", "official_court",
          "official_amr"]  # fmt: skip
AGENCIES = {"agency_p", "agency_q"}
CITIZENS = {"citizen_a", "citizen_b"}
EVERYONE = set(ACTORS)
_numbers = itertools.count(1)


@pytest.fixture
def setup(world):  # noqa: F811
    p, p_key = make_agency("bj-dongcheng-court")
    q, q_key = make_agency("bj-dongcheng-tax")
    batch = ImportBatch.objects.create(
        authority=p.authority,
        client=p,
        file_name="p.csv",
        file_sha256="0" * 64,
        format="csv",
        content="",
        status="done",
    )
    return {**world, "p": p, "q": q, "keys": {"agency_p": p_key, "agency_q": q_key},
            "batch": batch}  # fmt: skip


def client_for(actor: str, setup) -> APIClient:
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    api.is_tax_bureau = actor == "agency_q"
    if actor in AGENCIES:
        api.credentials(**auth(setup["keys"][actor]))
    elif actor in CITIZENS:
        api.force_login(setup["a_user" if actor == "citizen_a" else "b_user"])
    elif actor == "official_court":
        api.force_login(setup["court"][0])
    elif actor == "official_amr":
        api.force_login(setup["amr"][0])
    return api


def _csv(api: APIClient) -> SimpleUploadedFile:
    n = next(_numbers)
    # a row the calling agency may issue: a tax bureau's key imports a tax type
    record_type, ground = (
        ("commercial-tax-arrears", "")
        if getattr(api, "is_tax_bureau", False)
        else ("judicial-dishonest-debtor", "2")
    )
    body = (
        "subject_kind,identifier,name,record_type,decision_number,decision_date,judicial_ground\n"
        f"person,{resident_id()},周八,{record_type},(2026)矩阵{n}号,"
        f"{DECISION_DATE.isoformat()},{ground}\n"
    )
    return SimpleUploadedFile(f"m{n}.csv", body.encode())


def submission(api: APIClient, number: str) -> dict:
    """A decision the calling agency may issue: a tax bureau's key submits a tax type."""
    if getattr(api, "is_tax_bureau", False):
        return person_payload(number, record_type="commercial-tax-arrears", judicial_ground=None)
    return person_payload(number)


def operations(setup):
    """(name, call(api), actors for whom 2xx is expected)."""
    a_id = setup["a"].resident_id
    record_pk = setup["a_record"].pk  # agencies address records by id
    public_id = setup["a_record"].public_id  # the public list by the random public id
    return [
        ("submit record", lambda api: api.post(
            "/api/v1/records/", submission(api, f"(2026)矩阵{next(_numbers)}号"), format="json"),
         AGENCIES),
        ("upload import", lambda api: api.post(
            "/api/v1/imports/", {"file": _csv(api)}, format="multipart"), AGENCIES),
        ("read P's import", lambda api: api.get(f"/api/v1/imports/{setup['batch'].pk}/"),
         {"agency_p"}),
        ("restriction check (header)", lambda api: api.get(
            "/api/v1/restrictions/check", HTTP_X_SUBJECT_IDENTIFIER=a_id), AGENCIES),
        ("restriction check (body)", lambda api: api.post(
            "/api/v1/restrictions/check", {"identifier": a_id}, format="json"), AGENCIES),
        # a partial performance on P's (the court's) record: the same event again is a 200
        ("report an event", lambda api: api.post(
            f"/api/v1/records/{record_pk}/events/",
            {"kind": "partially_performed", "date": DECISION_DATE.isoformat()}, format="json"),
         {"agency_p"}),
        ("public list", lambda api: api.get("/api/v1/public/entries/"), EVERYONE),
        ("public entry", lambda api: api.get(f"/api/v1/public/entries/{public_id}/"), EVERYONE),
        ("public lookup", lambda api: api.post(
            "/api/v1/public/entries/lookup/", {"identifier": a_id}, format="json"), EVERYONE),
        ("my record", lambda api: api.get("/api/v1/me/record/"), CITIZENS),
        ("my score", lambda api: api.get("/api/v1/me/score/"), CITIZENS),
        ("schema", lambda api: api.get("/api/schema/"), EVERYONE),
    ]  # fmt: skip


def test_role_endpoint_matrix_has_no_unexpected_2xx(setup, django_capture_on_commit_callbacks):
    unexpected, refused_wrongly = [], []
    for actor in ACTORS:
        for name, call, allowed in operations(setup):
            with django_capture_on_commit_callbacks(execute=True):
                response = call(client_for(actor, setup))
            ok = 200 <= response.status_code < 300
            if ok and actor not in allowed:
                unexpected.append((actor, name, response.status_code))
            elif not ok and actor in allowed:
                refused_wrongly.append((actor, name, response.status_code))
            elif not ok:
                assert response.status_code in (401, 403, 404), (actor, name, response.status_code)
                assert response["Content-Type"].startswith("application/json"), (actor, name)
    assert not unexpected, unexpected
    assert not refused_wrongly, refused_wrongly


def test_allowed_calls_touch_only_the_callers_objects(setup):
    # agencies write under their own authority only
    for actor, agency in (("agency_p", setup["p"]), ("agency_q", setup["q"])):
        number = f"(2026)归属{actor}号"
        api = client_for(actor, setup)
        response = api.post("/api/v1/records/", submission(api, number), format="json")
        assert response.status_code == 201, response.json()
        record = IntegrityRecord.objects.get(decision_number=number)
        assert record.authority_id == agency.authority_id
    # Q cannot read P's import even by guessing its id
    response = client_for("agency_q", setup).get(f"/api/v1/imports/{setup['batch'].pk}/")
    assert response.status_code == 404
    # each citizen gets exactly their own record and score
    for actor, citizen, record in (("citizen_a", setup["a"], setup["a_record"]),
                                   ("citizen_b", setup["b"], setup["b_record"])):  # fmt: skip
        api = client_for(actor, setup)
        mine = api.get("/api/v1/me/record/").json()
        assert mine["masked_id"] == citizen.subject.masked_identifier
        assert {r["decision_number"] for r in mine["records"]} == {record.decision_number}
        score = api.get("/api/v1/me/score/").json()
        assert {r["record_id"] for r in score["records"]} == {record.pk}
