-- trigger sanctions_accesslog_append_only: its current definition (sanctions/db/__init__.py).
-- Migration 0026.
CREATE TRIGGER sanctions_accesslog_append_only
    BEFORE DELETE OR UPDATE
    ON sanctions_accesslog
    FOR EACH ROW
    EXECUTE FUNCTION sanctions_refuse_change();
