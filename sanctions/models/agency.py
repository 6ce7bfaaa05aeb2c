"""Partner agencies on the API: their clients (hashed keys, scopes), how an authority's
submissions are handled, the submissions themselves (the idempotency ledger) and bulk imports.

An API client acts through its own service user (no password, not staff) that is an
official of the client's authority: records, cases, audit rows and access-log rows name that
user, so every machine action is as traceable as a clerk's.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from sanctions.models.casework import Case
from sanctions.models.core import Authority, IntegrityRecord


class ApiScope(models.TextChoices):
    RECORDS_WRITE = "records:write", _("Submit records and bulk imports")
    RESTRICTIONS_READ = "restrictions:read", _("Check active restrictions")


class ApiClient(models.Model):
    """One agency system's key. Only a SHA-256 hash of the key is stored; the visible
    prefix finds the row, the hash proves the key. The key is shown once, at creation."""

    name = models.CharField(_("name"), max_length=100)
    authority = models.ForeignKey(
        Authority, on_delete=models.PROTECT, related_name="api_clients", verbose_name=_("authority")
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="api_client",
        verbose_name=_("service user"),
        editable=False,
    )
    key_prefix = models.CharField(_("key prefix"), max_length=16, unique=True, editable=False)
    key_hash = models.CharField(max_length=64, editable=False)
    scopes = ArrayField(
        models.CharField(max_length=32, choices=ApiScope.choices), verbose_name=_("scopes")
    )
    is_active = models.BooleanField(_("active"), default=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", verbose_name=_("created by"), editable=False,
    )  # fmt: skip
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", verbose_name=_("revoked by"), editable=False,
    )  # fmt: skip
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)

    class Meta:
        verbose_name = _("API client")
        verbose_name_plural = _("API clients")
        ordering = ["authority", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.key_prefix})"

    def has_scope(self, scope: str) -> bool:
        return self.is_active and scope in self.scopes


class SubmissionMode(models.TextChoices):
    RECORD = "record", _("Record the decision directly")
    CASE = "case", _("Open a case for review by an official")


class AuthorityApiPolicy(models.Model):
    """How submissions of an authority's API clients are handled (no row: as records)."""

    authority = models.OneToOneField(
        Authority, on_delete=models.PROTECT, related_name="api_policy", verbose_name=_("authority")
    )
    submission_mode = models.CharField(
        _("API submissions become"),
        max_length=8,
        choices=SubmissionMode.choices,
        default=SubmissionMode.RECORD,
    )

    class Meta:
        verbose_name = _("authority API policy")
        verbose_name_plural = _("authority API policies")

    def __str__(self) -> str:
        return f"{self.authority}: {self.get_submission_mode_display()}"


class ApiSubmission(models.Model):
    """The idempotency ledger: one row per (authority, decision number) submitted over the
    API. The normalised payload (identifier replaced by its keyed hash) and its hash decide
    whether a repeat is the same submission (answered with the same result) or a conflict."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(ApiClient, on_delete=models.PROTECT, related_name="submissions")
    decision_number = models.CharField(_("decision number"), max_length=80)
    payload_hash = models.CharField(max_length=64)
    payload = models.JSONField(_("normalised payload"))
    record = models.ForeignKey(
        IntegrityRecord, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    import_batch = models.ForeignKey(
        "sanctions.ImportBatch", null=True, blank=True, on_delete=models.PROTECT,
        related_name="submissions",
    )  # fmt: skip
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("API submission")
        verbose_name_plural = _("API submissions")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "decision_number"], name="apisubmission_unique_number"
            ),
            models.CheckConstraint(
                condition=models.Q(record__isnull=False) | models.Q(case__isnull=False),
                name="apisubmission_has_result",
            ),
        ]

    def __str__(self) -> str:
        return self.decision_number


class ImportFormat(models.TextChoices):
    CSV = "csv", "CSV"
    JSONL = "jsonl", _("JSON lines")


class ImportStatus(models.TextChoices):
    PENDING = "pending", _("Waiting")
    RUNNING = "running", _("Being processed")
    DONE = "done", _("Processed")
    FAILED = "failed", _("Failed")


class ImportBatch(models.Model):
    """A bulk upload. Identified by (client's authority, SHA-256 of the file): uploading the
    same file again returns this batch and imports nothing. The file's text (it contains full
    identifiers) is kept only until the batch is processed."""

    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="+")
    client = models.ForeignKey(ApiClient, on_delete=models.PROTECT, related_name="imports")
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    file_sha256 = models.CharField(_("SHA-256 of the file"), max_length=64)
    format = models.CharField(_("format"), max_length=8, choices=ImportFormat.choices)
    content = models.TextField(blank=True, editable=False)
    status = models.CharField(
        _("status"), max_length=8, choices=ImportStatus.choices, default=ImportStatus.PENDING
    )
    rows_total = models.PositiveIntegerField(_("rows"), default=0)
    rows_imported = models.PositiveIntegerField(_("rows imported"), default=0)
    rows_unchanged = models.PositiveIntegerField(_("rows already imported"), default=0)
    rows_invalid = models.PositiveIntegerField(_("rows refused"), default=0)
    report = models.JSONField(
        _("validation report"), default=list, blank=True,
        help_text=_("One entry per problem: row, field, message."),
    )  # fmt: skip
    # Chunked processing (`import_batch_process`): rows before `rows_done` are committed;
    # a crashed or killed run resumes there. `heartbeat_at` moves with every chunk, so the
    # backstop (`import_batches_requeue`) can tell a stuck batch from a busy one.
    rows_done = models.PositiveIntegerField(_("rows processed"), default=0)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    heartbeat_at = models.DateTimeField(_("last progress"), null=True, blank=True)
    failure_reason = models.TextField(_("why it failed"), blank=True)
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("processed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("bulk import")
        verbose_name_plural = _("bulk imports")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "file_sha256"], name="importbatch_unique_file"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.file_name or self.file_sha256[:12]} ({self.get_status_display()})"
