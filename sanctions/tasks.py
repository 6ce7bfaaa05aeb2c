from __future__ import annotations

import datetime

from celery import shared_task
from django.core.cache import cache
from django.db import OperationalError
from django.utils import timezone


@shared_task(name="sanctions.tasks.heartbeat", ignore_result=True)
def heartbeat() -> str:
    """Proves that beat schedules and a worker runs; idempotent (overwrites one key)."""
    stamp = timezone.now().isoformat()
    cache.set("scs:heartbeat", stamp, timeout=None)
    return stamp


@shared_task(
    name="sanctions.tasks.publication_sweep",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=5,
)
def publication_sweep(today: str | None = None) -> dict[str, int]:
    """Idempotent (status guards under row locks), so redelivery after a crash is safe."""
    from sanctions.services import publication_sweep as sweep

    day = datetime.date.fromisoformat(today) if today else None
    return sweep(today=day)
