"""What the subject files (an official may file it on their behalf): objections (decided
within 15 days; the record shows "under objection" meanwhile), appeals of an outcome to the
parent authority, credit repair applications — with their attachments, checked before
anything is written and deleted again unless the filing commits."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any, TypeVar

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from sanctions.casework.eligibility import (
    appeal_refusal,
    objection_refusal,
    pending_refusal,
    repair_refusal,
)
from sanctions.kernel.audit import audit_log
from sanctions.kernel.errors import ApplicationError, refuse_if
from sanctions.kernel.roles import (
    REVIEWER,
    SUPERVISOR,
    Actor,
    require_official,
)
from sanctions.kernel.uploads import (
    check_upload,
    removed_unless_committed,
    store_upload,
    upload_sha256,
)
from sanctions.kernel.workdays import add_days, add_working_days, objection_due_on, repair_due_on
from sanctions.models import (
    Appeal,
    FilingAttachment,
    IntegrityRecord,
    NoticeKind,
    Objection,
    PerformanceStatus,
    RecordEventKind,
    RecordStatus,
    RepairApplication,
)
from sanctions.registry.services.notices import letter_language, notice_issue, record_line
from sanctions.registry.services.records import (
    REMOVABLE,
    mark_dirty,
    named_subject,
    record_event_add,
    record_status_set,
)


def _today(today: datetime.date | None) -> datetime.date:
    return today or timezone.localdate()


M = TypeVar("M", bound=Model)


def _lock(model: type[M], obj: M) -> M:
    return model._default_manager.select_for_update().get(pk=obj.pk)


def _check_attachments(attachments: Sequence[UploadedFile]) -> None:
    limit = settings.SCS_FILING_MAX_ATTACHMENTS
    if len(attachments) > limit:
        raise ApplicationError(
            {"attachments": _("At most %(n)d files can be attached.") % {"n": limit}}
        )
    for uploaded in attachments:
        try:
            check_upload(uploaded)
        except ApplicationError as exc:
            messages = [f"{uploaded.name}: {m}" for m in exc.message_dict["file"]]
            raise ApplicationError({"attachments": messages}) from None


def _attach(
    actor: Actor, attachments: Sequence[UploadedFile], **filing: Any
) -> dict[str, list[str]]:
    """Store already-checked attachments of one filing; returns what the filing's audit row
    holds of them: their names and SHA-256 digests."""
    stored = []
    for uploaded in attachments:
        # Django's upload handlers always set the size (None only on a hand-built
        # UploadedFile), and check_upload refused a file without a name
        assert uploaded.size is not None
        stored.append(
            FilingAttachment.objects.create(
                content_type=check_upload(uploaded),
                file=store_upload(FilingAttachment, uploaded),
                original_name=(uploaded.name or "")[:200],
                size=uploaded.size,
                sha256=upload_sha256(uploaded),
                uploaded_by=actor if actor and actor.is_authenticated else None,
                **filing,
            )
        )
    return {
        "attachments": [item.original_name for item in stored],
        "attachment_sha256": [item.sha256 for item in stored],
    }


@removed_unless_committed
@transaction.atomic
def objection_file(
    *,
    actor: Actor,
    record: IntegrityRecord,
    grounds: str,
    attachments: Sequence[UploadedFile] = (),
    today: datetime.date | None = None,
) -> Objection:
    """File an objection (an official on the subject's behalf, or — through self-service —
    the subject). The record shows "under objection" until it is decided. Attachments are
    checked before anything is written."""
    today = _today(today)
    _check_attachments(attachments)
    record = _lock(IntegrityRecord, record)
    refuse_if(objection_refusal(record))
    if not (grounds or "").strip():
        raise ApplicationError({"grounds": _("Say what is wrong with the record.")})
    objection = Objection.objects.create(
        record=record,
        grounds=grounds.strip(),
        filed_by=actor if actor and actor.is_authenticated else None,
        filed_on=today,
        due_on=objection_due_on(today),
        status_before=record.status,
    )
    files = _attach(actor, attachments, objection=objection)
    # Only a record in force is marked "under objection" (and keeps counting while the
    # objection is decided); one still in its notice period stays pending: it neither counts
    # nor publishes until the objection is decided (the sweep waits for it).
    if record.status == RecordStatus.ACTIVE:
        record_status_set(record, actor, "record.objection_filed", RecordStatus.UNDER_OBJECTION)
    audit_log(actor=actor, action="objection.file", obj=objection, subject=record.subject,
              new={"record": record.pk, "due_on": objection.due_on, **files})  # fmt: skip
    with letter_language():  # the person's letter, whoever acts
        notice_issue(
            subject=named_subject(record), record=record, kind=NoticeKind.OBJECTION_RECEIVED,
            title=_("Objection received"),
            body=_("Your objection to %(record)s was received on %(date)s and will be decided by "
                   "%(due)s.") % {"record": record_line(record), "date": today.isoformat(),
                                  "due": objection.due_on.isoformat()},
            today=today,
        )  # fmt: skip
    return objection


CORRECTABLE = ("amount", "obligation", "facts", "performance_status", "publication_end")


@transaction.atomic
def objection_decide(
    *,
    actor: Actor,
    objection: Objection,
    outcome: str,
    reasons: str,
    corrections: dict[str, Any] | None = None,
    today: datetime.date | None = None,
) -> Objection:
    """Decide an objection. Upheld: the record is revoked. Partly upheld: the corrections are
    applied now (the law allows 3 working days; the due date is recorded). Rejected: the
    record returns to where it was. The outcome notice opens a 10-day appeal window."""
    today = _today(today)
    objection = _lock(Objection, objection)
    record = _lock(IntegrityRecord, objection.record)
    require_official(actor, authority=record.authority, roles=(REVIEWER, SUPERVISOR))
    refuse_if(pending_refusal(objection))
    if outcome not in ("upheld", "partly_upheld", "rejected"):
        raise ApplicationError({"outcome": _("Choose an outcome.")})
    if not (reasons or "").strip():
        raise ApplicationError({"reasons": _("Give the reasons for the outcome.")})
    objection.outcome = outcome
    objection.reasons = reasons.strip()
    objection.decided_by = actor
    objection.decided_on = today
    objection.appeal_until = add_days(today, settings.SCS_APPEAL_FILING_DAYS)
    # a listing removed while the objection was pending (e.g. on performance) stays removed
    still_listed = record.status == RecordStatus.UNDER_OBJECTION
    if outcome == "upheld":
        if still_listed or record.status == RecordStatus.PENDING_NOTICE:
            record_status_set(record, actor, "record.revoke", RecordStatus.REVOKED,
                        removed_at=timezone.now(), removal_reason="objection_upheld")  # fmt: skip
    else:
        if outcome == "partly_upheld":
            _apply_corrections(record, actor, corrections or {})
            objection.correction_due_on = add_working_days(today, 3)
            objection.corrected_on = today
        if still_listed:
            record_status_set(record, actor, "record.objection_closed", objection.status_before)
        if (
            record.performance_status == PerformanceStatus.PERFORMED
            and record.record_type.places_on_blacklist
            and record.status in REMOVABLE
        ):
            # a correction to "performed": the listing goes, as on any performance event
            record_event_add(record, actor, kind=RecordEventKind.PERFORMED, date=today,
                          source="objection", today=today)  # fmt: skip
    objection.save()
    audit_log(actor=actor, action="objection.decide", obj=objection, subject=record.subject,
              old={"outcome": "pending"},
              new={"outcome": outcome, "corrections": corrections or {}})  # fmt: skip
    with letter_language():  # the person's letter, whoever acts
        notice_issue(
            subject=named_subject(record), record=record, kind=NoticeKind.OBJECTION_OUTCOME,
            title=_("Decision on your objection"),
            body=_("Your objection to %(record)s: %(outcome)s. Reasons: %(reasons)s. You may "
                   "appeal to %(parent)s until %(until)s.")
            % {"record": record_line(record), "outcome": objection.get_outcome_display(),
               "reasons": objection.reasons,
               "parent": record.authority.parent.name if record.authority.parent else "—",
               "until": objection.appeal_until.isoformat()},
            today=today,
        )  # fmt: skip
    return objection


def _apply_corrections(record: IntegrityRecord, actor: Actor, corrections: dict[str, Any]) -> None:
    unknown = set(corrections) - set(CORRECTABLE)
    if unknown or not corrections:
        raise ApplicationError(
            {"corrections": _("A partly upheld objection corrects one of: %(fields)s.")
             % {"fields": ", ".join(CORRECTABLE)}}
        )  # fmt: skip
    new_end = corrections.get("publication_end")
    if new_end is not None and (
        record.publication_end is None
        or new_end > record.publication_end
        or (record.publication_start and new_end < record.publication_start)
    ):
        raise ApplicationError(
            {"publication_end": _("A correction can only shorten the publication period.")}
        )
    old = {name: getattr(record, name) for name in corrections}
    for name, value in corrections.items():
        setattr(record, name, value)
    record.save()
    mark_dirty([record.subject_id])
    audit_log(actor=actor, action="record.correct", obj=record, subject=record.subject,
              old=old, new=corrections)  # fmt: skip


@transaction.atomic
def appeal_file(
    *, actor: Actor, objection: Objection, grounds: str, today: datetime.date | None = None
) -> Appeal:
    """Appeal an objection outcome to the parent authority within 10 days of the outcome."""
    today = _today(today)
    objection = _lock(Objection, objection)
    refuse_if(appeal_refusal(objection, today=today))
    parent = objection.record.authority.parent
    assert parent is not None  # appeal_refusal refused an authority with no higher one
    if not (grounds or "").strip():
        raise ApplicationError({"grounds": _("Give the grounds of the appeal.")})
    appeal = Appeal.objects.create(
        objection=objection, authority=parent, grounds=grounds.strip(),
        filed_by=actor if actor and actor.is_authenticated else None,
        filed_on=today, due_on=objection_due_on(today),
    )  # fmt: skip
    audit_log(actor=actor, action="appeal.file", obj=appeal, subject=objection.record.subject,
              new={"authority": parent.code, "due_on": appeal.due_on})  # fmt: skip
    return appeal


@transaction.atomic
def appeal_decide(
    *, actor: Actor, appeal: Appeal, upheld: bool, reasons: str,
    today: datetime.date | None = None,
) -> Appeal:  # fmt: skip
    """Decided by a reviewer of the parent authority. Upheld: the record is revoked."""
    today = _today(today)
    appeal = _lock(Appeal, appeal)
    require_official(actor, authority=appeal.authority, roles=(REVIEWER, SUPERVISOR))
    refuse_if(pending_refusal(appeal))
    if not (reasons or "").strip():
        raise ApplicationError({"reasons": _("Give the reasons for the outcome.")})
    record = _lock(IntegrityRecord, appeal.objection.record)
    appeal.state = "upheld" if upheld else "rejected"
    appeal.reasons = reasons.strip()
    appeal.decided_by = actor
    appeal.decided_on = today
    appeal.save()
    if upheld and record.status in REMOVABLE:
        record_status_set(record, actor, "record.revoke", RecordStatus.REVOKED,
                    removed_at=timezone.now(), removal_reason="objection_upheld")  # fmt: skip
    audit_log(actor=actor, action="appeal.decide", obj=appeal, subject=record.subject,
              old={"state": "pending"}, new={"state": appeal.state})  # fmt: skip
    with letter_language():  # the person's letter, whoever acts
        notice_issue(
            subject=named_subject(record), record=record, kind=NoticeKind.APPEAL_OUTCOME,
            title=_("Decision on your appeal"),
            body=_("%(authority)s decided your appeal about %(record)s: %(outcome)s. Reasons: "
                   "%(reasons)s") % {"authority": appeal.authority.name,
                                     "record": record_line(record),
                                     "outcome": appeal.get_state_display(),
                                     "reasons": appeal.reasons},
            today=today,
        )  # fmt: skip
    return appeal


@removed_unless_committed
@transaction.atomic
def repair_apply(
    *, actor: Actor, record: IntegrityRecord, grounds: str,
    attachments: Sequence[UploadedFile] = (), today: datetime.date | None = None,
) -> RepairApplication:  # fmt: skip
    """Apply for credit repair (free). Attachments are checked before anything is written."""
    today = _today(today)
    _check_attachments(attachments)
    record = _lock(IntegrityRecord, record)
    refuse_if(repair_refusal(record, today=today))
    if not (grounds or "").strip():
        raise ApplicationError({"grounds": _("Describe the corrective action taken.")})
    application = RepairApplication.objects.create(
        record=record, grounds=grounds.strip(),
        filed_by=actor if actor and actor.is_authenticated else None,
        filed_on=today, due_on=repair_due_on(today),
    )  # fmt: skip
    files = _attach(actor, attachments, repair=application)
    audit_log(actor=actor, action="repair.apply", obj=application, subject=record.subject,
              new={"record": record.pk, "due_on": application.due_on, **files})  # fmt: skip
    return application


@transaction.atomic
def repair_decide(
    *, actor: Actor, application: RepairApplication, granted: bool, reasons: str,
    today: datetime.date | None = None,
) -> RepairApplication:  # fmt: skip
    """A reviewer decides. Granted: the entry leaves the public list at once and its points
    stop counting (status ``repaired``)."""
    today = _today(today)
    application = _lock(RepairApplication, application)
    record = _lock(IntegrityRecord, application.record)
    require_official(actor, authority=record.authority, roles=(REVIEWER, SUPERVISOR))
    refuse_if(pending_refusal(application))
    if not (reasons or "").strip():
        raise ApplicationError({"reasons": _("Give the reasons for the outcome.")})
    application.state = "granted" if granted else "refused"
    application.reasons = reasons.strip()
    application.decided_by = actor
    application.decided_on = today
    application.save()
    if granted:
        record_status_set(record, actor, "record.repair", RecordStatus.REPAIRED,
                    removed_at=timezone.now(), removal_reason="repair")  # fmt: skip
    audit_log(actor=actor, action="repair.decide", obj=application, subject=record.subject,
              old={"state": "pending"}, new={"state": application.state})  # fmt: skip
    with letter_language():  # the person's letter, whoever acts
        notice_issue(
            subject=named_subject(record), record=record, kind=NoticeKind.REPAIR_OUTCOME,
            title=_("Decision on your credit repair application"),
            body=_("Your application about %(record)s: %(outcome)s. Reasons: %(reasons)s")
            % {"record": record_line(record), "outcome": application.get_state_display(),
               "reasons": application.reasons},
            today=today,
        )  # fmt: skip
    return application
