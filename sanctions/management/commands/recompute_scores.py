"""Recompute scores in this process, with a progress bar.

python manage.py recompute_scores           # incremental (dirty subjects, windows)
python manage.py recompute_scores --full    # everyone (after a rule change)
"""

import datetime

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from sanctions.kernel.errors import ApplicationError
from sanctions.scoring.services import score_recompute_inline


class Command(BaseCommand):
    help = "Recompute integrity scores (incremental by default)."

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true", help="Recompute every subject.")
        parser.add_argument("--as-of", help="Compute as of this date (YYYY-MM-DD).")
        parser.add_argument(
            "--workers", type=int, default=1, help="Parallel database connections (default 1)."
        )

    def handle(self, *args, **options):
        try:
            as_of = datetime.date.fromisoformat(options["as_of"]) if options["as_of"] else None
        except ValueError:
            raise CommandError("--as-of must be a date like 2026-01-31") from None
        if options["workers"] < 1:
            raise CommandError("--workers must be at least 1")
        kind = "full" if options["full"] else "incremental"
        bar = tqdm(desc=f"{kind} recompute", unit="chunk")
        try:
            run = score_recompute_inline(
                kind=kind, as_of=as_of, progress=bar.update, workers=options["workers"]
            )
        except ApplicationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        finally:
            bar.close()
        self.stdout.write(
            self.style.SUCCESS(
                f"Run #{run.pk} ({run.kind}, rules v{run.rule_version}, as of {run.as_of}): "
                f"{run.chunks_done}/{run.chunks_total} chunks, {run.subjects_changed} scores "
                f"written, {run.duration.total_seconds():.2f}s."
            )
        )
