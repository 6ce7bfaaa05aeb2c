"""Reads of casework: the officials' work lists (scoped to their authorities), what is
overdue, whether a filing is open to the subject now (the rule the service enforces), the
deadlines falling due, and the officials' dashboard."""

from __future__ import annotations

import datetime
from typing import TypeVar

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from sanctions.casework.eligibility import (
    CASE_STEPS,
    appeal_refusal,
    case_step_refusal,
    extension_refusal,
    listing_change_refusal,
    objection_refusal,
    pending_refusal,
    repair_refusal,
)
from sanctions.kernel.audit import audit_verification_latest
from sanctions.kernel.roles import Viewer, scoped
from sanctions.kernel.workdays import calendar_warning
from sanctions.models import (
    Appeal,
    Case,
    CaseState,
    DeadlineReminder,
    IntegrityRecord,
    Notice,
    Objection,
    RepairApplication,
)
from sanctions.models.casework import OPEN_CASE_STATES
from sanctions.registry.selectors import public_entries, records_visible_to


def may_object(*, record: IntegrityRecord) -> bool:
    """Whether the objection form is offered (`objection_file` accepts it)."""
    return objection_refusal(record) is None


def may_repair(*, record: IntegrityRecord, today: datetime.date) -> bool:
    """Whether the repair form is offered (`repair_apply` accepts it today)."""
    return repair_refusal(record, today=today) is None


def may_extend_listing(*, record: IntegrityRecord) -> bool:
    """Whether the "extend the listing" action is offered (`record_extend_listing` accepts
    it): a judicial listing on grounds 2–6, in force, not extended before."""
    return extension_refusal(record) is None


def may_appeal(*, objection: Objection, today: datetime.date) -> bool:
    """Whether the appeal form is offered (`appeal_file` accepts it today)."""
    return appeal_refusal(objection, today=today) is None


def case_next_steps(*, case: Case) -> list[str]:
    """The steps the case's state allows now (keys of `eligibility.CASE_STEPS`, in order):
    what the officials' action panel offers, as the services would accept it."""
    return [step for step in CASE_STEPS if case_step_refusal(case, step) is None]


def record_next_steps(*, record: IntegrityRecord, today: datetime.date) -> list[str]:
    """What can happen to a record now, in the order the action panel offers it: take the
    listing down, record a partial performance (a listing's obligation), extend the listing,
    file an objection or a repair application on the subject's behalf."""
    changeable = listing_change_refusal(record) is None
    steps = {
        "remove": changeable,
        "partial": changeable and record.record_type.places_on_blacklist,
        "extend": extension_refusal(record) is None,
        "object": objection_refusal(record) is None,
        "repair": repair_refusal(record, today=today) is None,
    }
    return [step for step, allowed in steps.items() if allowed]


def filing_next_steps(
    *, filing: Objection | Appeal | RepairApplication, today: datetime.date
) -> list[str]:
    """An objection, appeal or repair application: decide it while pending; an objection's
    outcome may then be appealed (`appeal_file`)."""
    steps = ["decide"] if pending_refusal(filing) is None else []
    if isinstance(filing, Objection) and appeal_refusal(filing, today=today) is None:
        steps.append("appeal")
    return steps


def cases_visible_to(*, user: Viewer) -> QuerySet[Case]:
    return scoped(Case.objects.all(), user, "authority")


def notices_visible_to(*, user: Viewer) -> QuerySet[Notice]:
    return scoped(Notice.objects.all(), user, "record__authority")


# Work still waiting for a decision, per model: (its due date, the open condition as a query
# and as a test of one object). The dashboard, the admin's "overdue" column and its filter
# all read this one rule.
_OPEN_WORK = {
    Case: ("due_date", Q(state__in=OPEN_CASE_STATES), lambda o: o.state in OPEN_CASE_STATES),
    Objection: ("due_on", Q(outcome="pending"), lambda o: o.outcome == "pending"),
    RepairApplication: ("due_on", Q(state="pending"), lambda o: o.state == "pending"),
}


def overdue(*, queryset: QuerySet, today: datetime.date | None = None) -> QuerySet:
    """Cases, objections or repair applications still open after their due date."""
    due_field, open_condition, _is_open = _OPEN_WORK[queryset.model]
    today = today or timezone.localdate()
    return queryset.filter(open_condition, **{f"{due_field}__lt": today})


def is_overdue(
    *, obj: Case | Objection | RepairApplication, today: datetime.date | None = None
) -> bool:
    due_field, _open_condition, is_open = _OPEN_WORK[type(obj)]
    due = getattr(obj, due_field)
    return bool(due and is_open(obj) and due < (today or timezone.localdate()))


def overdue_cases(*, user: Viewer, today: datetime.date | None = None) -> QuerySet[Case]:
    return overdue(queryset=cases_visible_to(user=user), today=today)


def objections_visible_to(*, user: Viewer) -> QuerySet[Objection]:
    return scoped(Objection.objects.all(), user, "record__authority")


def appeals_visible_to(*, user: Viewer) -> QuerySet[Appeal]:
    # the appeal body and the authority whose record is appealed
    return scoped(Appeal.objects.all(), user, "authority", "objection__record__authority")


def repairs_visible_to(*, user: Viewer) -> QuerySet[RepairApplication]:
    return scoped(RepairApplication.objects.all(), user, "record__authority")


def dashboard(*, user: Viewer, today: datetime.date | None = None) -> dict:
    """Counts for the officials' landing page, scoped to what the user may see."""
    today = today or timezone.localdate()
    cases = cases_visible_to(user=user)
    by_state = dict(cases.values_list("state").annotate(n=Count("id")).values_list("state", "n"))
    records = records_visible_to(user=user)
    month_start = today.replace(day=1)
    published = public_entries(today=today).filter(pk__in=records.values("pk"))
    counts: list[tuple[str, int]] = []
    for back in range(5, -1, -1):
        year, month = month_start.year, month_start.month - back
        while month <= 0:
            year, month = year - 1, month + 12
        first = datetime.date(year, month, 1)
        nxt = datetime.date(year + month // 12, month % 12 + 1, 1)
        counts.append(
            (
                f"{year}-{month:02d}",
                records.filter(published_at__date__gte=first, published_at__date__lt=nxt).count(),
            )
        )
    peak = max([count for _label, count in counts] + [1])
    monthly: list[dict[str, str | int]] = []
    for index, (label, count) in enumerate(counts):  # bar geometry for the server-rendered SVG
        height = round(100 * count / peak)
        monthly.append(
            {"label": label, "count": count, "height": height, "x": index * 60,
             "y": 130 - height, "label_y": 130 - height - 4}
        )  # fmt: skip
    return {
        "cases_by_state": [
            {"state": label, "count": by_state.get(value, 0)} for value, label in CaseState.choices
        ],
        "overdue_cases": overdue_cases(user=user, today=today).count(),
        "objections_pending": objections_visible_to(user=user).filter(outcome="pending").count(),
        "objections_overdue": overdue(
            queryset=objections_visible_to(user=user), today=today
        ).count(),
        "appeals_pending": appeals_visible_to(user=user).filter(state="pending").count(),
        "repairs_pending": repairs_visible_to(user=user).filter(state="pending").count(),
        "repairs_overdue": overdue(queryset=repairs_visible_to(user=user), today=today).count(),
        "published_this_month": records.filter(published_at__date__gte=month_start).count(),
        "published_now": published.count(),
        # the open review cases (the daily task opens one per listing falling due)
        "ground_one_reviews_due": cases.filter(
            review_of__isnull=False, state__in=OPEN_CASE_STATES
        ).count(),
        "monthly": monthly,
        "calendar_warning": calendar_warning(today=today),
        "reminders": deadline_reminders_for(user=user),
        "audit_verification": audit_verification_latest(),
    }


Work = TypeVar("Work", Case, Objection, RepairApplication)


def _open_and_due(
    queryset: QuerySet[Work], *, start: datetime.date, end: datetime.date
) -> QuerySet[Work]:
    due_field, open_condition, _is_open = _OPEN_WORK[queryset.model]
    return queryset.filter(open_condition, **{f"{due_field}__gte": start, f"{due_field}__lte": end})


def deadlines_due(
    *, start: datetime.date, end: datetime.date
) -> list[Case | Objection | RepairApplication]:
    """Open cases, objections and repair applications whose due date falls from `start` to
    `end` (both included), in due-date order."""
    found: list[Case | Objection | RepairApplication] = [
        *_open_and_due(Case.objects.select_related("authority", "assignee"), start=start, end=end),
        *_open_and_due(Objection.objects.select_related("record__authority"), start=start, end=end),
        *_open_and_due(
            RepairApplication.objects.select_related("record__authority"), start=start, end=end
        ),
    ]
    return sorted(found, key=lambda item: (getattr(item, _OPEN_WORK[type(item)][0]), item.pk))


def deadline_reminders_for(*, user: Viewer, limit: int = 20) -> list[DeadlineReminder]:
    """The reminders an official was sent whose item is still open and still due on the date
    the reminder named (the dashboard's list), soonest first."""
    if not user.is_authenticated:
        return []
    still_due = (
        Q(case__state__in=OPEN_CASE_STATES, case__due_date=F("due_on"))
        | Q(objection__outcome="pending", objection__due_on=F("due_on"))
        | Q(repair__state="pending", repair__due_on=F("due_on"))
    )
    return list(
        DeadlineReminder.objects.filter(still_due, recipient=user)
        .select_related("case", "objection__record", "repair__record")
        .order_by("due_on", "id")[:limit]
    )
