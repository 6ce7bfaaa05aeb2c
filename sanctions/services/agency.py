"""Partner agencies on the API: client keys, record submission (idempotent on authority +
decision number), bulk imports and the restriction check.

Actor: every API client has its own service user (unusable password, not staff, an official
of the client's authority in the clerk role). Records, cases, audit rows and access-log rows
name that user, so a machine action is traced to the client exactly like a clerk's action.

Subjects: `sanctions` never imports `citizens` or `enterprises`; the functions that find or
register a person or an enterprise are named in settings.SCS_SUBJECT_RESOLVERS.
"""

from __future__ import annotations

import csv
import datetime
import hashlib
import hmac
import io
import json
import logging
import secrets
from dataclasses import dataclass
from typing import Any, BinaryIO

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from sanctions.casework.services.cases import case_create
from sanctions.kernel.audit import access_log_write, audit_log, json_value
from sanctions.kernel.errors import ApplicationError, Conflict, flatten_errors
from sanctions.kernel.identifiers import identifier_hash, require_full_identifier
from sanctions.kernel.roles import CLERK, SUPERVISOR, Actor, require_operator_or_official
from sanctions.models import (
    ApiClient,
    ApiScope,
    ApiSubmission,
    Authority,
    AuthorityApiPolicy,
    ImportBatch,
    ImportFormat,
    ImportStatus,
    IntegrityRecord,
    Measure,
    Official,
    RecordType,
    Subject,
    SubmissionMode,
)
from sanctions.registry.services.records import (
    DuplicateDecisionNumber,
    record_event_report,
    record_register,
    record_validate,
)

logger = logging.getLogger(__name__)
KEY_PREFIX_LENGTH = 8
IMPORT_CSV_COLUMNS = (
    "subject_kind", "identifier", "name", "legal_rep_identifier", "legal_rep_name",
    "record_type", "decision_number", "decision_date", "legal_basis", "basis_document", "facts",
    "amount", "obligation", "judicial_ground", "performance_status", "publication_days",
    # event rows (what happened after a decision): decision_number + these
    "event_kind", "event_date", "amount_performed", "event_note",
)  # fmt: skip
EVENT_ROW_FIELDS = {"event_kind": "kind", "event_date": "date",
                    "amount_performed": "amount_performed", "event_note": "note"}  # fmt: skip
# an event's field -> the import column it came from (for the row report)
EVENT_ROW_COLUMNS = {field: column for column, field in EVENT_ROW_FIELDS.items()}


def api_key_hash(key: str) -> str:
    """SHA-256 of the whole key. Keys are 256-bit random tokens, so a plain (unsalted,
    fast) hash is enough: there is nothing to guess that a slow hash would protect."""
    return hashlib.sha256(key.encode()).hexdigest()


def _new_key() -> tuple[str, str]:
    prefix = secrets.token_hex(KEY_PREFIX_LENGTH // 2)
    return prefix, f"scs_{prefix}_{secrets.token_urlsafe(32)}"


def _key_prefix(key: str) -> str | None:
    parts = key.split("_")
    if len(parts) < 3 or parts[0] != "scs" or len(parts[1]) != KEY_PREFIX_LENGTH:
        return None
    return parts[1]


def require_key_manager(actor: Actor, authority: Authority) -> None:
    """The operator, or a supervisor of the client's authority (require_operator_or_official,
    with a message that says what is being managed)."""
    try:
        require_operator_or_official(actor, authority=authority, roles=(SUPERVISOR,))
    except ApplicationError:
        raise ApplicationError(
            _("Only the operator or a supervisor of %(authority)s may manage its API keys.")
            % {"authority": authority.name},
            code="forbidden",
        ) from None


@transaction.atomic
def api_client_create(
    *, actor: Actor, name: str, authority: Authority, scopes: list[str], key: str | None = None
) -> tuple[ApiClient, str]:
    """Create a client and its service user; returns the client and the key, which is
    never stored and cannot be shown again. `key` is for the demo data only."""
    require_key_manager(actor, authority)
    name = " ".join((name or "").split())
    if not name:
        raise ApplicationError({"name": _("The client needs a name.")})
    scopes = sorted(set(scopes or []))
    if not scopes or not set(scopes) <= set(ApiScope.values):
        raise ApplicationError({"scopes": _("Choose at least one valid scope.")})
    if key is None:
        prefix, key = _new_key()
    else:
        prefix = _key_prefix(key)
        if prefix is None:
            raise ApplicationError({"key": _("Malformed key.")})
    if ApiClient.objects.filter(key_prefix=prefix).exists():
        raise ApplicationError({"key": _("A client with this key already exists.")})
    user = get_user_model().objects.create(
        username=f"api-{prefix}", first_name=name[:150], is_staff=False, is_active=True
    )
    user.set_unusable_password()
    user.save(update_fields=["password"])
    # case_create requires the clerk role; the user cannot log in (no password, not staff)
    user.groups.add(Group.objects.get(name=CLERK))
    Official.objects.create(user=user, authority=authority, title=_("API client"))
    client = ApiClient.objects.create(
        name=name,
        authority=authority,
        user=user,
        key_prefix=prefix,
        key_hash=api_key_hash(key),
        scopes=scopes,
        created_by=actor if actor is not None and actor.is_authenticated else None,
    )
    audit_log(
        actor=actor,
        action="api_client.create",
        obj=client,
        new={"name": name, "authority": authority.code, "scopes": scopes, "prefix": prefix},
    )
    return client, key


@transaction.atomic
def api_client_revoke(*, actor: Actor, client: ApiClient) -> ApiClient:
    """Revoke a key at once: the client and its service user stop working."""
    client = ApiClient.objects.select_for_update().get(pk=client.pk)
    require_key_manager(actor, client.authority)
    if not client.is_active:
        raise ApplicationError(_("This key is already revoked."), code="state")
    client.is_active = False
    client.revoked_at = timezone.now()
    client.revoked_by = actor if actor is not None and actor.is_authenticated else None
    client.save(update_fields=["is_active", "revoked_at", "revoked_by"])
    client.user.is_active = False
    client.user.save(update_fields=["is_active"])
    audit_log(
        actor=actor,
        action="api_client.revoke",
        obj=client,
        old={"is_active": True},
        new={"is_active": False},
    )
    return client


def api_client_authenticate(key: str) -> ApiClient | None:
    """The active client holding `key`, or None."""
    prefix = _key_prefix((key or "").strip())
    if prefix is None:
        return None
    client = (
        ApiClient.objects.select_related("authority", "user")
        .filter(key_prefix=prefix, is_active=True)
        .first()
    )
    if client is None or not hmac.compare_digest(client.key_hash, api_key_hash(key.strip())):
        return None
    now = timezone.now()
    # at most one write a minute per client, not one per request
    if client.last_used_at is None or now - client.last_used_at > datetime.timedelta(minutes=1):
        ApiClient.objects.filter(pk=client.pk).update(last_used_at=now)
    return client


def authority_submission_mode(authority: Authority) -> str:
    policy = AuthorityApiPolicy.objects.filter(authority=authority).first()
    return policy.submission_mode if policy else SubmissionMode.RECORD


# --- record submission -------------------------------------------------------------------------


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


# --- bulk import -------------------------------------------------------------------------------


def _detect_format(file_name: str, text: str) -> str:
    name = (file_name or "").lower()
    if name.endswith(".csv"):
        return ImportFormat.CSV
    if name.endswith((".jsonl", ".ndjson", ".json")):
        return ImportFormat.JSONL
    return ImportFormat.JSONL if text.lstrip().startswith("{") else ImportFormat.CSV


@transaction.atomic
def import_batch_create(
    *, client: ApiClient, file_name: str, content: bytes | BinaryIO
) -> tuple[ImportBatch, bool]:
    """Accept an upload for processing. The same file again (same SHA-256, same authority)
    returns the existing batch and imports nothing twice; if that batch failed, or has been
    waiting or running without progress for longer than SCS_IMPORT_STUCK_SECONDS, it is
    queued again (processing resumes where it stopped). `content`: the bytes, or an open
    file (an upload), of which no more is read than it takes to refuse one that is too
    large."""
    if not isinstance(content, bytes):
        content = content.read(settings.SCS_IMPORT_MAX_BYTES + 1)
    if len(content) > settings.SCS_IMPORT_MAX_BYTES:
        raise ApplicationError(
            {
                "file": _("The file is larger than %(kb)d KB.")
                % {"kb": settings.SCS_IMPORT_MAX_BYTES // 1024}
            }  # fmt: skip
        )
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ApplicationError({"file": _("The file must be UTF-8 text.")}) from None
    if "\x00" in text:
        raise ApplicationError({"file": _("The file must be UTF-8 text.")})
    if not text.strip():
        raise ApplicationError({"file": _("The file is empty.")})
    digest = hashlib.sha256(content).hexdigest()
    existing = (
        ImportBatch.objects.select_for_update(of=("self",))
        .filter(authority=client.authority, file_sha256=digest)
        .first()
    )
    if existing is not None:
        if existing.status == ImportStatus.FAILED or _is_stuck(existing, timezone.now()):
            _import_requeue(existing, text=text, actor=client.user)
        return existing, False
    batch = ImportBatch.objects.create(
        authority=client.authority,
        client=client,
        # the client's file name is only a label: printable characters only
        file_name="".join(c for c in (file_name or "") if c.isprintable())[:255],
        file_sha256=digest,
        format=_detect_format(file_name, text),
        content=text,
    )
    audit_log(
        actor=client.user,
        action="import.upload",
        obj=batch,
        new={"client": client.key_prefix, "file": batch.file_name, "sha256": digest},
    )
    _queue_import(batch.pk)
    return batch, True


def _queue_import(batch_id: int) -> None:
    from sanctions.tasks import import_batch_process

    transaction.on_commit(lambda: import_batch_process.delay(batch_id))


def _is_stuck(batch: ImportBatch, now: datetime.datetime) -> bool:
    """Waiting or running with no progress for longer than SCS_IMPORT_STUCK_SECONDS (its
    worker died, or its message was lost with the broker)."""
    if batch.status not in (ImportStatus.PENDING, ImportStatus.RUNNING):
        return False
    last = batch.heartbeat_at or batch.created_at
    return now - last > datetime.timedelta(seconds=settings.SCS_IMPORT_STUCK_SECONDS)


def _import_requeue(batch: ImportBatch, *, text: str | None, actor: Actor) -> None:
    """Queue a failed or stuck batch again (on a locked row). Rows already committed stay
    committed: processing resumes at `rows_done`, and a row that was submitted before is
    recognised by its decision number."""
    old_status = batch.status
    if text is not None and not batch.content:
        batch.content = text
    if not batch.content:
        return  # a failed batch whose file was cleared: the client uploads it again
    batch.status = ImportStatus.PENDING
    batch.failure_reason = ""
    batch.heartbeat_at = timezone.now()
    batch.save(update_fields=["status", "failure_reason", "heartbeat_at", "content"])
    audit_log(actor=actor, action="import.requeue", obj=batch, old={"status": old_status},
              new={"status": batch.status, "rows_done": batch.rows_done})  # fmt: skip
    _queue_import(batch.pk)


def import_batches_requeue(*, now: datetime.datetime | None = None) -> int:
    """Backstop (beat, every 10 minutes): queue again every batch waiting or running with no
    progress for longer than SCS_IMPORT_STUCK_SECONDS, and clear the stored file of batches
    that failed longer ago than SCS_IMPORT_FAILED_KEEP_DAYS. Idempotent; each batch under its
    own row lock. Returns how many were queued."""
    now = now or timezone.now()
    stuck_before = now - datetime.timedelta(seconds=settings.SCS_IMPORT_STUCK_SECONDS)
    candidates = ImportBatch.objects.filter(
        status__in=[ImportStatus.PENDING, ImportStatus.RUNNING]
    ).filter(
        models.Q(heartbeat_at__lt=stuck_before)
        | models.Q(heartbeat_at__isnull=True, created_at__lt=stuck_before)
    )
    queued = 0
    for pk in candidates.values_list("pk", flat=True):
        with transaction.atomic():
            batch = ImportBatch.objects.select_for_update(of=("self",)).get(pk=pk)
            if _is_stuck(batch, now):
                _import_requeue(batch, text=None, actor=None)
                queued += 1
    keep = now - datetime.timedelta(days=settings.SCS_IMPORT_FAILED_KEEP_DAYS)
    ImportBatch.objects.filter(status=ImportStatus.FAILED, finished_at__lt=keep).exclude(
        content=""
    ).update(content="")
    return queued


class ImportFileError(Exception):
    """The file cannot be read to its end within the limits: the batch fails as a whole."""

    def __init__(self, row: int, message: str):
        super().__init__(message)
        self.row = row


def _json_depth(value: Any) -> int:
    """Nesting depth of a parsed JSON value, without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if isinstance(item, dict):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return deepest


def _csv_rows(batch: ImportBatch) -> list[tuple[int, dict[str, Any] | None, str]]:
    limit = settings.SCS_IMPORT_MAX_FIELD_CHARS
    old_limit = csv.field_size_limit(limit)
    rows: list[tuple[int, dict[str, Any] | None, str]] = []
    try:
        reader = csv.DictReader(io.StringIO(batch.content))
        try:
            columns = set(reader.fieldnames or [])
        except csv.Error:
            raise ImportFileError(0, _("The header row cannot be read.")) from None
        # a file of decisions needs the subject and type; a file of events only the event
        required = {"decision_number"} | (
            {"event_kind"} if "event_kind" in columns else {"subject_kind", "identifier",
                                                            "record_type"}
        )  # fmt: skip
        missing = required - columns
        if missing:
            return [(0, None, _("Missing columns: %(c)s") % {"c": ", ".join(sorted(missing))})]
        number = 0
        while True:
            try:
                line = next(reader)
            except StopIteration:
                break
            except csv.Error:
                raise ImportFileError(
                    number + 1,
                    _("Row %(row)d: a field is longer than %(limit)d characters, or a quote is "
                      "not closed. Nothing in the file was imported.")
                    % {"row": number + 1, "limit": limit},
                ) from None  # fmt: skip
            number += 1
            if len(rows) >= settings.SCS_IMPORT_MAX_ROWS:
                raise ImportFileError(
                    number, _("At most %(n)d rows per file.") % {"n": settings.SCS_IMPORT_MAX_ROWS}
                )
            row = {k: (v or "").strip() for k, v in line.items()
                   if k in IMPORT_CSV_COLUMNS and isinstance(v, str)}  # fmt: skip
            if row.get("event_kind"):
                rows.append((number, {k: v for k, v in row.items() if v}, ""))
                continue
            subject: dict[str, Any] = {
                "kind": row.pop("subject_kind", ""),
                "identifier": row.pop("identifier", ""),
                "name": row.pop("name", ""),
            }
            rep_id, rep_name = row.pop("legal_rep_identifier", ""), row.pop("legal_rep_name", "")
            if rep_id or rep_name:
                subject["legal_representative"] = {"identifier": rep_id, "name": rep_name}
            rows.append((number, {"subject": subject, **{k: v for k, v in row.items() if v}}, ""))
    finally:
        csv.field_size_limit(old_limit)
    return rows


def _jsonl_rows(batch: ImportBatch) -> list[tuple[int, dict[str, Any] | None, str]]:
    rows: list[tuple[int, dict[str, Any] | None, str]] = []
    max_line, max_depth = settings.SCS_IMPORT_MAX_LINE_CHARS, settings.SCS_IMPORT_MAX_DEPTH
    for number, line in enumerate(batch.content.splitlines(), start=1):
        if not line.strip():
            continue
        if len(rows) >= settings.SCS_IMPORT_MAX_ROWS:
            raise ImportFileError(
                number, _("At most %(n)d rows per file.") % {"n": settings.SCS_IMPORT_MAX_ROWS}
            )
        if len(line) > max_line:
            rows.append((number, None, _("This line is longer than %(n)d characters.")
                         % {"n": max_line}))  # fmt: skip
            continue
        try:
            value = json.loads(line)
        except RecursionError:
            value = None
            rows.append((number, None, _("This line is nested more than %(n)d levels deep.")
                         % {"n": max_depth}))  # fmt: skip
            continue
        except ValueError:
            rows.append((number, None, _("This line is not valid JSON.")))
            continue
        if not isinstance(value, dict):
            rows.append((number, None, _("Each line must be a JSON object.")))
            continue
        if _json_depth(value) > max_depth:
            rows.append((number, None, _("This line is nested more than %(n)d levels deep.")
                         % {"n": max_depth}))  # fmt: skip
            continue
        rows.append((number, value, ""))
    return rows


def _import_rows(batch: ImportBatch) -> list[tuple[int, dict[str, Any] | None, str]]:
    """(row number, raw row or None, parse error), within the limits of the SCS_IMPORT_MAX_*
    settings (field and line length, nesting depth, rows per file). Rows count from 1 (a CSV
    header is not a row). Raises ImportFileError when the file cannot be read to its end."""
    if batch.format == ImportFormat.CSV:
        return _csv_rows(batch)
    return _jsonl_rows(batch)


def _report_errors(report: list[dict], row: int, errors: Any) -> None:
    for field, messages in flatten_errors(errors).items():
        report.extend({"row": row, "field": field, "message": m} for m in messages)


def _import_claim(batch_id: int) -> ImportBatch | None:
    """Take the batch for this run (a short transaction on the batch row alone)."""
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update(of=("self",)).filter(pk=batch_id).first()
        if batch is None or batch.status in (ImportStatus.DONE, ImportStatus.FAILED):
            return None
        batch.status = ImportStatus.RUNNING
        batch.attempts += 1
        batch.heartbeat_at = timezone.now()
        batch.save(update_fields=["status", "attempts", "heartbeat_at"])
        return batch


def _import_fail(batch_id: int, reason: str, report: list[dict] | None = None) -> ImportBatch:
    """End a batch `failed` with its reason (its own transaction). The file is kept for a
    retry (the same upload again, or the backstop) until SCS_IMPORT_FAILED_KEEP_DAYS."""
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update(of=("self",)).get(pk=batch_id)
        batch.status = ImportStatus.FAILED
        batch.failure_reason = reason[:2000]
        batch.finished_at = timezone.now()
        if report is not None:
            batch.report = report
        batch.save(update_fields=["status", "failure_reason", "finished_at", "report"])
        audit_log(
            actor=_client_user(batch), action="import.fail", obj=batch,
            new={"reason": batch.failure_reason[:300], "rows_done": batch.rows_done},
        )  # fmt: skip
    return batch


def import_batch_process(*, batch_id: int) -> ImportBatch:
    """Import every valid row; refused rows change nothing and are reported (row, field,
    message). The file is parsed within explicit limits first (a file that cannot be read to
    its end fails as a whole, nothing imported); then rows are committed in chunks of
    SCS_IMPORT_CHUNK_ROWS, each chunk one short transaction that locks only the batch row
    and records how far it got, so other clients are never blocked behind an import and a
    killed run resumes where it stopped (each row in its own savepoint; a row submitted
    before is recognised by its decision number). Any other error ends the batch `failed`
    with its reason; a lost database connection is left to the task's retry and the
    backstop. Done: the stored file (full identifiers) is cleared."""
    from django.db import OperationalError

    batch = _import_claim(batch_id)
    if batch is None:
        return ImportBatch.objects.get(pk=batch_id)
    try:
        try:
            rows = _import_rows(batch)
        except ImportFileError as exc:
            report = [{"row": exc.row, "field": "file", "message": str(exc)}]
            return _import_fail(batch_id, str(exc), report)
        while True:
            batch, finished = _import_chunk(batch_id, rows)
            if finished:
                return batch
    except OperationalError:
        raise  # the database is away: the task retries, the backstop re-queues
    except Exception as exc:  # noqa: BLE001 - any other failure ends the batch with a reason
        logger.exception("import batch %s failed", batch_id)
        return _import_fail(batch_id, _("Processing stopped: %(error)s") % {
            "error": f"{type(exc).__name__}: {exc}"[:500]})  # fmt: skip


def _import_chunk(batch_id: int, rows: list) -> tuple[ImportBatch, bool]:
    from sanctions.serializers import RecordSubmissionSerializer

    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update(of=("self",)).get(pk=batch_id)
        if batch.status != ImportStatus.RUNNING:
            return batch, True
        start = batch.rows_done
        chunk = rows[start : start + settings.SCS_IMPORT_CHUNK_ROWS]
        if not chunk:
            _import_finish(batch, len(rows))
            return batch, True
        batch.client = ApiClient.objects.select_related("user", "authority").get(pk=batch.client_id)
        report = list(batch.report or [])
        counts = {"imported": 0, "unchanged": 0, "invalid": 0}
        for number, raw, parse_error in chunk:
            counts[
                _import_row(batch, number, raw, parse_error, report, RecordSubmissionSerializer)
            ] += 1
        batch.rows_imported += counts["imported"]
        batch.rows_unchanged += counts["unchanged"]
        batch.rows_invalid += counts["invalid"]
        batch.report = report
        batch.rows_done = start + len(chunk)
        batch.heartbeat_at = timezone.now()
        batch.save(update_fields=["rows_imported", "rows_unchanged", "rows_invalid", "report",
                                  "rows_done", "heartbeat_at"])  # fmt: skip
    return batch, False


def _import_row(batch, number, raw, parse_error, report, serializer_class) -> str:
    """One row in its own savepoint; returns the count it adds to."""
    if raw is None:
        report.append({"row": number, "field": "non_field_errors", "message": parse_error})
        return "invalid"
    if "event_kind" in raw:
        return _import_event_row(batch, number, raw, report)
    serializer = serializer_class(data=raw)
    if not serializer.is_valid():
        _report_errors(report, number, serializer.errors)
        return "invalid"
    try:
        with transaction.atomic():
            result = record_submit(
                client=batch.client, data=serializer.validated_data, import_batch=batch
            )
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        _report_errors(report, number, errors)
        return "invalid"
    return "imported" if result.created else "unchanged"


def _client_user(batch: ImportBatch):
    """The client's service user: the import's actor in the audit trail."""
    return get_user_model().objects.get(api_client__pk=batch.client_id)


def _import_finish(batch: ImportBatch, rows_total: int) -> None:
    batch.status = ImportStatus.DONE
    batch.finished_at = timezone.now()
    batch.rows_total = rows_total
    batch.content = ""  # the identifiers in the file are not kept once imported
    batch.save()
    audit_log(
        actor=_client_user(batch),
        action="import.process",
        obj=batch,
        new={
            "imported": batch.rows_imported,
            "unchanged": batch.rows_unchanged,
            "invalid": batch.rows_invalid,
            "rows": rows_total,
            "attempts": batch.attempts,
        },  # fmt: skip
    )


def _import_event_row(batch: ImportBatch, number: int, raw: dict[str, Any], report: list) -> str:
    """One event row of an import (decision_number, event_kind, event_date, optional
    amount_performed and event_note): the same service as the events endpoint, for a record
    of the batch's authority. Returns the count it adds to: imported, unchanged or invalid."""
    from sanctions.serializers import RecordEventInputSerializer

    data = {EVENT_ROW_FIELDS[key]: value for key, value in raw.items() if key in EVENT_ROW_FIELDS}
    serializer = RecordEventInputSerializer(data=data)
    if not serializer.is_valid():
        errors = flatten_errors(serializer.errors)
        _report_errors(report, number, {EVENT_ROW_COLUMNS.get(k, k): v for k, v in errors.items()})
        return "invalid"
    number_text = str(raw.get("decision_number") or "").strip()
    record = IntegrityRecord.objects.filter(
        authority=batch.authority, decision_number=number_text
    ).first()
    if record is None:
        _report_errors(
            report, number,
            {"decision_number": [_("Your authority has no record with this decision number.")]},
        )  # fmt: skip
        return "invalid"
    try:
        with transaction.atomic():
            _event, created = record_event_report(
                actor=batch.client.user, record=record, source="import",
                **serializer.validated_data,
            )  # fmt: skip
    except ValidationError as exc:
        errors = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        if isinstance(errors, dict):
            errors = {EVENT_ROW_COLUMNS.get(k, k): v for k, v in errors.items()}
        _report_errors(report, number, errors)
        return "invalid"
    return "imported" if created else "unchanged"


# --- restriction check -------------------------------------------------------------------------


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
    from sanctions.selectors import active_restrictions

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
