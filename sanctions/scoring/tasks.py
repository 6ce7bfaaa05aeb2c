"""Celery tasks of scoring: a recompute run fanned out into chunk tasks, and the resume of
chunks a crashed worker left undone (beat, and each worker at start: scs_portal/celery.py), and
the daily upkeep of the score history's monthly partitions."""

from __future__ import annotations

import datetime

from celery import shared_task
from django.db import IntegrityError, OperationalError
from django.utils import timezone

from sanctions.kernel.tasks import DURABLE
from sanctions.scoring.partitions import PartitionsResult, score_history_partitions_maintain
from sanctions.scoring.selectors import unfinished_score_chunks
from sanctions.scoring.services import (
    score_chunk_execute,
    score_run_pending_chunks,
    score_run_start,
)


@shared_task(name="sanctions.tasks.score_recompute", ignore_result=True)
def score_recompute_task(kind: str = "incremental", as_of: str | None = None) -> int:
    """Start a recompute run and fan it out into chunk tasks; returns the run id.

    Progress lives in ScoreRun / ScoreRunChunk (not a chord), so a lost task is found and
    re-sent by `score_resume_task`."""
    day = datetime.date.fromisoformat(as_of) if as_of else None
    run = score_run_start(kind=kind, as_of=day)
    for chunk_id in score_run_pending_chunks(run):
        score_chunk_task.delay(chunk_id)
    return run.pk


@shared_task(
    name="sanctions.tasks.score_chunk",
    # IntegrityError: a concurrent run inserted the same new score first; the retry updates
    autoretry_for=(OperationalError, IntegrityError),
    ignore_result=True,
    **DURABLE,
)
def score_chunk_task(chunk_id: int) -> int:
    """Idempotent: a done chunk is skipped; scores and the done flag commit together."""
    return score_chunk_execute(chunk_id)


@shared_task(name="sanctions.tasks.score_resume", ignore_result=True)
def score_resume_task(older_than_seconds: int = 0) -> int:
    """Re-send the unfinished chunks of running runs (after a worker crash or restart).
    Safe: a chunk already done, or being done, is skipped under its row lock."""
    cutoff = timezone.now() - datetime.timedelta(seconds=older_than_seconds)
    pending = unfinished_score_chunks(started_before=cutoff)
    count = 0
    for chunk_id in pending:
        score_chunk_task.delay(chunk_id)
        count += 1
    return count


@shared_task(
    name="sanctions.tasks.score_history_partitions", autoretry_for=(OperationalError,), **DURABLE
)
def score_history_partitions_task(today: str | None = None) -> PartitionsResult:
    """Idempotent: a month is created once and dropped once (each step under an advisory
    lock), so a second run or a redelivery changes nothing. OperationalError includes a step
    that met its lock_timeout (scoring.partitions): retried with backoff."""
    day = datetime.date.fromisoformat(today) if today else None
    return score_history_partitions_maintain(today=day)
