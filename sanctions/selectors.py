"""Reads of the core, shared by pages, admin and API."""

from __future__ import annotations

from django.db.models import Count, Q, QuerySet

from sanctions.models import Authority, Domain, RecordType


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


def authorities_visible_to(user) -> QuerySet[Authority]:
    """The official's own authority; supervisors also see the bodies below theirs."""
    official = getattr(user, "official", None)
    if official is None:
        return Authority.objects.none()
    if not user.groups.filter(name="supervisor").exists():
        return Authority.objects.filter(pk=official.authority_id)
    ids = {official.authority_id}
    frontier = [official.authority_id]
    while frontier:
        frontier = list(
            Authority.objects.filter(parent_id__in=frontier)
            .exclude(pk__in=ids)
            .values_list("pk", flat=True)
        )
        ids.update(frontier)
    return Authority.objects.filter(pk__in=ids)
