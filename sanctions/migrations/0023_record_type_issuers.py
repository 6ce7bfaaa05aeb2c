"""Record types say which kinds of authority may issue them (`RecordType.issuer_kinds`).

Fills the field for every seeded type from `sanctions.catalog.ISSUER_KINDS`. A type that is
not in the seeded catalog (added by a supervisor) gets the kinds of the authorities that have
already issued records of it, so no existing record becomes one its authority may not issue;
failing that, it falls back to the people's government and a supervisor should review it.
Idempotent: running the fill again changes nothing.
"""

import django.contrib.postgres.fields
from django.db import migrations, models

# frozen copy of the AuthorityKind values at this migration
AUTHORITY_KINDS = [
    ("court", "Court"),
    ("tax", "Tax bureau"),
    ("market", "Market regulation"),
    ("environment", "Ecology and environment"),
    ("transport", "Transport"),
    ("education", "Education"),
    ("emergency", "Emergency management"),
    ("civil_affairs", "Civil affairs"),
    ("health_commission", "Health commission"),
    ("government", "People's government"),
]


def fill_issuer_kinds(apps, schema_editor):
    from sanctions.registry.catalog_data import ISSUER_KINDS

    RecordType = apps.get_model("sanctions", "RecordType")  # noqa: N806
    IntegrityRecord = apps.get_model("sanctions", "IntegrityRecord")  # noqa: N806
    for record_type in RecordType.objects.all():
        kinds = ISSUER_KINDS.get(record_type.code)
        if kinds is None:
            kinds = sorted(
                set(
                    IntegrityRecord.objects.filter(record_type=record_type).values_list(
                        "authority__kind", flat=True
                    )
                )
            ) or ["government"]
        if record_type.issuer_kinds != kinds:
            record_type.issuer_kinds = kinds
            record_type.save(update_fields=["issuer_kinds"])


class Migration(migrations.Migration):
    dependencies = [("sanctions", "0022_entry_name_vacuum")]

    operations = [
        migrations.AddField(
            model_name="recordtype",
            name="issuer_kinds",
            field=django.contrib.postgres.fields.ArrayField(
                base_field=models.CharField(choices=AUTHORITY_KINDS, max_length=24),
                default=list,
                help_text="The kinds of authority that may issue a record of this type.",
                verbose_name="may be issued by",
            ),
            preserve_default=False,
        ),
        migrations.RunPython(fill_issuer_kinds, migrations.RunPython.noop),
        migrations.AddConstraint(
            model_name="recordtype",
            constraint=models.CheckConstraint(
                condition=models.Q(("issuer_kinds__len__gt", 0))
                & models.Q(
                    (
                        "issuer_kinds__contained_by",
                        [kind for kind, _label in AUTHORITY_KINDS],
                    )
                ),
                name="recordtype_issuer_kinds_valid",
            ),
        ),
    ]
