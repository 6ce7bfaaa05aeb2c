"""Issue 18: the demo carries a year of score history, month by month, as the nightly
recompute would have left it: each row the score its records gave on that day, a row only
where the score changed, the stored score the last point."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from sanctions.models import Score, ScoreHistory, Subject
from sanctions.scoring.selectors import score_explain
from scs_portal.demo import DEMO_CITIZEN

pytestmark = pytest.mark.django_db


def test_the_demo_carries_a_year_of_monthly_score_history(settings, catalog):
    settings.DEBUG = True
    call_command("seed_demo", "--citizens", "20", "--enterprises", "3", "--records", "40")
    today = timezone.localdate()
    demo = Subject.objects.get(citizen__resident_id=DEMO_CITIZEN[0])
    history = list(ScoreHistory.objects.filter(subject=demo).order_by("computed_at", "id"))
    days = [timezone.localtime(row.computed_at).date() for row in history]
    assert len(history) >= 2 and len(set(days)) == len(days), days
    # the first run of the year: the end of the month a year ago
    assert 330 <= (today - days[0]).days <= 366, days
    assert all(day == today or (day + datetime.timedelta(days=1)).day == 1 for day in days)
    # each row is what the records gave that day, and differs from the row before
    for row, day in zip(history, days, strict=True):
        assert score_explain(subject=demo, as_of=day)["total"] == row.total, day
    values = [
        (r.total, r.government, r.commercial, r.societal, r.judicial, r.grade) for r in history
    ]
    assert all(before != after for before, after in zip(values, values[1:], strict=False))
    # the stored score is the last point, for everyone scored
    for score in Score.objects.all():
        last = ScoreHistory.objects.filter(subject=score.subject_id).order_by("computed_at").last()
        assert (last.total, last.grade) == (score.total, score.grade)
    assert ScoreHistory.objects.values("subject").distinct().count() == Score.objects.count()
