from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

AUDIT_TRIGGER = """
CREATE OR REPLACE FUNCTION sanctions_auditevent_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER sanctions_auditevent_append_only
    BEFORE UPDATE OR DELETE ON sanctions_auditevent
    FOR EACH ROW EXECUTE FUNCTION sanctions_auditevent_refuse_change();
"""

DROP_AUDIT_TRIGGER = """
DROP TRIGGER IF EXISTS sanctions_auditevent_append_only ON sanctions_auditevent;
DROP FUNCTION IF EXISTS sanctions_auditevent_refuse_change();
"""


def seed(apps, schema_editor):
    from sanctions.registry.catalog_data import seed_catalog

    seed_catalog(
        apps.get_model("sanctions", "Authority"),
        apps.get_model("sanctions", "Measure"),
        apps.get_model("sanctions", "RecordType"),
    )


class Migration(migrations.Migration):
    dependencies = [("sanctions", "0001_initial")]

    operations = [
        # Trigram search over CJK and pinyin names (needs a UTF-8 ctype).
        TrigramExtension(),
        migrations.RunSQL(AUDIT_TRIGGER, DROP_AUDIT_TRIGGER),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
