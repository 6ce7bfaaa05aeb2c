"""Citizens: holders of an 18-character resident ID number."""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sanctions.kernel.rules import age_on
from sanctions.models import Subject


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class Citizen(models.Model):
    """A resident-ID holder. Birth date, sex and region are derived from the ID number
    (GB 11643) by `citizens.services`, never typed in by hand."""

    subject = models.OneToOneField(
        Subject, on_delete=models.PROTECT, related_name="citizen", verbose_name=_("subject")
    )
    resident_id = models.CharField(_("resident ID number"), max_length=18, unique=True)
    name = models.CharField(_("name"), max_length=100)
    birth_date = models.DateField(_("birth date"))
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    region_code = models.CharField(_("region of registration"), max_length=6)
    email = models.EmailField(_("e-mail for notices"), blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="citizen",
        verbose_name=_("portal account"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("citizen")
        verbose_name_plural = _("citizens")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.subject.masked_identifier})"

    def age_on(self, day: datetime.date) -> int:
        return age_on(self.birth_date, day)


class ActivationCode(models.Model):
    """A one-time code an official issues so a citizen can open (or recover) a portal
    account. Only a keyed hash is stored; the code itself goes out once, in a letter."""

    citizen = models.ForeignKey(
        Citizen, on_delete=models.PROTECT, related_name="activation_codes",
        verbose_name=_("citizen"),
    )  # fmt: skip
    code_hash = models.CharField(max_length=64, unique=True, editable=False)
    hint = models.CharField(_("last characters"), max_length=4, editable=False)
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("issued by"),
    )  # fmt: skip
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    # a code for a citizen who already has an account resets its password: a second official
    # approved it (ActivationCodeRequest); a code without one never opens an existing account
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True,
        blank=True, verbose_name=_("approved by"),
    )  # fmt: skip
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        verbose_name = _("activation code")
        verbose_name_plural = _("activation codes")
        ordering = ["-issued_at", "-id"]

    def __str__(self) -> str:
        return f"…{self.hint} ({self.citizen})"


class ActivationRequestState(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved: code issued")
    REFUSED = "refused", _("Refused: no code")


class ActivationCodeRequest(models.Model):
    """One official's request for an activation code for a citizen who already has a portal
    account. The code would reset that account's password, so a different official of the
    same authority (or the operator) approves it before it is issued (four-eyes). `email` is
    where the code will go ("" = a letter), fixed when asked: a changed address voids it."""

    citizen = models.ForeignKey(
        Citizen, on_delete=models.PROTECT, related_name="activation_requests",
        verbose_name=_("citizen"),
    )  # fmt: skip
    authority = models.ForeignKey(
        "sanctions.Authority", on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("requesting authority"),
        help_text=_("The requesting official's authority (empty: the operator)."),
    )  # fmt: skip
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("requested by"),
    )  # fmt: skip
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    reason = models.TextField(_("reason"))
    email = models.EmailField(_("send to"), blank=True)
    state = models.CharField(
        _("state"), max_length=16, choices=ActivationRequestState.choices,
        default=ActivationRequestState.PENDING,
    )  # fmt: skip
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
        related_name="+", verbose_name=_("decided by"),
    )  # fmt: skip
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    code = models.OneToOneField(
        ActivationCode, on_delete=models.PROTECT, null=True, blank=True, related_name="request",
        verbose_name=_("code issued"),
    )  # fmt: skip

    class Meta:
        verbose_name = _("activation code request")
        verbose_name_plural = _("activation code requests")
        ordering = ["-requested_at", "-id"]
        constraints = [
            # one open request per citizen: a second would only wait beside the first
            models.UniqueConstraint(
                fields=["citizen"], condition=models.Q(state="pending"),
                name="one_pending_activation_request_per_citizen",
            ),
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.citizen} ({self.get_state_display()})"


class CreditReport(models.Model):
    """A credit report issued as a PDF with a verification code (`citizens.report`). The
    code itself is never stored, only its keyed hash: it is printed on the PDF once. Anyone
    holding the report checks it at `/verify/` until `expires_at` or until the person
    revokes it, and sees only `snapshot` — exactly what the report showed — and whether the
    subject's record has changed since (`state_digest` against the current one)."""

    code_hash = models.CharField(max_length=64, unique=True, editable=False)
    subject = models.ForeignKey(
        Subject, on_delete=models.PROTECT, related_name="credit_reports",
        verbose_name=_("subject"),
    )  # fmt: skip
    issued_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
        verbose_name=_("requested by"),
    )  # fmt: skip
    issued_at = models.DateTimeField(_("issued at"), default=timezone.now)
    expires_at = models.DateTimeField(_("valid until"))
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES)
    # what the PDF showed, in its language: name, masked identifier, score, grade, domains,
    # the records in effect (type, authority, decision number and date, status), the measures
    snapshot = models.JSONField(editable=False)
    # SHA-256 over the subject's records (ids, status, windows, updated_at), its score and name
    # when issued (`citizens.selectors.subject_state_digest`): "changed since", never what
    state_digest = models.CharField(max_length=64, editable=False)

    class Meta:
        verbose_name = _("credit report")
        verbose_name_plural = _("credit reports")
        ordering = ["-issued_at", "-id"]

    def __str__(self) -> str:
        return f"{self.pk} ({self.subject.masked_identifier})"


class CreditReportVerification(models.Model):
    """One check of a valid report at `/verify/` by someone holding it. The person sees it in
    "Who viewed my data" (`citizens.selectors.access_rows`). Nothing about the verifier is
    kept: the code was all they showed. (sanctions.AccessLog needs an official.)"""

    report = models.ForeignKey(
        CreditReport, on_delete=models.PROTECT, related_name="verifications",
        verbose_name=_("credit report"),
    )  # fmt: skip
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("credit report verification")
        verbose_name_plural = _("credit report verifications")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} → {self.report_id}"
