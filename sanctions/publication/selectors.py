"""Reads of the public list: the entries with what a page reads joined in, the exact lookup,
the allow-list of what reaches public HTML and JSON, the catalog overview and the kinds of
public list.

Only `public_entry` turns a record into something the public sees; templates, open data and
the API render its dict, never the model, so no other field can leak (tests check this).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any, TypedDict

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from sanctions.kernel.identifiers import identifier_hash
from sanctions.kernel.regions import region_name
from sanctions.kernel.rules import age_on, is_published_for, publication_bounds
from sanctions.models import (
    AuthorityKind,
    Domain,
    IntegrityRecord,
    JudicialGround,
    RecordType,
)
from sanctions.publication.search import newest_first
from sanctions.registry.selectors import public_entries

PERSON_FIELDS = (
    "id", "kind", "name", "sex", "age", "region", "masked_id", "authority", "case_number",
    "basis_document", "legal_basis", "obligation", "amount", "amount_performed",
    "performance_status", "ground",
    "publication_date", "publication_end", "under_objection", "record_type", "domain",
    "how_to_object",
)  # fmt: skip
ENTERPRISE_FIELDS = (
    "id", "kind", "name", "credit_code", "legal_representative", "region", "authority",
    "case_number", "basis_document", "legal_basis", "obligation", "amount", "amount_performed",
    "performance_status", "ground", "publication_date", "publication_end", "under_objection",
    "record_type", "domain", "how_to_object",
)  # fmt: skip


def public_records(*, today: datetime.date | None = None) -> QuerySet[IntegrityRecord]:
    """Public entries with what `public_entry` reads joined in."""
    return public_entries(today=today).select_related("subject", "record_type", "authority")


def entries_by_identifier(
    *, identifier: str, today: datetime.date | None = None
) -> QuerySet[IntegrityRecord]:
    """The exact lookup (full ID number or credit code, by keyed hash), newest first."""
    return newest_first(
        public_records(today=today).filter(subject__identifier_hash=identifier_hash(identifier))
    )


def public_record(*, public_id: str) -> IntegrityRecord | None:
    """One entry for its detail page, by its random public id, if it is public today."""
    return public_records().filter(public_id=public_id).first()


def capped_paginator(
    *, entries: QuerySet[IntegrityRecord], per_page: int
) -> tuple[Paginator, bool]:
    """Pages over at most SCS_SEARCH_MAX_RESULTS entries (a capped COUNT; a page builds only
    its own rows) and whether the cap was reached: persons' entries are never bulk-listed."""
    cap = settings.SCS_SEARCH_MAX_RESULTS
    paginator = Paginator(entries[:cap], per_page)
    return paginator, paginator.count >= cap


def public_entry(*, record: IntegrityRecord, today: datetime.date | None = None) -> dict[str, Any]:
    """The allow-listed public view of one entry (DESIGN.md §6)."""
    today = today or timezone.localdate()
    subject = record.subject
    # a public entry is in its publication window, and names its subject: only an ended
    # record (never public) is erased
    assert subject is not None and record.publication_start is not None
    ground = JudicialGround(record.judicial_ground).label if record.judicial_ground else ""
    common = {
        "id": record.public_id,  # never the sequential pk: entries must not be walkable
        "kind": subject.kind,
        "name": subject.display_name,
        "region": region_name(subject.region_code) or subject.region_code,
        "authority": record.authority.localized_name,
        "case_number": record.decision_number,
        "basis_document": record.basis_document,
        # why the entry is listed: the law the decision rests on (DESIGN.md §2: every record
        # cites it; the record keeps its own copy, the type's when none was given)
        "legal_basis": record.legal_basis,
        "obligation": record.obligation,
        "amount": str(record.amount) if record.amount is not None else "",
        # reported by the authority with a partial performance (what is left is public too)
        "amount_performed": str(record.amount_performed)
        if record.amount_performed is not None
        else "",
        "performance_status": record.get_performance_status_display(),
        "ground": str(ground),
        "publication_date": record.publication_start.isoformat(),
        "publication_end": record.publication_end.isoformat() if record.publication_end else "",
        "under_objection": record.status == "under_objection",
        "record_type": record.record_type.localized_title,
        "domain": record.record_type.get_domain_display(),
        "how_to_object": reverse("how_to_object"),
    }
    fields: tuple[str, ...]
    if subject.kind == "person":
        common.update(
            {
                "sex": {"M": _("Male"), "F": _("Female")}.get(subject.sex, ""),
                "age": age_on(subject.birth_date, today) if subject.birth_date else "",
                "masked_id": subject.masked_identifier,
            }
        )
        fields = PERSON_FIELDS
    else:
        common.update(
            {"credit_code": subject.public_code, "legal_representative": subject.legal_rep_name}
        )
        fields = ENTERPRISE_FIELDS
    return {key: common[key] for key in fields}


def enterprise_open_data_entries() -> Iterator[dict[str, Any]]:
    """Every public enterprise entry, newest first, for the open-data export (persons' entries
    are never bulk-exported)."""
    records = newest_first(public_records().filter(subject__kind="enterprise"))
    for record in records.iterator(chunk_size=2000):
        yield public_entry(record=record)


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
    by_domain: dict[str, tuple[int, int]] = {
        row["domain"]: (row["negative"], row["positive"]) for row in counts
    }
    return [
        {
            "code": value,
            "label": label,
            "negative": by_domain.get(value, (0, 0))[0],
            "positive": by_domain.get(value, (0, 0))[1],
        }
        for value, label in Domain.choices
    ]


class PublicListType(TypedDict):
    """One record type of `public_list_kinds`."""

    code: str
    title: str
    domain: str
    subject_kinds: list[str]
    court_listing: bool
    period: tuple[int, int] | None
    repair_after: int | None


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
    groups: dict[str, list[PublicListType]] = {}
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
        item: PublicListType = {
            "code": record_type.code,
            "title": record_type.localized_title,
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
