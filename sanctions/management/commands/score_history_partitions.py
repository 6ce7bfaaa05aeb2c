"""The score history's monthly partitions (docs/scaling.md, "ScoreHistory partitions"):

    manage.py score_history_partitions            # what the daily task does, now
    manage.py score_history_partitions --list     # the partitions, their ranges and rows
    manage.py score_history_partitions --months-ahead 6 --retention-months 120

Creates this month's partition (UTC) and the months ahead, moves rows waiting in DEFAULT into
a partition of their month, detaches and drops the months past the retention
(SCS_SCORE_HISTORY_RETENTION_MONTHS unless given). Idempotent: a second run changes nothing.
Runs as the app's role too (the DDL is in the migration's SECURITY DEFINER functions)."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from sanctions.kernel.errors import ApplicationError
from sanctions.scoring.partitions import MONTHS_AHEAD, score_history_partitions_maintain
from sanctions.scoring.selectors import score_history_partitions


def _date(value: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--today: not a date (YYYY-MM-DD): {value!r}") from None


class Command(BaseCommand):
    help = "Create the score history's partitions ahead and drop those past retention."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--list", action="store_true", help="only list the partitions")
        parser.add_argument("--today", type=_date, default=None, help="as of this date (UTC)")
        parser.add_argument(
            "--months-ahead", type=int, default=MONTHS_AHEAD,
            help=f"months created after this one (default {MONTHS_AHEAD})",
        )  # fmt: skip
        parser.add_argument(
            "--retention-months", type=int, default=None,
            help="months kept (default SCS_SCORE_HISTORY_RETENTION_MONTHS="
            f"{settings.SCS_SCORE_HISTORY_RETENTION_MONTHS})",
        )  # fmt: skip

    def handle(self, *args, **options) -> None:
        if options["list"]:
            for partition in score_history_partitions():
                if partition.is_default:
                    span = "DEFAULT"
                else:
                    span = f"[{partition.range_from:%Y-%m-%d}, {partition.range_to:%Y-%m-%d})"
                rows = "?" if partition.estimated_rows < 0 else f"~{partition.estimated_rows}"
                self.stdout.write(f"{partition.name}  {span}  {rows} rows")
            return
        try:
            result = score_history_partitions_maintain(
                today=options["today"],
                months_ahead=options["months_ahead"],
                retention_months=options["retention_months"],
            )
        except ApplicationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        self.stdout.write(
            f"created={len(result['created'])} {' '.join(result['created'])}".rstrip()
        )
        self.stdout.write(f"moved_from_default={result['moved_from_default']}")
        self.stdout.write(
            f"dropped={len(result['dropped'])} {' '.join(result['dropped'])}".rstrip()
            + f" rows_dropped={result['rows_dropped']}"
            + f" retention_months={result['retention_months']}"
        )
