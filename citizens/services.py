from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from citizens.models import Citizen
from sanctions.errors import ApplicationError
from sanctions.identifiers import ResidentIdInfo, person_name_pinyin, validate_resident_id
from sanctions.models import Subject, SubjectKind
from sanctions.services import Actor, audit_log, subject_create

UNCHANGED = object()


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ApplicationError({"name": _("The name is required.")})
    if len(name) > 100:
        raise ApplicationError({"name": _("The name is too long (100 characters at most).")})
    return name


def citizen_validate_new(*, resident_id: str) -> ResidentIdInfo:
    """The checks a new registration must pass (forms call it for field errors)."""
    try:
        info = validate_resident_id(resident_id)
    except ValidationError as exc:
        raise ApplicationError({"resident_id": exc.messages}) from None
    if Citizen.objects.filter(resident_id=info.number).exists():
        raise ApplicationError(
            {"resident_id": _("A citizen with this resident ID number is already registered.")}
        )
    return info


def citizen_create(*, actor: Actor, resident_id: str, name: str, email: str = "") -> Citizen:
    """Register a citizen: validates the ID number (GB 11643) and derives birth date, sex and
    region from it; creates the Subject; audits. All or nothing."""
    info = citizen_validate_new(resident_id=resident_id)
    name = _clean_name(name)
    try:
        with transaction.atomic():
            subject = subject_create(
                kind=SubjectKind.PERSON,
                identifier=info.number,
                display_name=name,
                name_pinyin=person_name_pinyin(name),
                region_code=info.region_code,
                birth_date=info.birth_date,
                contact_email=email,
                sex=info.sex,
            )
            citizen = Citizen.objects.create(
                subject=subject,
                resident_id=info.number,
                name=name,
                birth_date=info.birth_date,
                sex=info.sex,
                region_code=info.region_code,
                email=email,
            )
            audit_log(
                actor=actor,
                action="citizen.create",
                obj=citizen,
                subject=subject,
                new={"name": name, "masked_id": subject.masked_identifier},
            )
    except IntegrityError:
        # a concurrent registration of the same number won the race
        raise ApplicationError(
            {"resident_id": _("A citizen with this resident ID number is already registered.")}
        ) from None
    return citizen


@transaction.atomic
def citizen_update(
    *, actor: Actor, citizen: Citizen, name: str, email: str, user: Any = UNCHANGED
) -> Citizen:
    """Change a citizen's name, notice address or linked account (the ID number never
    changes). Reads the stored row under a lock, so `old` is what the database held."""
    name = _clean_name(name)
    citizen = Citizen.objects.select_for_update().get(pk=citizen.pk)
    old = {"name": citizen.name, "email": citizen.email, "user": citizen.user_id}
    citizen.name = name
    citizen.email = email
    if user is not UNCHANGED:
        citizen.user = user
    citizen.save(update_fields=["name", "email", "user"])
    subject = citizen.subject
    subject.display_name = name
    subject.name_pinyin = person_name_pinyin(name)
    subject.contact_email = email
    subject.save(update_fields=["display_name", "name_pinyin", "contact_email", "updated_at"])
    # enterprises show their legal representative's name publicly (reverse accessor of
    # enterprises.Enterprise; citizens does not import that app)
    Subject.objects.filter(enterprise__legal_representative=citizen).update(legal_rep_name=name)
    audit_log(
        actor=actor,
        action="citizen.update",
        obj=citizen,
        subject=subject,
        old=old,
        new={"name": name, "email": email, "user": citizen.user_id},
    )
    return citizen
