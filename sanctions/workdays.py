"""Working-day arithmetic for deadlines: weekends and the configured holiday calendar
(public holidays, and weekend days worked in exchange, 调休)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable


def calendar_between(start: datetime.date, end: datetime.date) -> tuple[set, set]:
    """(holidays, extra working days) stored for the period."""
    from sanctions.models import Holiday

    rows = Holiday.objects.filter(date__gte=start, date__lte=end).values_list(
        "date", "is_working_day"
    )
    holidays = {day for day, working in rows if not working}
    workdays = {day for day, working in rows if working}
    return holidays, workdays


def is_working_day(
    day: datetime.date, holidays: Iterable[datetime.date], workdays: Iterable[datetime.date]
) -> bool:
    if day in workdays:
        return True
    return day.weekday() < 5 and day not in holidays


def add_working_days(
    start: datetime.date,
    days: int,
    *,
    holidays: Iterable[datetime.date] | None = None,
    workdays: Iterable[datetime.date] | None = None,
) -> datetime.date:
    """The date `days` working days after `start` (start itself not counted).

    Without explicit calendars, reads the Holiday table for the span that can matter."""
    if days < 0:
        raise ValueError("days must not be negative")
    if holidays is None or workdays is None:
        holidays, workdays = calendar_between(start, start + datetime.timedelta(days=days * 3 + 30))
    holidays, workdays = set(holidays), set(workdays)
    day = start
    counted = 0
    while counted < days:
        day += datetime.timedelta(days=1)
        if is_working_day(day, holidays, workdays):
            counted += 1
    return day


def add_days(start: datetime.date, days: int) -> datetime.date:
    return start + datetime.timedelta(days=days)


# --- when the authority must decide a filing (one place for the services, which store the
# date, and the citizen's pages, which announce it before the filing is made) -------------


def objection_due_on(filed_on: datetime.date) -> datetime.date:
    """Objections and appeals: SCS_OBJECTION_DECISION_DAYS calendar days."""
    from django.conf import settings

    return add_days(filed_on, settings.SCS_OBJECTION_DECISION_DAYS)


def repair_due_on(filed_on: datetime.date) -> datetime.date:
    """Credit repair applications: SCS_REPAIR_DECISION_WORKDAYS working days."""
    from django.conf import settings

    return add_working_days(filed_on, settings.SCS_REPAIR_DECISION_WORKDAYS)
