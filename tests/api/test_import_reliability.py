"""Issue 14, imports: whatever is accepted finishes or fails with a reason — parsing limits,
chunked commits that lock only the batch row, failure with a reason and retry, the backstop
that re-queues stuck batches, and files cleared when done."""

from __future__ import annotations

import datetime
import hashlib
import json
import threading
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import InterfaceError, connection
from django.utils import timezone

from sanctions.agency.services.imports import (
    import_batch_create,
    import_batch_process,
    import_batches_requeue,
)
from sanctions.models import ApiSubmission, AuditEvent, ImportBatch, IntegrityRecord
from tests import tasks
from tests.api.conftest import DECISION_DATE, auth, person_payload
from tests.factories import resident_id

pytestmark = pytest.mark.django_db
URL = "/api/v1/imports/"
HEADER = "subject_kind,identifier,name,record_type,decision_number,decision_date,judicial_ground"


def row(n: int) -> str:
    return (f"person,{resident_id()},赵{n},judicial-dishonest-debtor,(2026)可靠{n}号,"
            f"{DECISION_DATE.isoformat()},2")  # fmt: skip


def upload(api, key, content: str, captured, name="d.csv"):
    with captured(execute=True):
        return api.post(URL, {"file": SimpleUploadedFile(name, content.encode())},
                        format="multipart", **auth(key))  # fmt: skip


def test_a_huge_quoted_field_fails_the_batch_with_a_reason_and_imports_nothing(
    api, court_agency, django_capture_on_commit_callbacks
):
    _client, key = court_agency
    huge = '"' + "x" * 200_000 + '"'
    content = f"{HEADER}\n{row(1)}\nperson,{huge},钱,judicial-dishonest-debtor,N,2026-01-01,2\n"
    response = upload(api, key, content, django_capture_on_commit_callbacks)
    assert response.status_code == 202
    batch = ImportBatch.objects.get(pk=response.json()["id"])
    assert batch.status == "failed"
    assert "Row 2" in batch.failure_reason and "10000 characters" in batch.failure_reason
    assert batch.report == [{"row": 2, "field": "file", "message": batch.failure_reason}]
    assert not IntegrityRecord.objects.exists()
    report = api.get(f"{URL}{batch.pk}/", **auth(key)).json()
    assert report["status"] == "failed" and report["failure_reason"] == batch.failure_reason


def test_deeply_nested_and_overlong_json_lines_are_row_errors(
    api, court_agency, django_capture_on_commit_callbacks
):
    _client, key = court_agency
    good = json.dumps(person_payload("(2026)可靠J1号"), ensure_ascii=False)
    nested = "[" * 100_000 + "]" * 100_000
    deep = json.dumps({"subject": {"a": {"b": {"c": {"d": {"e": 1}}}}}})
    content = "\n".join([good, nested, deep, '{"x": "' + "y" * 30_000 + '"}']) + "\n"
    response = upload(api, key, content, django_capture_on_commit_callbacks, name="d.jsonl")
    batch = ImportBatch.objects.get(pk=response.json()["id"])
    assert batch.status == "done", batch.failure_reason
    assert (batch.rows_imported, batch.rows_invalid) == (1, 3)
    messages = {r["row"]: r["message"] for r in batch.report}
    assert "longer than 20000" in messages[2] and "longer than 20000" in messages[4]
    assert "nested more than 5 levels" in messages[3]
    assert batch.content == ""


def test_rows_commit_in_chunks_and_a_crash_resumes_without_importing_twice(
    court_agency, settings, monkeypatch, django_capture_on_commit_callbacks
):
    settings.SCS_IMPORT_CHUNK_ROWS = 3
    client, _key = court_agency
    content = "\n".join([HEADER, *(row(100 + n) for n in range(8))]) + "\n"
    batch, _created = import_batch_create(client=client, file_name="c.csv",
                                          content=content.encode())  # fmt: skip
    import sanctions.agency.services.imports as agency

    real_chunk, calls = agency._import_chunk, []

    def crash_on_third_chunk(batch_id, rows, **claim):
        calls.append(1)
        if len(calls) == 3:
            raise SystemExit("worker killed")  # not an Exception: like a killed process
        return real_chunk(batch_id, rows, **claim)

    monkeypatch.setattr(agency, "_import_chunk", crash_on_third_chunk)
    with pytest.raises(SystemExit):
        import_batch_process(batch_id=batch.pk)
    batch.refresh_from_db()
    assert (batch.status, batch.rows_done, batch.rows_imported) == ("running", 6, 6)
    assert IntegrityRecord.objects.count() == 6  # two chunks committed
    monkeypatch.setattr(agency, "_import_chunk", real_chunk)
    # the backstop sees no progress for longer than the bound and queues it again
    later = timezone.now() + datetime.timedelta(seconds=settings.SCS_IMPORT_STUCK_SECONDS + 1)
    assert import_batches_requeue(now=timezone.now()) == 0  # not stuck yet
    with django_capture_on_commit_callbacks(execute=True):  # eager Celery: processed now
        assert import_batches_requeue(now=later) == 1
    batch.refresh_from_db()
    assert (batch.status, batch.rows_total, batch.rows_imported) == ("done", 8, 8)
    assert IntegrityRecord.objects.count() == 8 and ApiSubmission.objects.count() == 8
    assert batch.attempts == 2 and batch.content == ""
    assert tasks.import_batches_requeue() == 0  # run twice: nothing more to do
    assert AuditEvent.objects.filter(action="import.requeue", object_id=str(batch.pk)).exists()


def test_a_failed_batch_is_retried_by_uploading_the_same_file_again(
    api, court_agency, django_capture_on_commit_callbacks, monkeypatch
):
    _client, key = court_agency
    content = "\n".join([HEADER, row(300), row(301)]) + "\n"
    import sanctions.agency.services.imports as agency

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(agency, "record_submit", broken)
    first = upload(api, key, content, django_capture_on_commit_callbacks)
    batch = ImportBatch.objects.get(pk=first.json()["id"])
    assert batch.status == "failed" and "RuntimeError: disk on fire" in batch.failure_reason
    assert batch.content  # kept for the retry
    monkeypatch.undo()
    again = upload(api, key, content, django_capture_on_commit_callbacks)
    assert again.status_code == 200 and again.json()["id"] == batch.pk
    batch.refresh_from_db()
    assert (batch.status, batch.rows_imported) == ("done", 2)


def test_old_failed_batches_lose_their_file(court_agency, settings):
    client, _key = court_agency
    batch, _ = import_batch_create(client=client, file_name="f.csv",
                                   content=f"{HEADER}\n{row(400)}\n".encode())  # fmt: skip
    ImportBatch.objects.filter(pk=batch.pk).update(
        status="failed", finished_at=timezone.now() - datetime.timedelta(days=8)
    )
    import_batches_requeue()
    batch.refresh_from_db()
    assert batch.content == ""


@pytest.mark.django_db(transaction=True)
def test_an_import_does_not_block_the_same_clients_status_request(court_agency, settings):
    """The chunk's transaction locks only the batch row: the client, its authority and its
    user stay free, so a status request (which reads them) never waits for the import."""
    from sanctions.agency.services.clients import api_client_authenticate
    from sanctions.registry.catalog_data import seed_catalog  # noqa: F401 - the catalog fixture ran

    client, key = court_agency
    # the row as import_batch_create writes it (which would process it at once: eager Celery)
    batch = ImportBatch.objects.create(
        authority=client.authority, client=client, file_name="l.csv", file_sha256="1" * 64,
        format="csv", content=f"{HEADER}\n{row(500)}\n",
    )  # fmt: skip
    import sanctions.agency.services.imports as agency

    real_row, holding, release = agency._import_row, threading.Event(), threading.Event()

    def slow_row(*args, **kwargs):
        holding.set()
        release.wait(10)
        return real_row(*args, **kwargs)

    agency._import_row = slow_row
    worker = threading.Thread(target=lambda: (import_batch_process(batch_id=batch.pk),
                                              connection.close()))  # fmt: skip
    try:
        worker.start()
        assert holding.wait(10)
        started = time.monotonic()
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '2s'")
            # what authentication and the status view lock or write
            assert api_client_authenticate(key).pk == client.pk
            cursor.execute(
                "SELECT 1 FROM sanctions_apiclient WHERE id = %s FOR UPDATE", [client.pk]
            )
            cursor.execute("SELECT 1 FROM auth_user WHERE id = %s FOR UPDATE", [client.user_id])
        assert time.monotonic() - started < 2
    finally:
        release.set()
        worker.join(20)
        agency._import_row = real_row
    batch.refresh_from_db()
    assert batch.status == "done"


def stored_batch(client, *, rows: int, first: int) -> ImportBatch:
    """A batch as import_batch_create stores it, not yet processed (eager Celery would
    process it at once)."""
    content = "\n".join([HEADER, *(row(first + n) for n in range(rows))]) + "\n"
    return ImportBatch.objects.create(
        authority=client.authority, client=client, file_name="h.csv", format="csv",
        file_sha256=hashlib.sha256(content.encode()).hexdigest(), content=content,
    )  # fmt: skip


def test_a_cut_off_worker_cannot_fail_the_batch_another_worker_finished(
    court_agency, settings, monkeypatch
):
    """Workers on many hosts (docs/scaling.md): the worker running a batch is cut off from the
    network between two chunks; the broker redelivers the task to another worker, which claims
    the batch again and finishes it. When the first worker's link comes back its session is
    gone, and the error it gets (not an OperationalError) would end the batch `failed`: its
    claim is stale, so that failure is refused and the finished batch stays as it is."""
    import sanctions.agency.services.imports as agency

    settings.SCS_IMPORT_CHUNK_ROWS = 2
    client, _key = court_agency
    batch = stored_batch(client, rows=6, first=600)
    real_chunk, calls = agency._import_chunk, []

    def cut_off_after_the_first_chunk(batch_id, rows, **claim):
        calls.append(1)
        if len(calls) == 2:  # the first worker's second chunk: it has been cut off
            agency.import_batch_process(batch_id=batch_id)  # another worker takes over
            raise InterfaceError("connection already closed")  # the link is back
        return real_chunk(batch_id, rows, **claim)

    monkeypatch.setattr(agency, "_import_chunk", cut_off_after_the_first_chunk)
    agency.import_batch_process(batch_id=batch.pk)
    batch.refresh_from_db()
    assert (batch.status, batch.failure_reason, batch.attempts) == ("done", "", 2)
    assert (batch.rows_total, batch.rows_imported, batch.rows_unchanged) == (6, 6, 0)
    assert IntegrityRecord.objects.count() == 6 and ApiSubmission.objects.count() == 6
    assert not AuditEvent.objects.filter(action="import.fail").exists()


def test_a_worker_that_lost_its_claim_writes_no_further_chunk(court_agency, settings, monkeypatch):
    """The batch is claimed again (a redelivered task) while its first worker is stalled
    between two chunks: from then on only the newer claim writes; the stale worker's next
    chunk is refused before it imports anything, and the newer claim finishes the batch."""
    import sanctions.agency.services.imports as agency

    settings.SCS_IMPORT_CHUNK_ROWS = 2
    client, _key = court_agency
    batch = stored_batch(client, rows=6, first=700)
    real_chunk, calls = agency._import_chunk, []

    def claimed_again_after_the_first_chunk(batch_id, rows, **claim):
        calls.append(1)
        if len(calls) == 2:
            assert agency._import_claim(batch_id).attempts == 2  # the redelivered task
        return real_chunk(batch_id, rows, **claim)

    monkeypatch.setattr(agency, "_import_chunk", claimed_again_after_the_first_chunk)
    agency.import_batch_process(batch_id=batch.pk)  # the stale run stops at its next chunk
    batch.refresh_from_db()
    assert (batch.status, batch.rows_done, batch.attempts) == ("running", 2, 2)
    assert IntegrityRecord.objects.count() == 2
    rows, finished = agency._import_rows(batch), False
    while not finished:  # the newer claim's run goes on where the first stopped
        batch, finished = real_chunk(batch.pk, rows, attempt=2)
    batch.refresh_from_db()
    assert (batch.status, batch.rows_imported, batch.rows_unchanged) == ("done", 6, 0)
    assert IntegrityRecord.objects.count() == 6
