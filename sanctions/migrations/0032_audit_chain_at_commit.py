"""Chain audit rows at commit, not at insert (issue 14, fault test 4d).

0026 took the chain's advisory lock in a BEFORE INSERT trigger, so a transaction held it from
its first audit row until it committed: every audited write in the portal waited behind a whole
import chunk (p50 1.8–2.3 s), and a submission about a person the chunk was creating deadlocked
with it. Now:
- BEFORE INSERT only blanks the chain columns (whatever the INSERT supplied);
- a DEFERRABLE INITIALLY DEFERRED constraint trigger links each new row when its transaction
  commits: it takes the lock then, reads the last linked row and sets chain_seq, prev_hash and
  row_hash. The lock is held for the commit alone, and rows still chain in commit order.
- the append-only guard lets exactly that one UPDATE through: a row not yet linked whose
  content stays as inserted gets its chain columns once; any other UPDATE/DELETE is refused.
A transaction that wants to read its own rows' chain columns before committing (the verifier,
tests) runs SET CONSTRAINTS sanctions_auditevent_link IMMEDIATE.
"""

from django.db import migrations, models

LOCK_KEY = 0x534353_41554454  # sanctions.audit_chain.CHAIN_LOCK_KEY
GENESIS = "0" * 64
CONTENT = ("id", "actor_id", "actor_repr", "action", "object_type", "object_id", "object_repr",
           "subject_id", "old_values", "new_values", "ip_address", "created_at")


def row_hash(row):
    # frozen copy of sanctions.audit_chain.row_hash_sql (same as 0026)
    return f"""encode(sha256(convert_to(jsonb_build_array(
        'scs-audit-v1', {row}.chain_seq, {row}.id, {row}.prev_hash, {row}.actor_id,
        {row}.actor_repr, {row}.action, {row}.object_type, {row}.object_id, {row}.object_repr,
        {row}.subject_id, {row}.old_values, {row}.new_values, host({row}.ip_address),
        to_char({row}.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
    )::text, 'UTF8')), 'hex')"""


SAME_CONTENT = " AND ".join(f"NEW.{c} IS NOT DISTINCT FROM OLD.{c}" for c in CONTENT)

FORWARD = f"""
CREATE OR REPLACE FUNCTION sanctions_auditevent_chain() RETURNS trigger AS $$
BEGIN
    NEW.chain_seq := NULL;
    NEW.prev_hash := '';
    NEW.row_hash := '';
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE FUNCTION sanctions_auditevent_link() RETURNS trigger AS $$
DECLARE
    r sanctions_auditevent%ROWTYPE;
    last_seq bigint;
    last_hash text;
BEGIN
    PERFORM pg_advisory_xact_lock({LOCK_KEY});
    SELECT * INTO r FROM sanctions_auditevent WHERE id = NEW.id;
    IF r.chain_seq IS NOT NULL THEN
        RETURN NULL;
    END IF;
    SELECT e.chain_seq, e.row_hash INTO last_seq, last_hash
      FROM sanctions_auditevent e WHERE e.chain_seq IS NOT NULL
     ORDER BY e.chain_seq DESC LIMIT 1;
    r.chain_seq := coalesce(last_seq, 0) + 1;
    r.prev_hash := coalesce(last_hash, '{GENESIS}');
    r.row_hash := {row_hash("r")};
    UPDATE sanctions_auditevent
       SET chain_seq = r.chain_seq, prev_hash = r.prev_hash, row_hash = r.row_hash
     WHERE id = NEW.id;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE CONSTRAINT TRIGGER sanctions_auditevent_link
    AFTER INSERT ON sanctions_auditevent
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION sanctions_auditevent_link();

CREATE OR REPLACE FUNCTION sanctions_auditevent_refuse_change() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.chain_seq IS NULL AND NEW.chain_seq IS NOT NULL
       AND {SAME_CONTENT} THEN
        RETURN NEW;  -- the link at commit (sanctions_auditevent_link), once
    END IF;
    RAISE EXCEPTION 'audit events are append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""

BACKWARD = f"""
DROP TRIGGER IF EXISTS sanctions_auditevent_link ON sanctions_auditevent;
DROP FUNCTION IF EXISTS sanctions_auditevent_link();
CREATE OR REPLACE FUNCTION sanctions_auditevent_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE OR REPLACE FUNCTION sanctions_auditevent_chain() RETURNS trigger AS $$
DECLARE
    last_seq bigint;
    last_hash text;
BEGIN
    PERFORM pg_advisory_xact_lock({LOCK_KEY});
    SELECT e.chain_seq, e.row_hash INTO last_seq, last_hash
      FROM sanctions_auditevent e ORDER BY e.chain_seq DESC NULLS LAST LIMIT 1;
    NEW.chain_seq := coalesce(last_seq, 0) + 1;
    NEW.prev_hash := coalesce(last_hash, '{GENESIS}');
    NEW.row_hash := {row_hash("NEW")};
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
"""


class Migration(migrations.Migration):
    dependencies = [("sanctions", "0031_public_ids_four_eyes")]

    operations = [
        migrations.AlterField(
            model_name="auditevent",
            name="chain_seq",
            field=models.BigIntegerField(
                editable=False, null=True, unique=True, verbose_name="chain position"
            ),
        ),
        migrations.RunSQL(FORWARD, BACKWARD),
    ]
