-- function sanctions_refuse_truncate: its current definition (sanctions/db/__init__.py).
-- TRUNCATE of the audit trail and the access log is refused, unless the session set
-- scs.allow_truncate = on and its role owns the table (the test database's flush). Migration 0026.
CREATE OR REPLACE FUNCTION public.sanctions_refuse_truncate()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
    IF coalesce(current_setting('scs.allow_truncate', true), '') = 'on'
       AND pg_has_role(current_user,
                       (SELECT relowner FROM pg_class WHERE oid = TG_RELID), 'USAGE') THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION '% is append-only: TRUNCATE refused', TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END;
$function$;
