"""Reads of the core, shared by pages, admin and API."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import get_language

from sanctions.eligibility import (
    appeal_refusal,
    extension_refusal,
    objection_refusal,
    repair_refusal,
)
from sanctions.kernel.audit import audit_verification_latest
from sanctions.kernel.roles import scoped
from sanctions.kernel.rules import is_published_for, publication_bounds
from sanctions.kernel.workdays import calendar_warning
from sanctions.models import (
    ApiClient,
    ApiSubmission,
    Appeal,
    Authority,
    AuthorityKind,
    Case,
    CaseState,
    DeadlineReminder,
    Domain,
    ImportBatch,
    IntegrityRecord,
    Notice,
    Objection,
    RecordStatus,
    RecordType,
    RepairApplication,
)
from sanctions.models.casework import OPEN_CASE_STATES
from sanctions.registry.selectors import active_measures, public_entries, records_visible_to


def catalog_overview() -> list[dict]:
    """Per domain: how many record types the catalog holds, negative and positive."""
    counts = (
        RecordType.objects.filter(is_active=True)
        .values("domain")
        .annotate(
            negative=Count("id", filter=Q(polarity="negative")),
            positive=Count("id", filter=Q(polarity="positive")),
        )
    )
    by_domain = {row["domain"]: row for row in counts}
    return [
        {
            "code": value,
            "label": label,
            "negative": by_domain.get(value, {}).get("negative", 0),
            "positive": by_domain.get(value, {}).get("positive", 0),
        }
        for value, label in Domain.choices
    ]


def public_list_kinds() -> list[dict]:
    """The kinds of public list the catalog has, for the home and "how to object" pages: its
    active record types that can reach the public list, grouped by the kind of authority that
    issues them (in AuthorityKind's order; a type several kinds may issue is in each group),
    each with how an entry leaves the list. Read from the catalog, so a type a supervisor
    adds shows up without a template change.

    Per type: `court_listing` (the court's list of dishonest judgment debtors: removed on
    performance, a performed settlement, the creditor's withdrawal or revocation; ground 1
    until then, grounds 2-6 for two years), else `period` (shortest and longest publication,
    days from the decision date) and `repair_after` (days after the decision from which
    credit repair may be applied for; None where it does not apply). Per group the same
    facts gathered, for a summary. An objection to the issuing authority is open for all."""
    english = (get_language() or "").startswith("en")
    groups: dict[str, dict] = {}
    record_types = RecordType.objects.filter(is_active=True, polarity="negative")
    # the court's own list first, then the heaviest (most negative points) first
    for record_type in record_types.order_by("-places_on_blacklist", "points", "code"):
        listed_kinds = [
            kind for kind in record_type.subject_kinds
            if record_type.places_on_blacklist or is_published_for(
                polarity=record_type.polarity, severity=record_type.severity,
                is_administrative_penalty=record_type.is_administrative_penalty,
                subject_kind=kind,
            )
        ]  # fmt: skip
        if not listed_kinds:
            continue
        court_listing = record_type.places_on_blacklist
        period = None if court_listing else publication_bounds(
            severity=record_type.severity,
            publication_min_days=record_type.publication_min_days,
            publication_max_days=record_type.publication_max_days,
        )  # fmt: skip
        item = {
            "code": record_type.code,
            "title": (record_type.title_en if english else "") or record_type.title,
            "domain": record_type.get_domain_display(),
            "subject_kinds": listed_kinds,
            "court_listing": court_listing,
            "period": period,
            "repair_after": None
            if court_listing
            else settings.SCS_REPAIR_AFTER_DAYS.get(record_type.severity),
        }
        for kind in record_type.issuer_kinds:  # never empty, AuthorityKind values (checked)
            groups.setdefault(kind, []).append(item)
    order = [value for value, _label in AuthorityKind.choices]
    result = []
    for kind in sorted(groups, key=order.index):
        items = groups[kind]
        periods = [item["period"] for item in items if item["period"]]
        result.append(
            {
                "kind": kind,
                "label": AuthorityKind(kind).label,
                "types": items,
                "court_listing": any(item["court_listing"] for item in items),
                "period": (min(p[0] for p in periods), max(p[1] for p in periods))
                if periods
                else None,
                "repair_after": sorted(
                    {item["repair_after"] for item in items if item["repair_after"]}
                ),  # fmt: skip
            }
        )
    return result


def record_of_authority(*, record_id: int, authority: Authority) -> IntegrityRecord | None:
    """A record of this authority (an agency's events name only its own records)."""
    return IntegrityRecord.objects.filter(pk=record_id, authority=authority).first()


def may_object(record: IntegrityRecord) -> bool:
    """Whether the objection form is offered (`objection_file` accepts it)."""
    return objection_refusal(record) is None


def may_repair(record: IntegrityRecord, today: datetime.date) -> bool:
    """Whether the repair form is offered (`repair_apply` accepts it today)."""
    return repair_refusal(record, today=today) is None


def may_extend_listing(record: IntegrityRecord) -> bool:
    """Whether the "extend the listing" action is offered (`record_extend_listing` accepts
    it): a judicial listing on grounds 2–6, in force, not extended before."""
    return extension_refusal(record) is None


def may_appeal(objection: Objection, today: datetime.date) -> bool:
    """Whether the appeal form is offered (`appeal_file` accepts it today)."""
    return appeal_refusal(objection, today=today) is None


def api_clients_visible_to(user) -> QuerySet[ApiClient]:
    return scoped(ApiClient.objects.all(), user, "authority")


def api_submissions_visible_to(user) -> QuerySet[ApiSubmission]:
    return scoped(ApiSubmission.objects.all(), user, "authority")


def import_batch_of(authority: Authority, pk: int) -> ImportBatch | None:
    """One of an authority's bulk imports (an API client sees its authority's only)."""
    return ImportBatch.objects.filter(pk=pk, authority=authority).first()


def import_batches_visible_to(user) -> QuerySet[ImportBatch]:
    return scoped(ImportBatch.objects.all(), user, "authority")


def cases_visible_to(user) -> QuerySet[Case]:
    return scoped(Case.objects.all(), user, "authority")


def notices_visible_to(user) -> QuerySet[Notice]:
    return scoped(Notice.objects.all(), user, "record__authority")


# Work still waiting for a decision, per model: (its due date, the open condition as a query
# and as a test of one object). The dashboard, the admin's "overdue" column and its filter
# all read this one rule.
_OPEN_WORK = {
    Case: ("due_date", Q(state__in=OPEN_CASE_STATES), lambda o: o.state in OPEN_CASE_STATES),
    Objection: ("due_on", Q(outcome="pending"), lambda o: o.outcome == "pending"),
    RepairApplication: ("due_on", Q(state="pending"), lambda o: o.state == "pending"),
}


def overdue(queryset: QuerySet, *, today: datetime.date | None = None) -> QuerySet:
    """Cases, objections or repair applications still open after their due date."""
    due_field, open_condition, _is_open = _OPEN_WORK[queryset.model]
    today = today or timezone.localdate()
    return queryset.filter(open_condition, **{f"{due_field}__lt": today})


def is_overdue(obj, *, today: datetime.date | None = None) -> bool:
    due_field, _open_condition, is_open = _OPEN_WORK[type(obj)]
    due = getattr(obj, due_field)
    return bool(due and is_open(obj) and due < (today or timezone.localdate()))


def overdue_cases(user, *, today: datetime.date | None = None) -> QuerySet[Case]:
    return overdue(cases_visible_to(user), today=today)


def objections_visible_to(user) -> QuerySet[Objection]:
    return scoped(Objection.objects.all(), user, "record__authority")


def appeals_visible_to(user) -> QuerySet[Appeal]:
    # the appeal body and the authority whose record is appealed
    return scoped(Appeal.objects.all(), user, "authority", "objection__record__authority")


def repairs_visible_to(user) -> QuerySet[RepairApplication]:
    return scoped(RepairApplication.objects.all(), user, "record__authority")


def dashboard(user, *, today: datetime.date | None = None) -> dict:
    """Counts for the officials' landing page, scoped to what the user may see."""
    today = today or timezone.localdate()
    cases = cases_visible_to(user)
    by_state = dict(cases.values_list("state").annotate(n=Count("id")).values_list("state", "n"))
    records = records_visible_to(user)
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
        "overdue_cases": overdue_cases(user, today=today).count(),
        "objections_pending": objections_visible_to(user).filter(outcome="pending").count(),
        "objections_overdue": overdue(objections_visible_to(user), today=today).count(),
        "appeals_pending": appeals_visible_to(user).filter(state="pending").count(),
        "repairs_pending": repairs_visible_to(user).filter(state="pending").count(),
        "repairs_overdue": overdue(repairs_visible_to(user), today=today).count(),
        "published_this_month": records.filter(published_at__date__gte=month_start).count(),
        "published_now": published.count(),
        # the open review cases (the daily task opens one per listing falling due)
        "ground_one_reviews_due": cases.filter(
            review_of__isnull=False, state__in=OPEN_CASE_STATES
        ).count(),
        "monthly": monthly,
        "calendar_warning": calendar_warning(today=today),
        "reminders": deadline_reminders_for(user),
        "audit_verification": audit_verification_latest(),
    }


def active_restrictions(*, subject, measure=None, today: datetime.date | None = None) -> list[dict]:
    """The restriction measures among `active_measures` (optionally: only `measure`), shaped
    for the agencies' restriction check: each with its basis and end date, a record under
    objection flagged so."""
    from sanctions.models import MeasureKind

    return [
        {
            "measure": item["measure"].code,
            "measure_title": item["measure"].title_en or item["measure"].title,
            "enforcing_agency": item["measure"].enforcing_agency,
            "until": item["ends_on"],
            "under_objection": item["record"].status == RecordStatus.UNDER_OBJECTION,
            "basis": {
                "authority": item["record"].authority.name,
                "decision_number": item["record"].decision_number,
                "decision_date": item["record"].decision_date,
                "record_type": item["record"].record_type.code,
                "legal_basis": item["record"].legal_basis,
            },
        }
        for item in active_measures(subject, today=today)
        if item["measure"].kind == MeasureKind.RESTRICTION
        and (measure is None or item["measure"].pk == measure.pk)
    ]


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


def deadline_reminders_for(user, *, limit: int = 20) -> list[DeadlineReminder]:
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
