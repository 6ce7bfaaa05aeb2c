"""Reads of casework: the officials' work lists (scoped to their authorities), what is
overdue, whether a filing is open to the subject now (the rule the service enforces), the
deadlines falling due, and the officials' dashboard."""

from __future__ import annotations

import datetime

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone

from sanctions.casework.eligibility import (
    appeal_refusal,
    extension_refusal,
    objection_refusal,
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
    monthly = []
    for back in range(5, -1, -1):
        year, month = month_start.year, month_start.month - back
        while month <= 0:
            year, month = year - 1, month + 12
        first = datetime.date(year, month, 1)
        nxt = datetime.date(year + month // 12, month % 12 + 1, 1)
        monthly.append(
            {
                "label": f"{year}-{month:02d}",
                "count": records.filter(
                    published_at__date__gte=first, published_at__date__lt=nxt
                ).count(),
            }
        )
    peak = max([m["count"] for m in monthly] + [1])
    for index, row in enumerate(monthly):  # bar geometry for the server-rendered SVG
        row["height"] = round(100 * row["count"] / peak)
        row["x"] = index * 60
        row["y"] = 130 - row["height"]
        row["label_y"] = row["y"] - 4
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


def deadlines_due(*, start: datetime.date, end: datetime.date) -> list:
    """Open cases, objections and repair applications whose due date falls from `start` to
    `end` (both included), in due-date order."""
    found = []
    for model in (Case, Objection, RepairApplication):
        due_field, open_condition, _is_open = _OPEN_WORK[model]
        queryset = model.objects.filter(
            open_condition, **{f"{due_field}__gte": start, f"{due_field}__lte": end}
        )
        if model is Case:
            queryset = queryset.select_related("authority", "assignee")
        else:
            queryset = queryset.select_related("record__authority")
        found.extend(queryset)
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
