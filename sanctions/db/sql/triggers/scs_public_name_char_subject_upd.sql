-- trigger scs_public_name_char_subject_upd: its current definition (sanctions/db/__init__.py).
-- Migration 0015.
CREATE TRIGGER scs_public_name_char_subject_upd
    AFTER UPDATE OF display_name
    ON sanctions_subject
    FOR EACH ROW
    WHEN (old.display_name::text IS DISTINCT FROM new.display_name::text)
    EXECUTE FUNCTION scs_public_name_char_of_subject();
