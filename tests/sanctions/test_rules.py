import datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from sanctions.kernel import rules
from sanctions.kernel.errors import ApplicationError

D = datetime.date(2025, 3, 10)


def windows(**overrides):
    base = {
        "severity": "general",
        "polarity": "negative",
        "places_on_blacklist": False,
        "is_administrative_penalty": False,
        "publication_min_days": None,
        "publication_max_days": None,
        "effective_days": None,
        "subject_kind": "enterprise",
        "birth_date": None,
        "decision_date": D,
    }
    base.update(overrides)
    return rules.compute_windows(**base)


def test_general_tier_publishes_from_decision_date_for_at_most_a_year():
    w = windows()
    assert w.publication_start == D
    assert w.publication_end == D + datetime.timedelta(days=365)
    assert w.effective_until == D + datetime.timedelta(days=365)


def test_serious_tier_publishes_up_to_three_years():
    w = windows(severity="serious")
    assert w.publication_end == D + datetime.timedelta(days=1095)
    with pytest.raises(ApplicationError):
        windows(severity="serious", publication_days=100)  # below the 1-year minimum


def test_minor_tier_and_positive_records_are_never_published():
    assert windows(severity="minor").publication_start is None
    assert windows(polarity="positive").publication_start is None


def test_individuals_administrative_penalties_are_never_published():
    w = windows(
        subject_kind="person", is_administrative_penalty=True, birth_date=datetime.date(1980, 1, 1)
    )
    assert w.publication_start is None and w.publication_end is None


def test_minor_is_never_listed_and_a_listing_needs_a_ground():
    seventeen = D.replace(year=D.year - 17)
    with pytest.raises(ApplicationError) as excinfo:
        windows(places_on_blacklist=True, subject_kind="person", birth_date=seventeen,
                judicial_ground=2)  # fmt: skip
    assert excinfo.value.code == "minor"
    with pytest.raises(ApplicationError):
        windows(places_on_blacklist=True)


def test_judicial_grounds_two_to_six_list_for_two_years_ground_one_until_performance():
    assert windows(places_on_blacklist=True, judicial_ground=3).publication_end == (
        D + datetime.timedelta(days=730)
    )
    ground_one = windows(places_on_blacklist=True, judicial_ground=1)
    assert ground_one.publication_start == D and ground_one.publication_end is None


@given(
    decision=st.dates(datetime.date(2015, 1, 1), datetime.date(2030, 1, 1)),
    severity=st.sampled_from(["general", "serious"]),
    days=st.integers(1, 1200),
)
def test_publication_window_starts_at_decision_and_stays_inside_tier_bounds(
    decision, severity, days
):
    low, high = rules.TIER_PUBLICATION_DAYS[severity]
    try:
        w = windows(severity=severity, decision_date=decision, publication_days=days)
    except ApplicationError:
        assert not low <= days <= high
        return
    assert low <= days <= high
    assert w.publication_start == decision
    assert (w.publication_end - w.publication_start).days == days
