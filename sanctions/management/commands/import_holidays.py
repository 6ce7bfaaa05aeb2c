"""Import a year's public holidays and exchanged working days (调休) into the calendar that
working-day deadlines count with.

python manage.py import_holidays --year 2027             # from the chinesecalendar package
python manage.py import_holidays --csv 2027.csv [--year 2027]

The CSV file has the header `date,is_working_day,name`: one line per day of the State
Council's notice, `is_working_day` 0 for a holiday and 1 for a weekend day worked in exchange,
`name` optional. Idempotent: a day already stored as given is left alone; every change is
audited. Exits non-zero, writing nothing, when the package does not know the year or the file
has errors.
"""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, no_translations

from sanctions.casework.services.holidays import (
    holiday_calendar_import,
    holiday_days_from_chinese_calendar,
    holiday_days_from_csv,
)
from sanctions.kernel.errors import ApplicationError
from sanctions.kernel.workdays import calendar_ends_on


class Command(BaseCommand):
    help = "Import a year's holidays and exchanged working days (chinesecalendar or a CSV file)."
    # the calendar check (sanctions.W001) would warn about what this command is run to fix
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, help="The year to import (e.g. 2027).")
        parser.add_argument(
            "--csv", dest="csv_path", help="Read the days from this CSV file instead."
        )

    @no_translations  # the refusals in English, like the rest of its output
    def handle(self, *args, **options):
        year, csv_path = options["year"], options["csv_path"]
        if year is None and not csv_path:
            raise CommandError("Give --year YEAR (from chinesecalendar) or --csv FILE.")
        if year is not None and not 1949 < year < 2200:
            raise CommandError(f"--year {year} is not a plausible year.")
        try:
            if csv_path:
                try:
                    text = Path(csv_path).read_text(encoding="utf-8")
                except (OSError, UnicodeDecodeError) as exc:
                    raise CommandError(f"Cannot read {csv_path}: {exc}") from None
                days = holiday_days_from_csv(text=text, year=year)
                source = csv_path
            else:
                days = holiday_days_from_chinese_calendar(year=year)
                source = "chinesecalendar"
            # the operator running the command; audited as "system"
            counts = holiday_calendar_import(actor=None, days=days)
        except ApplicationError as exc:
            raise CommandError("\n".join(exc.messages)) from None
        holidays = sum(1 for day in days if not day.is_working_day)
        self.stdout.write(
            self.style.SUCCESS(
                f"{source}: {len(days)} days ({holidays} holidays, {len(days) - holidays} "
                f"exchanged working days): {counts['created']} created, {counts['updated']} "
                f"updated, {counts['unchanged']} unchanged. The calendar now ends on "
                f"{calendar_ends_on()}."
            )
        )
