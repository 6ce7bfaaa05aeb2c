# Issue 13 (accounts): a second official approves an activation code for a citizen who
# already has a portal account.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ("citizens", "0002_activation_codes"),
        ("sanctions", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="activationcode",
            name="approved_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="approved by",
            ),
        ),
        migrations.CreateModel(
            name="ActivationCodeRequest",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("requested_at", models.DateTimeField(auto_now_add=True, verbose_name="requested at")),
                ("reason", models.TextField(verbose_name="reason")),
                ("email", models.EmailField(blank=True, max_length=254, verbose_name="send to")),
                ("state", models.CharField(choices=[("pending", "Pending"), ("approved", "Approved: code issued"), ("refused", "Refused: no code")], default="pending", max_length=16, verbose_name="state")),
                ("decided_at", models.DateTimeField(blank=True, null=True, verbose_name="decided at")),
                ("authority", models.ForeignKey(blank=True, help_text="The requesting official's authority (empty: the operator).", null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to="sanctions.authority", verbose_name="requesting authority")),
                ("citizen", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="activation_requests", to="citizens.citizen", verbose_name="citizen")),
                ("code", models.OneToOneField(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="request", to="citizens.activationcode", verbose_name="code issued")),
                ("decided_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="decided by")),
                ("requested_by", models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name="+", to=settings.AUTH_USER_MODEL, verbose_name="requested by")),
            ],
            options={
                "verbose_name": "activation code request",
                "verbose_name_plural": "activation code requests",
                "ordering": ["-requested_at", "-id"],
                "constraints": [
                    models.UniqueConstraint(
                        condition=models.Q(("state", "pending")),
                        fields=("citizen",),
                        name="one_pending_activation_request_per_citizen",
                    )
                ],
            },
        ),
    ]
