-- trigger sanctions_accesslog_no_truncate: its current definition (sanctions/db/__init__.py).
-- Migration 0026.
CREATE TRIGGER sanctions_accesslog_no_truncate
    BEFORE TRUNCATE
    ON sanctions_accesslog
    FOR EACH STATEMENT
    EXECUTE FUNCTION sanctions_refuse_truncate();
