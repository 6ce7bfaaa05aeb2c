-- trigger scs_public_entry_name_record_ins_del: its current definition (sanctions/db/__init__.py).
-- Migration 0015.
CREATE TRIGGER scs_public_entry_name_record_ins_del
    AFTER INSERT OR DELETE
    ON sanctions_integrityrecord
    FOR EACH ROW
    EXECUTE FUNCTION scs_public_entry_name_of_record();
