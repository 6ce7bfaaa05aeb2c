-- trigger scs_public_entry_name_record_type_upd: its current definition (sanctions/db/__init__.py).
-- Migration 0021.
CREATE TRIGGER scs_public_entry_name_record_type_upd
    AFTER UPDATE OF domain
    ON sanctions_recordtype
    FOR EACH ROW
    WHEN (old.domain::text IS DISTINCT FROM new.domain::text)
    EXECUTE FUNCTION scs_public_entry_name_of_record_type();
