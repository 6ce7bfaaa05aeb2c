"""Pure rules of DESIGN.md §6 that several services share: ages, effective and publication
windows. No database access here, so they can be property-tested on many inputs."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils.translation import gettext as _

from sanctions.kernel.errors import ApplicationError

DEFAULT_EFFECTIVE_DAYS = 365
JUDICIAL_LISTING_DAYS = 730  # grounds 2-6: two years
JUDICIAL_REVIEW_DAYS = 730  # ground 1: listed until performance, reviewed at two years
TIER_PUBLICATION_DAYS = {  # (minimum, maximum) from the decision date
    "minor": None,
    "general": (91, 365),
    "serious": (365, 1095),
}

# Outer limits of the numbers officials type into the catalog and the scoring rules: far
# beyond any real rule, small enough that the dates and scores computed from them stay
# representable (dates end in year 9999; score columns are 32-bit integers). Without them a
# record type "effective for 2,000,000,000 days" is accepted and every record of it is a 500.
NUMBER_LIMITS = {
    "points": (-10_000, 10_000),
    "base_score": (1, 1_000_000),
    "grade_minimum": (-1_000_000_000, 1_000_000_000),
    "publication_min_days": (0, 36_525),  # 100 years
    "publication_max_days": (0, 36_525),
    "effective_days": (0, 36_525),
    "default_effective_days": (1, 36_525),
    "retention_years": (0, 100),
}


def check_number_limits(**values: int | None) -> None:
    """Field errors for each value (by its NUMBER_LIMITS name) outside its limits."""
    errors = {}
    for name, value in values.items():
        low, high = NUMBER_LIMITS[name]
        if value is not None and not low <= value <= high:
            errors[name] = _("Enter a whole number from %(low)s to %(high)s.") % {
                "low": f"{low:,}",
                "high": f"{high:,}",
            }
    if errors:
        raise ApplicationError(errors, code="out_of_range")


def age_on(birth_date: datetime.date, day: datetime.date) -> int:
    years = day.year - birth_date.year
    if (day.month, day.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def is_minor_on(birth_date: datetime.date | None, day: datetime.date) -> bool:
    return birth_date is not None and age_on(birth_date, day) < 18


def is_published_for(
    *, polarity: str, severity: str, is_administrative_penalty: bool, subject_kind: str
) -> bool:
    """Whether a record of a type that does not place on the court's list is ever published
    about this kind of subject (an adult): negative, above the minor tier, and not an
    individual's administrative penalty."""
    if polarity != "negative" or severity == "minor":
        return False
    return not (subject_kind == "person" and is_administrative_penalty)


def publication_bounds(
    *, severity: str, publication_min_days: int | None, publication_max_days: int | None
) -> tuple[int, int]:
    """The publication period allowed (days from the decision date, shortest and longest):
    the tier's bounds narrowed by the record type's own. Only for published tiers."""
    bounds = TIER_PUBLICATION_DAYS[severity]
    low = max(bounds[0], publication_min_days or 0)
    high = min(bounds[1], publication_max_days or bounds[1])
    return low, high


@dataclass(frozen=True)
class Windows:
    effective_from: datetime.date
    effective_until: datetime.date | None
    publication_start: datetime.date | None
    publication_end: datetime.date | None


def compute_windows(
    *,
    severity: str,
    polarity: str,
    places_on_blacklist: bool,
    is_administrative_penalty: bool,
    publication_min_days: int | None,
    publication_max_days: int | None,
    effective_days: int | None,
    subject_kind: str,
    birth_date: datetime.date | None,
    decision_date: datetime.date,
    judicial_ground: int | None = None,
    publication_days: int | None = None,
    default_effective_days: int | None = None,
) -> Windows:
    """Effective (scoring) and publication windows of a record, both from the decision date.

    Raises ApplicationError where the law forbids the listing asked for (a minor on the
    blacklist, a blacklist record without its ground, a period outside the tier's bounds).
    """
    effective_until = decision_date + datetime.timedelta(
        days=effective_days or default_effective_days or DEFAULT_EFFECTIVE_DAYS
    )
    minor = subject_kind == "person" and is_minor_on(birth_date, decision_date)

    def unpublished() -> Windows:
        return Windows(decision_date, effective_until, None, None)

    if places_on_blacklist:
        if minor:
            raise ApplicationError(
                _("A person under 18 on the decision date is never listed."), code="minor"
            )
        if judicial_ground is None:
            raise ApplicationError(
                {"judicial_ground": _("A listing needs exactly one ground (1-6).")},
                code="ground",
            )
        if judicial_ground == 1:
            # Until performance; the review date is decision + JUDICIAL_REVIEW_DAYS.
            return Windows(decision_date, None, decision_date, None)
        end = decision_date + datetime.timedelta(days=JUDICIAL_LISTING_DAYS)
        return Windows(decision_date, end, decision_date, end)

    published = is_published_for(
        polarity=polarity, severity=severity,
        is_administrative_penalty=is_administrative_penalty, subject_kind=subject_kind,
    )  # fmt: skip
    if minor or not published:
        return unpublished()
    low, high = publication_bounds(
        severity=severity,
        publication_min_days=publication_min_days,
        publication_max_days=publication_max_days,
    )
    days = high if publication_days is None else publication_days
    if not low <= days <= high:
        raise ApplicationError(
            {
                "publication_days": _(
                    "For this tier the publication period is %(low)d to %(high)d days."
                )
                % {"low": low, "high": high}
            },
            code="publication_period",
        )
    return Windows(
        decision_date,
        effective_until,
        decision_date,
        decision_date + datetime.timedelta(days=days),
    )


def windows_for(
    record_type,
    *,
    subject_kind: str,
    birth_date: datetime.date | None,
    decision_date: datetime.date,
    judicial_ground: int | None = None,
    publication_days: int | None = None,
    default_effective_days: int | None = None,
) -> Windows:
    """compute_windows with the bounds taken from a RecordType (services and bulk seeding)."""
    return compute_windows(
        severity=record_type.severity,
        polarity=record_type.polarity,
        places_on_blacklist=record_type.places_on_blacklist,
        is_administrative_penalty=record_type.is_administrative_penalty,
        publication_min_days=record_type.publication_min_days,
        publication_max_days=record_type.publication_max_days,
        effective_days=record_type.effective_days,
        subject_kind=subject_kind,
        birth_date=birth_date,
        decision_date=decision_date,
        judicial_ground=judicial_ground,
        publication_days=publication_days,
        default_effective_days=default_effective_days,
    )


def ground_one_review_due(
    record_type, judicial_ground: int | None, decision_date: datetime.date
) -> datetime.date | None:
    """When a listing on judicial ground 1 (until performance) falls due for its mandatory
    review: JUDICIAL_REVIEW_DAYS after the decision. None for every other record."""
    if not record_type.places_on_blacklist or judicial_ground != 1:
        return None
    return decision_date + datetime.timedelta(days=JUDICIAL_REVIEW_DAYS)
