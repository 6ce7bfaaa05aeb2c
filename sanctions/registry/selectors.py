"""Reads of the registry: officials and accounts an official manages, the record types
offered, records of an authority, the one definition of a public entry and of a record in
effect (`sanctions.db.predicates`), and the measures that apply to a subject."""

from __future__ import annotations

import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.utils import timezone

from sanctions.db.predicates import counts_for_score_q, in_publication_window_q
from sanctions.kernel.roles import Viewer, authorities_visible_to, scoped
from sanctions.models import (
    Authority,
    Domain,
    IntegrityRecord,
    Official,
    PerformanceStatus,
    RecordType,
    Subject,
)


def officials_visible_to(*, user: Viewer) -> QuerySet[Official]:
    """The officials a supervisor sees in the admin: those of the authorities they oversee
    (their own and the bodies below it); every official for the operator (superuser)."""
    if user.is_superuser:
        return Official.objects.all()
    return Official.objects.filter(authority__in=authorities_visible_to(user=user))


def accounts_placeable_by(*, user: Viewer) -> QuerySet[User]:
    """The user accounts an official may be created for. The operator: any active staff
    account that is not an official yet. A supervisor: only accounts the operator opened for
    a new official and nobody has placed yet (active staff, not a superuser, no official, no
    group, no direct permission): never a citizen's portal account, an operator's or auditor's
    account, or anyone already serving another authority."""
    accounts = (
        get_user_model()
        .objects.filter(is_active=True, is_staff=True, official__isnull=True)
        .order_by("username")
    )
    if not user.is_authenticated:  # nobody places an account anonymously
        return accounts.none()
    if user.is_superuser:
        return accounts
    return accounts.filter(
        is_superuser=False, groups__isnull=True, user_permissions__isnull=True
    ).exclude(pk=user.pk)


def record_types_offered_to(
    *, user: Viewer, authority: Authority | None = None
) -> QuerySet[RecordType]:
    """The record types the admin offers an official: those in use (not retired) that the
    kind of `authority` may issue, or without one, the kinds of every authority visible to
    them. A superuser with no authority given sees every type in use (the services still
    check the authority chosen)."""
    in_use = RecordType.objects.filter(is_active=True)
    if authority is not None:
        kinds = [authority.kind]
    elif user.is_superuser:
        return in_use
    else:
        kinds = list(authorities_visible_to(user=user).values_list("kind", flat=True).distinct())
    return in_use.filter(issuer_kinds__overlap=kinds)


def public_entries(*, today: datetime.date | None = None) -> QuerySet[IntegrityRecord]:
    """The one definition of what the public sees (pages, API, open data).

    An entry is public when a notice was served and the record was activated (published_at
    set), it is active or under objection (then marked so), and today is inside its
    publication window. Minors, minor-tier records and individuals' administrative penalties
    never get a publication window, so they never appear.
    """
    today = today or timezone.localdate()
    return (
        # a candidate public entry inside its window (sanctions.db.predicates: the search
        # tables hold the candidates, tested against this form)
        IntegrityRecord.objects.filter(in_publication_window_q(today))
        # Defence in depth (DESIGN.md §6): a judicial entry whose obligation is performed is
        # never public, even if a path recorded the performance without removing it.
        .exclude(
            performance_status=PerformanceStatus.PERFORMED,
            record_type__in=RecordType.objects.filter(domain=Domain.JUDICIAL).values("pk"),
        )
    )


def is_public(*, record: IntegrityRecord, today: datetime.date | None = None) -> bool:
    return public_entries(today=today).filter(pk=record.pk).exists()


def records_in_effect(*, today: datetime.date | None = None) -> QuerySet[IntegrityRecord]:
    """Records whose consequences apply today: the predicate the score counts with (active
    or under objection, inside the effective window: sanctions.db.predicates)."""
    today = today or timezone.localdate()
    return IntegrityRecord.objects.filter(counts_for_score_q(today))


def records_triggering_measures(
    *, subject: Subject, today: datetime.date | None = None
) -> QuerySet[IntegrityRecord]:
    """The records whose measures apply to a subject today: a blacklist type while the entry
    is listed (published, inside its publication window), any other type inside its effective
    window; active or under objection. Records pending notice restrict nothing yet."""
    today = today or timezone.localdate()
    listed = public_entries(today=today).filter(
        subject=subject, record_type__places_on_blacklist=True
    )
    effective = records_in_effect(today=today).filter(
        subject=subject, record_type__places_on_blacklist=False
    )
    return (
        IntegrityRecord.objects.filter(pk__in=listed.values("pk").union(effective.values("pk")))
        .select_related("record_type", "authority")
        .order_by("decision_date", "id")
    )


def measure_ends_on(*, record: IntegrityRecord) -> datetime.date | None:
    """When a record's measures end (None: when the obligation is performed)."""
    if record.record_type.places_on_blacklist:
        return record.publication_end
    return record.effective_until


def active_measures(*, subject: Subject, today: datetime.date | None = None) -> list[dict]:
    """The restrictions and incentives that apply to a subject today (the citizen's view;
    `active_restrictions` shapes its restrictions for the agencies' check), each with its
    record (the basis) and end date."""
    records = records_triggering_measures(subject=subject, today=today).prefetch_related(
        "record_type__measures"
    )
    return [
        {"measure": measure, "record": record, "ends_on": measure_ends_on(record=record)}
        for record in records
        for measure in record.record_type.measures.all()
    ]


def records_visible_to(*, user: Viewer) -> QuerySet[IntegrityRecord]:
    return scoped(IntegrityRecord.objects.all(), user, "authority")
