"""Bulk import: CSV and JSON lines, per-row report, valid rows in, invalid rows nothing,
same file twice imports nothing twice, the task is safe to run twice."""

import json

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from sanctions.agency.services.imports import import_batch_process
from sanctions.models import ApiSubmission, AuditEvent, ImportBatch, IntegrityRecord
from tests.api.conftest import DECISION_DATE, auth, person_payload
from tests.factories import resident_id

pytestmark = pytest.mark.django_db
URL = "/api/v1/imports/"


def csv_file(rows: list[str], name="decisions.csv") -> SimpleUploadedFile:
    header = (
        "subject_kind,identifier,name,record_type,decision_number,decision_date,"
        "judicial_ground,amount"
    )
    return SimpleUploadedFile(name, ("\n".join([header, *rows]) + "\n").encode())


def upload(api, key, f, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return api.post(URL, {"file": f}, format="multipart", **auth(key))


def test_csv_import_valid_rows_in_invalid_rows_reported(
    api, court_agency, django_capture_on_commit_callbacks
):
    client, key = court_agency
    d = DECISION_DATE.isoformat()
    rows = [
        f"person,{resident_id()},赵一,judicial-dishonest-debtor,(2025)京0101执201号,{d},2,100",
        f"person,110101199001011234,钱二,judicial-dishonest-debtor,(2025)京0101执202号,{d},2,1",
        f"person,{resident_id()},孙三,judicial-dishonest-debtor,(2025)京0101执203号,2999-01-01,2,1",
        f"person,{resident_id()},李四,judicial-dishonest-debtor,(2025)京0101执204号,{d},2,5",
    ]
    f = csv_file(rows)
    response = upload(api, key, f, django_capture_on_commit_callbacks)
    assert response.status_code == 202, response.json()
    batch = ImportBatch.objects.get(pk=response.json()["id"])
    assert batch.status == "done"
    assert (batch.rows_total, batch.rows_imported, batch.rows_invalid) == (4, 2, 2)
    assert {(r["row"], r["field"]) for r in batch.report} == {
        (2, "subject.identifier"),
        (3, "decision_date"),
    }
    assert IntegrityRecord.objects.count() == 2
    assert batch.content == ""  # identifiers are not kept after processing
    assert AuditEvent.objects.filter(action="import.process", actor=client.user).exists()

    report = api.get(f"{URL}{batch.pk}/", **auth(key)).json()
    assert report["rows_imported"] == 2 and len(report["report"]) == 2
    assert report["report"][0] == {"row": 2, "field": "subject.identifier",
                                   "message": report["report"][0]["message"]}  # fmt: skip

    # the same file again: the same batch, nothing imported twice
    f.seek(0)
    again = upload(api, key, SimpleUploadedFile("copy.csv", f.read()),
                   django_capture_on_commit_callbacks)  # fmt: skip
    assert again.status_code == 200 and again.json()["id"] == batch.pk
    assert IntegrityRecord.objects.count() == 2

    # a corrected file: the earlier rows are recognised, only the fixed ones are new
    fixed = rows[:1] + [rows[1].replace("110101199001011234", resident_id())] + rows[3:]
    third = upload(api, key, csv_file(fixed, "fixed.csv"), django_capture_on_commit_callbacks)
    assert third.status_code == 202 and third.json()["status"] == "pending"  # queued
    done = api.get(f"{URL}{third.json()['id']}/", **auth(key)).json()
    assert (done["status"], done["rows_imported"], done["rows_unchanged"]) == ("done", 1, 2)
    assert IntegrityRecord.objects.count() == 3


def test_jsonl_import_and_conflict_within_file(
    api, court_agency, django_capture_on_commit_callbacks
):
    _client, key = court_agency
    a = person_payload("(2025)京0101执301号")
    b = person_payload("(2025)京0101执301号", amount="1.00")  # same number, other content
    lines = [json.dumps(a, ensure_ascii=False), "not json", json.dumps(b, ensure_ascii=False)]
    f = SimpleUploadedFile("x.jsonl", "\n".join(lines).encode())
    batch_id = upload(api, key, f, django_capture_on_commit_callbacks).json()["id"]
    data = api.get(f"{URL}{batch_id}/", **auth(key)).json()
    assert data["rows_imported"] == 1 and data["rows_invalid"] == 2
    assert {(r["row"], r["field"]) for r in data["report"]} == {
        (2, "non_field_errors"),
        (3, "decision_number"),
    }
    assert IntegrityRecord.objects.get().amount == 12000


def test_task_runs_twice_same_result(court_agency, catalog):
    from sanctions.agency.services.imports import import_batch_create

    client, _key = court_agency
    body = json.dumps(person_payload("(2025)京0101执401号"), ensure_ascii=False).encode()
    batch, created = import_batch_create(client=client, file_name="a.jsonl", content=body)
    assert created
    first = import_batch_process(batch_id=batch.pk)
    second = import_batch_process(batch_id=batch.pk)
    assert first.rows_imported == second.rows_imported == 1
    assert IntegrityRecord.objects.count() == 1 and ApiSubmission.objects.count() == 1
    assert AuditEvent.objects.filter(action="import.process").count() == 1


def test_upload_errors_and_other_authority(api, court_agency, tax_agency,
                                           django_capture_on_commit_callbacks):  # fmt: skip
    _client, key = court_agency
    binary = SimpleUploadedFile("x.csv", b"\xff\xfe\x00bad")
    response = upload(api, key, binary, django_capture_on_commit_callbacks)
    assert response.status_code == 400 and "file" in response.json()["errors"]
    missing = api.post(URL, {}, format="multipart", **auth(key))
    assert missing.status_code == 400 and "file" in missing.json()["errors"]
    f = SimpleUploadedFile("a.jsonl", json.dumps(person_payload()).encode())
    batch_id = upload(api, key, f, django_capture_on_commit_callbacks).json()["id"]
    assert api.get(f"{URL}{batch_id}/", **auth(tax_agency[1])).status_code == 404


def test_import_batch_admin_shows_report(client, superuser, court_agency,
                                         django_capture_on_commit_callbacks, api):  # fmt: skip
    _client, key = court_agency
    f = SimpleUploadedFile("a.jsonl", b'{"subject": {}}')
    batch_id = upload(api, key, f, django_capture_on_commit_callbacks).json()["id"]
    client.force_login(superuser)
    page = client.get(f"/admin/sanctions/importbatch/{batch_id}/change/")
    assert page.status_code == 200
    assert "subject.kind" in page.content.decode()


def test_the_size_limit_is_the_services_and_the_api_shows_its_message(
    api, court_agency, settings, django_capture_on_commit_callbacks
):
    import io

    from sanctions.agency.services.imports import import_batch_create

    client, key = court_agency
    settings.SCS_IMPORT_MAX_BYTES = 2048
    line = json.dumps(person_payload("(2025)京0101执501号"), ensure_ascii=False).encode()
    exact = line + b"\n" * (2048 - len(line))  # blank lines are skipped
    too_big = SimpleUploadedFile("big.jsonl", exact + b"\n")
    response = upload(api, key, too_big, django_capture_on_commit_callbacks)
    assert response.status_code == 400
    assert response.json()["errors"] == {"file": ["The file is larger than 2 KB."]}
    assert not ImportBatch.objects.exists()
    # an open file is read only as far as the limit (plus the byte that exceeds it)
    endless = io.BytesIO(exact + b"\n" * 10_000_000)
    with pytest.raises(ValidationError) as excinfo:
        import_batch_create(client=client, file_name="endless.jsonl", content=endless)
    assert excinfo.value.message_dict == {"file": ["The file is larger than 2 KB."]}
    assert endless.tell() == 2049
    # exactly at the limit is accepted and imported
    fits = upload(api, key, SimpleUploadedFile("fits.jsonl", exact),
                  django_capture_on_commit_callbacks)  # fmt: skip
    assert fits.status_code == 202, fits.json()
    assert ImportBatch.objects.get().rows_imported == 1
