"""Casework and due process (DESIGN.md §6): the case state machine with four-eyes, notices,
the publication sweep, removal and extension of listings, objections, appeals, credit repair
and the access log.

Every function that changes legal state is one transaction that also writes its AuditEvent;
e-mail leaves only after commit.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from sanctions.eligibility import (
    appeal_refusal,
    extension_refusal,
    objection_refusal,
    repair_refusal,
)
from sanctions.kernel import rules
from sanctions.kernel.audit import audit_log
from sanctions.kernel.errors import ApplicationError, refuse_if, require_state
from sanctions.kernel.roles import (
    CLERK,
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
    Authority,
    Case,
    CaseNote,
    CaseState,
    EvidenceFile,
    FilingAttachment,
    IntegrityRecord,
    Notice,
    NoticeKind,
    Objection,
    PerformanceStatus,
    RecordEvent,
    RecordEventKind,
    RecordStatus,
    RepairApplication,
    Subject,
)
from sanctions.models.casework import OPEN_CASE_STATES
from sanctions.registry.services.catalog import check_issuer
from sanctions.registry.services.notices import letter_language, notice_issue, record_line
from sanctions.registry.services.records import (
    EVENT_OF_REMOVAL,
    REMOVABLE,
    mark_dirty,
    record_create,
    record_event_add,
    record_serve_notice,
    record_status_set,
)


def _today(today: datetime.date | None) -> datetime.date:
    return today or timezone.localdate()


def _lock(model, obj):
    return model.objects.select_for_update().get(pk=obj.pk)


@transaction.atomic
def case_create(
    *,
    actor: Actor,
    subject: Subject,
    record_type,
    title: str,
    facts: str,
    legal_basis: str = "",
    basis_document: str = "",
    amount=None,
    obligation: str = "",
    judicial_ground: int | None = None,
    publication_days: int | None = None,
    assignee=None,
    due_date: datetime.date | None = None,
    authority: Authority | None = None,
) -> Case:
    """A clerk drafts a case for their own authority."""
    official = getattr(actor, "official", None)
    authority = authority or (official.authority if official else None)
    if authority is None:
        raise ApplicationError(_("Only officials may draft cases."), code="forbidden")
    require_official(actor, authority=authority, roles=(CLERK, SUPERVISOR))
    check_issuer(record_type=record_type, authority=authority)
    if subject.kind not in record_type.subject_kinds:
        raise ApplicationError(
            {"record_type": _("This record type does not apply to this kind of subject.")}
        )
    if not (title or "").strip() or not (facts or "").strip():
        raise ApplicationError(_("A case needs a title and the facts."), code="required")
    case = Case.objects.create(
        subject=subject,
        authority=authority,
        record_type=record_type,
        title=title.strip(),
        facts=facts.strip(),
        legal_basis=legal_basis,
        basis_document=basis_document,
        amount=amount,
        obligation=obligation,
        judicial_ground=judicial_ground,
        publication_days=publication_days,
        drafted_by=actor,
        assignee=assignee or actor,
        due_date=due_date or add_working_days(timezone.localdate(), 15),
    )
    audit_log(
        actor=actor,
        action="case.create",
        obj=case,
        subject=subject,
        new={"title": case.title, "record_type": record_type.code, "state": case.state},
    )
    return case


@removed_unless_committed
@transaction.atomic
def evidence_add(
    *, actor: Actor, case: Case, uploaded: UploadedFile, description: str = ""
) -> EvidenceFile:
    """Attach evidence: PDF, PNG or JPEG, checked by name and content, at most
    SCS_EVIDENCE_MAX_BYTES. The file is stored under a random name and deleted again unless
    the transaction it was written in commits (also an outer one: the admin's add form)."""
    case = _lock(Case, case)
    require_official(actor, authority=case.authority, roles=(CLERK, REVIEWER, SUPERVISOR))
    require_state(case, "state", (CaseState.DRAFT, CaseState.UNDER_REVIEW))
    content_type = check_upload(uploaded)
    evidence = EvidenceFile.objects.create(
        case=case,
        file=store_upload(EvidenceFile, uploaded),
        original_name=uploaded.name[:255],
        content_type=content_type,
        size=uploaded.size,
        sha256=upload_sha256(uploaded),
        description=description,
        uploaded_by=actor,
    )
    audit_log(
        actor=actor,
        action="case.evidence_add",
        obj=case,
        subject=case.subject,
        new={"file": evidence.original_name, "sha256": evidence.sha256, "size": evidence.size},
    )
    return evidence


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


def _attach(actor: Actor, attachments: Sequence[UploadedFile], **filing: Any) -> dict:
    """Store already-checked attachments of one filing; returns what the filing's audit row
    holds of them: their names and SHA-256 digests."""
    stored = [
        FilingAttachment.objects.create(
            content_type=check_upload(uploaded),
            file=store_upload(FilingAttachment, uploaded),
            original_name=uploaded.name[:200],
            size=uploaded.size,
            sha256=upload_sha256(uploaded),
            uploaded_by=actor if actor and actor.is_authenticated else None,
            **filing,
        )
        for uploaded in attachments
    ]
    return {
        "attachments": [item.original_name for item in stored],
        "attachment_sha256": [item.sha256 for item in stored],
    }


@transaction.atomic
def case_note_add(*, actor: Actor, case: Case, text: str) -> CaseNote:
    require_official(actor, authority=case.authority, roles=(CLERK, REVIEWER, SUPERVISOR))
    if not (text or "").strip():
        raise ApplicationError({"text": _("The note is empty.")})
    note = CaseNote.objects.create(case=case, author=actor, text=text.strip())
    audit_log(actor=actor, action="case.note", obj=case, subject=case.subject,
              new={"note": note.text[:200]})  # fmt: skip
    return note


def _transition(case: Case, actor: Actor, action: str, new_state: str, **extra: Any) -> Case:
    old_state = case.state
    case.state = new_state
    for key, value in extra.items():
        setattr(case, key, value)
    case.save()
    audit_log(
        actor=actor,
        action=action,
        obj=case,
        subject=case.subject,
        old={"state": old_state},
        new={"state": new_state, **{k: v for k, v in extra.items() if k != "decided_by"}},
    )
    return case


@transaction.atomic
def case_submit(*, actor: Actor, case: Case) -> Case:
    """draft → under_review; needs at least one piece of evidence."""
    case = _lock(Case, case)
    require_official(actor, authority=case.authority, roles=(CLERK, SUPERVISOR))
    require_state(case, "state", (CaseState.DRAFT,))
    _refuse_review_case(case)
    if not case.evidence.exists():
        raise ApplicationError(_("Attach the evidence before submitting the case for review."))
    return _transition(case, actor, "case.submit", CaseState.UNDER_REVIEW)


def _refuse_review_case(case: Case) -> None:
    if case.review_of_id is not None:
        raise ApplicationError(
            _("A review case creates no record: conclude the review (continue the listing or "
              "remove it)."), code="state")  # fmt: skip


@transaction.atomic
def case_return(*, actor: Actor, case: Case, note: str) -> Case:
    """under_review → draft, with the reviewer's note on what is missing."""
    case = _lock(Case, case)
    require_official(actor, authority=case.authority, roles=(REVIEWER, SUPERVISOR))
    require_state(case, "state", (CaseState.UNDER_REVIEW,))
    if not (note or "").strip():
        raise ApplicationError({"note": _("Say what is missing.")})
    CaseNote.objects.create(case=case, author=actor, text=note.strip())
    return _transition(case, actor, "case.return", CaseState.DRAFT)


@transaction.atomic
def case_decide(
    *,
    actor: Actor,
    case: Case,
    decision_number: str,
    decision_date: datetime.date,
    today: datetime.date | None = None,
) -> IntegrityRecord:
    """under_review → decided: a reviewer other than the drafter decides; the record is
    created with its windows (refused where the law forbids the listing)."""
    case = _lock(Case, case)
    require_official(actor, authority=case.authority, roles=(REVIEWER, SUPERVISOR))
    require_state(case, "state", (CaseState.UNDER_REVIEW,))
    _refuse_review_case(case)
    if case.drafted_by_id == actor.pk:
        raise ApplicationError(
            _("Four-eyes rule: the official who drafted a case cannot decide it."),
            code="four_eyes",
        )
    if actor.pk in case.editors:
        raise ApplicationError(
            _("Four-eyes rule: an official who edited the draft cannot decide the case."),
            code="four_eyes",
        )
    record = record_create(
        actor=actor,
        subject=case.subject,
        record_type=case.record_type,
        authority=case.authority,
        decision_number=decision_number,
        decision_date=decision_date,
        legal_basis=case.legal_basis,
        basis_document=case.basis_document,
        facts=case.facts,
        amount=case.amount,
        obligation=case.obligation,
        judicial_ground=case.judicial_ground,
        publication_days=case.publication_days,
        today=today,
        case=case,
    )
    _transition(
        case,
        actor,
        "case.decide",
        CaseState.DECIDED,
        decided_by=actor,
        decided_at=timezone.now(),
        decision_number=record.decision_number,
        decision_date=decision_date,
    )
    return record


@transaction.atomic
def case_serve_notice(*, actor: Actor, case: Case, today: datetime.date | None = None) -> Notice:
    """decided → notified: the decision notice is served; the notice period starts today."""
    case = _lock(Case, case)
    require_official(actor, authority=case.authority, roles=(CLERK, REVIEWER, SUPERVISOR))
    require_state(case, "state", (CaseState.DECIDED,))
    notice = record_serve_notice(actor=actor, record=case.records.get(), today=today)
    _transition(case, actor, "case.notify", CaseState.NOTIFIED)
    return notice


@transaction.atomic
def case_close(*, actor: Actor, case: Case) -> Case:
    case = _lock(Case, case)
    require_official(actor, authority=case.authority, roles=(CLERK, REVIEWER, SUPERVISOR))
    require_state(case, "state", (CaseState.NOTIFIED,))
    return _transition(case, actor, "case.close", CaseState.CLOSED)


@transaction.atomic
def case_withdraw(*, actor: Actor, case: Case, reason: str) -> Case:
    case = _lock(Case, case)
    require_official(actor, authority=case.authority, roles=(CLERK, REVIEWER, SUPERVISOR))
    require_state(case, "state", (CaseState.DRAFT, CaseState.UNDER_REVIEW))
    _refuse_review_case(case)  # a review ends with its conclusion, never by withdrawal
    if not (reason or "").strip():
        raise ApplicationError({"reason": _("Give the reason for withdrawing the case.")})
    return _transition(case, actor, "case.withdraw", CaseState.WITHDRAWN,
                       withdrawal_reason=reason.strip())  # fmt: skip


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


@transaction.atomic
def record_extend_listing(
    *, actor: Actor, record: IntegrityRecord, years: int, reason: str,
    today: datetime.date | None = None,
) -> IntegrityRecord:  # fmt: skip
    """Extend a judicial listing (grounds 2–6) once, by 1–3 years, by a recorded decision."""
    record = _lock(IntegrityRecord, record)
    require_official(actor, authority=record.authority, roles=(REVIEWER, SUPERVISOR))
    refuse_if(extension_refusal(record))
    if years not in (1, 2, 3):
        raise ApplicationError({"years": _("An extension is 1, 2 or 3 years.")})
    if not (reason or "").strip():
        raise ApplicationError({"reason": _("An extension needs a recorded reason.")})
    old_end, old_until = record.publication_end, record.effective_until
    record.publication_end = old_end + datetime.timedelta(days=365 * years)
    record.effective_until = max(record.effective_until or old_end, record.publication_end)
    record.listing_extended_at = timezone.now()
    record.extension_reason = reason.strip()
    record.save()
    mark_dirty([record.subject_id])
    audit_log(actor=actor, action="record.extend", obj=record, subject=record.subject,
              old={"publication_end": old_end, "effective_until": old_until},
              new={"publication_end": record.publication_end,
                   "effective_until": record.effective_until,
                   "reason": record.extension_reason})  # fmt: skip
    with letter_language():  # the person's letter, whoever acts
        notice_issue(
            subject=record.subject, record=record, kind=NoticeKind.EXTENSION,
            title=_("Extension of listing %(number)s") % {"number": record.decision_number},
            body=_("The listing %(record)s is extended until %(date)s. Reason: %(reason)s")
            % {"record": record_line(record), "date": record.publication_end.isoformat(),
               "reason": reason},
            today=today,
        )  # fmt: skip
    return record


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
            subject=record.subject, record=record, kind=NoticeKind.OBJECTION_RECEIVED,
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
    require_state(objection, "outcome", ("pending",))
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
            subject=record.subject, record=record, kind=NoticeKind.OBJECTION_OUTCOME,
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


def _apply_corrections(record: IntegrityRecord, actor: Actor, corrections: dict) -> None:
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
    require_state(appeal, "state", ("pending",))
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
            subject=record.subject, record=record, kind=NoticeKind.APPEAL_OUTCOME,
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
    require_state(application, "state", ("pending",))
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
            subject=record.subject, record=record, kind=NoticeKind.REPAIR_OUTCOME,
            title=_("Decision on your credit repair application"),
            body=_("Your application about %(record)s: %(outcome)s. Reasons: %(reasons)s")
            % {"record": record_line(record), "outcome": application.get_state_display(),
               "reasons": application.reasons},
            today=today,
        )  # fmt: skip
    return application


CASE_EDITABLE = ("title", "facts", "legal_basis", "basis_document", "amount", "obligation",
                 "judicial_ground", "publication_days", "assignee", "due_date",
                 "record_type")  # fmt: skip


@transaction.atomic
def case_update(*, actor: Actor, case: Case, **fields: Any) -> Case:
    """Edit a draft (the facts can change only before review)."""
    case = _lock(Case, case)
    require_official(actor, authority=case.authority, roles=(CLERK, SUPERVISOR))
    require_state(case, "state", (CaseState.DRAFT,))
    _refuse_review_case(case)  # its facts are the listing's: nothing to edit
    unknown = set(fields) - set(CASE_EDITABLE)
    if unknown:
        raise ApplicationError(_("These fields cannot be edited: %(f)s") % {"f": sorted(unknown)})
    record_type = fields.get("record_type", case.record_type)
    check_issuer(record_type=record_type, authority=case.authority)
    if case.subject.kind not in record_type.subject_kinds:
        raise ApplicationError(
            {"record_type": _("This record type does not apply to this kind of subject.")}
        )
    old = {name: getattr(case, name) for name in fields}
    changed = {k: v for k, v in fields.items() if old[k] != v}
    for name, value in changed.items():
        setattr(case, name, value)
    if changed:
        if actor.pk not in case.editors:  # four-eyes: an editor may not decide it
            case.editors = [*case.editors, actor.pk]
        case.save()
        audit_log(actor=actor, action="case.update", obj=case, subject=case.subject,
                  old={k: old[k] for k in changed}, new=changed)  # fmt: skip
    return case


REVIEW_OUTCOMES = ("continue", *EVENT_OF_REMOVAL)


def review_cases_open(*, today: datetime.date | None = None) -> int:
    """Daily: open a review case for every ground-1 listing whose review falls due (court
    rules: listed until performance, reviewed at two years), with a notice to the person.
    Idempotent: a listing with an open review case is skipped (and a unique constraint
    refuses a second one). Returns how many were opened."""
    today = _today(today)
    due = (
        IntegrityRecord.objects.filter(
            review_due_on__lte=today,
            status__in=[RecordStatus.ACTIVE, RecordStatus.UNDER_OBJECTION],
        )
        .exclude(review_cases__state__in=OPEN_CASE_STATES)
        .values_list("pk", flat=True)
    )
    opened = 0
    for pk in due.iterator():
        with transaction.atomic():
            record = IntegrityRecord.objects.select_for_update().get(pk=pk)
            if (
                record.status not in (RecordStatus.ACTIVE, RecordStatus.UNDER_OBJECTION)
                or record.review_due_on is None
                or record.review_due_on > today
                or record.review_cases.filter(state__in=OPEN_CASE_STATES).exists()
            ):
                continue
            _review_case_create(record, today)
            opened += 1
    return opened


def _review_case_create(record: IntegrityRecord, today: datetime.date) -> Case:
    case = Case.objects.create(
        subject=record.subject, authority=record.authority, record_type=record.record_type,
        review_of=record,
        title=_("Two-year review of listing %(number)s") % {"number": record.decision_number},
        facts=_("The listing %(record)s (ground 1: until performance) falls due for its "
                "mandatory review on %(date)s. Check whether the debtor is still able to "
                "perform and refuses; conclude the review by continuing the listing or "
                "removing it.") % {"record": record_line(record),
                                   "date": record.review_due_on.isoformat()},
        basis_document=record.basis_document, amount=record.amount,
        obligation=record.obligation, judicial_ground=record.judicial_ground,
        decision_number=record.decision_number, decision_date=record.decision_date,
        drafted_by=None, assignee=None, due_date=add_working_days(today, 15),
    )  # fmt: skip
    audit_log(actor=None, action="case.review_open", obj=case, subject=record.subject,
              new={"record": record.pk, "review_due_on": record.review_due_on,
                   "due_date": case.due_date})  # fmt: skip
    with letter_language():  # the person's letter, whoever acts
        notice_issue(
            subject=record.subject, record=record, kind=NoticeKind.REVIEW,
            title=_("Review of listing %(number)s") % {"number": record.decision_number},
            body=_("%(authority)s is reviewing your listing %(record)s, as the rules require "
                   "every two years. It will tell you the outcome by %(due)s. You may send it "
                   "evidence of performance or of your inability to perform.")
            % {"authority": record.authority.name, "record": record_line(record),
               "due": case.due_date.isoformat()},
            today=today,
        )  # fmt: skip
    return case


@transaction.atomic
def review_case_conclude(
    *, actor: Actor, case: Case, outcome: str, reasons: str, today: datetime.date | None = None
) -> Case:
    """A reviewer concludes a ground-1 review: ``continue`` keeps the listing (next review in
    two years) or a removal reason (performed, settlement, withdrawal, revocation) removes it
    through the same event as any other removal. The case closes; the person is told."""
    today = _today(today)
    case = _lock(Case, case)
    require_official(actor, authority=case.authority, roles=(REVIEWER, SUPERVISOR))
    if case.review_of_id is None:
        raise ApplicationError(_("This is not a review case."), code="state")
    require_state(case, "state", (CaseState.DRAFT, CaseState.UNDER_REVIEW))
    if outcome not in REVIEW_OUTCOMES:
        raise ApplicationError({"outcome": _("Choose the outcome of the review.")})
    if not (reasons or "").strip():
        raise ApplicationError({"reasons": _("Give the reasons for the outcome.")})
    record = _lock(IntegrityRecord, case.review_of)
    if outcome == "continue":
        require_state(record, "status", (RecordStatus.ACTIVE, RecordStatus.UNDER_OBJECTION))
        old_due = record.review_due_on
        record.review_due_on = add_days(today, rules.JUDICIAL_REVIEW_DAYS)
        record.save(update_fields=["review_due_on", "updated_at"])
        audit_log(actor=actor, action="record.review_continue", obj=record,
                  subject=record.subject, old={"review_due_on": old_due},
                  new={"review_due_on": record.review_due_on,
                       "reasons": reasons.strip()})  # fmt: skip
        with letter_language():  # the person's letter, whoever acts
            notice_issue(
                subject=record.subject, record=record, kind=NoticeKind.REVIEW,
                title=_("Outcome of the review of listing %(number)s")
                % {"number": record.decision_number},
                body=_("%(authority)s reviewed your listing %(record)s: it continues until the "
                       "obligation is performed. Reasons: %(reasons)s. Next review: %(next)s.")
                % {"authority": record.authority.name, "record": record_line(record),
                   "reasons": reasons.strip(), "next": record.review_due_on.isoformat()},
                today=today,
            )  # fmt: skip
    else:
        require_state(record, "status", REMOVABLE)
        record_event_add(record, actor, kind=EVENT_OF_REMOVAL[outcome], date=today,
                      note=reasons.strip(), source="review", today=today)  # fmt: skip
    return _transition(case, actor, "case.review_conclude", CaseState.CLOSED,
                       decided_by=actor, decided_at=timezone.now())  # fmt: skip


ENDED = (RecordStatus.EXPIRED, RecordStatus.REMOVED, RecordStatus.REVOKED, RecordStatus.REPAIRED)


def retention_due(*, today: datetime.date | None = None):
    """Ended records whose retention period (the type's years after the effective window
    ended: its end date, or the removal if earlier) has run out and that are not erased."""
    from django.db.models import BooleanField
    from django.db.models.expressions import RawSQL

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
    files: list = []
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
        storage, name = stored.storage, stored.name
        transaction.on_commit(lambda storage=storage, name=name: storage.delete(name))
    return True
