"""Reads for the citizen's own pages. Everything a citizen may open is reached through
`subjects_of(user)`: their own subject and the enterprises they legally represent. Anything
else does not exist for them (the views answer 404)."""

from __future__ import annotations

import datetime
from typing import Any

from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from sanctions.eligibility import repair_eligible_from
from sanctions.models import (
    AccessLog,
    Domain,
    FilingAttachment,
    IntegrityRecord,
    Notice,
    Objection,
    RecordStatus,
    Score,
    ScoreHistory,
    Subject,
)
from sanctions.public import public_entry
from sanctions.selectors import (
    active_measures,
    is_public,
    may_object,
    may_repair,
)
from sanctions.services.scoring import DOMAINS, score_explain


def subjects_of(user) -> QuerySet[Subject]:
    """The citizen's own subject and those of the enterprises they represent."""
    if not (user and user.is_authenticated):
        return Subject.objects.none()
    return Subject.objects.filter(
        Q(citizen__user=user) | Q(enterprise__legal_representative__user=user)
    ).order_by("kind", "id")


def citizen_records(user) -> QuerySet[IntegrityRecord]:
    return IntegrityRecord.objects.filter(subject__in=subjects_of(user))


def citizen_notices(user) -> QuerySet[Notice]:
    return Notice.objects.filter(subject__in=subjects_of(user)).select_related("subject")


def citizen_objections(user) -> QuerySet[Objection]:
    return Objection.objects.filter(record__in=citizen_records(user)).select_related(
        "record__record_type", "record__authority__parent"
    )


def citizen_attachments(user) -> QuerySet[FilingAttachment]:
    records = citizen_records(user)
    return FilingAttachment.objects.filter(
        Q(objection__record__in=records) | Q(repair__record__in=records)
    )


def access_log_of(subject: Subject) -> QuerySet[AccessLog]:
    return AccessLog.objects.filter(subject=subject).select_related(
        "official", "official__official", "authority"
    )


def _history_chart(points: list[tuple[datetime.date, int]]) -> dict[str, Any] | None:
    """Coordinates for a server-rendered SVG step chart of the score over time."""
    if not points:
        return None
    width, height, pad = 640, 200, 36
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
    public = is_public(record, today=today)
    return {
        "record": record,
        "points": points.get(record.pk),
        "why": _why(record, points.get(record.pk), today, minor),
        "public": public_entry(record, today=today) if public else None,
        "repair_from": repair_eligible_from(record),
        "may_object": may_object(record),
        "may_repair": may_repair(record, today),
    }


def record_points(record: IntegrityRecord, today: datetime.date) -> dict[str, Any]:
    """`record_view`'s scoring arguments for one record, from the score explanation."""
    explanation = score_explain(subject=record.subject, as_of=today)
    return {
        "points": {row["record_id"]: row["points"] for row in explanation["records"]},
        "minor": explanation["minor"],
    }


def overview(subject: Subject, *, today: datetime.date | None = None) -> dict[str, Any]:
    """Everything on "my record" for one subject: score, grade, domain sub-scores, history,
    the explanation's points per record, records, measures."""
    today = today or timezone.localdate()
    score = Score.objects.filter(subject=subject).first()
    explanation = score_explain(subject=subject, as_of=today)
    points = {row["record_id"]: row["points"] for row in explanation["records"]}
    history = list(
        ScoreHistory.objects.filter(subject=subject)
        .order_by("computed_at", "id")
        .values_list("computed_at", "total")
    )
    records = (
        IntegrityRecord.objects.filter(subject=subject)
        .select_related("record_type", "authority", "subject")
        .prefetch_related("objections", "repairs")
        .order_by("-decision_date", "-id")
    )
    return {
        "subject": subject,
        "score": score,
        "explanation": explanation,
        "chart": _history_chart([(timezone.localtime(at).date(), t) for at, t in history]),
        "history": history,
        "records": [
            record_view(r, today=today, points=points, minor=explanation["minor"]) for r in records
        ],
        "domains": [
            {
                "label": Domain(code).label,
                "points": explanation["by_domain"][code],
                "stored": getattr(score, code) if score else None,
            }
            for code in DOMAINS
        ],
        "measures": active_measures(subject, today=today),
        "today": today,
    }
