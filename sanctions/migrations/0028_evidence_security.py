"""Evidence and filing attachments are stored under random names (sanctions/uploads.py).
Files stored before keep their names; only new uploads get random ones."""

from django.db import migrations, models

import sanctions.kernel.uploads


class Migration(migrations.Migration):
    dependencies = [("sanctions", "0027_accounts_security")]

    operations = [
        migrations.AlterField(
            model_name="evidencefile",
            name="file",
            field=models.FileField(
                upload_to=sanctions.kernel.uploads.evidence_upload_to, verbose_name="file"
            ),
        ),
        migrations.AlterField(
            model_name="filingattachment",
            name="file",
            field=models.FileField(
                upload_to=sanctions.kernel.uploads.filing_upload_to, verbose_name="file"
            ),
        ),
    ]
