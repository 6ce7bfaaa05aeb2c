"""The restriction check agencies make before applying a measure."""

from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from sanctions.agency.selectors import active_restrictions
from sanctions.kernel.audit import access_log_write
from sanctions.kernel.errors import ApplicationError
from sanctions.kernel.identifiers import identifier_hash, require_full_identifier
from sanctions.models import (
    ApiClient,
    Measure,
    Subject,
)


def restriction_check(
    *,
    client: ApiClient,
    identifier: str,
    measure: str = "",
    today: datetime.date | None = None,
) -> dict[str, Any]:
    """Does the subject with this full ID number / credit code have active restrictions
    (optionally: this measure)? Each check of a person leaves an access-log row naming the
    client, which the person sees."""

    today = today or timezone.localdate()
    try:
        identifier = require_full_identifier(identifier)
    except ValidationError as exc:
        raise ApplicationError({"identifier": exc.messages}) from None
    measure_obj = None
    if measure:
        measure_obj = Measure.objects.filter(code=measure, kind="restriction").first()
        if measure_obj is None:
            raise ApplicationError({"measure": _("Unknown restriction measure.")})
    subject = Subject.objects.filter(identifier_hash=identifier_hash(identifier)).first()
    if subject is None:
        return {"subject_found": False, "restricted": False, "checked_on": today,
                "restrictions": []}  # fmt: skip
    access_log_write(
        official_user=client.user,
        subject=subject,
        purpose=_("API restriction check by %(client)s (%(authority)s)")
        % {"client": client.name, "authority": client.authority.name},
    )
    restrictions = active_restrictions(subject=subject, measure=measure_obj, today=today)
    return {
        "subject_found": True,
        "kind": subject.kind,
        "masked_id": subject.masked_identifier,
        "restricted": bool(restrictions),
        "checked_on": today,
        "restrictions": restrictions,
    }
