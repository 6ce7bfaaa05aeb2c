-- function scs_public_entry_name_truncate: its current definition (sanctions/db/__init__.py).
-- Empties scs_public_entry_name when the records are truncated (test flushes), so recycled
-- ids never meet stale rows. Migration 0015.
CREATE OR REPLACE FUNCTION public.scs_public_entry_name_truncate()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
    TRUNCATE scs_public_entry_name;
    RETURN NULL;
END $function$;
