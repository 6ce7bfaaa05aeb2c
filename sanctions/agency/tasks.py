"""Celery tasks of the agency API: processing a bulk import, and the backstop that queues
stuck imports again (beat, every 10 minutes)."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from sanctions.agency.services.imports import import_batch_process, import_batches_requeue
from sanctions.kernel.tasks import DURABLE


@shared_task(
    name="sanctions.tasks.import_batch_process",
    autoretry_for=(OperationalError,),
    ignore_result=True,
    **DURABLE,
)
def import_batch_process_task(batch_id: int) -> None:
    """Idempotent: a processed batch is skipped under its row lock; rows already submitted
    are recognised by (authority, decision number)."""
    import_batch_process(batch_id=batch_id)


@shared_task(name="sanctions.tasks.import_batches_requeue", ignore_result=True)
def import_batches_requeue_task() -> int:
    """Safe to run twice: a batch is queued again only while it is stuck, under its row lock;
    processing a batch twice imports nothing twice."""
    return import_batches_requeue()
