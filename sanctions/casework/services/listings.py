"""How long a judicial listing lasts: the mandatory two-year review of ground-1 listings
(opened daily, concluded by a reviewer: continue or remove) and the one extension of a
listing on grounds 2–6 by 1–3 years."""

from __future__ import annotations

import datetime
from typing import TypeVar

from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from sanctions.casework.eligibility import (
    case_step_refusal,
    extension_refusal,
)
from sanctions.casework.services.cases import case_transition
from sanctions.kernel import rules
from sanctions.kernel.audit import audit_log
from sanctions.kernel.errors import ApplicationError, refuse_if, require_state
from sanctions.kernel.roles import (
    REVIEWER,
    SUPERVISOR,
    Actor,
    require_official,
)
from sanctions.kernel.workdays import add_days, add_working_days
from sanctions.models import (
    Case,
    CaseState,
    IntegrityRecord,
    NoticeKind,
    RecordStatus,
)
from sanctions.models.casework import OPEN_CASE_STATES
from sanctions.registry.services.notices import letter_language, notice_issue, record_line
from sanctions.registry.services.records import (
    EVENT_OF_REMOVAL,
    REMOVABLE,
    mark_dirty,
    named_subject,
    record_event_add,
)


def _today(today: datetime.date | None) -> datetime.date:
    return today or timezone.localdate()


M = TypeVar("M", bound=Model)


def _lock(model: type[M], obj: M) -> M:
    return model._default_manager.select_for_update().get(pk=obj.pk)


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
    assert old_end is not None  # extension_refusal refused a listing without an end date
    new_end = old_end + datetime.timedelta(days=365 * years)
    record.publication_end = new_end
    record.effective_until = max(record.effective_until or old_end, new_end)
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
            subject=named_subject(record), record=record, kind=NoticeKind.EXTENSION,
            title=_("Extension of listing %(number)s") % {"number": record.decision_number},
            body=_("The listing %(record)s is extended until %(date)s. Reason: %(reason)s")
            % {"record": record_line(record), "date": new_end.isoformat(),
               "reason": reason},
            today=today,
        )  # fmt: skip
    return record


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
    assert record.review_due_on is not None  # review_cases_open picks listings falling due
    due_date = add_working_days(today, 15)
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
        drafted_by=None, assignee=None, due_date=due_date,
    )  # fmt: skip
    audit_log(actor=None, action="case.review_open", obj=case, subject=record.subject,
              new={"record": record.pk, "review_due_on": record.review_due_on,
                   "due_date": case.due_date})  # fmt: skip
    with letter_language():  # the person's letter, whoever acts
        notice_issue(
            subject=named_subject(record), record=record, kind=NoticeKind.REVIEW,
            title=_("Review of listing %(number)s") % {"number": record.decision_number},
            body=_("%(authority)s is reviewing your listing %(record)s, as the rules require "
                   "every two years. It will tell you the outcome by %(due)s. You may send it "
                   "evidence of performance or of your inability to perform.")
            % {"authority": record.authority.name, "record": record_line(record),
               "due": due_date.isoformat()},
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
    if case.review_of is None:
        raise ApplicationError(_("This is not a review case."), code="state")
    refuse_if(case_step_refusal(case, "conclude_review"))
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
                subject=named_subject(record), record=record, kind=NoticeKind.REVIEW,
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
    return case_transition(case, actor, "case.review_conclude", CaseState.CLOSED,
                       decided_by=actor, decided_at=timezone.now())  # fmt: skip
