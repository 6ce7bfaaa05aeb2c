"""A decision submitted by a partner agency: as a record with its decision notice, or as a
draft case when the authority's policy says so; idempotent on authority + decision number.

Actor: every API client has its own service user (unusable password, not staff, an official
of the client's authority in the clerk role). Records, cases, audit rows and access-log rows
name that user, so a machine action is traced to the client exactly like a clerk's action.

Subjects: `sanctions` never imports `citizens` or `enterprises`; the functions that find or
register a person or an enterprise are named in settings.SCS_SUBJECT_RESOLVERS.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from sanctions.casework.services.cases import case_create
from sanctions.kernel.audit import audit_log, json_value
from sanctions.kernel.errors import ApplicationError, Conflict
from sanctions.kernel.identifiers import identifier_hash
from sanctions.kernel.roles import Actor
from sanctions.models import (
    ApiClient,
    ApiSubmission,
    Authority,
    AuthorityApiPolicy,
    ImportBatch,
    RecordType,
    Subject,
    SubmissionMode,
)
from sanctions.registry.services.records import (
    DuplicateDecisionNumber,
    record_register,
    record_validate,
)


def authority_submission_mode(authority: Authority) -> str:
    policy = AuthorityApiPolicy.objects.filter(authority=authority).first()
    return policy.submission_mode if policy else SubmissionMode.RECORD


@dataclass
class SubmissionResult:
    submission: ApiSubmission
    created: bool


class SubmissionConflict(Conflict):
    """The decision number was already submitted with different content (HTTP 409)."""


def _prefixed(exc: ValidationError, prefix: str) -> ApplicationError:
    if hasattr(exc, "error_dict"):
        return ApplicationError(
            {f"{prefix}.{field}": messages for field, messages in exc.message_dict.items()}
        )
    return ApplicationError({prefix: exc.messages})


def normalised_payload(data: dict[str, Any]) -> dict[str, Any]:
    """What makes two submissions the same: every field as JSON, identifiers replaced by
    their keyed hashes (the ledger never holds a clear identifier)."""
    subject = dict(data["subject"])
    subject["identifier"] = identifier_hash(subject["identifier"])
    rep = subject.get("legal_representative")
    if rep:
        subject["legal_representative"] = {
            "identifier": identifier_hash(rep["identifier"]),
            "name": " ".join(rep.get("name", "").split()),
        }
    subject["name"] = " ".join((subject.get("name") or "").split())
    payload = {key: json_value(value) for key, value in data.items() if key != "subject"}
    payload["decision_number"] = payload["decision_number"].strip()
    payload["subject"] = subject
    return payload


def _payload_hash(payload: dict[str, Any]) -> str:
    return hashlib.sha256(
        json.dumps(payload, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()


def _repeat(existing: ApiSubmission, payload: dict[str, Any], digest: str) -> SubmissionResult:
    if existing.payload_hash == digest:
        return SubmissionResult(existing, created=False)
    differing = sorted(
        key
        for key in set(existing.payload) | set(payload)
        if existing.payload.get(key) != payload.get(key)
    )
    raise SubmissionConflict(
        {
            "decision_number": _(
                "Decision number %(number)s of this authority was already submitted on "
                "%(date)s with different content (differs in: %(fields)s). A decision number "
                "names one decision: to correct a record, ask the authority's officials; "
                "do not re-submit it."
            )
            % {
                "number": existing.decision_number,
                "date": timezone.localtime(existing.created_at).date().isoformat(),
                "fields": ", ".join(differing),
            }
        },
        code="conflict",
    )


def _resolve_subject(actor: Actor, subject_data: dict[str, Any]) -> Subject:
    kind = subject_data["kind"]
    resolver = import_string(settings.SCS_SUBJECT_RESOLVERS[kind])
    try:
        return resolver(
            actor=actor,
            identifier=subject_data["identifier"],
            name=subject_data.get("name", ""),
            legal_representative=subject_data.get("legal_representative"),
        )
    except ValidationError as exc:
        raise _prefixed(exc, "subject") from None


def record_submit(
    *, client: ApiClient, data: dict[str, Any], import_batch: ImportBatch | None = None
) -> SubmissionResult:
    """Submit one decision for the client's authority (as a record, or as a draft case when
    the authority's policy says so). Idempotent on (authority, decision number): the same
    payload again returns the first result; different content raises SubmissionConflict.
    One transaction: the subject, the record or case, the ledger row and the audit rows
    are written together or not at all."""
    authority = client.authority
    actor = client.user
    payload = normalised_payload(data)
    digest = _payload_hash(payload)
    number = payload["decision_number"]
    existing = ApiSubmission.objects.filter(authority=authority, decision_number=number).first()
    if existing is not None:
        return _repeat(existing, payload, digest)
    record_type = RecordType.objects.filter(code=data["record_type"]).first()
    if record_type is None:
        raise ApplicationError({"record_type": _("Unknown record type.")})
    try:
        with transaction.atomic():
            subject = _resolve_subject(actor, data["subject"])
            fields = {
                "legal_basis": data.get("legal_basis", ""),
                "basis_document": data.get("basis_document", ""),
                "amount": data.get("amount"),
                "obligation": data.get("obligation", ""),
                "judicial_ground": data.get("judicial_ground"),
                "publication_days": data.get("publication_days"),
            }
            mode = authority_submission_mode(authority)
            record = case = None
            if mode == SubmissionMode.CASE:
                # the record's rules are checked now, so a case never waits for review only
                # to be refused when decided (in record mode, record_create checks them)
                record_validate(
                    subject=subject,
                    record_type=record_type,
                    authority=authority,
                    decision_number=number,
                    decision_date=data["decision_date"],
                    judicial_ground=fields["judicial_ground"],
                    publication_days=fields["publication_days"],
                    performance_status=data.get("performance_status") or "unperformed",
                )
                if not (data.get("facts") or "").strip():
                    raise ApplicationError(
                        {"facts": _("The facts are required for a case under review.")}
                    )
                case = case_create(
                    actor=actor,
                    subject=subject,
                    record_type=record_type,
                    title=_("%(number)s of %(date)s (API: %(client)s)")
                    % {
                        "number": number,
                        "date": data["decision_date"].isoformat(),
                        "client": client.name,
                    },
                    facts=data["facts"],
                    authority=authority,
                    **fields,
                )
            else:
                # the record and its decision notice: it publishes after the notice period
                record = record_register(
                    actor=actor,
                    subject=subject,
                    record_type=record_type,
                    authority=authority,
                    decision_number=number,
                    decision_date=data["decision_date"],
                    facts=data.get("facts", ""),
                    performance_status=data.get("performance_status") or "unperformed",
                    **fields,
                )
            submission = ApiSubmission.objects.create(
                authority=authority,
                client=client,
                decision_number=number,
                payload_hash=digest,
                payload=payload,
                record=record,
                case=case,
                import_batch=import_batch,
            )
            audit_log(
                actor=actor,
                action="api.submit",
                obj=submission,
                subject=subject,
                new={
                    "client": client.key_prefix,
                    "decision_number": number,
                    "mode": mode,
                    "record": record.pk if record else None,
                    "case": case.pk if case else None,
                    "import_batch": import_batch.pk if import_batch else None,
                },
            )
    except (IntegrityError, DuplicateDecisionNumber) as exc:
        # a concurrent submission of the same number won the race: answer as a repeat
        existing = ApiSubmission.objects.filter(authority=authority, decision_number=number).first()
        if existing is not None:
            return _repeat(existing, payload, digest)
        if isinstance(exc, DuplicateDecisionNumber):
            raise SubmissionConflict(
                {
                    "decision_number": _(
                        "This authority already holds a record with decision number "
                        "%(number)s that was not submitted over the API."
                    )
                    % {"number": number}
                },
                code="conflict",
            ) from None
        raise
    return SubmissionResult(submission, created=True)


def submission_ledger_hashes() -> set[str]:
    """Every identifier hash the idempotency ledger's normalised payloads hold (subjects and
    legal representatives): what a re-keying must translate."""
    found: set[str] = set()
    for payload in ApiSubmission.objects.values_list("payload", flat=True).iterator():
        subject = payload.get("subject") or {}
        found.add(subject.get("identifier", ""))
        found.add((subject.get("legal_representative") or {}).get("identifier", ""))
    found.discard("")
    return found


def submission_ledger_rehash(*, renamed: Mapping[str, str]) -> tuple[int, int]:
    """After a re-keying, put the new hashes into the ledger's normalised payloads and
    recompute their payload hashes, so a repeated submission is still recognised as the same
    one. Returns (rows rewritten, rows still holding a hash nobody could translate — a legal
    representative unknown to the portal: a repeat of that submission answers 409 instead of
    repeating its result, never a second record). Idempotent."""
    rewritten = untranslated = 0
    translated = set(renamed.values())  # rows a stopped earlier run already rewrote
    with transaction.atomic():
        for row in ApiSubmission.objects.select_for_update().order_by("pk").iterator():
            payload = json.loads(json.dumps(row.payload))
            subject = payload.get("subject") or {}
            rep = subject.get("legal_representative") or {}
            touched = False
            for holder in (subject, rep):
                value = holder.get("identifier")
                if isinstance(value, str) and value in renamed:
                    holder["identifier"] = renamed[value]
                    touched = True
                elif value and value not in translated:
                    untranslated += 1
            if touched:
                row.payload = payload
                row.payload_hash = _payload_hash(payload)
                row.save(update_fields=["payload", "payload_hash"])
                rewritten += 1
    return rewritten, untranslated
