-- trigger sanctions_auditevent_chain: its current definition (sanctions/db/__init__.py).
-- Migration 0026 (its function: 0032).
CREATE TRIGGER sanctions_auditevent_chain
    BEFORE INSERT
    ON sanctions_auditevent
    FOR EACH ROW
    EXECUTE FUNCTION sanctions_auditevent_chain();
