"""Reads of the agency API: clients, submissions and imports an official may see; a record
or import of the client's own authority; the active restrictions of a subject."""

from __future__ import annotations

import datetime

from django.db.models import QuerySet

from sanctions.kernel.roles import Viewer, scoped
from sanctions.models import (
    ApiClient,
    ApiSubmission,
    Authority,
    ImportBatch,
    IntegrityRecord,
    Measure,
    MeasureKind,
    RecordStatus,
    Subject,
)
from sanctions.registry.selectors import active_measures


def record_of_authority(*, record_id: int, authority: Authority) -> IntegrityRecord | None:
    """A record of this authority (an agency's events name only its own records)."""
    return IntegrityRecord.objects.filter(pk=record_id, authority=authority).first()


def api_clients_visible_to(*, user: Viewer) -> QuerySet[ApiClient]:
    return scoped(ApiClient.objects.all(), user, "authority")


def api_submissions_visible_to(*, user: Viewer) -> QuerySet[ApiSubmission]:
    return scoped(ApiSubmission.objects.all(), user, "authority")


def import_batch_of(*, authority: Authority, pk: int) -> ImportBatch | None:
    """One of an authority's bulk imports (an API client sees its authority's only)."""
    return ImportBatch.objects.filter(pk=pk, authority=authority).first()


def import_batches_visible_to(*, user: Viewer) -> QuerySet[ImportBatch]:
    return scoped(ImportBatch.objects.all(), user, "authority")


def active_restrictions(
    *, subject: Subject, measure: Measure | None = None, today: datetime.date | None = None
) -> list[dict]:
    """The restriction measures among `active_measures` (optionally: only `measure`), shaped
    for the agencies' restriction check: each with its basis and end date, a record under
    objection flagged so."""

    return [
        {
            "measure": item["measure"].code,
            # in the request's language (Accept-Language), like everything the catalog holds
            "measure_title": item["measure"].localized_title,
            "enforcing_agency": item["measure"].localized_enforcing_agency,
            "until": item["ends_on"],
            "under_objection": item["record"].status == RecordStatus.UNDER_OBJECTION,
            "basis": {
                "authority": item["record"].authority.localized_name,
                "decision_number": item["record"].decision_number,
                "decision_date": item["record"].decision_date,
                "record_type": item["record"].record_type.code,
                "legal_basis": item["record"].legal_basis,
            },
        }
        for item in active_measures(subject=subject, today=today)
        if item["measure"].kind == MeasureKind.RESTRICTION
        and (measure is None or item["measure"].pk == measure.pk)
    ]
