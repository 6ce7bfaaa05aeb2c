"""Reads of the core, shared by pages, admin and API."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils.translation import get_language

from sanctions.kernel.roles import scoped
from sanctions.kernel.rules import is_published_for, publication_bounds
from sanctions.models import (
    ApiClient,
    ApiSubmission,
    Authority,
    AuthorityKind,
    Domain,
    ImportBatch,
    IntegrityRecord,
    RecordStatus,
    RecordType,
)
from sanctions.registry.selectors import active_measures


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


def api_clients_visible_to(user) -> QuerySet[ApiClient]:
    return scoped(ApiClient.objects.all(), user, "authority")


def api_submissions_visible_to(user) -> QuerySet[ApiSubmission]:
    return scoped(ApiSubmission.objects.all(), user, "authority")


def import_batch_of(authority: Authority, pk: int) -> ImportBatch | None:
    """One of an authority's bulk imports (an API client sees its authority's only)."""
    return ImportBatch.objects.filter(pk=pk, authority=authority).first()


def import_batches_visible_to(user) -> QuerySet[ImportBatch]:
    return scoped(ImportBatch.objects.all(), user, "authority")


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
