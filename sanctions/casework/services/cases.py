"""Cases: the officials' unit of work that produces a record. A clerk drafts (with
evidence), a reviewer other than every drafter and editor decides (four-eyes), the decision
notice is served, the case closes."""

from __future__ import annotations

import datetime
import decimal
from typing import Any, TypeVar

from django.contrib.auth.models import User
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from sanctions.casework.eligibility import case_step_refusal, review_case_refusal
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
from sanctions.kernel.workdays import add_working_days
from sanctions.models import (
    Authority,
    Case,
    CaseNote,
    CaseState,
    EvidenceFile,
    IntegrityRecord,
    Notice,
    RecordType,
    Subject,
)
from sanctions.registry.services.catalog import check_issuer
from sanctions.registry.services.records import (
    named_subject,
    record_create,
    record_serve_notice,
)

M = TypeVar("M", bound=Model)


def _lock(model: type[M], obj: M) -> M:
    return model._default_manager.select_for_update().get(pk=obj.pk)


@transaction.atomic
def case_create(
    *,
    actor: Actor,
    subject: Subject,
    record_type: RecordType,
    title: str,
    facts: str,
    legal_basis: str = "",
    basis_document: str = "",
    amount: decimal.Decimal | None = None,
    obligation: str = "",
    judicial_ground: int | None = None,
    publication_days: int | None = None,
    assignee: User | None = None,
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
    assert actor is not None  # require_official refused the system
    require_state(case, "state", (CaseState.DRAFT, CaseState.UNDER_REVIEW))
    content_type = check_upload(uploaded)
    # Django's upload handlers always set the size (None only on a hand-built UploadedFile),
    # and check_upload refused a file without a name
    assert uploaded.size is not None
    evidence = EvidenceFile.objects.create(
        case=case,
        file=store_upload(EvidenceFile, uploaded),
        original_name=(uploaded.name or "")[:255],
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


@transaction.atomic
def case_note_add(*, actor: Actor, case: Case, text: str) -> CaseNote:
    require_official(actor, authority=case.authority, roles=(CLERK, REVIEWER, SUPERVISOR))
    assert actor is not None  # require_official refused the system
    if not (text or "").strip():
        raise ApplicationError({"text": _("The note is empty.")})
    note = CaseNote.objects.create(case=case, author=actor, text=text.strip())
    audit_log(actor=actor, action="case.note", obj=case, subject=case.subject,
              new={"note": note.text[:200]})  # fmt: skip
    return note


def case_transition(case: Case, actor: Actor, action: str, new_state: str, **extra: Any) -> Case:
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
    refuse_if(case_step_refusal(case, "submit"))
    if not case.evidence.exists():
        raise ApplicationError(_("Attach the evidence before submitting the case for review."))
    return case_transition(case, actor, "case.submit", CaseState.UNDER_REVIEW)


def _refuse_review_case(case: Case) -> None:
    refuse_if(review_case_refusal(case))


@transaction.atomic
def case_return(*, actor: Actor, case: Case, note: str) -> Case:
    """under_review → draft, with the reviewer's note on what is missing."""
    case = _lock(Case, case)
    require_official(actor, authority=case.authority, roles=(REVIEWER, SUPERVISOR))
    assert actor is not None  # require_official refused the system
    refuse_if(case_step_refusal(case, "return"))
    if not (note or "").strip():
        raise ApplicationError({"note": _("Say what is missing.")})
    CaseNote.objects.create(case=case, author=actor, text=note.strip())
    return case_transition(case, actor, "case.return", CaseState.DRAFT)


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
    assert actor is not None  # require_official refused the system
    refuse_if(case_step_refusal(case, "decide"))
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
        subject=named_subject(case),
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
    case_transition(
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
    refuse_if(case_step_refusal(case, "serve"))
    notice = record_serve_notice(actor=actor, record=case.records.get(), today=today)
    case_transition(case, actor, "case.notify", CaseState.NOTIFIED)
    return notice


@transaction.atomic
def case_close(*, actor: Actor, case: Case) -> Case:
    case = _lock(Case, case)
    require_official(actor, authority=case.authority, roles=(CLERK, REVIEWER, SUPERVISOR))
    refuse_if(case_step_refusal(case, "close"))
    return case_transition(case, actor, "case.close", CaseState.CLOSED)


@transaction.atomic
def case_withdraw(*, actor: Actor, case: Case, reason: str) -> Case:
    case = _lock(Case, case)
    require_official(actor, authority=case.authority, roles=(CLERK, REVIEWER, SUPERVISOR))
    # a review ends with its conclusion, never by withdrawal
    refuse_if(case_step_refusal(case, "withdraw"))
    if not (reason or "").strip():
        raise ApplicationError({"reason": _("Give the reason for withdrawing the case.")})
    return case_transition(case, actor, "case.withdraw", CaseState.WITHDRAWN,
                       withdrawal_reason=reason.strip())  # fmt: skip


CASE_EDITABLE = ("title", "facts", "legal_basis", "basis_document", "amount", "obligation",
                 "judicial_ground", "publication_days", "assignee", "due_date",
                 "record_type")  # fmt: skip


@transaction.atomic
def case_update(*, actor: Actor, case: Case, **fields: Any) -> Case:
    """Edit a draft (the facts can change only before review)."""
    case = _lock(Case, case)
    require_official(actor, authority=case.authority, roles=(CLERK, SUPERVISOR))
    assert actor is not None  # require_official refused the system
    require_state(case, "state", (CaseState.DRAFT,))
    _refuse_review_case(case)  # its facts are the listing's: nothing to edit
    unknown = set(fields) - set(CASE_EDITABLE)
    if unknown:
        raise ApplicationError(_("These fields cannot be edited: %(f)s") % {"f": sorted(unknown)})
    record_type = fields.get("record_type", case.record_type)
    check_issuer(record_type=record_type, authority=case.authority)
    if named_subject(case).kind not in record_type.subject_kinds:
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
