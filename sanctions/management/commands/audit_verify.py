"""`manage.py audit_verify [--no-record]`: recompute the audit trail's hash chain.

Prints `OK: <n> audit rows, chain intact; head …` and exits 0, or names the first broken row
(`BROKEN at audit row <id> …`) and exits 1. The head hash it prints is worth keeping outside the
database (a log shipped elsewhere): an owner who rewrote the whole chain cannot change it there.
The result is stored (dashboard, next run's anchor) unless `--no-record`."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from sanctions.kernel.audit_chain import audit_chain_verify


class Command(BaseCommand):
    help = "Verify the audit trail's hash chain; name the first broken row (exit 1)."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--no-record", action="store_true", help="do not store the result (dashboard)"
        )

    def handle(self, *args, **options) -> None:
        result = audit_chain_verify(record=not options["no_record"])
        if not result.intact:
            raise CommandError(
                f"BROKEN at audit row {result.broken_event_id} (chain position "
                f"{result.broken_seq}): {result.get_reason_display()}; "
                f"{result.rows_checked} rows checked",
                returncode=1,
            )
        self.stdout.write(
            f"OK: {result.rows_checked} audit rows, chain intact; head row "
            f"{result.head_event_id} (position {result.head_seq}) {result.head_hash}"
        )
