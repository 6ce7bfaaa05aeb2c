from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from citizens.models import Citizen
from citizens.selectors import may_correct_register_entry
from citizens.services import REGISTER_ENTRY_NOT_ON_FILE, citizen_subject_resolve
from enterprises.models import Enterprise, EnterpriseStatus
from sanctions.kernel.audit import audit_log
from sanctions.kernel.errors import ApplicationError
from sanctions.kernel.identifiers import (
    char_max_length,
    clean_name,
    normalize_name,
    validate_credit_code,
)
from sanctions.kernel.pinyin import text_pinyin
from sanctions.kernel.roles import Actor
from sanctions.models import Subject, SubjectKind
from sanctions.registry.services.subjects import subject_create


def _clean_name(name: str) -> str:
    """Visible letters required; invisible and control characters dropped (identifiers)."""
    try:
        return clean_name(name, max_length=char_max_length(Enterprise, "name"))
    except ValidationError as exc:
        raise ApplicationError({"name": exc.messages}) from None


def enterprise_validate_new(*, credit_code: str) -> str:
    try:
        code = validate_credit_code(credit_code)
    except ValidationError as exc:
        raise ApplicationError({"credit_code": exc.messages}) from None
    if Enterprise.objects.filter(credit_code=code).exists():
        raise ApplicationError(
            {"credit_code": _("An enterprise with this credit code is already registered.")}
        )
    return code


def enterprise_create(
    *,
    actor: Actor,
    credit_code: str,
    name: str,
    legal_representative: Citizen,
    status: str = EnterpriseStatus.ACTIVE,
    address: str = "",
) -> Enterprise:
    """Register an enterprise under its unified social credit code (GB 32100)."""
    code = enterprise_validate_new(credit_code=credit_code)
    name = _clean_name(name)
    try:
        with transaction.atomic():
            subject = subject_create(
                kind=SubjectKind.ENTERPRISE,
                identifier=code,
                display_name=name,
                name_pinyin=text_pinyin(name),
                region_code=code[2:8],
                legal_rep_name=legal_representative.name,
                public_code=code,
            )
            enterprise = Enterprise.objects.create(
                subject=subject,
                credit_code=code,
                name=name,
                legal_representative=legal_representative,
                status=status,
                address=address,
            )
            audit_log(
                actor=actor,
                action="enterprise.create",
                obj=enterprise,
                subject=subject,
                new={"name": name, "credit_code": code, "legal_rep": legal_representative.pk},
            )
    except IntegrityError:
        raise ApplicationError(
            {"credit_code": _("An enterprise with this credit code is already registered.")}
        ) from None
    return enterprise


@transaction.atomic
def enterprise_update(
    *,
    actor: Actor,
    enterprise: Enterprise,
    name: str,
    legal_representative: Citizen,
    status: str,
    address: str,
) -> Enterprise:
    name = _clean_name(name)
    enterprise = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
    if not may_correct_register_entry(actor, enterprise.subject_id):
        raise ApplicationError(REGISTER_ENTRY_NOT_ON_FILE, code="not_on_file")
    old = {
        "name": enterprise.name,
        "legal_rep": enterprise.legal_representative_id,
        "status": enterprise.status,
        "address": enterprise.address,
    }
    enterprise.name = name
    enterprise.legal_representative = legal_representative
    enterprise.status = status
    enterprise.address = address
    enterprise.save()
    subject = enterprise.subject
    subject.display_name = name
    subject.name_pinyin = text_pinyin(name)
    subject.legal_rep_name = legal_representative.name
    subject.save(update_fields=["display_name", "name_pinyin", "legal_rep_name", "updated_at"])
    audit_log(
        actor=actor,
        action="enterprise.update",
        obj=enterprise,
        subject=subject,
        old=old,
        new={
            "name": name,
            "legal_rep": legal_representative.pk,
            "status": status,
            "address": address,
        },
    )
    return enterprise


def enterprise_subject_resolve(
    *, actor: Actor, identifier: str, name: str, legal_representative: dict | None = None
) -> Subject:
    """The Subject of the enterprise with this credit code, registering it (and, if needed,
    its legal representative) when unknown. Named in settings.SCS_SUBJECT_RESOLVERS."""
    try:
        code = validate_credit_code(identifier)
    except ValidationError as exc:
        raise ApplicationError({"identifier": exc.messages}) from None
    registered = Enterprise.objects.select_related("subject").filter(credit_code=code)
    enterprise = registered.first()
    if enterprise is not None:
        return _registered_subject(enterprise, name)
    if not legal_representative:
        raise ApplicationError(
            {"legal_representative": _("A new enterprise needs its legal representative.")}
        )
    try:
        rep_subject = citizen_subject_resolve(
            actor=actor,
            identifier=legal_representative.get("identifier", ""),
            name=legal_representative.get("name", ""),
        )
    except ValidationError as exc:
        raise ApplicationError(
            {f"legal_representative.{k}": v for k, v in exc.message_dict.items()}
        ) from None
    try:
        enterprise = enterprise_create(
            actor=actor, credit_code=code, name=name, legal_representative=rep_subject.citizen
        )
    except ValidationError as exc:
        # a concurrent registration of the same code committed first: use that enterprise
        enterprise = registered.first()
        if enterprise is not None:
            return _registered_subject(enterprise, name)
        raise ApplicationError(
            {("identifier" if k == "credit_code" else k): v for k, v in exc.message_dict.items()}
        ) from None
    return enterprise.subject


def _registered_subject(enterprise: Enterprise, name: str) -> Subject:
    if name and normalize_name(name) != enterprise.name:
        raise ApplicationError(
            {"name": _("The name does not match the name registered for this credit code.")}
        )
    return enterprise.subject
