"""`manage.py publication_sweep [--today YYYY-MM-DD]`: what the nightly beat entries do, now —
publish entries whose notice period ended, expire closed windows, open due ground-1 reviews,
erase records past retention — and print the counts. Idempotent: a second run finds nothing."""

from __future__ import annotations

import datetime

from django.core.management.base import BaseCommand, CommandError

from sanctions.casework.services.listings import review_cases_open
from sanctions.casework.services.retention import retention_sweep
from sanctions.publication.services import publication_sweep


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--today: not a date (YYYY-MM-DD): {value!r}") from None


class Command(BaseCommand):
    help = "Publish, expire, open due reviews and erase past retention now; print the counts."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--today", type=_date, default=None, help="as of this date")
        parser.add_argument(
            "--no-retention", action="store_true", help="skip the retention erasure"
        )

    def handle(self, *args, today: datetime.date | None = None, **options) -> None:
        counts = publication_sweep(today=today)
        counts["reviews_opened"] = review_cases_open(today=today)
        if not options["no_retention"]:
            counts["erased"] = retention_sweep(today=today)
        self.stdout.write(" ".join(f"{name}={value}" for name, value in counts.items()))
