from __future__ import annotations

import datetime

from celery import shared_task
from django.core.cache import cache
from django.db import IntegrityError, OperationalError
from django.utils import timezone

# Tasks whose work must survive a worker crash: acknowledged after they ran, re-queued when
# the worker dies, retried on a lost database connection. Each is idempotent.
DURABLE = {"acks_late": True, "reject_on_worker_lost": True, "retry_backoff": True,
           "max_retries": 5}  # fmt: skip


@shared_task(name="sanctions.tasks.heartbeat", ignore_result=True)
def heartbeat() -> str:
    """Proves that beat schedules and a worker runs; idempotent (overwrites one key)."""
    stamp = timezone.now().isoformat()
    cache.set("scs:heartbeat", stamp, timeout=None)
    return stamp


@shared_task(name="sanctions.tasks.publication_sweep", autoretry_for=(OperationalError,), **DURABLE)
def publication_sweep(today: str | None = None) -> dict[str, int]:
    """Idempotent (status guards under row locks), so redelivery after a crash is safe."""
    from sanctions.services.casework import publication_sweep as sweep

    day = datetime.date.fromisoformat(today) if today else None
    return sweep(today=day)


@shared_task(name="sanctions.tasks.score_recompute", ignore_result=True)
def score_recompute(kind: str = "incremental", as_of: str | None = None) -> int:
    """Start a recompute run and fan it out into chunk tasks; returns the run id.

    Progress lives in ScoreRun / ScoreRunChunk (not a chord), so a lost task is found and
    re-sent by `score_resume`."""
    from sanctions.scoring.services import score_run_pending_chunks, score_run_start

    day = datetime.date.fromisoformat(as_of) if as_of else None
    run = score_run_start(kind=kind, as_of=day)
    for chunk_id in score_run_pending_chunks(run):
        score_chunk.delay(chunk_id)
    return run.pk


@shared_task(
    name="sanctions.tasks.score_chunk",
    # IntegrityError: a concurrent run inserted the same new score first; the retry updates
    autoretry_for=(OperationalError, IntegrityError),
    ignore_result=True,
    **DURABLE,
)
def score_chunk(chunk_id: int) -> int:
    """Idempotent: a done chunk is skipped; scores and the done flag commit together."""
    from sanctions.scoring.services import score_chunk_execute

    return score_chunk_execute(chunk_id)


@shared_task(name="sanctions.tasks.score_resume", ignore_result=True)
def score_resume(older_than_seconds: int = 0) -> int:
    """Re-send the unfinished chunks of running runs (after a worker crash or restart).
    Safe: a chunk already done, or being done, is skipped under its row lock."""
    from django.utils import timezone

    from sanctions.scoring.selectors import unfinished_score_chunks

    cutoff = timezone.now() - datetime.timedelta(seconds=older_than_seconds)
    pending = unfinished_score_chunks(started_before=cutoff)
    count = 0
    for chunk_id in pending:
        score_chunk.delay(chunk_id)
        count += 1
    return count


@shared_task(
    name="sanctions.tasks.import_batch_process",
    autoretry_for=(OperationalError,),
    ignore_result=True,
    **DURABLE,
)
def import_batch_process(batch_id: int) -> None:
    """Idempotent: a processed batch is skipped under its row lock; rows already submitted
    are recognised by (authority, decision number)."""
    from sanctions.services.agency import import_batch_process as process

    process(batch_id=batch_id)


@shared_task(name="sanctions.tasks.review_cases_open", autoretry_for=(OperationalError,), **DURABLE)
def review_cases_open(today: str | None = None) -> int:
    """Idempotent: a listing with an open review case is skipped under its row lock."""
    from sanctions.casework.services.listings import review_cases_open as open_reviews

    return open_reviews(today=datetime.date.fromisoformat(today) if today else None)


@shared_task(name="sanctions.tasks.retention_sweep", autoretry_for=(OperationalError,), **DURABLE)
def retention_sweep(today: str | None = None) -> int:
    """Idempotent: an erased record is never due again."""
    from sanctions.casework.services.retention import retention_sweep as sweep

    return sweep(today=datetime.date.fromisoformat(today) if today else None)


@shared_task(
    name="sanctions.tasks.deadline_reminders_send",
    autoretry_for=(OperationalError,),
    ignore_result=True,
    **DURABLE,
)
def deadline_reminders_send_task(today: str | None = None) -> dict[str, int]:
    """Idempotent: a reminder is stored (and e-mailed) at most once per official, item and due
    date, so a second run or a redelivery after a crash tells no one twice."""
    from sanctions.casework.services.reminders import deadline_reminders_send

    day = datetime.date.fromisoformat(today) if today else None
    return deadline_reminders_send(today=day)


@shared_task(
    name="sanctions.tasks.audit_chain_verify", autoretry_for=(OperationalError,), **DURABLE
)
def audit_chain_verify_task() -> dict:
    """Recompute the audit trail's hash chain and store the result (dashboard). Only reads the
    trail, so a second run or a redelivery stores the same result again."""
    from sanctions.kernel.audit_chain import audit_chain_verify

    result = audit_chain_verify()
    return {
        "intact": result.intact,
        "rows_checked": result.rows_checked,
        "head_hash": result.head_hash,
        "broken_event_id": result.broken_event_id,
        "reason": result.reason,
    }


@shared_task(name="sanctions.tasks.import_batches_requeue", ignore_result=True)
def import_batches_requeue() -> int:
    """Safe to run twice: a batch is queued again only while it is stuck, under its row lock;
    processing a batch twice imports nothing twice."""
    from sanctions.services.agency import import_batches_requeue as requeue

    return requeue()
