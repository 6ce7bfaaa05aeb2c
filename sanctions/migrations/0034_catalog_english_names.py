"""English names for what the catalog holds (issue 18): the measures' enforcing agencies get
an English name next to the Chinese one (authorities, measures and record types had theirs),
every English name is checked to hold no Chinese character, and the seeded catalog entries
whose English is still empty get it from
`sanctions.registry.catalog_data` (idempotent: an English name already filled in stays)."""

from django.db import migrations, models

import sanctions.models.core


def fill_english(apps, schema_editor):
    from sanctions.registry.catalog_data import fill_catalog_english

    fill_catalog_english(
        apps.get_model("sanctions", "Authority"),
        apps.get_model("sanctions", "Measure"),
        apps.get_model("sanctions", "RecordType"),
    )


class Migration(migrations.Migration):
    dependencies = [("sanctions", "0033_score_history_partitions")]

    operations = [
        migrations.AddField(
            model_name="measure",
            name="enforcing_agency_en",
            field=models.CharField(
                blank=True,
                max_length=200,
                validators=[sanctions.models.core.validate_english_name],
                verbose_name="enforcing agency (English)",
            ),
        ),
        # an English name holds no Chinese character (nothing mixed on an English page)
        migrations.AlterField(
            model_name="authority",
            name="name_en",
            field=models.CharField(
                blank=True,
                max_length=200,
                validators=[sanctions.models.core.validate_english_name],
                verbose_name="name (English)",
            ),
        ),
        migrations.AlterField(
            model_name="measure",
            name="title_en",
            field=models.CharField(
                blank=True,
                max_length=200,
                validators=[sanctions.models.core.validate_english_name],
                verbose_name="title (English)",
            ),
        ),
        migrations.AlterField(
            model_name="recordtype",
            name="title_en",
            field=models.CharField(
                blank=True,
                max_length=200,
                validators=[sanctions.models.core.validate_english_name],
                verbose_name="title (English)",
            ),
        ),
        # nothing to undo: the English names go with the column (or stay, when only the
        # data step is reversed)
        migrations.RunPython(fill_english, migrations.RunPython.noop),
    ]
