"""Enterprises: holders of an 18-character unified social credit code (GB 32100)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from citizens.models import Citizen
from sanctions.models import Subject


class EnterpriseStatus(models.TextChoices):
    ACTIVE = "active", _("In operation")
    ABNORMAL = "abnormal", _("Listed for abnormal operation")
    REVOKED = "revoked", _("Business licence revoked")
    DEREGISTERED = "deregistered", _("Deregistered")


class Enterprise(models.Model):
    subject = models.OneToOneField(
        Subject, on_delete=models.PROTECT, related_name="enterprise", verbose_name=_("subject")
    )
    credit_code = models.CharField(_("unified social credit code"), max_length=18, unique=True)
    name = models.CharField(_("name"), max_length=200)
    legal_representative = models.ForeignKey(
        Citizen,
        on_delete=models.PROTECT,
        related_name="represented_enterprises",
        verbose_name=_("legal representative"),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=EnterpriseStatus.choices, default="active"
    )
    address = models.CharField(_("registered address"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("enterprise")
        verbose_name_plural = _("enterprises")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.credit_code})"
