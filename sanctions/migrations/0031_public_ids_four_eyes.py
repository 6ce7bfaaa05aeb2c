import django.contrib.postgres.fields
from django.db import migrations, models

import sanctions.models.core

# Existing entries get their random public id in batches by id range: each UPDATE touches a
# bounded number of rows (no single statement rewriting the whole table at once).
FILL_BATCH = 20_000

FILL_SQL = """
UPDATE sanctions_integrityrecord
SET public_id = encode(uuid_send(gen_random_uuid()), 'hex')
WHERE id >= %s AND id < %s AND public_id IS NULL
"""


def fill_public_ids(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute("SELECT min(id), max(id) FROM sanctions_integrityrecord")
        low, high = cursor.fetchone()
        if low is None:
            return
        for start in range(low, high + 1, FILL_BATCH):
            cursor.execute(FILL_SQL, [start, start + FILL_BATCH])


class Migration(migrations.Migration):
    dependencies = [("sanctions", "0030_field_labels")]

    operations = [
        # nullable first (no table rewrite), filled, then made required and unique
        migrations.AddField(
            model_name="integrityrecord",
            name="public_id",
            field=models.CharField(
                editable=False, max_length=32, null=True, verbose_name="public id"
            ),
        ),
        migrations.RunPython(fill_public_ids, migrations.RunPython.noop, elidable=True),
        migrations.AlterField(
            model_name="integrityrecord",
            name="public_id",
            field=models.CharField(
                db_default=sanctions.models.core.RandomPublicId(),
                editable=False,
                max_length=32,
                unique=True,
                verbose_name="public id",
            ),
        ),
        # four-eyes: everyone who edited a draft case or rule set (existing rows: nobody
        # recorded, the drafter's own check still applies)
        migrations.AddField(
            model_name="case",
            name="editors",
            field=django.contrib.postgres.fields.ArrayField(
                base_field=models.BigIntegerField(),
                blank=True,
                default=list,
                editable=False,
                size=None,
                verbose_name="edited by",
            ),  # fmt: skip
        ),
        migrations.AddField(
            model_name="ruleset",
            name="editors",
            field=django.contrib.postgres.fields.ArrayField(
                base_field=models.BigIntegerField(),
                blank=True,
                default=list,
                editable=False,
                size=None,
                verbose_name="edited by",
            ),  # fmt: skip
        ),
    ]
