"""Deadline reminders to officials: what was sent to whom, shown on their dashboard."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from sanctions.models.casework import Case, Objection, RepairApplication


class DeadlineReminder(models.Model):
    """One official told that one case, objection or repair application falls due on
    `due_on`. At most one per official, item and due date (constraints): the daily task can
    run twice, or after a crash, without telling anyone twice; a changed due date is a new
    reminder."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="deadline_reminders",
        verbose_name=_("official"),
    )  # fmt: skip
    case = models.ForeignKey(
        Case, null=True, blank=True, on_delete=models.CASCADE, related_name="+",
        verbose_name=_("case"),
    )  # fmt: skip
    objection = models.ForeignKey(
        Objection, null=True, blank=True, on_delete=models.CASCADE, related_name="+",
        verbose_name=_("objection"),
    )  # fmt: skip
    repair = models.ForeignKey(
        RepairApplication, null=True, blank=True, on_delete=models.CASCADE, related_name="+",
        verbose_name=_("credit repair application"),
    )  # fmt: skip
    due_on = models.DateField(_("due on"))
    sent_on = models.DateField(_("sent on"))
    emailed_to = models.EmailField(_("e-mailed to"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("deadline reminder")
        verbose_name_plural = _("deadline reminders")
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(case__isnull=False, objection__isnull=True, repair__isnull=True)
                | Q(case__isnull=True, objection__isnull=False, repair__isnull=True)
                | Q(case__isnull=True, objection__isnull=True, repair__isnull=False),
                name="reminder_one_item",
            ),
            *(
                models.UniqueConstraint(
                    fields=["recipient", item, "due_on"],
                    condition=Q(**{f"{item}__isnull": False}),
                    name=f"reminder_once_per_{item}",
                )
                for item in ("case", "objection", "repair")
            ),
        ]
        indexes = [models.Index(fields=["recipient", "due_on"], name="reminder_recipient_due")]

    def __str__(self) -> str:
        return f"{self.recipient} · {self.item} · {self.due_on}"

    @property
    def item(self) -> Case | Objection | RepairApplication:
        return self.case or self.objection or self.repair

    @property
    def item_label(self) -> str:
        """What the reminder is about, as the e-mail and the dashboard name it."""
        if self.case_id:
            return gettext("Case #%(id)s “%(title)s”") % {"id": self.case_id,
                                                         "title": self.case.title}  # fmt: skip
        if self.objection_id:
            return gettext("Objection #%(id)s to decision %(number)s") % {
                "id": self.objection_id,
                "number": self.objection.record.decision_number,
            }
        return gettext("Credit repair application #%(id)s for decision %(number)s") % {
            "id": self.repair_id,
            "number": self.repair.record.decision_number,
        }

    @property
    def admin_path(self) -> str:
        item = self.item
        return reverse(f"admin:sanctions_{item._meta.model_name}_change", args=[item.pk])
