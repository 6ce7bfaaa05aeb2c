"""Subjects: the row behind a new citizen or enterprise (`citizens`, `enterprises` create
them; `sanctions` knows only Subject)."""

from __future__ import annotations

import datetime

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
