"""Notices: every letter the portal sends a subject (stored, and e-mailed after commit when
an address is known), written in the portal's language."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sanctions.models import (
    IntegrityRecord,
    Notice,
    Subject,
)


def _today(today: datetime.date | None) -> datetime.date:
    return today or timezone.localdate()


def notice_issue(
    *,
    subject: Subject,
    kind: str,
    title: str,
    body: str,
    record: IntegrityRecord | None = None,
    today: datetime.date | None = None,
    email_body: str | None = None,
) -> Notice:
    """Store a notice (the letter) and e-mail it after commit when an address is known.
    `email_body`: what the e-mail says when it must differ from the stored copy (an
    activation code is stored masked but sent in full)."""
    notice = Notice.objects.create(
        subject=subject,
        record=record,
        kind=kind,
        title=title,
        body=body,
        served_on=_today(today),
        emailed_to=subject.contact_email,
    )
    if subject.contact_email:
        address, sent = subject.contact_email, body if email_body is None else email_body
        transaction.on_commit(
            lambda: send_mail(title, sent, settings.DEFAULT_FROM_EMAIL, [address])
        )
    return notice


def letter_language() -> translation.override:
    """Letters to a person are written in the portal's language (settings.LANGUAGE_CODE),
    not in the language of the official's screen that caused them."""
    return translation.override(settings.LANGUAGE_CODE)


def record_line(record: IntegrityRecord) -> str:
    return _("%(type)s, decision %(number)s of %(date)s by %(authority)s") % {
        "type": record.record_type.title,
        "number": record.decision_number,
        "date": record.decision_date.isoformat(),
        "authority": record.authority.name,
    }
