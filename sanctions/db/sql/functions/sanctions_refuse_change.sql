-- function sanctions_refuse_change: its current definition (sanctions/db/__init__.py).
-- Append-only tables (the access log): UPDATE and DELETE are refused. Migration 0026.
CREATE OR REPLACE FUNCTION public.sanctions_refuse_change()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
    RAISE EXCEPTION '% is append-only: % refused', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$function$;
