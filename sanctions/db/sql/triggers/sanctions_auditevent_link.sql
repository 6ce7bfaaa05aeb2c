-- trigger sanctions_auditevent_link: its current definition (sanctions/db/__init__.py).
-- Migration 0032.
CREATE CONSTRAINT TRIGGER sanctions_auditevent_link
    AFTER INSERT
    ON sanctions_auditevent
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW
    EXECUTE FUNCTION sanctions_auditevent_link();
