"""Working-day arithmetic for deadlines: weekends and the configured holiday calendar
(public holidays, and weekend days worked in exchange, 调休)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING

from sanctions.models import Holiday

if TYPE_CHECKING:
    from django.db.models import QuerySet


def calendar_between(start: datetime.date, end: datetime.date) -> tuple[set, set]:
    """(holidays, extra working days) stored for the period."""

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


def objection_due_on(filed_on: datetime.date) -> datetime.date:
    """Objections and appeals: SCS_OBJECTION_DECISION_DAYS calendar days."""
    from django.conf import settings

    return add_days(filed_on, settings.SCS_OBJECTION_DECISION_DAYS)


def repair_due_on(filed_on: datetime.date) -> datetime.date:
    """Credit repair applications: SCS_REPAIR_DECISION_WORKDAYS working days."""
    from django.conf import settings

    return add_working_days(filed_on, settings.SCS_REPAIR_DECISION_WORKDAYS)


def _last_stored_day():
    return Holiday.objects.order_by("-date").values_list("date", flat=True)


def calendar_end_after(last_stored_day: datetime.date | None) -> datetime.date | None:
    """The end of the calendar whose latest stored day is `last_stored_day`."""
    return datetime.date(last_stored_day.year, 12, 31) if last_stored_day else None


def calendar_ends_on() -> datetime.date | None:
    """The last day the stored holiday calendar covers (None: no calendar stored)."""
    return calendar_end_after(_last_stored_day().first())


def with_calendar_end(queryset: QuerySet) -> QuerySet:
    """`queryset` with each row's `calendar_last_stored_day` (one subquery for a whole list,
    not a query per row): for lists that mark deadlines beyond the calendar as provisional
    (`calendar_end_after` turns it into the calendar's end)."""
    from django.db.models import Subquery

    return queryset.annotate(calendar_last_stored_day=Subquery(_last_stored_day()[:1]))


def is_beyond_calendar(day: datetime.date | None, *, ends_on: datetime.date | None) -> bool:
    """Whether a working-day deadline on `day` is only provisional: it lies after the stored
    calendar (`ends_on`, from `calendar_ends_on`), so unknown holidays were counted as
    working days on the way there."""
    return day is not None and (ends_on is None or day > ends_on)


def provisional_label(ends_on: datetime.date | None) -> str:
    """What a deadline beyond the calendar says next to its date (in the active language)."""
    from django.utils.translation import gettext as _

    if ends_on is None:
        return _("(provisional: no holiday calendar is stored)")
    return _("(provisional: the holiday calendar ends on %(date)s)") % {"date": ends_on.isoformat()}


def calendar_warning(*, today: datetime.date | None = None) -> str | None:
    """The warning the system check (sanctions.W001) and the officials' dashboard show while
    the calendar does not reach SCS_HOLIDAY_CALENDAR_DAYS_AHEAD days past `today`; None when
    it does. In the active language."""
    from django.conf import settings
    from django.utils import timezone
    from django.utils.translation import gettext as _

    today = today or timezone.localdate()
    days_ahead = settings.SCS_HOLIDAY_CALENDAR_DAYS_AHEAD
    ends_on = calendar_ends_on()
    if ends_on is None:
        return _(
            "No holiday calendar is stored: working-day deadlines count public holidays as "
            "working days. Import it with “manage.py import_holidays”."
        )
    if ends_on >= today + datetime.timedelta(days=days_ahead):
        return None
    return _(
        "The holiday calendar ends on %(date)s, less than %(days)s days from today: deadlines "
        "after that day are provisional. Import %(year)s with “manage.py import_holidays "
        "--year %(year)s” (or from a CSV file) once the State Council has published it."
    ) % {"date": ends_on.isoformat(), "days": days_ahead, "year": ends_on.year + 1}
