-- trigger sanctions_auditevent_append_only: its current definition (sanctions/db/__init__.py).
-- Migration 0002 (its function: 0032).
CREATE TRIGGER sanctions_auditevent_append_only
    BEFORE DELETE OR UPDATE
    ON sanctions_auditevent
    FOR EACH ROW
    EXECUTE FUNCTION sanctions_auditevent_refuse_change();
