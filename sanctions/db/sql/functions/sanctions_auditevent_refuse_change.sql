-- function sanctions_auditevent_refuse_change: its current definition (sanctions/db/__init__.py).
-- The audit trail is append-only: UPDATE and DELETE are refused, except the one UPDATE that
-- links a new row at commit. Migrations 0002, 0032.
CREATE OR REPLACE FUNCTION public.sanctions_auditevent_refuse_change()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.chain_seq IS NULL AND NEW.chain_seq IS NOT NULL
       AND NEW.id IS NOT DISTINCT FROM OLD.id AND NEW.actor_id IS NOT DISTINCT FROM OLD.actor_id AND NEW.actor_repr IS NOT DISTINCT FROM OLD.actor_repr AND NEW.action IS NOT DISTINCT FROM OLD.action AND NEW.object_type IS NOT DISTINCT FROM OLD.object_type AND NEW.object_id IS NOT DISTINCT FROM OLD.object_id AND NEW.object_repr IS NOT DISTINCT FROM OLD.object_repr AND NEW.subject_id IS NOT DISTINCT FROM OLD.subject_id AND NEW.old_values IS NOT DISTINCT FROM OLD.old_values AND NEW.new_values IS NOT DISTINCT FROM OLD.new_values AND NEW.ip_address IS NOT DISTINCT FROM OLD.ip_address AND NEW.created_at IS NOT DISTINCT FROM OLD.created_at THEN
        RETURN NEW;  -- the link at commit (sanctions_auditevent_link), once
    END IF;
    RAISE EXCEPTION 'audit events are append-only: % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$function$;
