"""Bulk imports: a file accepted once (same SHA-256, same authority), parsed within limits,
committed in short chunks by a task (each row in its own savepoint, through the same
submission and event services as the API), resumed after a crash, reported row by row."""

from __future__ import annotations

import csv
import datetime
import hashlib
import io
import json
import logging
from typing import Any, BinaryIO

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sanctions.agency.serializers import RecordEventInputSerializer, RecordSubmissionSerializer
from sanctions.agency.services.submissions import record_submit
from sanctions.kernel.audit import audit_log
from sanctions.kernel.errors import ApplicationError, flatten_errors
from sanctions.kernel.roles import Actor
from sanctions.kernel.tasks import enqueue_on_commit
from sanctions.models import (
    ApiClient,
    ImportBatch,
    ImportFormat,
    ImportStatus,
    IntegrityRecord,
)
from sanctions.registry.services.records import (
    record_event_report,
)

logger = logging.getLogger(__name__)
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
    enqueue_on_commit("sanctions.tasks.import_batch_process", batch_id)


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
    """Take the batch for this run (a short transaction on the batch row alone). The claim is
    the new value of `attempts`: every later write of this run is fenced on it (below)."""
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update(of=("self",)).filter(pk=batch_id).first()
        if batch is None or batch.status in (ImportStatus.DONE, ImportStatus.FAILED):
            return None
        batch.status = ImportStatus.RUNNING
        batch.attempts += 1
        batch.heartbeat_at = timezone.now()
        batch.save(update_fields=["status", "attempts", "heartbeat_at"])
        return batch


def _claim_lost(batch: ImportBatch, attempt: int) -> bool:
    """The run holding claim `attempt` no longer owns the batch (read under its row lock): it
    was queued again or claimed again (a redelivered task, the backstop) while this run was
    cut off from the network or stalled, or it is already done or failed. A run that lost its
    claim writes nothing more: the batch belongs to the newer claim."""
    if batch.status == ImportStatus.RUNNING and batch.attempts == attempt:
        return False
    logger.warning("import batch %s: claim %s lost (now %s, attempt %s); this run stops",
                   batch.pk, attempt, batch.status, batch.attempts)  # fmt: skip
    return True


def _import_fail(
    batch_id: int, reason: str, report: list[dict] | None = None, *, attempt: int
) -> ImportBatch:
    """End a batch `failed` with its reason (its own transaction), unless this run (claim
    `attempt`) has lost the batch to a newer claim: then nothing is written. The file is kept
    for a retry (the same upload again, or the backstop) until SCS_IMPORT_FAILED_KEEP_DAYS."""
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update(of=("self",)).get(pk=batch_id)
        if _claim_lost(batch, attempt):
            return batch
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
    attempt = batch.attempts
    try:
        try:
            rows = _import_rows(batch)
        except ImportFileError as exc:
            report = [{"row": exc.row, "field": "file", "message": str(exc)}]
            return _import_fail(batch_id, str(exc), report, attempt=attempt)
        while True:
            batch, finished = _import_chunk(batch_id, rows, attempt=attempt)
            if finished:
                return batch
    except OperationalError:
        raise  # the database is away: the task retries, the backstop re-queues
    except Exception as exc:  # noqa: BLE001 - any other failure ends the batch with a reason
        logger.exception("import batch %s failed", batch_id)
        return _import_fail(batch_id, _("Processing stopped: %(error)s") % {
            "error": f"{type(exc).__name__}: {exc}"[:500]}, attempt=attempt)  # fmt: skip


def _import_chunk(batch_id: int, rows: list, *, attempt: int) -> tuple[ImportBatch, bool]:
    """The next chunk of rows, for the run holding claim `attempt`; (batch, finished). A run
    that lost its claim stops here, before writing anything."""
    with transaction.atomic():
        batch = ImportBatch.objects.select_for_update(of=("self",)).get(pk=batch_id)
        if _claim_lost(batch, attempt):
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


def _import_row(
    batch: ImportBatch, number: int, raw: dict[str, Any] | None, parse_error: str,
    report: list[dict], serializer_class: type[RecordSubmissionSerializer],
) -> str:  # fmt: skip
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


def _client_user(batch: ImportBatch) -> User:
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
        refused = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        if isinstance(refused, dict):
            refused = {EVENT_ROW_COLUMNS.get(k, k): v for k, v in refused.items()}
        _report_errors(report, number, refused)
        return "invalid"
    return "imported" if created else "unchanged"
