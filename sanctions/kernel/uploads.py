"""Uploaded files (case evidence, subjects' filing attachments): where they are stored, under
which names, and that a file outlives nothing but a committed row.

- Names are random (`uuid4` hex plus the checked extension): the stored name says nothing
  about the document (a person's name, a case number) and cannot be guessed.
- `MEDIA_ROOT` is never served by URL. Files are read only through views that check the
  reader's scope and log the read (the admin's evidence and attachment downloads, the
  citizen's own attachments); `scs_portal/urls.py` has no media route, in DEBUG neither.
- A file is written inside the service's transaction, before the row that names it, and is
  deleted again unless that transaction commits (`store_upload`). Django has no "on
  rollback" hook, so the file is registered with a commit callback as a marker: a
  transaction (or savepoint) that rolls back drops its callbacks, so a registered file whose
  marker neither ran nor is still queued was rolled back. `discard_rolled_back_files` deletes
  those; it runs when each filing service returns (`removed_unless_committed`) and at the end
  of every request (`request_finished`), which covers a service that succeeded inside an
  outer transaction (the admin's add form) that was rolled back afterwards.
"""

from __future__ import annotations

import functools
import hashlib
import logging
import uuid
from collections.abc import Callable
from typing import Any, TypeVar

from django.conf import settings
from django.core.files.storage import Storage
from django.core.files.uploadedfile import UploadedFile
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.http import (
    FileResponse,
    Http404,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from sanctions.kernel.errors import ApplicationError

logger = logging.getLogger(__name__)

# what an upload may be, by its (lower-case) extension and its first bytes
UPLOAD_EXTENSIONS = {".pdf": "application/pdf", ".png": "image/png", ".jpg": "image/jpeg",
                     ".jpeg": "image/jpeg"}  # fmt: skip
UPLOAD_SIGNATURES = {
    "application/pdf": (b"%PDF-",),
    "image/png": (b"\x89PNG\r\n\x1a\n",),
    "image/jpeg": (b"\xff\xd8\xff",),
}


def checked_extension(filename: str) -> str:
    """The file's extension if it is one uploads may have (lower case), else ''."""
    name = (filename or "").lower()
    extension = name[name.rfind(".") :] if "." in name else ""
    return extension if extension in UPLOAD_EXTENSIONS else ""


def _random_name(folder: str, filename: str) -> str:
    today = timezone.localdate()
    return f"{folder}/{today:%Y/%m}/{uuid.uuid4().hex}{checked_extension(filename)}"


def evidence_upload_to(instance: Any, filename: str) -> str:
    """`EvidenceFile.file`: evidence/<year>/<month>/<random hex>.<ext>."""
    return _random_name("evidence", filename)


def filing_upload_to(instance: Any, filename: str) -> str:
    """`FilingAttachment.file`: filings/<year>/<month>/<random hex>.<ext>."""
    return _random_name("filings", filename)


class _CommitMarker:
    """The commit callback of one stored file: records that its transaction committed."""

    __slots__ = ("committed",)

    def __init__(self) -> None:
        self.committed = False

    def __call__(self) -> None:
        self.committed = True


def _pending(connection) -> list[tuple[Storage, str, _CommitMarker]]:
    # kept on the connection, like Django's own commit callbacks (one per thread/alias)
    if not hasattr(connection, "_scs_uncommitted_files"):
        connection._scs_uncommitted_files = []
    return connection._scs_uncommitted_files


def store_upload(model, uploaded: UploadedFile, *, field_name: str = "file") -> str:
    """Write `uploaded` under the model field's random name and return that name; the file
    is deleted again unless the current transaction commits. Call it inside the service's
    transaction, then create the row with `file=<name>`."""
    field = model._meta.get_field(field_name)
    storage = field.storage
    name = storage.get_available_name(
        field.generate_filename(None, uploaded.name), max_length=field.max_length
    )
    try:
        name = storage.save(name, uploaded, max_length=field.max_length)
    except BaseException:
        # a write that failed half-way (the upload's stream broke, the disk filled) leaves
        # a partial file under the (random, free) name asked for
        storage.delete(name)
        raise
    uploaded.seek(0)  # the caller still reads it (its digest)
    connection = transaction.get_connection(DEFAULT_DB_ALIAS)
    if connection.in_atomic_block:
        marker = _CommitMarker()
        _pending(connection).append((field.storage, name, marker))
        transaction.on_commit(marker, using=DEFAULT_DB_ALIAS)
    return name


def discard_rolled_back_files(**_signal_kwargs: Any) -> int:
    """Delete every stored file whose transaction rolled back; returns how many. Files of
    a transaction still open stay registered; committed ones are forgotten."""
    connection = connections[DEFAULT_DB_ALIAS]
    pending = getattr(connection, "_scs_uncommitted_files", None)
    if not pending:
        return 0
    # Django's queue of commit callbacks (a savepoint's rollback drops the ones registered
    # inside it; a full rollback clears it)
    queued = {id(func) for _sids, func, _robust in getattr(connection, "run_on_commit", [])}
    still_open, deleted = [], 0
    for storage, name, marker in pending:
        if marker.committed:
            continue
        if id(marker) in queued:
            still_open.append((storage, name, marker))
            continue
        try:
            storage.delete(name)
        except OSError:  # never hide the request's own outcome behind a cleanup failure
            logger.exception("could not delete the rolled-back upload %s", name)
            continue
        deleted += 1
    pending[:] = still_open
    return deleted


F = TypeVar("F", bound=Callable[..., Any])


def removed_unless_committed(func: F) -> F:
    """Put outside a service's `@transaction.atomic`: when the service returns or raises,
    the files its rolled-back transaction had written are deleted."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        finally:
            discard_rolled_back_files()

    return wrapper  # type: ignore[return-value]


def check_upload(uploaded: UploadedFile) -> str:
    """Validate an uploaded attachment; return its content type or raise ApplicationError."""
    limit = settings.SCS_EVIDENCE_MAX_BYTES
    if uploaded.size > limit:
        raise ApplicationError(
            {"file": _("The file is larger than %(mb)d MB.") % {"mb": limit // (1024 * 1024)}},
            code="too_large",
        )
    name = (uploaded.name or "").lower()
    extension = name[name.rfind(".") :] if "." in name else ""
    content_type = UPLOAD_EXTENSIONS.get(extension)
    head = uploaded.read(16)
    uploaded.seek(0)
    if content_type is None or not head.startswith(UPLOAD_SIGNATURES[content_type]):
        raise ApplicationError(
            {"file": _("Only PDF, PNG and JPEG files are accepted.")}, code="file_type"
        )
    return content_type


def upload_sha256(uploaded: UploadedFile) -> str:
    """The file's SHA-256: what the audit row holds to prove which document was filed."""
    digest = hashlib.sha256()
    for chunk in uploaded.chunks():
        digest.update(chunk)
    uploaded.seek(0)
    return digest.hexdigest()


def download(item) -> FileResponse:
    """An uploaded file (evidence, filing attachment) as a download, never rendered inline.
    Callers have already checked that the requester may see it."""
    try:
        stored = item.file.open("rb")
    except FileNotFoundError:  # erased, or lost from storage: nothing to give, not a 500
        raise Http404 from None
    response = FileResponse(
        stored, as_attachment=True, filename=item.original_name, content_type=item.content_type,
    )  # fmt: skip
    response["X-Content-Type-Options"] = "nosniff"
    # a person's document: no shared or browser cache keeps a copy
    response["Cache-Control"] = "no-store, private"
    return response
