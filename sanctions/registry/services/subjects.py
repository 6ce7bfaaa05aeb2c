"""Subjects: the row behind a new citizen or enterprise (`citizens`, `enterprises` create
them; `sanctions` knows only Subject)."""

from __future__ import annotations

import datetime
from collections.abc import Container, Iterable
from dataclasses import dataclass, field

from django.db import transaction

from sanctions.kernel.identifiers import identifier_hash, mask_identifier
from sanctions.models import (
    Subject,
)


def subject_create(
    *,
    kind: str,
    identifier: str,
    display_name: str,
    name_pinyin: str,
    region_code: str,
    birth_date: datetime.date | None = None,
    contact_email: str = "",
    sex: str = "",
    legal_rep_name: str = "",
    public_code: str = "",
) -> Subject:
    """Create the Subject row behind a new citizen or enterprise (the caller audits).

    Only the masked form and a keyed hash of the identifier are kept here."""

    subject = Subject(
        kind=kind,
        display_name=display_name,
        name_pinyin=name_pinyin,
        region_code=region_code,
        masked_identifier=mask_identifier(identifier),
        identifier_hash=identifier_hash(identifier),
        birth_date=birth_date,
        contact_email=contact_email,
        sex=sex,
        legal_rep_name=legal_rep_name,
        public_code=public_code,
    )
    subject.save()
    return subject


@dataclass
class RehashResult:
    """What `subject_identifiers_rehash` did. `renamed` maps old hash → new hash for the old
    hashes the caller asked about (the agency ledger's normalised payloads hold hashes too)."""

    rehashed: int = 0
    already_current: int = 0
    # subjects whose stored hash matches neither key: left as they are, listed by id
    unknown_key: list[int] = field(default_factory=list)
    renamed: dict[str, str] = field(default_factory=dict)


def subject_identifiers_rehash(
    *,
    identifiers: Iterable[tuple[int, str]],
    old_key: str,
    wanted_old_hashes: Container[str] = frozenset(),
    chunk_size: int = 5000,
) -> RehashResult:
    """Re-key the identifier hashes after `SCS_IDENTIFIER_KEY` changed: for each
    (subject id, clear identifier) — the clear number lives on Citizen / Enterprise, which
    the caller reads — a subject still hashed under `old_key` gets the hash under the current
    key. Idempotent and resumable: a subject already under the current key is counted and
    left; each chunk is its own transaction, so a stopped run continues where it stopped.
    A subject matching neither key is never guessed at: it is reported."""
    result = RehashResult()
    batch: list[tuple[int, str]] = []

    def flush() -> None:
        by_id = {pk: number for pk, number in batch}
        with transaction.atomic():
            subjects = Subject.objects.select_for_update().filter(pk__in=by_id).order_by("pk")
            changed = []
            for subject in subjects:
                number = by_id[subject.pk]
                new_hash = identifier_hash(number)
                old_hash = identifier_hash(number, key=old_key)
                if subject.identifier_hash == new_hash:
                    result.already_current += 1
                elif subject.identifier_hash == old_hash:
                    subject.identifier_hash = new_hash
                    changed.append(subject)
                else:
                    result.unknown_key.append(subject.pk)
                    continue
                if old_hash in wanted_old_hashes:
                    result.renamed[old_hash] = new_hash
            Subject.objects.bulk_update(changed, ["identifier_hash"])
            result.rehashed += len(changed)
        batch.clear()

    for pair in identifiers:
        batch.append(pair)
        if len(batch) >= chunk_size:
            flush()
    if batch:
        flush()
    return result
