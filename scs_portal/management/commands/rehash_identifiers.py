"""Re-key the identifier hashes after SCS_IDENTIFIER_KEY changed (docs/security.md).

    SCS_IDENTIFIER_OLD_KEY=<the key in use until now> manage.py rehash_identifiers

Run with the NEW key in SCS_IDENTIFIER_KEY, with the portal stopped or in a maintenance window
(exact lookups and API repeats made meanwhile would use the wrong key). The old key comes from
the environment, never from the command line (a process list shows arguments). The clear
numbers live once, on Citizen and Enterprise; each subject still hashed under the old key gets
the hash under the new one, then the API idempotency ledger's payloads follow. Idempotent and
resumable: run it again after a stop. Audit rows keep the digests they were written with (the
trail is append-only); they stay comparable only under the key of their time.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from citizens.models import Citizen
from enterprises.models import Enterprise
from sanctions.agency.services.submissions import (
    submission_ledger_hashes,
    submission_ledger_rehash,
)
from sanctions.models import Subject
from sanctions.registry.services.subjects import subject_identifiers_rehash


def clear_identifiers() -> Iterator[tuple[int, str]]:
    yield from Citizen.objects.order_by("pk").values_list("subject_id", "resident_id").iterator()
    yield from (
        Enterprise.objects.order_by("pk").values_list("subject_id", "credit_code").iterator()
    )


class Command(BaseCommand):
    help = "Re-key subjects' identifier hashes from SCS_IDENTIFIER_OLD_KEY to SCS_IDENTIFIER_KEY."

    def handle(self, *args: object, **options: object) -> None:
        old_key = os.environ.get("SCS_IDENTIFIER_OLD_KEY", "")
        if not old_key:
            raise CommandError(
                "Set SCS_IDENTIFIER_OLD_KEY to the key in use until now (and SCS_IDENTIFIER_KEY "
                "to the new one)."
            )
        if old_key == settings.SCS_IDENTIFIER_KEY:
            raise CommandError("SCS_IDENTIFIER_OLD_KEY equals SCS_IDENTIFIER_KEY: nothing to do.")
        wanted = submission_ledger_hashes()
        result = subject_identifiers_rehash(
            identifiers=clear_identifiers(), old_key=old_key, wanted_old_hashes=wanted
        )
        rewritten, untranslated = submission_ledger_rehash(renamed=result.renamed)
        without_number = Subject.objects.filter(
            citizen__isnull=True, enterprise__isnull=True
        ).count()
        self.stdout.write(
            f"subjects re-keyed: {result.rehashed}; already under the new key: "
            f"{result.already_current}; API ledger rows rewritten: {rewritten}"
        )
        if without_number:
            self.stdout.write(
                f"{without_number} subject(s) have no clear number on file (no citizen or "
                "enterprise row): their hash cannot be re-keyed, so an exact lookup will not "
                "find them."
            )
        if untranslated:
            self.stdout.write(
                f"{untranslated} ledger identifier(s) belong to nobody on file (legal "
                "representatives): a repeat of those submissions answers 409, never a second "
                "record."
            )
        if result.unknown_key:
            shown = ", ".join(str(pk) for pk in result.unknown_key[:20])
            raise CommandError(
                f"{len(result.unknown_key)} subject(s) match neither key (ids {shown}…): is "
                "SCS_IDENTIFIER_OLD_KEY the key they were hashed with? They were left as they "
                "are; everything else is re-keyed."
            )
