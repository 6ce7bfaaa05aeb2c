-- function sanctions_auditevent_link: its current definition (sanctions/db/__init__.py).
-- At commit (a deferred constraint trigger): links each new audit row into the hash chain
-- under the chain's advisory lock (sanctions.kernel.audit_chain.CHAIN_LOCK_KEY). Its hash
-- expression is sanctions.kernel.audit_chain.row_hash_sql("r") (a test checks it is embedded
-- exactly). Migration 0032.
CREATE OR REPLACE FUNCTION public.sanctions_auditevent_link()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
DECLARE
    r sanctions_auditevent%ROWTYPE;
    last_seq bigint;
    last_hash text;
BEGIN
    PERFORM pg_advisory_xact_lock(23436447924438100);
    SELECT * INTO r FROM sanctions_auditevent WHERE id = NEW.id;
    IF r.chain_seq IS NOT NULL THEN
        RETURN NULL;
    END IF;
    SELECT e.chain_seq, e.row_hash INTO last_seq, last_hash
      FROM sanctions_auditevent e WHERE e.chain_seq IS NOT NULL
     ORDER BY e.chain_seq DESC LIMIT 1;
    r.chain_seq := coalesce(last_seq, 0) + 1;
    r.prev_hash := coalesce(last_hash, '0000000000000000000000000000000000000000000000000000000000000000');
    r.row_hash := encode(sha256(convert_to(jsonb_build_array(
        'scs-audit-v1', r.chain_seq, r.id, r.prev_hash, r.actor_id,
        r.actor_repr, r.action, r.object_type, r.object_id, r.object_repr,
        r.subject_id, r.old_values, r.new_values, host(r.ip_address),
        to_char(r.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
    )::text, 'UTF8')), 'hex');
    UPDATE sanctions_auditevent
       SET chain_seq = r.chain_seq, prev_hash = r.prev_hash, row_hash = r.row_hash
     WHERE id = NEW.id;
    RETURN NULL;
END;
$function$;
