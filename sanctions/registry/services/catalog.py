"""The catalog (DESIGN.md §2): record types — only with a legal basis and a supervisor's
attestation, never on a prohibited ground — and the other catalog rows officials edit
(authorities, measures, holidays), each change audited with what the database held before."""

from __future__ import annotations

from typing import Any

from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sanctions.kernel import rules
from sanctions.kernel.audit import audit_log
from sanctions.kernel.errors import ApplicationError
from sanctions.kernel.roles import Actor
from sanctions.models import (
    Authority,
    AuthorityKind,
    RecordType,
)

# Words that mark a category the catalog may never hold (DESIGN.md §2). A supervisor's
# attestation is still required; this catches the obvious mistakes before it.
PROHIBITED_GROUND_WORDS = (
    "政治", "言论", "宗教", "信仰", "民族", "种族", "健康", "疾病", "感染", "性生活",
    "性取向", "工会", "亲属", "家属", "子女", "父母", "配偶",
    "political", "opinion", "speech", "religio", "belief", "ethnic", "race", "health",
    "disease", "infect", "sexual", "trade union", "relative", "family member",
)  # fmt: skip


def check_prohibited_grounds(*texts: str) -> None:
    joined = " ".join(texts).lower()
    for word in PROHIBITED_GROUND_WORDS:
        if word in joined:
            raise ApplicationError(
                _(
                    "The catalog may not hold a category based on opinion, speech, belief, "
                    "ethnicity, health, sexual life, union membership or relatives "
                    "(found “%(word)s”)."
                )
                % {"word": word},
                code="prohibited_ground",
            )


def check_issuer(*, record_type: RecordType, authority: Authority) -> None:
    """Refuse a retired record type, and one the authority's kind may not issue (catalog:
    `issuer_kinds`), as a field error on `record_type`: the case, admin, API and import
    paths all call it."""
    if not record_type.is_active:
        raise ApplicationError({"record_type": _("This record type is no longer in use.")})
    if authority.kind in record_type.issuer_kinds:
        return
    raise ApplicationError(
        {
            "record_type": _(
                "A “%(kind)s” authority may not issue this record type; it may be issued "
                "by: %(kinds)s."
            )
            % {
                "kind": authority.get_kind_display(),
                "kinds": ", ".join(
                    str(AuthorityKind(kind).label) for kind in record_type.issuer_kinds
                ),
            }
        }
    )


def _check_issuer_kinds(kinds: Any) -> None:
    if not kinds:
        raise ApplicationError(
            {"issuer_kinds": _("Choose at least one kind of authority that may issue it.")}
        )


RECORD_TYPE_NUMBERS = ("points", "publication_min_days", "publication_max_days",
                       "effective_days", "retention_years")  # fmt: skip


def record_type_check_numbers(**fields: Any) -> None:
    """The record type's points and periods within rules.NUMBER_LIMITS (field errors)."""
    rules.check_number_limits(**{k: fields[k] for k in RECORD_TYPE_NUMBERS if k in fields})


@transaction.atomic
def record_type_create(*, actor: Actor, measures: list | None = None, **fields: Any) -> RecordType:
    """Add a catalog entry. Supervisors only (checked by the caller's permission); needs a
    legal basis and an attestation, and is refused for prohibited grounds."""
    if not (fields.get("legal_basis") or "").strip():
        raise ApplicationError({"legal_basis": _("A record type needs a legal basis.")})
    if not (fields.get("attestation") or "").strip():
        raise ApplicationError({"attestation": _("The supervisor's attestation is required.")})
    check_prohibited_grounds(
        fields.get("title", ""), fields.get("title_en", ""), fields.get("code", "")
    )
    _check_issuer_kinds(fields.get("issuer_kinds"))
    record_type_check_numbers(**fields)
    record_type = RecordType(**fields)
    if actor is not None and actor.is_authenticated:
        record_type.attested_by = actor
        record_type.attested_at = timezone.now()
    record_type.full_clean()
    record_type.save()
    if measures:
        record_type.measures.set(measures)
    audit_log(
        actor=actor,
        action="record_type.create",
        obj=record_type,
        new={
            k: fields[k] for k in ("code", "title", "domain", "severity", "points", "issuer_kinds")
        },
    )
    return record_type


@transaction.atomic
def record_type_update(
    *, actor: Actor, record_type: RecordType, measures: list | None = None, **fields: Any
) -> RecordType:
    """Change a catalog entry: same checks as creation; the editing supervisor attests anew."""
    stored = RecordType.objects.select_for_update().get(pk=record_type.pk)
    merged = {name: fields.get(name, getattr(stored, name)) for name in
              ("code", "title", "title_en", "legal_basis", "attestation",
               "issuer_kinds")}  # fmt: skip
    if not (merged["legal_basis"] or "").strip():
        raise ApplicationError({"legal_basis": _("A record type needs a legal basis.")})
    if not (merged["attestation"] or "").strip():
        raise ApplicationError({"attestation": _("The supervisor's attestation is required.")})
    check_prohibited_grounds(merged["title"], merged["title_en"], merged["code"])
    _check_issuer_kinds(merged["issuer_kinds"])
    record_type_check_numbers(**fields)
    old = {name: getattr(stored, name) for name in fields}
    old_measures = sorted(stored.measures.values_list("code", flat=True))
    for name, value in fields.items():
        setattr(stored, name, value)
    if actor is not None and actor.is_authenticated:
        stored.attested_by = actor
        stored.attested_at = timezone.now()
    stored.full_clean()
    stored.save()
    new_measures = old_measures
    if measures is not None:
        stored.measures.set(measures)
        new_measures = sorted(m.code for m in measures)
    audit_log(
        actor=actor,
        action="record_type.update",
        obj=stored,
        old={**old, "measures": old_measures},
        new={**fields, "measures": new_measures},
    )
    return stored


@transaction.atomic
def catalog_save(*, actor: Actor, obj: models.Model, fields: list[str]) -> models.Model:
    """Save a catalog row an official edited (authorities, measures, holidays) and audit the
    change with the values the database held before. Never an official: who may place whom
    is `sanctions.registry.services.officials.official_save`'s to decide."""
    if obj._meta.label == "sanctions.Official":
        raise ApplicationError(_("Officials are saved through their own rules."), code="forbidden")
    creating = obj.pk is None
    old = {}
    if not creating:
        stored = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
        old = {name: getattr(stored, name) for name in fields}
    obj.full_clean()
    obj.save()
    audit_log(
        actor=actor,
        action=f"{obj._meta.model_name}.{'create' if creating else 'update'}",
        obj=obj,
        old=old,
        new={name: getattr(obj, name) for name in fields},
    )
    return obj


@transaction.atomic
def catalog_delete(*, actor: Actor, obj: models.Model) -> None:
    """Delete a catalog row (e.g. a holiday entered by mistake), audited. Never an official
    (`sanctions.registry.services.officials.official_delete`)."""
    if obj._meta.label == "sanctions.Official":
        raise ApplicationError(_("Officials are saved through their own rules."), code="forbidden")
    old = {field.attname: getattr(obj, field.attname) for field in obj._meta.concrete_fields}
    audit_log(actor=actor, action=f"{obj._meta.model_name}.delete", obj=obj, old=old)
    obj.delete()
