"""Fault 1 (issue 14): `kill -9` of a real Celery worker in the middle of an import (3,000
rows by default, the issue's 10,000 with SCS_FAULT_IMPORT_ROWS=10000); after the backstop
re-queues it and a worker is started again, the batch ends `done` with every row imported
exactly once.

The same fault during a score recompute is tests/sanctions/test_scoring_crash.py (a real
worker killed mid-run; the run finishes with exactly the scores of a clean computation)."""

from __future__ import annotations

import datetime
import os
import signal
import time

import pytest
from django.conf import settings
from django.utils import timezone

from sanctions.agency.services.imports import import_batch_create, import_batches_requeue
from sanctions.models import ApiSubmission, AuditEvent, ImportBatch, IntegrityRecord
from tests.api.conftest import DECISION_DATE, make_agency
from tests.factories import resident_id
from tests.faults.conftest import (
    figure,
    flush_broker,
    start_worker,
    stop_group,
    wait_for,
    worker_env,
)

pytestmark = [pytest.mark.fault, pytest.mark.django_db(transaction=True)]
# 3,000 rows (30 chunks) keeps the suite within its time budget in `make test`; the issue's
# 10,000 rows: SCS_FAULT_IMPORT_ROWS=10000 (figures of both in docs/reliability.md)
ROWS = int(os.environ.get("SCS_FAULT_IMPORT_ROWS", "3000"))
HEADER = "subject_kind,identifier,name,record_type,decision_number,decision_date,judicial_ground"


def import_csv(ids: list[str], tag: str) -> bytes:
    """A court's file: one dishonest-debtor decision per resident ID number."""
    lines = [HEADER] + [
        f"person,{rid},赵{n},judicial-dishonest-debtor,(2026)京0101执{tag}{n}号,"
        f"{DECISION_DATE.isoformat()},2"
        for n, rid in enumerate(ids)
    ]
    return ("\n".join(lines) + "\n").encode()


def progress(batch_id: int) -> tuple[str, int]:
    return ImportBatch.objects.filter(pk=batch_id).values_list("status", "rows_done").get()


def test_kill_9_mid_import_then_backstop_and_restart_import_every_row_once(catalog, tmp_path):
    from scs_portal.celery import app

    client, _key = make_agency("bj-dongcheng-court")
    content = import_csv([resident_id() for _ in range(ROWS)], "K")
    env = worker_env(CELERY_VISIBILITY_TIMEOUT="5")  # the lost message also comes back itself
    app.conf.task_always_eager = False
    flush_broker()
    log = tmp_path / "worker.log"
    worker = start_worker(env, log)
    try:
        started = time.monotonic()
        batch, created = import_batch_create(client=client, file_name="big.csv", content=content)
        assert created  # queued on commit to the real broker; the worker picks it up
        assert wait_for(lambda: progress(batch.pk)[1] >= ROWS // 10, 300), (
            f"no progress: {progress(batch.pk)}; worker log:\n{log.read_text()[-3000:]}"
        )
        stop_group(worker, signal.SIGKILL)  # the worker and its pool, mid-chunk
        killed_at = time.monotonic()
        status, done_at_kill = progress(batch.pk)
        assert status == "running" and 0 < done_at_kill < ROWS
        time.sleep(1)
        assert progress(batch.pk) == (status, done_at_kill)  # nobody is working on it now

        # the beat backstop (every 10 min) once the batch is past SCS_IMPORT_STUCK_SECONDS
        later = timezone.now() + datetime.timedelta(seconds=settings.SCS_IMPORT_STUCK_SECONDS + 1)
        assert import_batches_requeue(now=later) == 1
        worker = start_worker(env, log)
        finished = wait_for(lambda: progress(batch.pk)[0] == "done", 900, step=0.5)
        assert finished, f"stuck at {progress(batch.pk)}; worker log:\n{log.read_text()[-3000:]}"
        resumed_for = time.monotonic() - killed_at
    finally:
        stop_group(worker)
        flush_broker()

    batch.refresh_from_db()
    records = IntegrityRecord.objects.filter(authority=client.authority)
    assert (batch.rows_total, batch.rows_imported, batch.rows_invalid) == (ROWS, ROWS, 0)
    assert records.count() == ROWS  # nothing imported twice, nothing lost
    assert records.values("decision_number").distinct().count() == ROWS
    assert ApiSubmission.objects.filter(client=client).count() == ROWS
    assert batch.attempts >= 2 and batch.content == ""
    assert AuditEvent.objects.filter(action="import.requeue", object_id=str(batch.pk)).exists()
    assert AuditEvent.objects.filter(action="import.process", object_id=str(batch.pk)).count() == 1
    figure(
        f"kill -9 during import: {ROWS} rows, killed at row {done_at_kill}, done "
        f"{resumed_for:.1f}s after the kill ({time.monotonic() - started:.1f}s in all), "
        f"attempts {batch.attempts}; records {records.count()}, submissions "
        f"{ApiSubmission.objects.filter(client=client).count()}"
    )
