"""The holiday calendar for working-day deadlines: importing a year's public holidays and
exchanged working days (调休) from the `chinesecalendar` package or from a CSV file.

Each day is saved through `catalog_save`, so every change is audited like an edit in the admin.
Importing is idempotent: a day already stored as the source says is left alone."""

from __future__ import annotations

import csv
import datetime
import io
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from sanctions.kernel.errors import ApplicationError
from sanctions.kernel.identifiers import char_max_length
from sanctions.kernel.roles import Actor
from sanctions.models import Holiday
from sanctions.registry.services.catalog import catalog_save

# The names migration 0004 uses (the package's Chinese names are shortened: 清明, 端午, 中秋).
FESTIVAL_NAMES = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "Mid-autumn Festival": "中秋节",
    "National Day": "国庆节",
}
DEFAULT_HOLIDAY_NAME = "节假日"
DEFAULT_WORKDAY_NAME = "调休上班"
CSV_COLUMNS = ("date", "is_working_day", "name")
_TRUE = {"1", "true", "yes", "y", "t"}
_FALSE = {"0", "false", "no", "n", "f"}


@dataclass(frozen=True)
class CalendarDay:
    date: datetime.date
    is_working_day: bool
    name: str


def holiday_days_from_chinese_calendar(*, year: int) -> list[CalendarDay]:
    """The year's holidays and exchanged working days as the `chinesecalendar` package knows
    them (it is updated after each State Council notice). Refused when it does not know the
    year: then upgrade the package, or import the notice from a CSV file."""
    import chinese_calendar
    from chinese_calendar.constants import Holiday as Festival

    def name_of(english: str) -> str:
        if english in FESTIVAL_NAMES:
            return FESTIVAL_NAMES[english]
        try:
            return Festival(english).chinese
        except ValueError:
            return english

    first, last = datetime.date(year, 1, 1), datetime.date(year, 12, 31)
    try:
        chinese_calendar.is_holiday(first)
    except NotImplementedError:
        known = sorted({day.year for day in chinese_calendar.holidays})
        raise ApplicationError(
            {
                "year": _(
                    "The installed chinesecalendar package does not know the holidays of "
                    "%(year)s (it knows %(first)s–%(last)s). Upgrade it once the State Council "
                    "has published that year's notice, or import the notice from a CSV file."
                )
                % {"year": year, "first": known[0], "last": known[-1]}
            },
        ) from None
    days = [
        CalendarDay(day, False, name_of(english))
        for day, english in chinese_calendar.holidays.items()
        if first <= day <= last
    ]
    days += [
        CalendarDay(day, True, name_of(english) + DEFAULT_WORKDAY_NAME)
        for day, english in chinese_calendar.workdays.items()
        if first <= day <= last and day.weekday() >= 5  # a weekday is a working day anyway
    ]
    return sorted(days, key=lambda day: day.date)


def holiday_days_from_csv(*, text: str, year: int | None = None) -> list[CalendarDay]:
    """Days from a CSV file with the header `date,is_working_day[,name]`: `date` as
    YYYY-MM-DD, `is_working_day` 1/0 (also true/false, yes/no) — 0 for a public holiday, 1 for
    a weekend day worked in exchange — and an optional name. With `year`, every date must fall
    in it. All errors are reported together (with their line numbers); nothing is returned
    half-read."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [(column or "").strip().lower() for column in (reader.fieldnames or [])]
    if header[:2] != list(CSV_COLUMNS[:2]) or not set(header) <= set(CSV_COLUMNS):
        raise ApplicationError(
            {"csv": _("The first line must be the header “date,is_working_day,name”.")},
        )
    reader.fieldnames = header
    errors: list[str] = []
    days: dict[datetime.date, CalendarDay] = {}
    for row in reader:
        line = reader.line_num
        raw_date = (row.get("date") or "").strip()
        raw_flag = (row.get("is_working_day") or "").strip().lower()
        try:
            day = datetime.date.fromisoformat(raw_date)
        except ValueError:
            errors.append(_("line %(line)s: “%(value)s” is not a date like 2027-01-01.")
                          % {"line": line, "value": raw_date})  # fmt: skip
            continue
        if raw_flag not in _TRUE | _FALSE:
            errors.append(_("line %(line)s: is_working_day must be 1 or 0, not “%(value)s”.")
                          % {"line": line, "value": raw_flag})  # fmt: skip
            continue
        if year is not None and day.year != year:
            errors.append(_("line %(line)s: %(date)s is not in %(year)s.")
                          % {"line": line, "date": day.isoformat(), "year": year})  # fmt: skip
            continue
        if day in days:
            errors.append(_("line %(line)s: %(date)s is listed twice.")
                          % {"line": line, "date": day.isoformat()})  # fmt: skip
            continue
        working = raw_flag in _TRUE
        name = (row.get("name") or "").strip() or (
            DEFAULT_WORKDAY_NAME if working else DEFAULT_HOLIDAY_NAME
        )
        if len(name) > char_max_length(Holiday, "name"):
            errors.append(_("line %(line)s: the name is too long.") % {"line": line})
            continue
        days[day] = CalendarDay(day, working, name)
    if errors:
        raise ApplicationError({"csv": errors})
    if not days:
        raise ApplicationError({"csv": _("The file lists no days.")})
    return sorted(days.values(), key=lambda day: day.date)


@transaction.atomic
def holiday_calendar_import(*, actor: Actor, days: list[CalendarDay]) -> dict[str, int]:
    """Store the days: new ones are created, changed ones updated (each through the audited
    `catalog_save`), those already stored as given are left alone. One transaction: a failure
    leaves the calendar as it was. Days stored but not in `days` are kept (a supervisor may
    have added a local holiday). Returns the counts."""
    stored = {
        holiday.date: holiday
        for holiday in Holiday.objects.select_for_update().filter(
            date__in=[day.date for day in days]
        )
    }
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    for day in days:
        holiday = stored.get(day.date)
        if holiday is None:
            holiday = Holiday(date=day.date)
            counts["created"] += 1
        elif holiday.is_working_day == day.is_working_day and holiday.name == day.name:
            counts["unchanged"] += 1
            continue
        else:
            counts["updated"] += 1
        holiday.is_working_day, holiday.name = day.is_working_day, day.name
        catalog_save(actor=actor, obj=holiday, fields=["date", "name", "is_working_day"])
    return counts
