"""Writes of publication: the nightly sweep that publishes records whose notice period has
ended and expires those whose windows have closed. (A removal takes a listing down at once:
`sanctions.registry.services.records.record_event_report`.)"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from sanctions.models import (
    IntegrityRecord,
    RecordStatus,
)
from sanctions.registry.services.records import (
    record_status_set,
)


def _today(today: datetime.date | None) -> datetime.date:
    return today or timezone.localdate()


def publication_sweep(*, today: datetime.date | None = None) -> dict[str, int]:
    """Nightly backstop: activate records whose notice period has ended (no objection
    pending), expire those whose windows have closed. Idempotent: a second run finds
    nothing to do. Each record changes in its own short transaction."""
    today = _today(today)
    served_before = today - datetime.timedelta(days=settings.SCS_NOTICE_PERIOD_DAYS)
    activated = expired = 0
    # an objection filed in the notice period holds the publication until it is decided
    due = (
        IntegrityRecord.objects.filter(
            status=RecordStatus.PENDING_NOTICE, notice_served_on__lte=served_before
        )
        .exclude(objections__outcome="pending")
        .values_list("pk", flat=True)
    )
    for pk in due.iterator():
        with transaction.atomic():
            record = IntegrityRecord.objects.select_for_update().get(pk=pk)
            if record.status != RecordStatus.PENDING_NOTICE or _objection_pending(record):
                continue
            published = timezone.now() if record.publication_start is not None else None
            record_status_set(record, None, "record.activate", RecordStatus.ACTIVE,
                        published_at=published)  # fmt: skip
            activated += 1
    closed = IntegrityRecord.objects.filter(status=RecordStatus.ACTIVE).filter(
        Q(effective_until__lt=today) | Q(effective_until__isnull=True, publication_end__lt=today)
    ).filter(Q(publication_end__isnull=True, publication_start__isnull=True)
             | Q(publication_end__lt=today))  # fmt: skip
    for pk in closed.values_list("pk", flat=True).iterator():
        with transaction.atomic():
            record = IntegrityRecord.objects.select_for_update().get(pk=pk)
            if record.status != RecordStatus.ACTIVE:
                continue
            record_status_set(record, None, "record.expire", RecordStatus.EXPIRED,
                        removed_at=timezone.now(), removal_reason="expiry")  # fmt: skip
            expired += 1
    return {"activated": activated, "expired": expired}


def _objection_pending(record: IntegrityRecord) -> bool:
    return record.objections.filter(outcome="pending").exists()
