"""Recompute scores in this process, with a progress bar.

python manage.py recompute_scores           # incremental (dirty subjects, windows)
python manage.py recompute_scores --full    # everyone (after a rule change)
"""

import datetime

from django.core.management.base import BaseCommand, CommandError
from tqdm import tqdm

from sanctions.errors import ApplicationError
from sanctions.services import score_chunk_execute, score_run_pending_chunks, score_run_start


class Command(BaseCommand):
    help = "Recompute integrity scores (incremental by default)."

    def add_arguments(self, parser):
        parser.add_argument("--full", action="store_true", help="Recompute every subject.")
        parser.add_argument("--as-of", help="Compute as of this date (YYYY-MM-DD).")

    def handle(self, *args, **options):
        try:
            as_of = datetime.date.fromisoformat(options["as_of"]) if options["as_of"] else None
        except ValueError:
            raise CommandError("--as-of must be a date like 2026-01-31") from None
        try:
            run = score_run_start(kind="full" if options["full"] else "incremental", as_of=as_of)
        except ApplicationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        chunks = score_run_pending_chunks(run)
        for chunk_id in tqdm(chunks, desc=f"{run.kind} recompute", unit="chunk"):
            score_chunk_execute(chunk_id)
        run.refresh_from_db()
        self.stdout.write(
            self.style.SUCCESS(
                f"Run #{run.pk} ({run.kind}, rules v{run.rule_version}, as of {run.as_of}): "
                f"{run.chunks_done}/{run.chunks_total} chunks, {run.subjects_changed} scores "
                f"written, {run.duration.total_seconds():.2f}s."
            )
        )
