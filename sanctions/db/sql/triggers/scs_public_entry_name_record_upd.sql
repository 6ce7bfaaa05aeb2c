-- trigger scs_public_entry_name_record_upd: its current definition (sanctions/db/__init__.py).
-- Migrations 0015, 0016, 0021.
CREATE TRIGGER scs_public_entry_name_record_upd
    AFTER UPDATE OF status, published_at, publication_start, publication_end, subject_id, record_type_id, authority_id, judicial_ground
    ON sanctions_integrityrecord
    FOR EACH ROW
    WHEN (old.status::text IS DISTINCT FROM new.status::text OR (old.published_at IS NULL) IS DISTINCT FROM (new.published_at IS NULL) OR old.publication_start IS DISTINCT FROM new.publication_start OR old.publication_end IS DISTINCT FROM new.publication_end OR old.subject_id IS DISTINCT FROM new.subject_id OR old.record_type_id IS DISTINCT FROM new.record_type_id OR old.authority_id IS DISTINCT FROM new.authority_id OR old.judicial_ground IS DISTINCT FROM new.judicial_ground)
    EXECUTE FUNCTION scs_public_entry_name_of_record();
