"""A credit-repair deadline that falls past the stored holiday calendar is shown to the
citizen as provisional (templates/citizens/repair.html and record.html), never silently."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from sanctions.kernel.workdays import calendar_ends_on, repair_due_on
from sanctions.models import Holiday, RepairApplication

pytestmark = pytest.mark.django_db

NOTE = "(provisional: the holiday calendar ends on {:%Y-%m-%d})"


def test_repair_deadline_past_the_calendar_is_marked_provisional_until_the_year_is_imported(
    client, world
):
    # the stored calendar ends before today's year (as 2026's did for 2027 deadlines)
    today = timezone.localdate()
    Holiday.objects.filter(date__year__gte=today.year).delete()
    Holiday.objects.get_or_create(
        date=datetime.date(today.year - 1, 1, 1), defaults={"name": "元旦"}
    )
    ends_on = calendar_ends_on()
    due = repair_due_on(today)
    assert ends_on == datetime.date(today.year - 1, 12, 31) < due
    record = world["e_record"]  # the enterprise's general-tier penalty, eligible for repair
    client.force_login(world["a_user"])
    form = client.get(reverse("citizens:repair", args=[record.pk])).content.decode()
    assert f"by {due:%Y-%m-%d} if you apply today" in form and NOTE.format(ends_on) in form
    response = client.post(reverse("citizens:repair", args=[record.pk]),
                           {"grounds": "已召回全部批次并整改。"})  # fmt: skip
    assert response.status_code == 302
    assert RepairApplication.objects.get(record=record).due_on == due
    page = client.get(reverse("citizens:record", args=[record.pk])).content.decode()
    assert f"To be decided by {due:%Y-%m-%d}." in page and NOTE.format(ends_on) in page
    # the calendar of the deadline's year imported: the same date is no longer provisional
    Holiday.objects.create(date=datetime.date(due.year, 1, 1), name="元旦")
    page = client.get(reverse("citizens:record", args=[record.pk])).content.decode()
    assert f"To be decided by {due:%Y-%m-%d}." in page and "provisional" not in page


def test_a_deadline_inside_the_calendar_is_not_marked(client, world):
    record = world["e_record"]
    due = repair_due_on(timezone.localdate())
    Holiday.objects.get_or_create(date=datetime.date(due.year, 1, 1), defaults={"name": "元旦"})
    client.force_login(world["a_user"])
    form = client.get(reverse("citizens:repair", args=[record.pk])).content.decode()
    assert f"by {due:%Y-%m-%d} if you apply today" in form and "provisional" not in form
