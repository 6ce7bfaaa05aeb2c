-- trigger scs_public_entry_name_record_truncate: its current definition (sanctions/db/__init__.py).
-- Migration 0015.
CREATE TRIGGER scs_public_entry_name_record_truncate
    AFTER TRUNCATE
    ON sanctions_integrityrecord
    FOR EACH STATEMENT
    EXECUTE FUNCTION scs_public_entry_name_truncate();
