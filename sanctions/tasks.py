from __future__ import annotations

from celery import shared_task
from django.core.cache import cache
from django.utils import timezone


@shared_task(name="sanctions.tasks.heartbeat", ignore_result=True)
def heartbeat() -> str:
    """Proves that beat schedules and a worker runs; idempotent (overwrites one key)."""
    stamp = timezone.now().isoformat()
    cache.set("scs:heartbeat", stamp, timeout=None)
    return stamp
