-- trigger scs_public_entry_name_subject_upd: its current definition (sanctions/db/__init__.py).
-- Migrations 0015, 0020, 0021.
CREATE TRIGGER scs_public_entry_name_subject_upd
    AFTER UPDATE OF display_name, name_pinyin, kind, region_code
    ON sanctions_subject
    FOR EACH ROW
    WHEN (old.display_name::text IS DISTINCT FROM new.display_name::text OR old.name_pinyin::text IS DISTINCT FROM new.name_pinyin::text OR old.kind::text IS DISTINCT FROM new.kind::text OR old.region_code::text IS DISTINCT FROM new.region_code::text)
    EXECUTE FUNCTION scs_public_entry_name_of_subject();
