-- function scs_public_name_char_truncate: its current definition (sanctions/db/__init__.py).
-- Empties scs_public_name_char when the records are truncated (test flushes). Migration 0015.
CREATE OR REPLACE FUNCTION public.scs_public_name_char_truncate()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
    TRUNCATE scs_public_name_char;
    RETURN NULL;
END $function$;
