"""Who may issue what, over the API and in bulk imports: a tax bureau's key cannot record a
court's type (400 with the field `record_type`, nothing written), in either submission mode."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sanctions.models import (
    ApiSubmission,
    AuditEvent,
    AuthorityApiPolicy,
    Case,
    ImportBatch,
    IntegrityRecord,
    Subject,
)
from tests.api.conftest import DECISION_DATE, auth, person_payload
from tests.api.test_imports import csv_file, upload
from tests.factories import resident_id

pytestmark = pytest.mark.django_db
URL = "/api/v1/records/"
REFUSED = "A “Tax bureau” authority may not issue this record type; it may be issued by: Court."


@pytest.mark.parametrize("mode", ["record", "case"])
def test_a_tax_bureau_cannot_submit_a_court_type(api, tax_agency, mode):
    client, key = tax_agency
    if mode == "case":
        AuthorityApiPolicy.objects.create(authority=client.authority, submission_mode="case")
    body = person_payload(
        "(2025)京0101税1号", subject={"kind": "person", "identifier": resident_id(), "name": "周九"}
    )
    response = api.post(URL, body, format="json", **auth(key))
    assert response.status_code == 400, response.content
    assert response.json()["errors"] == {"record_type": [REFUSED]}
    assert not IntegrityRecord.objects.exists()
    assert not Case.objects.exists()
    assert not ApiSubmission.objects.exists()
    assert not Subject.objects.filter(display_name="周九").exists()  # rolled back too
    assert not AuditEvent.objects.filter(actor=client.user).exists()

    # the bureau's own type is accepted
    tax = {**body, "record_type": "commercial-tax-arrears", "judicial_ground": None}
    response = api.post(URL, tax, format="json", **auth(key))
    assert response.status_code == 201, response.json()


def test_an_import_row_of_a_type_the_authority_may_not_issue_is_reported(
    api, tax_agency, django_capture_on_commit_callbacks
):
    _client, key = tax_agency
    d = DECISION_DATE.isoformat()
    rows = [
        f"person,{resident_id()},吴一,commercial-tax-arrears,(2025)京0101税201号,{d},,100",
        f"person,{resident_id()},郑二,judicial-dishonest-debtor,(2025)京0101税202号,{d},2,100",
    ]
    response = upload(api, key, csv_file(rows), django_capture_on_commit_callbacks)
    assert response.status_code == 202, response.json()
    batch = ImportBatch.objects.get(pk=response.json()["id"])
    assert (batch.status, batch.rows_imported, batch.rows_invalid) == ("done", 1, 1)
    report = api.get(f"/api/v1/imports/{batch.pk}/", **auth(key)).json()["report"]
    assert report == [{"row": 2, "field": "record_type", "message": REFUSED}]
    assert list(IntegrityRecord.objects.values_list("record_type__code", flat=True)) == [
        "commercial-tax-arrears"
    ]
    assert not Subject.objects.filter(display_name="郑二").exists()


def test_jsonl_import_row_of_another_kinds_type_is_reported(
    api, tax_agency, django_capture_on_commit_callbacks
):
    import json

    _client, key = tax_agency
    line = json.dumps(person_payload("(2025)京0101税301号"), ensure_ascii=False)
    f = SimpleUploadedFile("x.jsonl", line.encode())
    batch_id = upload(api, key, f, django_capture_on_commit_callbacks).json()["id"]
    data = api.get(f"/api/v1/imports/{batch_id}/", **auth(key)).json()
    assert (data["rows_imported"], data["rows_invalid"]) == (0, 1)
    assert data["report"] == [{"row": 1, "field": "record_type", "message": REFUSED}]
    assert not IntegrityRecord.objects.exists()
    assert not ApiSubmission.objects.exists()


def test_the_refusal_is_in_the_callers_language(tax_agency):
    from rest_framework.test import APIClient

    api = APIClient(HTTP_ACCEPT_LANGUAGE="zh-hans")
    response = api.post(URL, person_payload(), format="json", **auth(tax_agency[1]))
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "record_type": ["“税务机关”类机关不得作出此类记录；可作出此类记录的机关类别：人民法院。"]
    }
