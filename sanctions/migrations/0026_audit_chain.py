"""Tamper-evident audit trail (issue 13) and an append-only access log.

- sanctions_auditevent gains chain_seq / prev_hash / row_hash, set by a BEFORE INSERT trigger
  under a transaction-level advisory lock (see sanctions/audit_chain.py for the hash). The
  SQL is a frozen copy: a later change of the hash needs a new version string and migration.
- Existing rows are chained here, in id order, from the genesis hash: the append-only trigger
  is disabled for the backfill UPDATE and enabled again inside this migration's transaction
  (ALTER TABLE holds its lock until COMMIT, so no other session ever sees it disabled). The
  chain vouches for the old rows from this migration on, not before.
- TRUNCATE of the audit trail and of the access log is refused by a statement trigger unless
  the session set `scs.allow_truncate = on` AND its role owns the table (the test database
  sets it so Django's flush between transactional tests works; an owner could disable the
  triggers anyway — the app must run as a role that owns nothing, docs/security.md).
- sanctions_accesslog refuses UPDATE and DELETE like the audit trail.
- AuditVerification keeps the verifier's results (nightly task, dashboard).
"""

import django.utils.timezone
from django.db import migrations, models

GENESIS = "0" * 64
LOCK_KEY = 0x534353_41554454  # sanctions.audit_chain.CHAIN_LOCK_KEY


def row_hash(row):
    # frozen copy of sanctions.audit_chain.row_hash_sql
    return f"""encode(sha256(convert_to(jsonb_build_array(
        'scs-audit-v1', {row}.chain_seq, {row}.id, {row}.prev_hash, {row}.actor_id,
        {row}.actor_repr, {row}.action, {row}.object_type, {row}.object_id, {row}.object_repr,
        {row}.subject_id, {row}.old_values, {row}.new_values, host({row}.ip_address),
        to_char({row}.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
    )::text, 'UTF8')), 'hex')"""


BACKFILL = f"""
ALTER TABLE sanctions_auditevent DISABLE TRIGGER sanctions_auditevent_append_only;
DO $$
DECLARE
    r sanctions_auditevent%ROWTYPE;
    position bigint := 0;
    previous text := '{GENESIS}';
BEGIN
    FOR r IN SELECT * FROM sanctions_auditevent ORDER BY id LOOP
        position := position + 1;
        r.chain_seq := position;
        r.prev_hash := previous;
        previous := {row_hash("r")};
        UPDATE sanctions_auditevent
           SET chain_seq = position, prev_hash = r.prev_hash, row_hash = previous
         WHERE id = r.id;
    END LOOP;
END $$;
ALTER TABLE sanctions_auditevent ENABLE TRIGGER sanctions_auditevent_append_only;
"""

CHAIN_TRIGGER = f"""
CREATE FUNCTION sanctions_auditevent_chain() RETURNS trigger AS $$
DECLARE
    last_seq bigint;
    last_hash text;
BEGIN
    -- One audit writer at a time, from here until its transaction ends: the next one then
    -- reads this row as the chain's last (the SELECT below takes a fresh snapshot under READ
    -- COMMITTED; under REPEATABLE READ a stale read fails on the unique chain_seq instead).
    PERFORM pg_advisory_xact_lock({LOCK_KEY});
    SELECT e.chain_seq, e.row_hash INTO last_seq, last_hash
      FROM sanctions_auditevent e ORDER BY e.chain_seq DESC LIMIT 1;
    NEW.chain_seq := coalesce(last_seq, 0) + 1;
    NEW.prev_hash := coalesce(last_hash, '{GENESIS}');
    NEW.row_hash := {row_hash("NEW")};
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER sanctions_auditevent_chain
    BEFORE INSERT ON sanctions_auditevent
    FOR EACH ROW EXECUTE FUNCTION sanctions_auditevent_chain();
"""

APPEND_ONLY = """
CREATE FUNCTION sanctions_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

-- TRUNCATE bypasses row triggers. Allowed only to a session that both owns the table (who
-- could drop the trigger anyway) and asked for it (the test database's flush); never to the
-- application role, which must not own the tables.
CREATE FUNCTION sanctions_refuse_truncate() RETURNS trigger AS $$
BEGIN
    IF coalesce(current_setting('scs.allow_truncate', true), '') = 'on'
       AND pg_has_role(current_user,
                       (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'USAGE') THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION '% is append-only: TRUNCATE refused', TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER sanctions_auditevent_no_truncate
    BEFORE TRUNCATE ON sanctions_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION sanctions_refuse_truncate();

CREATE TRIGGER sanctions_accesslog_append_only
    BEFORE UPDATE OR DELETE ON sanctions_accesslog
    FOR EACH ROW EXECUTE FUNCTION sanctions_refuse_change();

CREATE TRIGGER sanctions_accesslog_no_truncate
    BEFORE TRUNCATE ON sanctions_accesslog
    FOR EACH STATEMENT EXECUTE FUNCTION sanctions_refuse_truncate();
"""

DROP_TRIGGERS = """
DROP TRIGGER IF EXISTS sanctions_accesslog_no_truncate ON sanctions_accesslog;
DROP TRIGGER IF EXISTS sanctions_accesslog_append_only ON sanctions_accesslog;
DROP TRIGGER IF EXISTS sanctions_auditevent_no_truncate ON sanctions_auditevent;
DROP TRIGGER IF EXISTS sanctions_auditevent_chain ON sanctions_auditevent;
DROP FUNCTION IF EXISTS sanctions_refuse_truncate();
DROP FUNCTION IF EXISTS sanctions_refuse_change();
DROP FUNCTION IF EXISTS sanctions_auditevent_chain();
"""


class Migration(migrations.Migration):
    dependencies = [("sanctions", "0025_deadline_reminders")]

    operations = [
        migrations.AddField(
            model_name="auditevent",
            name="chain_seq",
            field=models.BigIntegerField(
                editable=False, null=True, unique=True, verbose_name="chain position"
            ),
        ),
        migrations.AddField(
            model_name="auditevent",
            name="prev_hash",
            field=models.CharField(
                default="", editable=False, max_length=64, verbose_name="hash of the previous row"
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="auditevent",
            name="row_hash",
            field=models.CharField(
                default="", editable=False, max_length=64, verbose_name="row hash"
            ),
            preserve_default=False,
        ),
        migrations.RunSQL(BACKFILL, migrations.RunSQL.noop),
        migrations.RunSQL(CHAIN_TRIGGER + APPEND_ONLY, DROP_TRIGGERS),
        migrations.AlterField(
            model_name="auditevent",
            name="chain_seq",
            field=models.BigIntegerField(
                editable=False, unique=True, verbose_name="chain position"
            ),
        ),
        migrations.CreateModel(
            name="AuditVerification",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                (
                    "verified_at",
                    models.DateTimeField(
                        db_index=True, default=django.utils.timezone.now, verbose_name="verified at"
                    ),
                ),
                ("intact", models.BooleanField(verbose_name="intact")),
                ("rows_checked", models.BigIntegerField(verbose_name="rows checked")),
                (
                    "head_seq",
                    models.BigIntegerField(
                        blank=True, null=True, verbose_name="last chain position"
                    ),
                ),
                (
                    "head_event_id",
                    models.BigIntegerField(blank=True, null=True, verbose_name="last audit row"),
                ),
                (
                    "head_hash",
                    models.CharField(blank=True, max_length=64, verbose_name="last row hash"),
                ),
                (
                    "broken_event_id",
                    models.BigIntegerField(
                        blank=True, null=True, verbose_name="broken at audit row"
                    ),
                ),
                (
                    "broken_seq",
                    models.BigIntegerField(
                        blank=True, null=True, verbose_name="broken at chain position"
                    ),
                ),
                (
                    "reason",
                    models.CharField(
                        blank=True,
                        choices=[
                            ("gap", "a row before it is missing"),
                            ("link", "the row before it was changed"),
                            ("content", "its content was changed"),
                            ("anchor", "a row verified earlier is missing or changed"),
                        ],
                        max_length=16,
                        verbose_name="reason",
                    ),
                ),
            ],
            options={
                "verbose_name": "audit trail verification",
                "verbose_name_plural": "audit trail verifications",
                "ordering": ["-verified_at", "-id"],
            },
        ),
    ]
