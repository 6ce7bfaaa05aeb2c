"""Records (DESIGN.md §5–6): a decision about one subject, from creation to the end of its
listing.

- `record_validate` / `record_create`: every rule a new record passes; windows start at the
  decision date; the record waits in `pending_notice`.
- `record_register`: a decision recorded outside a case (admin, API, import) — the record and
  its decision notice in one transaction; `record_serve_notice` serves a case's notice.
- `record_status_set`: the one way a record changes status (audited, score marked dirty).
- `record_event_report` / `record_remove`: what happened after the decision; a removing
  event (performance, settlement, withdrawal, revocation) takes the listing down at once.
- `mark_dirty`: the subjects whose score may have changed (the scoring runs read the set).

Publication after the notice period: `sanctions.publication.services.publication_sweep`.
Every function that changes legal state is one transaction that also writes its AuditEvent;
e-mail leaves only after commit."""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Iterable
from typing import Any, TypeVar

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from sanctions.kernel import rules
from sanctions.kernel.audit import audit_log
from sanctions.kernel.errors import ApplicationError, Conflict, require_state
from sanctions.kernel.roles import (
    CLERK,
    REVIEWER,
    SUPERVISOR,
    Actor,
    require_official,
    require_operator_or_official,
)
from sanctions.kernel.workdays import add_days
from sanctions.models import (
    REMOVING_EVENTS,
    Authority,
    Case,
    IntegrityRecord,
    Notice,
    NoticeKind,
    PerformanceStatus,
    RecordEvent,
    RecordEventKind,
    RecordStatus,
    RecordType,
    RuleSet,
    Subject,
)
from sanctions.models.core import REMOVABLE_STATUSES
from sanctions.registry.services.catalog import check_issuer
from sanctions.registry.services.notices import letter_language, notice_issue, record_line


def _today(today: datetime.date | None) -> datetime.date:
    return today or timezone.localdate()


M = TypeVar("M", bound=Model)


def _lock(model: type[M], obj: M) -> M:
    return model._default_manager.select_for_update().get(pk=obj.pk)


def named_subject(item: IntegrityRecord | Case) -> Subject:
    """The person a record (or its case) is about. Refused once the retention period ended
    and `record_erase` detached the person: the skeleton left gets no letter, no new event."""
    if item.subject is None:
        raise ApplicationError(
            _("The personal data was erased at the end of the retention period."),
            code="erased",
        )
    return item.subject


# a date before this is a typing mistake, not a decision the portal records
EARLIEST_DECISION_YEAR = 1950


class DuplicateDecisionNumber(ApplicationError):
    """The authority already holds a record with this decision number (callers such as the
    API's submission tell this refusal apart from the other record rules)."""

    @classmethod
    def of(cls, decision_number: str) -> DuplicateDecisionNumber:
        return cls(
            {
                "decision_number": _(
                    "This authority already has a record with decision number %(number)s."
                )
                % {"number": decision_number}
            },
            code="duplicate",
        )


def record_validate(
    *,
    subject: Subject,
    record_type: RecordType,
    authority: Authority,
    decision_number: str,
    decision_date: datetime.date,
    judicial_ground: int | None = None,
    publication_days: int | None = None,
    performance_status: str = PerformanceStatus.UNPERFORMED,
    today: datetime.date | None = None,
) -> rules.Windows:
    """Every rule a new record must pass; returns its windows. Forms call it for field
    errors before `record_create`, which calls it again inside its transaction."""
    today = today or timezone.localdate()
    decision_number = (decision_number or "").strip()
    if not decision_number:
        raise ApplicationError({"decision_number": _("The decision number is required.")})
    # first among the rules: the API answers a number already held with 409, not a 400
    # about another field
    if IntegrityRecord.objects.filter(
        authority=authority, decision_number=decision_number
    ).exists():
        raise DuplicateDecisionNumber.of(decision_number)
    if decision_date > today:
        raise ApplicationError({"decision_date": _("The decision date cannot be in the future.")})
    if decision_date.year < EARLIEST_DECISION_YEAR:
        raise ApplicationError({"decision_date": _("The decision date is implausibly early.")})
    if not record_type.is_active:
        raise ApplicationError({"record_type": _("This record type is no longer in use.")})
    check_issuer(record_type=record_type, authority=authority)
    if subject.kind not in record_type.subject_kinds:
        raise ApplicationError(
            {"record_type": _("This record type does not apply to this kind of subject.")}
        )
    if judicial_ground is not None and not record_type.places_on_blacklist:
        raise ApplicationError(
            {"judicial_ground": _("A listing ground applies only to blacklist records.")}
        )
    if record_type.places_on_blacklist and performance_status == PerformanceStatus.PERFORMED:
        # DESIGN.md §6: a judicial entry whose obligation is performed is never public
        raise ApplicationError(
            {
                "performance_status": _(
                    "An obligation already performed is not listed. Record the decision only "
                    "while it is unperformed; report its performance as an event."
                )
            }
        )

    default_days = (
        RuleSet.objects.filter(state="active")
        .values_list("default_effective_days", flat=True)
        .first()
    )
    return rules.windows_for(
        record_type,
        default_effective_days=default_days,
        subject_kind=subject.kind,
        birth_date=subject.birth_date,
        decision_date=decision_date,
        judicial_ground=judicial_ground,
        publication_days=publication_days,
    )


def record_create(
    *,
    actor: Actor,
    subject: Subject,
    record_type: RecordType,
    authority: Authority,
    decision_number: str,
    decision_date: datetime.date,
    legal_basis: str = "",
    basis_document: str = "",
    facts: str = "",
    amount: decimal.Decimal | None = None,
    obligation: str = "",
    judicial_ground: int | None = None,
    performance_status: str = PerformanceStatus.UNPERFORMED,
    publication_days: int | None = None,
    today: datetime.date | None = None,
    case: Case | None = None,
) -> IntegrityRecord:
    """Record a decision. Windows start at the decision date; the record waits in
    ``pending_notice`` until notice has been served and the notice period has passed."""
    decision_number = (decision_number or "").strip()
    windows = record_validate(
        subject=subject,
        record_type=record_type,
        authority=authority,
        decision_number=decision_number,
        decision_date=decision_date,
        judicial_ground=judicial_ground,
        publication_days=publication_days,
        performance_status=performance_status,
        today=today,
    )
    record = IntegrityRecord(
        subject=subject,
        record_type=record_type,
        authority=authority,
        decision_number=decision_number,
        decision_date=decision_date,
        legal_basis=(legal_basis or record_type.legal_basis).strip(),
        basis_document=(basis_document or "").strip(),
        facts=facts,
        amount=amount,
        obligation=obligation,
        judicial_ground=judicial_ground,
        performance_status=performance_status,
        effective_from=windows.effective_from,
        effective_until=windows.effective_until,
        publication_start=windows.publication_start,
        publication_end=windows.publication_end,
        review_due_on=rules.ground_one_review_due(record_type, judicial_ground, decision_date),
        created_by=actor if actor is not None and actor.is_authenticated else None,
        case=case,
    )
    try:
        with transaction.atomic():
            record.save()

            mark_dirty([subject.pk])
            audit_log(
                actor=actor,
                action="record.create",
                obj=record,
                subject=subject,
                new={
                    "record_type": record_type.code,
                    "authority": authority.code,
                    "decision_number": decision_number,
                    "decision_date": decision_date,
                    "case": case.pk if case else None,
                    "status": record.status,
                    "publication_start": record.publication_start,
                    "publication_end": record.publication_end,
                },
            )
    except IntegrityError as exc:
        if "record_decision_number_unique_per_authority" in str(exc):
            raise DuplicateDecisionNumber.of(decision_number) from None
        raise
    return record


@transaction.atomic
def record_serve_notice(
    *, actor: Actor, record: IntegrityRecord, today: datetime.date | None = None
) -> Notice:
    """Serve the decision notice; the notice period (before publication) starts today."""
    record = _lock(IntegrityRecord, record)
    require_operator_or_official(
        actor, authority=record.authority, roles=(CLERK, REVIEWER, SUPERVISOR)
    )
    return _serve_notice(record, actor, _today(today))


def _serve_notice(record: IntegrityRecord, actor: Actor, today: datetime.date) -> Notice:
    """The decision notice on a locked record (the caller checked who acts)."""
    if record.notice_served_on is not None:
        raise ApplicationError(_("The notice for this record has already been served."))
    publish_from = add_days(today, settings.SCS_NOTICE_PERIOD_DAYS)
    if record.publication_start is not None:
        what = _(
            "Unless you object before %(date)s, it will be published from that date until "
            "%(end)s. You may object to the issuing authority; objections are decided within "
            "15 days."
        ) % {
            "date": publish_from.isoformat(),
            "end": record.publication_end.isoformat()
            if record.publication_end
            else _("performance of the obligation"),
        }
    else:
        what = _("This record is not published. You may object to the issuing authority.")
    with letter_language():  # the person's letter, whoever acts
        notice = notice_issue(
            subject=named_subject(record),
            record=record,
            kind=NoticeKind.DECISION,
            title=_("Notice of decision %(number)s") % {"number": record.decision_number},
            body=_("A decision has been recorded about you: %(record)s.") % {
                "record": record_line(record)
            } + " " + what,
            today=today,
        )  # fmt: skip
    record.notice_served_on = today
    record.save(update_fields=["notice_served_on", "updated_at"])
    audit_log(actor=actor, action="record.notice_served", obj=record, subject=record.subject,
              new={"notice_served_on": today, "notice": notice.pk})  # fmt: skip
    return notice


@transaction.atomic
def record_register(*, actor: Actor, **fields: Any) -> IntegrityRecord:
    """A decision recorded outside a case — in the admin, over the API, as an import row:
    the record and its decision notice in one transaction, so it publishes after the
    notice period exactly like a case's record (whose notice is the case's "serve" step).
    `fields`: those of `record_create`; who may record for the authority is the caller's
    check (the admin's scoped form, the API client's own authority)."""
    record = record_create(actor=actor, **fields)
    _serve_notice(record, actor, _today(fields.get("today")))
    return record


def record_status_set(
    record: IntegrityRecord, actor: Actor, action: str, status: str, **extra: Any
) -> None:
    # the audit row holds the old value of every field the change sets, not only the status
    old = {"status": record.status, **{key: getattr(record, key) for key in extra}}
    record.status = status
    for key, value in extra.items():
        setattr(record, key, value)
    record.save()
    mark_dirty([record.subject_id])
    audit_log(actor=actor, action=action, obj=record, subject=record.subject, old=old,
              new={"status": status, **extra})  # fmt: skip


REMOVABLE = REMOVABLE_STATUSES  # the statuses whose listing can still be taken down


@transaction.atomic
def record_remove(
    *, actor: Actor, record: IntegrityRecord, reason: str, today: datetime.date | None = None
) -> IntegrityRecord:
    """Performance, performed settlement, creditor's withdrawal or revocation: the entry
    leaves the public list at once (the nightly sweep is only a backstop)."""
    today = _today(today)
    record = _lock(IntegrityRecord, record)
    require_official(actor, authority=record.authority, roles=(REVIEWER, SUPERVISOR))
    require_state(record, "status", REMOVABLE)
    kind = EVENT_OF_REMOVAL.get(reason)
    if kind is None:
        raise ApplicationError({"reason": _("Choose why the record is removed.")})
    record_event_add(record, actor, kind=kind, date=today, source="admin", today=today)
    return record


# removal reason (the officials' "remove" action) -> the event it records
EVENT_OF_REMOVAL = {reason: kind for kind, reason in REMOVING_EVENTS.items()}
EVENT_SOURCES = ("admin", "api", "import", "objection", "review")


class RecordEventConflict(Conflict):
    """The record can no longer change (removed, expired, repaired): HTTP 409."""


@transaction.atomic
def record_event_report(
    *,
    actor: Actor,
    record: IntegrityRecord,
    kind: str,
    date: datetime.date,
    amount_performed: decimal.Decimal | None = None,
    note: str = "",
    source: str = "api",
    today: datetime.date | None = None,
) -> tuple[RecordEvent, bool]:
    """The issuing authority reports what happened after its decision. Idempotent: the same
    event (kind, date, amount) again returns the stored one and changes nothing (created
    False). A removing event (performed, settled, withdrawn by the creditor, revoked) takes
    the listing down in this transaction and stops its points; a partial performance updates
    the performance status and the amount performed that the public sees. Audited; the
    subject gets a notice."""
    today = _today(today)
    record = _lock(IntegrityRecord, record)
    require_operator_or_official(
        actor, authority=record.authority, roles=(CLERK, REVIEWER, SUPERVISOR)
    )
    if kind not in RecordEventKind.values:
        raise ApplicationError({"kind": _("Unknown event.")})
    existing = RecordEvent.objects.filter(
        record=record, kind=kind, date=date, amount_performed=amount_performed
    ).first()
    if existing is not None:
        return existing, False
    return record_event_add(
        record, actor, kind=kind, date=date, amount_performed=amount_performed, note=note,
        source=source, today=today,
    ), True  # fmt: skip


def record_event_add(
    record: IntegrityRecord,
    actor: Actor,
    *,
    kind: str,
    date: datetime.date,
    source: str,
    today: datetime.date,
    amount_performed: decimal.Decimal | None = None,
    note: str = "",
) -> RecordEvent:
    """One new event on a locked record: the single place where performance, settlement,
    withdrawal and revocation remove a listing (officials' removal, agencies' events,
    objection corrections, reviews)."""
    if date > today:
        raise ApplicationError({"date": _("The date of the event cannot be in the future.")})
    if date < record.decision_date:
        raise ApplicationError(
            {"date": _("The event cannot predate the decision (%(date)s).")
             % {"date": record.decision_date.isoformat()}}
        )  # fmt: skip
    if amount_performed is not None:
        if kind != RecordEventKind.PARTIALLY_PERFORMED:
            raise ApplicationError(
                {"amount_performed": _("An amount performed goes with a partial performance.")}
            )
        if record.amount_performed is not None and amount_performed < record.amount_performed:
            raise ApplicationError(
                {"amount_performed": _("The amount performed so far was already %(amount)s: it "
                                       "is a running total and cannot go down.")
                 % {"amount": record.amount_performed}}
            )  # fmt: skip
        if amount_performed < 0 or (record.amount is not None and amount_performed > record.amount):
            raise ApplicationError(
                {"amount_performed": _("The amount performed must be between 0 and the amount "
                                       "of the decision (%(amount)s).")
                 % {"amount": record.amount}}
            )  # fmt: skip
    if record.status not in REMOVABLE:
        raise RecordEventConflict(
            {"record": _("This record no longer changes: it is “%(status)s”%(since)s.")
             % {"status": record.get_status_display(),
                "since": (_(" since %(date)s (%(reason)s)")
                          % {"date": timezone.localtime(record.removed_at).date().isoformat(),
                             "reason": record.get_removal_reason_display() or "—"})
                if record.removed_at else ""}},
            code="conflict",
        )  # fmt: skip
    event = RecordEvent.objects.create(
        record=record, kind=kind, date=date, amount_performed=amount_performed,
        note=(note or "").strip(), source=source,
        reported_by=actor if actor is not None and actor.is_authenticated else None,
    )  # fmt: skip
    audit_log(actor=actor, action="record.event", obj=event, subject=record.subject,
              new={"record": record.pk, "kind": kind, "date": date, "source": source,
                   "amount_performed": amount_performed})  # fmt: skip
    reason = REMOVING_EVENTS.get(kind)
    if reason is not None:
        _remove_listing(record, actor, reason, today)
        return event
    old = {"performance_status": record.performance_status,
           "amount_performed": record.amount_performed}  # fmt: skip
    record.performance_status = PerformanceStatus.PARTIALLY_PERFORMED
    if amount_performed is not None:
        record.amount_performed = amount_performed
    record.save(update_fields=["performance_status", "amount_performed", "updated_at"])
    audit_log(actor=actor, action="record.performance", obj=record, subject=record.subject,
              old=old, new={"performance_status": record.performance_status,
                            "amount_performed": record.amount_performed})  # fmt: skip
    with letter_language():  # the person's letter, whoever acts
        notice_issue(
            subject=named_subject(record), record=record, kind=NoticeKind.PERFORMANCE,
            title=_("Partial performance recorded for %(number)s")
            % {"number": record.decision_number},
            body=_("%(authority)s recorded a partial performance of %(record)s on "
                   "%(date)s%(amount)s. The listing stays until the obligation is performed in "
                   "full.")
            % {"authority": record.authority.name, "record": record_line(record),
               "date": date.isoformat(),
               "amount": (_(" (performed so far: %(amount)s CNY)") % {"amount": amount_performed})
               if amount_performed is not None else ""},
            today=today,
        )  # fmt: skip
    return event


def _remove_listing(
    record: IntegrityRecord, actor: Actor, reason: str, today: datetime.date
) -> None:
    extra: dict[str, Any] = {"removed_at": timezone.now(), "removal_reason": reason}
    if reason in ("performed", "settlement"):
        extra["performance_status"] = PerformanceStatus.PERFORMED
    status = RecordStatus.REVOKED if reason == "revocation" else RecordStatus.REMOVED
    record_status_set(record, actor, "record.remove", status, **extra)
    with letter_language():  # the person's letter, whoever acts
        notice_issue(
            subject=named_subject(record),
            record=record,
            kind=NoticeKind.REMOVAL,
            title=_("Removal of record %(number)s") % {"number": record.decision_number},
            body=_("The record %(record)s has been removed (%(reason)s).")
            % {"record": record_line(record), "reason": record.get_removal_reason_display()},
            today=today,
        )


def mark_dirty(subject_ids: Iterable[int | None]) -> None:
    """Note that these subjects' scores may have changed (called by record services). None
    (the subject of a record erased at the end of retention: nobody's score) is skipped."""
    ids = sorted({int(i) for i in subject_ids if i is not None})
    if not ids:
        return
    with connection.cursor() as cursor:
        cursor.execute(
            """
            INSERT INTO sanctions_scoredirty (subject_id, marked_at)
            SELECT unnest(%s::bigint[]), now()
            ON CONFLICT (subject_id) DO UPDATE SET marked_at = now()
            """,
            [ids],
        )
