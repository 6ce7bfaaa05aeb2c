"""Retention (DESIGN.md §6): the full record is kept for its type's retention period after
its effective window, then its personal data and evidence are erased, leaving a skeleton and
an audit row without personal data."""

from __future__ import annotations

import datetime
import functools

from django.db import transaction
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.translation import gettext as _

from sanctions.kernel.audit import audit_log
from sanctions.models import (
    Appeal,
    Case,
    CaseNote,
    EvidenceFile,
    FilingAttachment,
    IntegrityRecord,
    Notice,
    Objection,
    RecordEvent,
    RecordStatus,
    RepairApplication,
)
from sanctions.registry.services.records import (
    mark_dirty,
)


def _today(today: datetime.date | None) -> datetime.date:
    return today or timezone.localdate()


ENDED = (RecordStatus.EXPIRED, RecordStatus.REMOVED, RecordStatus.REVOKED, RecordStatus.REPAIRED)


def retention_due(*, today: datetime.date | None = None) -> QuerySet[IntegrityRecord]:
    """Ended records whose retention period (the type's years after the effective window
    ended: its end date, or the removal if earlier) has run out and that are not erased."""
    today = _today(today)
    ended_by = RawSQL(  # noqa: S611 - constant SQL, the date is a parameter
        "LEAST(effective_until, (removed_at AT TIME ZONE 'UTC')::date) + 365 * ("
        "SELECT t.retention_years FROM sanctions_recordtype t "
        "WHERE t.id = sanctions_integrityrecord.record_type_id) < %s",
        [today],
        output_field=BooleanField(),
    )
    return IntegrityRecord.objects.filter(erased_at__isnull=True, status__in=ENDED).filter(ended_by)


def retention_sweep(*, today: datetime.date | None = None) -> int:
    """Daily: erase every record whose retention has run out (`record_erase`), each in its own
    transaction. Idempotent: an erased record is not due again."""
    erased = 0
    for pk in retention_due(today=today).values_list("pk", flat=True).iterator():
        if record_erase(record_id=pk, today=today):
            erased += 1
    return erased


@transaction.atomic
def record_erase(*, record_id: int, today: datetime.date | None = None) -> bool:
    """End of retention: the record's personal data goes — the person's link (subject), facts,
    obligation, amounts, basis document, the letters sent about it, the objections' and
    repairs' texts, and every evidence and attachment file (deleted from storage after
    commit). What stays is a skeleton with no personal data (type, authority, decision number,
    dates, status), and an audit row that names neither the person nor the facts."""
    today = _today(today)
    record = IntegrityRecord.objects.select_for_update().filter(pk=record_id).first()
    if record is None or record.erased_at is not None or record.status not in ENDED:
        return False
    files: list[FieldFile] = []
    subject_id = record.subject_id
    cases = Case.objects.filter(Q(pk=record.case_id) | Q(review_of=record))
    for evidence in EvidenceFile.objects.filter(case__in=cases):
        files.append(evidence.file)
        evidence.delete()
    for attachment in FilingAttachment.objects.filter(
        Q(objection__record=record) | Q(repair__record=record)
    ):
        files.append(attachment.file)
        attachment.delete()
    Objection.objects.filter(record=record).update(grounds="", reasons="")
    Appeal.objects.filter(objection__record=record).update(grounds="", reasons="")
    RepairApplication.objects.filter(record=record).update(grounds="", reasons="")
    RecordEvent.objects.filter(record=record).update(note="")
    notices = Notice.objects.filter(record=record).delete()[0]
    CaseNote.objects.filter(case__in=cases).delete()
    cases.update(subject=None, title=_("(erased at the end of retention)"), facts="",
                 legal_basis="", basis_document="", amount=None, obligation="")  # fmt: skip
    record.subject = None
    record.facts = record.obligation = record.basis_document = ""
    record.amount = record.amount_performed = None
    record.extension_reason = ""
    record.erased_at = timezone.now()
    record.save()
    if subject_id is not None:
        mark_dirty([subject_id])
    audit_log(actor=None, action="record.erase", obj=record, subject=None,
              new={"record_type": record.record_type.code, "authority": record.authority.code,
                   "notices": notices, "files": len(files),
                   "retention_years": record.record_type.retention_years})  # fmt: skip
    for stored in files:
        if stored.name:  # a row without a file has nothing in storage to delete
            transaction.on_commit(functools.partial(stored.storage.delete, stored.name))
    return True
