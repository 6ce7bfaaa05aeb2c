-- function sanctions_auditevent_chain: its current definition (sanctions/db/__init__.py).
-- BEFORE INSERT on sanctions_auditevent: blanks the chain columns, whatever the INSERT
-- supplied; sanctions_auditevent_link sets them at commit. Migrations 0026, 0032.
CREATE OR REPLACE FUNCTION public.sanctions_auditevent_chain()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
    NEW.chain_seq := NULL;
    NEW.prev_hash := '';
    NEW.row_hash := '';
    RETURN NEW;
END;
$function$;
