"""Reads for the citizen's own pages. Everything a citizen may open is reached through
`subjects_of(user)`: their own subject and the enterprises they legally represent. Anything
else does not exist for them (the views answer 404)."""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import json
import re
from collections.abc import Iterable
from typing import Any

from django.core.paginator import Paginator
from django.db.models import Count, Max, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from citizens.models import (
    ActivationCodeRequest,
    ActivationRequestState,
    Citizen,
    CreditReport,
    CreditReportVerification,
)
from sanctions.casework.eligibility import repair_eligible_from, repair_refusal
from sanctions.casework.selectors import may_object, may_repair
from sanctions.kernel.roles import Actor, Viewer, authorities_visible_to
from sanctions.models import (
    AccessLog,
    Case,
    Domain,
    FilingAttachment,
    IntegrityRecord,
    Measure,
    Notice,
    Objection,
    RecordStatus,
    RecordType,
    Score,
    ScoreHistory,
    Subject,
    in_language,
)
from sanctions.publication.selectors import public_entry
from sanctions.registry.selectors import is_public, records_in_effect, records_triggering_measures
from sanctions.scoring.selectors import score_explain
from sanctions.scoring.sql import DOMAINS


def subjects_of(user: Viewer | None) -> QuerySet[Subject]:
    """The citizen's own subject and those of the enterprises they represent."""
    if not (user and user.is_authenticated):
        return Subject.objects.none()
    return Subject.objects.filter(
        Q(citizen__user=user) | Q(enterprise__legal_representative__user=user)
    ).order_by("kind", "id")


def citizen_records(user: Viewer) -> QuerySet[IntegrityRecord]:
    return IntegrityRecord.objects.filter(subject__in=subjects_of(user))


def citizen_notices(user: Viewer) -> QuerySet[Notice]:
    """The person's letters, newest served first (two served the same day: the later one
    first), each with the record it concerns."""
    return (
        Notice.objects.filter(subject__in=subjects_of(user))
        .select_related("subject", "record__record_type")
        .order_by("-served_on", "-created_at", "-id")
    )


def citizen_objections(user: Viewer) -> QuerySet[Objection]:
    return Objection.objects.filter(record__in=citizen_records(user)).select_related(
        "record__record_type", "record__authority__parent"
    )


def citizen_attachments(user: Viewer) -> QuerySet[FilingAttachment]:
    records = citizen_records(user)
    return FilingAttachment.objects.filter(
        Q(objection__record__in=records) | Q(repair__record__in=records)
    )


def access_log_of(subject: Subject) -> QuerySet[AccessLog]:
    return AccessLog.objects.filter(subject=subject).select_related(
        "official", "official__official", "authority"
    )


# What an official did, as the person reads it: the access log stores the officials' own
# technical purpose ("admin: record detail #3", "case work: case #5: evidence x.pdf"); the
# person sees it in words, in their language. Anything unknown (an official's free text such
# as "enforcement review") is shown as written.
_PURPOSES = [
    (r"^admin: (?:subject|citizen) detail\b", gettext_lazy("Opened your entry in the register")),
    (r"^admin: record detail\b", gettext_lazy("Opened one of your records")),
    (r"^admin: audit trail\b", gettext_lazy("Read the history of changes to your file")),
    (r"^admin: score\b", gettext_lazy("Looked at your credit score")),
    (r"^admin: notice\b", gettext_lazy("Read a notice sent to you")),
    (r"^admin: access log\b", gettext_lazy("Read this list of who viewed your data")),
    (r"^case work: case #\d+: evidence\b", gettext_lazy("Opened evidence in a case about you")),
    (r"^case work: case\b", gettext_lazy("Worked on a case about you")),
    (r"^objection handling\b", gettext_lazy("Handled your objection")),
    (r"^appeal handling\b", gettext_lazy("Handled your appeal")),
    (r"^credit repair\b", gettext_lazy("Handled your credit repair application")),
    (r"^(?:API restriction check by |.*通过 API 查询限制措施$)",
     gettext_lazy("Checked through the agencies' API whether a restriction applies to you")),
]  # fmt: skip
_PURPOSE_PATTERNS = [(re.compile(pattern), label) for pattern, label in _PURPOSES]
_ROLE_LABELS = {
    "clerk": gettext_lazy("Clerk"),
    "reviewer": gettext_lazy("Reviewer"),
    "supervisor": gettext_lazy("Supervisor"),
    "auditor": gettext_lazy("Auditor"),
}


def access_purpose_label(purpose: str) -> str:
    for pattern, label in _PURPOSE_PATTERNS:
        if pattern.search(purpose):
            return str(label)
    return purpose


@dataclasses.dataclass(frozen=True)
class AccessRow:
    when: datetime.datetime
    role: str  # "Reviewer (official no. 12)": the person can name the official to the auditors
    authority: str
    purpose: str


def report_verification_rows(subject: Subject, *, limit: int = 500) -> list[AccessRow]:
    """The checks of the subject's credit reports at /verify/, as access-log rows: someone
    holding the report, no authority, which report (its number and day of issue)."""
    checks = (
        CreditReportVerification.objects.filter(report__subject=subject)
        .select_related("report")
        .order_by("-created_at", "-id")[:limit]
    )
    return [
        AccessRow(
            check.created_at,
            _("Someone holding your credit report"),
            "—",
            _("Verified credit report no. %(number)s of %(date)s")
            % {
                "number": check.report_id,
                "date": timezone.localtime(check.report.issued_at).date().isoformat(),
            },
        )
        for check in checks
    ]


def access_rows(subject: Subject, *, limit: int = 500) -> list[AccessRow]:
    """Who viewed the person's data, as the person reads it: when, which official (role and
    number, not a login name), the authority in the page's language, and what they did; with
    the checks of the person's credit reports by whoever holds one (newest first, `limit` in
    all). sanctions.AccessLog requires an official, so the checks are kept in citizens."""
    rows = access_log_of(subject).prefetch_related("official__groups")[:limit]
    result = report_verification_rows(subject, limit=limit)
    for entry in rows:
        official = entry.official
        roles = [str(_ROLE_LABELS[g.name]) for g in official.groups.all() if g.name in _ROLE_LABELS]
        who = _("%(role)s (official no. %(number)s)") % {
            "role": " / ".join(roles) or _("Official"), "number": official.pk}  # fmt: skip
        name = entry.authority.localized_name if entry.authority else "—"
        result.append(AccessRow(entry.created_at, who, name, access_purpose_label(entry.purpose)))
    result.sort(key=lambda row: row.when, reverse=True)
    return result[:limit]


def _history_chart(points: list[tuple[datetime.date, int]]) -> dict[str, Any] | None:
    """Coordinates for a server-rendered SVG step chart of the score over time: one point a
    day (the day's last score; several recomputes of one day are one point), so a history
    of one day is one point, which the page states in words instead of drawing."""
    points = list(dict(points).items())  # in order of the days; a day's last score wins
    if not points:
        return None
    # room for the labels: 15-unit text stays legible when a phone shows the chart at 390 px
    width, height, pad = 640, 220, 48
    totals = [total for _day, total in points]
    low, high = min(totals + [900]), max(totals + [1050])
    first, last = points[0][0], max(points[-1][0], timezone.localdate())
    span_days = max((last - first).days, 1)

    def x(day: datetime.date) -> float:
        return round(pad + (width - 2 * pad) * (day - first).days / span_days, 1)

    def y(total: int) -> float:
        return round(height - pad - (height - 2 * pad) * (total - low) / (high - low), 1)

    (day0, total0), rest = points[0], points[1:]
    path = [f"M {x(day0)} {y(total0)}"]
    for day, total in rest:  # a step: the score holds until the day it changed
        path += [f"H {x(day)}", f"V {y(total)}"]
    path.append(f"H {x(last)}")
    return {
        "width": width,
        "height": height,
        "path": " ".join(path),
        "dots": [{"x": x(d), "y": y(t), "total": t, "day": d} for d, t in points],
        "ticks": [{"y": y(v), "value": v} for v in (low, (low + high) // 2, high)],
        "first": first,
        "last": last,
        "left": pad,
        "right": width - pad,
        "bottom": height - pad,
    }


def _why(record: IntegrityRecord, points: int | None, today: datetime.date, minor: bool) -> str:
    """Why a record counts for the score or not, in the words the person reads."""
    if minor:
        return _("Persons under 18 get no score.")
    if points is not None:
        return _("Counts %(points)+d points from %(start)s until %(end)s.") % {
            "points": points,
            "start": record.effective_from.isoformat(),
            "end": record.effective_until.isoformat() if record.effective_until else "—",
        }
    if record.status == RecordStatus.PENDING_NOTICE:
        return _("Does not count yet: the notice period is running.")
    if record.status in (RecordStatus.ACTIVE, RecordStatus.UNDER_OBJECTION):
        if record.effective_from > today:
            return _("Counts from %(date)s.") % {"date": record.effective_from.isoformat()}
        return _("No longer counts: its effective period ended on %(date)s.") % {
            "date": record.effective_until.isoformat() if record.effective_until else "—"
        }
    return _("Does not count: the record is %(status)s.") % {
        "status": record.get_status_display().lower()
    }


def record_view(
    record: IntegrityRecord, *, today: datetime.date, points: dict[int, int], minor: bool = False
) -> dict:
    """One record as its subject sees it, including exactly what the public sees of it."""
    public = is_public(record=record, today=today)
    return {
        "record": record,
        "points": points.get(record.pk),
        "why": _why(record, points.get(record.pk), today, minor),
        "public": public_entry(record=record, today=today) if public else None,
        "repair_from": repair_eligible_from(record),
        "may_object": may_object(record=record),
        "may_repair": may_repair(record=record, today=today),
        # why repair is not offered, in the service's own words (a pending objection, a
        # pending application, too early, not in force)
        "repair_refusal": " ".join(getattr(repair_refusal(record, today=today), "messages", [])),
    }


def record_points(record: IntegrityRecord, today: datetime.date) -> dict[str, Any]:
    """`record_view`'s scoring arguments for one record, from the score explanation."""
    subject = record.subject
    assert subject is not None  # one of the citizen's own records (an erased one names nobody)
    explanation = score_explain(subject=subject, as_of=today)
    return {
        "points": {row["record_id"]: row["points"] for row in explanation["records"]},
        "minor": explanation["minor"],
    }


# A subject may hold thousands of records (a serial debtor, an enterprise with a decade of
# penalties): the pages show a page of them and summaries, never every row (issue 14).
RECORDS_PER_PAGE = 50  # "my record": records per page, newest first
EXPLANATION_ROWS = 100  # the score explanation's rows listed one by one; the rest summed
REPORT_RECORDS = 200  # the printable report: records in effect listed one by one
REPORT_NOTICES = 200  # the printable report: newest letters listed


def record_summary(subject: Subject) -> dict[str, Any]:
    """How many records the subject has, by domain and status (one aggregate query)."""
    counts = {
        (domain, status): n
        for domain, status, n in IntegrityRecord.objects.filter(subject=subject)
        .values_list("record_type__domain", "status")
        .annotate(n=Count("id"))
        .order_by()
    }
    statuses = [status for status in RecordStatus if any(s == status for _d, s in counts)]
    rows = [
        {
            "label": Domain(domain).label,
            "counts": [counts.get((domain, status), 0) for status in statuses],
            "total": sum(n for (d, _s), n in counts.items() if d == domain),
        }
        for domain in Domain.values
        if any(d == domain for d, _s in counts)
    ]
    return {
        "statuses": [status.label for status in statuses],
        "rows": rows,
        "totals": [sum(n for (_d, s), n in counts.items() if s == status) for status in statuses],
        "total": sum(counts.values()),
    }


def measures_in_force(subject: Subject, *, today: datetime.date) -> list[dict[str, Any]]:
    """The restrictions and incentives in force, one row per measure however many records
    trigger it: the basis record that keeps it in force longest, when it ends (None: when the
    obligation is performed) and how many other records trigger it too. Reads only the few
    columns it needs, so thousands of records cost one query, not thousands of objects."""
    rows = list(records_triggering_measures(subject=subject, today=today).values_list(
        "pk", "decision_number", "record_type_id", "record_type__places_on_blacklist",
        "publication_end", "effective_until",
    ))  # fmt: skip
    measures_of: dict[int, list[int]] = {}
    for type_id, measure_id in RecordType.measures.through.objects.filter(
        recordtype_id__in={row[2] for row in rows}
    ).values_list("recordtype_id", "measure_id"):
        measures_of.setdefault(type_id, []).append(measure_id)
    grouped: dict[int, dict[str, Any]] = {}
    for pk, number, type_id, blacklist, publication_end, effective_until in rows:
        ends_on = publication_end if blacklist else effective_until
        for measure_id in measures_of.get(type_id, []):
            group = grouped.setdefault(measure_id, {"records": 0, "open": False, "best": None})
            group["records"] += 1
            group["open"] |= ends_on is None
            best = group["best"]
            if best is None or (best[2] is not None and (ends_on is None or ends_on > best[2])):
                group["best"] = (pk, number, ends_on)
    measures = Measure.objects.in_bulk(grouped)
    return [
        {
            "measure": measures[measure_id],
            "record": {"pk": group["best"][0], "decision_number": group["best"][1]},
            "ends_on": None if group["open"] else group["best"][2],
            "more": group["records"] - 1,
        }
        for measure_id, group in grouped.items()
    ]


def _explanation_rows(explanation: dict[str, Any]) -> tuple[list[dict], dict[str, int] | None]:
    """The explanation's first EXPLANATION_ROWS rows, and the count and points of the rest
    (so the rows shown and the remainder still add up to the score)."""
    rows = explanation["records"]
    rest = rows[EXPLANATION_ROWS:]
    shown = [
        {**row, "title": in_language(row["type_title"], row["type_title_en"])}
        for row in rows[:EXPLANATION_ROWS]
    ]
    if not rest:
        return shown, None
    return shown, {"count": len(rest), "points": sum(r["points"] for r in rest)}


def _score_context(subject: Subject, today: datetime.date) -> dict[str, Any]:
    score = Score.objects.filter(subject=subject).first()
    explanation = score_explain(subject=subject, as_of=today)
    shown, rest = _explanation_rows(explanation)
    return {
        "subject": subject,
        "score": score,
        "explanation": explanation,
        "explanation_rows": shown,
        "explanation_rest": rest,
        "domains": [
            {
                "label": Domain(code).label,
                "points": explanation["by_domain"][code],
                "stored": getattr(score, code) if score else None,
            }
            for code in DOMAINS
        ],
        "summary": record_summary(subject),
        "measures": measures_in_force(subject, today=today),
        "today": today,
    }


def _record_views(
    records: Iterable[IntegrityRecord], *, today: datetime.date, explanation: dict[str, Any]
) -> list[dict[str, Any]]:
    points = {row["record_id"]: row["points"] for row in explanation["records"]}
    return [record_view(r, today=today, points=points, minor=explanation["minor"]) for r in records]


def _records_of(subject: Subject) -> QuerySet[IntegrityRecord]:
    return (
        IntegrityRecord.objects.filter(subject=subject)
        .select_related("record_type", "authority", "subject")
        .prefetch_related("objections", "repairs")
        .order_by("-decision_date", "-id")
    )


def overview(
    subject: Subject, *, today: datetime.date | None = None, page: str | int | None = None
) -> dict[str, Any]:
    """Everything on "my record" for one subject: score, grade, domain sub-scores, history,
    the explanation (its first rows and the sum of the rest), counts of the records by domain
    and status, one page of the records (newest first) and the measures in force."""
    today = today or timezone.localdate()
    context = _score_context(subject, today)
    history = list(
        ScoreHistory.objects.filter(subject=subject)
        .order_by("computed_at", "id")
        .values_list("computed_at", "total")
    )
    records_page = Paginator(_records_of(subject), RECORDS_PER_PAGE).get_page(page)
    return {
        **context,
        "chart": _history_chart([(timezone.localtime(at).date(), t) for at, t in history]),
        "history": history,
        "records_page": records_page,
        "records": _record_views(
            records_page.object_list, today=today, explanation=context["explanation"]
        ),
    }


def report_section(subject: Subject, *, today: datetime.date) -> dict[str, Any]:
    """One subject in the printable report: score and domains, counts of all records by
    domain and status, the records in effect (newest first, at most REPORT_RECORDS, with how
    many more there are) and the measures in force."""
    context = _score_context(subject, today)
    in_effect = records_in_effect(today=today).filter(subject=subject)
    shown = list(_records_of(subject).filter(pk__in=in_effect.values("pk"))[:REPORT_RECORDS])
    total = len(shown) if len(shown) < REPORT_RECORDS else in_effect.count()
    return {
        **context,
        "records": _record_views(shown, today=today, explanation=context["explanation"]),
        "records_in_effect": total,
        "records_not_listed": total - len(shown),
    }


def report_notices(user: Viewer) -> tuple[list[Notice], int]:
    """The newest REPORT_NOTICES letters to the citizen and their subjects, and how many
    there are in all."""
    notices = citizen_notices(user).order_by("-served_on", "-id")
    shown = list(notices[:REPORT_NOTICES])
    return shown, len(shown) if len(shown) < REPORT_NOTICES else notices.count()


# --- verifiable credit reports (citizens.report) -------------------------------------------------


def credit_reports_of(user: Viewer) -> QuerySet[CreditReport]:
    """The reports issued about the citizen and the enterprises they represent (whoever of
    their representatives asked for it), newest first, with how often each was verified."""
    return (
        CreditReport.objects.filter(subject__in=subjects_of(user))
        .select_related("subject")
        .annotate(verified=Count("verifications"), last_verified=Max("verifications__created_at"))
        .order_by("-issued_at", "-id")
    )


def subject_state_digest(subject: Subject) -> str:
    """A fingerprint of what a credit report says about the subject: its name and masked
    identifier, every record's id, type, authority, decision, status, windows and last change,
    and the stored score. A report keeps the digest of the day it was issued; /verify/ says
    "changed since" when today's differs — never what changed."""
    digest = hashlib.sha256()
    head = Subject.objects.filter(pk=subject.pk).values_list("display_name", "masked_identifier")
    digest.update(json.dumps(list(head), ensure_ascii=False).encode())
    records = (
        IntegrityRecord.objects.filter(subject=subject)
        .order_by("pk")
        .values_list(
            "pk", "record_type_id", "authority_id", "decision_number", "decision_date",
            "status", "performance_status", "amount_performed", "effective_from",
            "effective_until", "publication_start", "publication_end", "updated_at",
        )
    )  # fmt: skip
    for row in records.iterator(chunk_size=2000):
        digest.update(json.dumps(row, default=str).encode())
    score = Score.objects.filter(subject=subject).values_list(
        "total", "grade", "government", "commercial", "societal", "judicial", "rule_version"
    )
    digest.update(json.dumps(list(score)).encode())
    return digest.hexdigest()


# --- officials' side: activation codes ----------------------------------------------------------


def subject_on_file_with(user: Viewer, subject_id: int) -> bool:
    """Whether one of the authorities the official works for (their own; for a supervisor
    also the bodies below it) holds a record or a case about the subject: the officials who
    may correct its register entry or issue a citizen an activation code (besides the
    operator)."""
    authorities = authorities_visible_to(user=user)
    about = {"subject_id": subject_id, "authority__in": authorities}
    return IntegrityRecord.objects.filter(**about).exists() or Case.objects.filter(**about).exists()


def citizen_on_file_with(user: Viewer, citizen: Citizen) -> bool:
    return subject_on_file_with(user, citizen.subject_id)


def may_correct_register_entry(actor: Actor | Viewer, subject_id: int) -> bool:
    """A person's or an enterprise's register entry (name, notice address, legal
    representative) is corrected by the system (`actor=None`: seeding, imports), the operator,
    or an official of an authority that has them on file — not by any official anywhere: the
    address is where their notices and activation letters go."""
    if actor is None or actor.is_superuser:
        return True
    return subject_on_file_with(actor, subject_id)


def pending_activation_request(citizen: Citizen) -> ActivationCodeRequest | None:
    """The citizen's open activation code request, if any."""
    return (
        ActivationCodeRequest.objects.filter(citizen=citizen, state=ActivationRequestState.PENDING)
        .select_related("requested_by", "authority")
        .first()
    )
