"""Celery tasks of casework (beat, daily): ground-1 reviews falling due, retention, deadline
reminders."""

from __future__ import annotations

import datetime

from celery import shared_task
from django.db import OperationalError

from sanctions.casework.services.listings import review_cases_open
from sanctions.casework.services.reminders import deadline_reminders_send
from sanctions.casework.services.retention import retention_sweep
from sanctions.kernel.tasks import DURABLE


@shared_task(name="sanctions.tasks.review_cases_open", autoretry_for=(OperationalError,), **DURABLE)
def review_cases_open_task(today: str | None = None) -> int:
    """Idempotent: a listing with an open review case is skipped under its row lock."""
    return review_cases_open(today=datetime.date.fromisoformat(today) if today else None)


@shared_task(name="sanctions.tasks.retention_sweep", autoretry_for=(OperationalError,), **DURABLE)
def retention_sweep_task(today: str | None = None) -> int:
    """Idempotent: an erased record is never due again."""
    return retention_sweep(today=datetime.date.fromisoformat(today) if today else None)


@shared_task(
    name="sanctions.tasks.deadline_reminders_send",
    autoretry_for=(OperationalError,),
    ignore_result=True,
    **DURABLE,
)
def deadline_reminders_send_task(today: str | None = None) -> dict[str, int]:
    """Idempotent: a reminder is stored (and e-mailed) at most once per official, item and due
    date, so a second run or a redelivery after a crash tells no one twice."""
    day = datetime.date.fromisoformat(today) if today else None
    return deadline_reminders_send(today=day)
