-- trigger sanctions_auditevent_no_truncate: its current definition (sanctions/db/__init__.py).
-- Migration 0026.
CREATE TRIGGER sanctions_auditevent_no_truncate
    BEFORE TRUNCATE
    ON sanctions_auditevent
    FOR EACH STATEMENT
    EXECUTE FUNCTION sanctions_refuse_truncate();
