-- function scs_public_entry_name_of_record_type: its current definition (sanctions/db/__init__.py).
-- Keeps scs_public_entry_name's domain when a record type's domain changes. Migration 0021.
CREATE OR REPLACE FUNCTION public.scs_public_entry_name_of_record_type()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
    UPDATE scs_public_entry_name n SET domain = NEW.domain
    FROM sanctions_integrityrecord r
    WHERE r.record_type_id = NEW.id AND n.record_id = r.id;
    RETURN NULL;
END $function$;
