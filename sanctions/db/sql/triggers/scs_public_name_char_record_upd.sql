-- trigger scs_public_name_char_record_upd: its current definition (sanctions/db/__init__.py).
-- Migration 0015.
CREATE TRIGGER scs_public_name_char_record_upd
    AFTER UPDATE OF status, published_at, publication_start, subject_id
    ON sanctions_integrityrecord
    FOR EACH ROW
    WHEN (old.status::text IS DISTINCT FROM new.status::text OR (old.published_at IS NULL) IS DISTINCT FROM (new.published_at IS NULL) OR old.publication_start IS DISTINCT FROM new.publication_start OR old.subject_id IS DISTINCT FROM new.subject_id)
    EXECUTE FUNCTION scs_public_name_char_of_record();
