"""Writes of the core: every change of legal meaning goes through a function here, in one
transaction that also writes its AuditEvent."""

from __future__ import annotations

import datetime
import decimal
from typing import Any

from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sanctions.kernel import rules
from sanctions.kernel.audit import audit_log
from sanctions.kernel.errors import ApplicationError
from sanctions.kernel.roles import Actor
from sanctions.models import (
    Authority,
    AuthorityKind,
    IntegrityRecord,
    PerformanceStatus,
    RecordType,
    Subject,
)

# a date before this is a typing mistake, not a decision the portal records
EARLIEST_DECISION_YEAR = 1950


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
    """Refuse a record type the authority's kind may not issue (catalog: `issuer_kinds`),
    as a field error on `record_type`: the case, admin, API and import paths all call it."""
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
    is `sanctions.services.accounts.official_save`'s to decide."""
    if obj._meta.label == "sanctions.Official":
        raise ApplicationError(_("Officials are saved through their own rules."), code="forbidden")
    creating = obj.pk is None
    old = {}
    if not creating:
        stored = type(obj).objects.select_for_update().get(pk=obj.pk)
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
    (`sanctions.services.accounts.official_delete`)."""
    if obj._meta.label == "sanctions.Official":
        raise ApplicationError(_("Officials are saved through their own rules."), code="forbidden")
    old = {field.attname: getattr(obj, field.attname) for field in obj._meta.concrete_fields}
    audit_log(actor=actor, action=f"{obj._meta.model_name}.delete", obj=obj, old=old)
    obj.delete()


class DuplicateDecisionNumber(ApplicationError):
    """The authority already holds a record with this decision number (callers such as the
    API's submission tell this refusal apart from the other record rules)."""

    @classmethod
    def of(cls, decision_number: str) -> DuplicateDecisionNumber:
        return cls(
            {
                "decision_number": _(
                    "This authority already has a record with decision number %(number)s."
                )
                % {"number": decision_number}
            },
            code="duplicate",
        )


def record_validate(
    *,
    subject: Subject,
    record_type: RecordType,
    authority: Authority,
    decision_number: str,
    decision_date: datetime.date,
    judicial_ground: int | None = None,
    publication_days: int | None = None,
    performance_status: str = PerformanceStatus.UNPERFORMED,
    today: datetime.date | None = None,
) -> rules.Windows:
    """Every rule a new record must pass; returns its windows. Forms call it for field
    errors before `record_create`, which calls it again inside its transaction."""
    today = today or timezone.localdate()
    decision_number = (decision_number or "").strip()
    if not decision_number:
        raise ApplicationError({"decision_number": _("The decision number is required.")})
    # first among the rules: the API answers a number already held with 409, not a 400
    # about another field
    if IntegrityRecord.objects.filter(
        authority=authority, decision_number=decision_number
    ).exists():
        raise DuplicateDecisionNumber.of(decision_number)
    if decision_date > today:
        raise ApplicationError({"decision_date": _("The decision date cannot be in the future.")})
    if decision_date.year < EARLIEST_DECISION_YEAR:
        raise ApplicationError({"decision_date": _("The decision date is implausibly early.")})
    if not record_type.is_active:
        raise ApplicationError({"record_type": _("This record type is no longer in use.")})
    check_issuer(record_type=record_type, authority=authority)
    if subject.kind not in record_type.subject_kinds:
        raise ApplicationError(
            {"record_type": _("This record type does not apply to this kind of subject.")}
        )
    if judicial_ground is not None and not record_type.places_on_blacklist:
        raise ApplicationError(
            {"judicial_ground": _("A listing ground applies only to blacklist records.")}
        )
    if record_type.places_on_blacklist and performance_status == PerformanceStatus.PERFORMED:
        # DESIGN.md §6: a judicial entry whose obligation is performed is never public
        raise ApplicationError(
            {
                "performance_status": _(
                    "An obligation already performed is not listed. Record the decision only "
                    "while it is unperformed; report its performance as an event."
                )
            }
        )
    from sanctions.models import RuleSet

    default_days = (
        RuleSet.objects.filter(state="active")
        .values_list("default_effective_days", flat=True)
        .first()
    )
    return rules.windows_for(
        record_type,
        default_effective_days=default_days,
        subject_kind=subject.kind,
        birth_date=subject.birth_date,
        decision_date=decision_date,
        judicial_ground=judicial_ground,
        publication_days=publication_days,
    )


def record_create(
    *,
    actor: Actor,
    subject: Subject,
    record_type: RecordType,
    authority: Authority,
    decision_number: str,
    decision_date: datetime.date,
    legal_basis: str = "",
    basis_document: str = "",
    facts: str = "",
    amount: decimal.Decimal | None = None,
    obligation: str = "",
    judicial_ground: int | None = None,
    performance_status: str = PerformanceStatus.UNPERFORMED,
    publication_days: int | None = None,
    today: datetime.date | None = None,
    case=None,
) -> IntegrityRecord:
    """Record a decision. Windows start at the decision date; the record waits in
    ``pending_notice`` until notice has been served and the notice period has passed."""
    decision_number = (decision_number or "").strip()
    windows = record_validate(
        subject=subject,
        record_type=record_type,
        authority=authority,
        decision_number=decision_number,
        decision_date=decision_date,
        judicial_ground=judicial_ground,
        publication_days=publication_days,
        performance_status=performance_status,
        today=today,
    )
    record = IntegrityRecord(
        subject=subject,
        record_type=record_type,
        authority=authority,
        decision_number=decision_number,
        decision_date=decision_date,
        legal_basis=(legal_basis or record_type.legal_basis).strip(),
        basis_document=(basis_document or "").strip(),
        facts=facts,
        amount=amount,
        obligation=obligation,
        judicial_ground=judicial_ground,
        performance_status=performance_status,
        effective_from=windows.effective_from,
        effective_until=windows.effective_until,
        publication_start=windows.publication_start,
        publication_end=windows.publication_end,
        review_due_on=rules.ground_one_review_due(record_type, judicial_ground, decision_date),
        created_by=actor if actor is not None and actor.is_authenticated else None,
        case=case,
    )
    try:
        with transaction.atomic():
            record.save()
            from sanctions.services.scoring import mark_dirty

            mark_dirty([subject.pk])
            audit_log(
                actor=actor,
                action="record.create",
                obj=record,
                subject=subject,
                new={
                    "record_type": record_type.code,
                    "authority": authority.code,
                    "decision_number": decision_number,
                    "decision_date": decision_date,
                    "case": case.pk if case else None,
                    "status": record.status,
                    "publication_start": record.publication_start,
                    "publication_end": record.publication_end,
                },
            )
    except IntegrityError as exc:
        if "record_decision_number_unique_per_authority" in str(exc):
            raise DuplicateDecisionNumber.of(decision_number) from None
        raise
    return record


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
    from sanctions.kernel.identifiers import identifier_hash, mask_identifier

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
