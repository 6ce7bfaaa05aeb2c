-- function scs_public_name_char_of_record: its current definition (sanctions/db/__init__.py).
-- Keeps scs_public_name_char for a record: the 1- and 2-character grams of its subject's name
-- while it is a candidate public entry (sanctions.db.predicates.candidate_public_entry_sql("NEW"),
-- checked by a test). Migrations 0015, 0018.
CREATE OR REPLACE FUNCTION public.scs_public_name_char_of_record()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        DELETE FROM scs_public_name_char WHERE record_id = OLD.id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status IN ('active', 'under_objection') AND NEW.published_at IS NOT NULL AND NEW.publication_start IS NOT NULL THEN
        INSERT INTO scs_public_name_char (gram, publication_start, record_id)
        SELECT g, NEW.publication_start, NEW.id
        FROM sanctions_subject s, unnest(scs_name_grams(s.display_name)) AS g
        WHERE s.id = NEW.subject_id AND char_length(g) <= 2;
    END IF;
    RETURN NULL;
END $function$;
