"""Celery tasks of publication: the nightly sweep (beat)."""

from __future__ import annotations

import datetime

from celery import shared_task
from django.db import OperationalError

from sanctions.kernel.tasks import DURABLE
from sanctions.publication.services import publication_sweep


@shared_task(name="sanctions.tasks.publication_sweep", autoretry_for=(OperationalError,), **DURABLE)
def publication_sweep_task(today: str | None = None) -> dict[str, int]:
    """Idempotent (status guards under row locks), so redelivery after a crash is safe."""
    day = datetime.date.fromisoformat(today) if today else None
    return publication_sweep(today=day)
