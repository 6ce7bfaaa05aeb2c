"""Casework and due process: cases, evidence, notices, objections, appeals, credit repair,
the access log officials leave on a person's record, and the holiday calendar."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from sanctions.kernel.uploads import evidence_upload_to, filing_upload_to
from sanctions.models.core import Authority, IntegrityRecord, RecordType, Subject


class CaseState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    UNDER_REVIEW = "under_review", _("Under review")
    DECIDED = "decided", _("Decided")
    NOTIFIED = "notified", _("Notified")
    CLOSED = "closed", _("Closed")
    WITHDRAWN = "withdrawn", _("Withdrawn")


OPEN_CASE_STATES = [CaseState.DRAFT, CaseState.UNDER_REVIEW, CaseState.DECIDED, CaseState.NOTIFIED]


class Case(models.Model):
    """The officials' unit of work that produces a record. Decider ≠ drafter (four-eyes)."""

    # null only after the retention period, when the record's personal data was erased
    subject = models.ForeignKey(
        Subject, on_delete=models.PROTECT, related_name="cases", verbose_name=_("subject"),
        null=True,
    )  # fmt: skip
    authority = models.ForeignKey(
        Authority, on_delete=models.PROTECT, related_name="cases", verbose_name=_("authority")
    )
    # A review case (judicial ground 1, every 2 years) reviews this listing instead of
    # producing a record; opened by the system (no drafter).
    review_of = models.ForeignKey(
        IntegrityRecord, null=True, blank=True, on_delete=models.PROTECT,
        related_name="review_cases", verbose_name=_("review of listing"),
    )  # fmt: skip
    record_type = models.ForeignKey(
        RecordType, on_delete=models.PROTECT, related_name="+", verbose_name=_("record type")
    )
    title = models.CharField(_("title"), max_length=200)
    facts = models.TextField(_("facts"))
    legal_basis = models.TextField(_("legal basis"), blank=True)
    basis_document = models.CharField(_("basis document number"), max_length=120, blank=True)
    amount = models.DecimalField(
        _("amount (CNY)"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    obligation = models.TextField(_("obligation"), blank=True)
    judicial_ground = models.PositiveSmallIntegerField(
        _("listing ground"),
        null=True,
        blank=True,
        choices=IntegrityRecord._meta.get_field("judicial_ground").choices,
    )
    publication_days = models.PositiveIntegerField(
        _("publication period (days)"), null=True, blank=True
    )
    decision_number = models.CharField(_("decision number"), max_length=80, blank=True)
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    state = models.CharField(
        _("state"), max_length=16, choices=CaseState.choices, default=CaseState.DRAFT
    )
    drafted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("drafted by"),
    )
    # Four-eyes: every official who edited the draft (user ids, `case_update`); none of them
    # may decide it, not only the drafter.
    editors = ArrayField(
        models.BigIntegerField(), default=list, blank=True, editable=False,
        verbose_name=_("edited by"),
    )  # fmt: skip
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("assignee"),
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    withdrawal_reason = models.TextField(_("reason for withdrawal"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["authority", "state", "due_date"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=models.F("drafted_by")),
                name="case_four_eyes",
                violation_error_message=_("The decider must not be the drafter."),
            ),
            # one open review per listing: the daily task can run twice
            models.UniqueConstraint(
                fields=["review_of"],
                condition=Q(state__in=["draft", "under_review", "decided", "notified"]),
                name="case_one_open_review_per_record",
            ),
        ]

    def __str__(self) -> str:
        return f"#{self.pk} {self.title}"


class CaseNote(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="notes")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("author"),
    )  # fmt: skip
    text = models.TextField(_("note"))
    created_at = models.DateTimeField(_("time"), auto_now_add=True)

    class Meta:
        verbose_name = _("note")
        verbose_name_plural = _("notes")
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.text[:60]


class EvidenceFile(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="evidence")
    # stored under a random name, never served by URL (sanctions/kernel/uploads.py)
    file = models.FileField(_("file"), upload_to=evidence_upload_to)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveIntegerField(_("size (bytes)"))
    sha256 = models.CharField(max_length=64)
    description = models.CharField(_("description"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("uploaded by"),
    )  # fmt: skip
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")
        ordering = ["uploaded_at"]

    def __str__(self) -> str:
        return self.original_name


class NoticeKind(models.TextChoices):
    DECISION = "decision", _("Decision and intended publication")
    OBJECTION_RECEIVED = "objection_received", _("Objection received")
    OBJECTION_OUTCOME = "objection_outcome", _("Objection outcome")
    APPEAL_OUTCOME = "appeal_outcome", _("Appeal outcome")
    REPAIR_OUTCOME = "repair_outcome", _("Credit repair outcome")
    REMOVAL = "removal", _("Removal from the list")
    EXTENSION = "extension", _("Extension of the listing")
    PERFORMANCE = "performance", _("Performance recorded")
    REVIEW = "review", _("Review of the listing")
    ACCOUNT = "account", _("Portal account")


class Notice(models.Model):
    """Every letter or e-mail the system sends a subject; stored, shown in self-service."""

    subject = models.ForeignKey(
        Subject, on_delete=models.PROTECT, related_name="notices", verbose_name=_("subject")
    )
    record = models.ForeignKey(
        IntegrityRecord,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="notices",
        verbose_name=_("record"),
    )
    kind = models.CharField(_("kind"), max_length=24, choices=NoticeKind.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    served_on = models.DateField(_("served on"))
    emailed_to = models.EmailField(_("e-mailed to"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("notice")
        verbose_name_plural = _("notices")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def localized_title(self) -> str:
        """The title as the letter was written (in the portal's language, LANGUAGE_CODE);
        a reader in another language gets the kind of letter in theirs (the stored title
        can't be translated back; the record it concerns is shown beside it)."""
        language = get_language() or settings.LANGUAGE_CODE
        if language.split("-")[0] == settings.LANGUAGE_CODE.split("-")[0]:
            return self.title
        return str(NoticeKind(self.kind).label) if self.kind in NoticeKind.values else self.title


class ObjectionOutcome(models.TextChoices):
    PENDING = "pending", _("Pending")
    UPHELD = "upheld", _("Upheld: record revoked")
    PARTLY_UPHELD = "partly_upheld", _("Partly upheld: record corrected")
    REJECTED = "rejected", _("Rejected")


class Objection(models.Model):
    """A subject's objection to a record; decided within 15 days by the issuing authority."""

    record = models.ForeignKey(
        IntegrityRecord, on_delete=models.PROTECT, related_name="objections",
        verbose_name=_("record"),
    )  # fmt: skip
    grounds = models.TextField(_("grounds"))
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", verbose_name=_("entered by"),
    )  # fmt: skip
    filed_on = models.DateField(_("filed on"))
    due_on = models.DateField(_("decision due"))
    status_before = models.CharField(max_length=16, editable=False)
    outcome = models.CharField(
        _("outcome"), max_length=16, choices=ObjectionOutcome.choices, default="pending"
    )
    reasons = models.TextField(_("reasons for the outcome"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", verbose_name=_("decided by"),
    )  # fmt: skip
    decided_on = models.DateField(_("decided on"), null=True, blank=True)
    correction_due_on = models.DateField(_("correction due"), null=True, blank=True)
    corrected_on = models.DateField(_("corrected on"), null=True, blank=True)
    appeal_until = models.DateField(_("appeal possible until"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["-filed_on", "-id"]
        constraints = [
            # one pending objection per record at a time
            models.UniqueConstraint(
                fields=["record"],
                condition=Q(outcome="pending"),
                name="objection_one_pending_per_record",
            ),
        ]

    def __str__(self) -> str:
        return f"{_('Objection')} #{self.pk} ({self.record.decision_number})"


class AppealState(models.TextChoices):
    PENDING = "pending", _("Pending")
    UPHELD = "upheld", _("Upheld: record revoked")
    REJECTED = "rejected", _("Rejected")


class Appeal(models.Model):
    """Appeal against an objection outcome, heard by the parent authority within 15 days."""

    objection = models.OneToOneField(
        Objection, on_delete=models.PROTECT, related_name="appeal", verbose_name=_("objection")
    )
    authority = models.ForeignKey(
        Authority, on_delete=models.PROTECT, related_name="appeals",
        verbose_name=_("appeal authority"),
    )  # fmt: skip
    grounds = models.TextField(_("grounds"))
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    filed_on = models.DateField(_("filed on"))
    due_on = models.DateField(_("decision due"))
    state = models.CharField(
        _("state"), max_length=16, choices=AppealState.choices, default="pending"
    )
    reasons = models.TextField(_("reasons for the outcome"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", verbose_name=_("decided by"),
    )  # fmt: skip
    decided_on = models.DateField(_("decided on"), null=True, blank=True)

    class Meta:
        verbose_name = _("appeal")
        verbose_name_plural = _("appeals")
        ordering = ["-filed_on", "-id"]

    def __str__(self) -> str:
        return f"{_('Appeal')} #{self.pk}"


class RepairState(models.TextChoices):
    PENDING = "pending", _("Pending")
    GRANTED = "granted", _("Granted")
    REFUSED = "refused", _("Refused")


class RepairApplication(models.Model):
    """Credit repair: free; eligible after 3 months (general) or 1 year (serious)."""

    record = models.ForeignKey(
        IntegrityRecord, on_delete=models.PROTECT, related_name="repairs",
        verbose_name=_("record"),
    )  # fmt: skip
    grounds = models.TextField(_("grounds (corrective action taken)"))
    filed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", verbose_name=_("entered by"),
    )  # fmt: skip
    filed_on = models.DateField(_("filed on"))
    due_on = models.DateField(_("decision due"))
    state = models.CharField(
        _("state"), max_length=16, choices=RepairState.choices, default="pending"
    )
    reasons = models.TextField(_("reasons for the outcome"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", verbose_name=_("decided by"),
    )  # fmt: skip
    decided_on = models.DateField(_("decided on"), null=True, blank=True)

    class Meta:
        verbose_name = _("credit repair application")
        verbose_name_plural = _("credit repair applications")
        ordering = ["-filed_on", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["record"],
                condition=Q(state="pending"),
                name="repair_one_pending_per_record",
            ),
        ]

    def __str__(self) -> str:
        return f"{_('Repair')} #{self.pk} ({self.record.decision_number})"


class FilingAttachment(models.Model):
    """A document a subject attaches to an objection or a credit repair application."""

    objection = models.ForeignKey(
        Objection, null=True, blank=True, on_delete=models.PROTECT, related_name="attachments"
    )
    repair = models.ForeignKey(
        RepairApplication, null=True, blank=True, on_delete=models.PROTECT,
        related_name="attachments",
    )  # fmt: skip
    # stored under a random name, never served by URL (sanctions/kernel/uploads.py)
    file = models.FileField(_("file"), upload_to=filing_upload_to)
    original_name = models.CharField(_("file name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=50)
    size = models.PositiveIntegerField(_("size (bytes)"))
    # blank only for files attached before migration 0019 (their digest was not kept)
    sha256 = models.CharField(max_length=64, blank=True, default="")
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+",
    )  # fmt: skip
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["id"]
        constraints = [
            # belongs to exactly one filing
            models.CheckConstraint(
                condition=Q(objection__isnull=False, repair__isnull=True)
                | Q(objection__isnull=True, repair__isnull=False),
                name="attachment_one_filing",
            ),
        ]

    def __str__(self) -> str:
        return self.original_name


class AccessLog(models.Model):
    """Every time an official opens a person's record. Shown to that person."""

    subject = models.ForeignKey(
        Subject, on_delete=models.PROTECT, related_name="access_log", verbose_name=_("subject")
    )
    official = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("official"),
    )  # fmt: skip
    authority = models.ForeignKey(
        Authority, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("authority"),
    )  # fmt: skip
    purpose = models.CharField(_("purpose"), max_length=200)
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("access log entry")
        verbose_name_plural = _("access log")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["subject", "created_at"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.official} → {self.subject}"


class Holiday(models.Model):
    """The configurable calendar for working-day deadlines: public holidays, and the
    weekend days that are made working days in exchange (调休)."""

    date = models.DateField(_("date"), unique=True)
    name = models.CharField(_("name"), max_length=100)
    is_working_day = models.BooleanField(
        _("working day"),
        default=False,
        help_text=_("Tick for a weekend day that is worked in exchange for a holiday."),
    )

    class Meta:
        verbose_name = _("holiday")
        verbose_name_plural = _("holidays")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name}"
