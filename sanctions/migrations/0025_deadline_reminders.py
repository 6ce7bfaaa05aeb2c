"""Deadline reminders to officials (issue 12, item 12): one row per official, item and due
date, so the daily task never tells anyone twice."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("sanctions", "0024_record_lifecycle"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="DeadlineReminder",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False,
                                           verbose_name="ID")),
                ("due_on", models.DateField(verbose_name="due on")),
                ("sent_on", models.DateField(verbose_name="sent on")),
                ("emailed_to", models.EmailField(blank=True, max_length=254,
                                                 verbose_name="e-mailed to")),
                ("created_at", models.DateTimeField(auto_now_add=True)),
                ("case", models.ForeignKey(blank=True, null=True,
                                           on_delete=django.db.models.deletion.CASCADE,
                                           related_name="+", to="sanctions.case",
                                           verbose_name="case")),
                ("objection", models.ForeignKey(blank=True, null=True,
                                                on_delete=django.db.models.deletion.CASCADE,
                                                related_name="+", to="sanctions.objection",
                                                verbose_name="objection")),
                ("recipient", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE,
                                                related_name="deadline_reminders",
                                                to=settings.AUTH_USER_MODEL,
                                                verbose_name="official")),
                ("repair", models.ForeignKey(blank=True, null=True,
                                             on_delete=django.db.models.deletion.CASCADE,
                                             related_name="+", to="sanctions.repairapplication",
                                             verbose_name="credit repair application")),
            ],
            options={
                "verbose_name": "deadline reminder",
                "verbose_name_plural": "deadline reminders",
                "ordering": ["due_on", "id"],
                "indexes": [models.Index(fields=["recipient", "due_on"],
                                         name="reminder_recipient_due")],
                "constraints": [
                    models.CheckConstraint(
                        condition=models.Q(
                            models.Q(("case__isnull", False), ("objection__isnull", True),
                                     ("repair__isnull", True)),
                            models.Q(("case__isnull", True), ("objection__isnull", False),
                                     ("repair__isnull", True)),
                            models.Q(("case__isnull", True), ("objection__isnull", True),
                                     ("repair__isnull", False)),
                            _connector="OR",
                        ),
                        name="reminder_one_item",
                    ),
                    models.UniqueConstraint(condition=models.Q(("case__isnull", False)),
                                            fields=("recipient", "case", "due_on"),
                                            name="reminder_once_per_case"),
                    models.UniqueConstraint(condition=models.Q(("objection__isnull", False)),
                                            fields=("recipient", "objection", "due_on"),
                                            name="reminder_once_per_objection"),
                    models.UniqueConstraint(condition=models.Q(("repair__isnull", False)),
                                            fields=("recipient", "repair", "due_on"),
                                            name="reminder_once_per_repair"),
                ],
            },
        ),
    ]
