from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("sanctions", "0028_evidence_security")]

    operations = [
        migrations.AlterField(
            model_name="importbatch",
            name="status",
            field=models.CharField(
                choices=[
                    ("pending", "Waiting"),
                    ("running", "Being processed"),
                    ("done", "Processed"),
                    ("failed", "Failed"),
                ],
                default="pending",
                max_length=8,
                verbose_name="status",
            ),
        ),
        migrations.AddField(
            model_name="importbatch",
            name="rows_done",
            field=models.PositiveIntegerField(default=0, verbose_name="rows processed"),
        ),
        migrations.AddField(
            model_name="importbatch",
            name="attempts",
            field=models.PositiveSmallIntegerField(default=0, verbose_name="attempts"),
        ),
        migrations.AddField(
            model_name="importbatch",
            name="heartbeat_at",
            field=models.DateTimeField(blank=True, null=True, verbose_name="last progress"),
        ),
        migrations.AddField(
            model_name="importbatch",
            name="failure_reason",
            field=models.TextField(blank=True, verbose_name="why it failed"),
        ),
    ]
