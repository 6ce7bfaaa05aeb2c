"""Who may file what, and which step a case, record or filing allows, now (DESIGN.md §6,
due process): one function per rule.

Each `*_refusal` function returns the error that refuses the filing, or None when it is
allowed. The services raise that error (on the row they have locked with
`select_for_update`); the selectors (`may_object` …) answer yes/no from the same function,
so a page offers a button exactly when the service would accept the filing. Only the state
of the record, objection and date is judged here: who acts (roles, authority) and what they
typed (grounds, years, reasons) stay with the services.

Related rows are read through the relation (`record.objections.all()`), so a page that
prefetched them asks no further query, and a service's freshly locked row reads them anew.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.utils.translation import gettext as _

from sanctions.kernel.errors import ApplicationError, state_refusal
from sanctions.kernel.workdays import add_days
from sanctions.models import (
    Appeal,
    Case,
    CaseState,
    IntegrityRecord,
    Objection,
    RecordStatus,
    RepairApplication,
)
from sanctions.models.core import REMOVABLE_STATUSES

OBJECTABLE = (RecordStatus.PENDING_NOTICE, RecordStatus.ACTIVE)
EXTENDABLE = (RecordStatus.ACTIVE, RecordStatus.UNDER_OBJECTION)
REPAIRABLE = (RecordStatus.ACTIVE,)


def objection_refusal(record: IntegrityRecord) -> ApplicationError | None:
    """An objection may be filed against a record pending notice or active, one at a time."""
    if refusal := state_refusal(record, "status", OBJECTABLE):
        return refusal
    if any(objection.outcome == "pending" for objection in record.objections.all()):
        return ApplicationError(_("An objection to this record is already being decided."))
    return None


def repair_eligible_from(record: IntegrityRecord) -> datetime.date | None:
    """When repair may be applied for, or None where it does not apply: judicial listings
    end on performance instead; minor-tier and positive records are never published."""
    record_type = record.record_type
    if record_type.polarity != "negative" or record_type.places_on_blacklist:
        return None
    days = settings.SCS_REPAIR_AFTER_DAYS.get(record_type.severity)
    if days is None:
        return None
    return add_days(record.decision_date, days)


def repair_refusal(record: IntegrityRecord, *, today: datetime.date) -> ApplicationError | None:
    """Credit repair: for a repairable record type, from its eligibility date, while the
    record is active, one application at a time."""
    eligible = repair_eligible_from(record)
    if eligible is None:
        return ApplicationError(
            _("Credit repair does not apply to this record. Judicial listings end when the "
              "obligation is performed."), code="not_repairable")  # fmt: skip
    if today < eligible:
        return ApplicationError(
            _("Credit repair can be applied for from %(date)s.") % {"date": eligible.isoformat()},
            code="too_early",
        )
    if refusal := state_refusal(record, "status", REPAIRABLE):
        return refusal
    if any(application.state == "pending" for application in record.repairs.all()):
        return ApplicationError(_("A repair application for this record is already pending."))
    return None


def appeal_refusal(objection: Objection, *, today: datetime.date) -> ApplicationError | None:
    """An objection outcome other than "upheld" may be appealed once, to the parent of the
    record's authority, until its appeal date (set when the objection is decided)."""
    # an outcome without an appeal date was not decided through objection_decide
    if objection.outcome == "pending" or objection.appeal_until is None:
        return ApplicationError(_("The objection has not been decided yet."))
    if objection.outcome == "upheld":
        return ApplicationError(_("The objection was upheld; there is nothing to appeal."))
    if hasattr(objection, "appeal"):  # one-to-one: a select_related page asks no query
        return ApplicationError(_("This outcome has already been appealed."))
    if today > objection.appeal_until:
        return ApplicationError(
            _("The appeal period ended on %(date)s.") % {"date": objection.appeal_until}
        )
    if objection.record.authority.parent_id is None:
        return ApplicationError(_("This authority has no higher authority to appeal to."))
    return None


def extension_refusal(record: IntegrityRecord) -> ApplicationError | None:
    """A judicial listing on grounds 2–6 may be extended once, while it is in force."""
    if not record.record_type.places_on_blacklist or record.judicial_ground in (None, 1):
        return ApplicationError(_("Only listings on grounds 2 to 6 can be extended."))
    if record.listing_extended_at is not None:
        return ApplicationError(_("A listing can be extended only once."))
    if record.publication_end is None:  # e.g. data from before the rules: nothing to extend
        return ApplicationError(_("This listing has no end date to extend."))
    return state_refusal(record, "status", EXTENDABLE)


# The steps of a case, in the order the admin offers them, and the states each may start
# from; "decision" steps belong to a case that produces a record, "review" ones to the
# two-year review of a ground-1 listing (None: either). The services of
# sanctions.casework.services.cases and .listings refuse a step in any other state.
CASE_STEPS: dict[str, tuple[tuple[str, ...], str | None]] = {
    "submit": ((CaseState.DRAFT,), "decision"),
    "return": ((CaseState.UNDER_REVIEW,), "decision"),
    "decide": ((CaseState.UNDER_REVIEW,), "decision"),
    "conclude_review": ((CaseState.DRAFT, CaseState.UNDER_REVIEW), "review"),
    "serve": ((CaseState.DECIDED,), None),
    "close": ((CaseState.NOTIFIED,), None),
    "withdraw": ((CaseState.DRAFT, CaseState.UNDER_REVIEW), "decision"),
}


def review_case_refusal(case: Case) -> ApplicationError | None:
    """A review case creates no record: it is neither submitted, decided nor withdrawn."""
    if case.review_of_id is None:
        return None
    return ApplicationError(
        _("A review case creates no record: conclude the review (continue the listing or "
          "remove it)."), code="state")  # fmt: skip


def case_step_refusal(case: Case, step: str) -> ApplicationError | None:
    """Whether the case's state allows `step` (a key of CASE_STEPS) now."""
    states, kind = CASE_STEPS[step]
    if kind == "review" and case.review_of_id is None:
        return ApplicationError(_("This is not a review case."), code="state")
    if refusal := state_refusal(case, "state", states):
        return refusal
    return review_case_refusal(case) if kind == "decision" else None


def listing_change_refusal(record: IntegrityRecord) -> ApplicationError | None:
    """A removal or a reported event needs a record whose listing can still change."""
    return state_refusal(record, "status", REMOVABLE_STATUSES)


def pending_refusal(filing: Objection | Appeal | RepairApplication) -> ApplicationError | None:
    """An objection, appeal or repair application is decided once, while it is pending."""
    field = "outcome" if isinstance(filing, Objection) else "state"
    return state_refusal(filing, field, ("pending",))
