-- function scs_public_name_char_of_subject: its current definition (sanctions/db/__init__.py).
-- Rewrites scs_public_name_char for a subject's candidate entries when its name changes
-- (candidate_public_entry_sql("r"), checked by a test). Migrations 0015, 0018.
CREATE OR REPLACE FUNCTION public.scs_public_name_char_of_subject()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
    DELETE FROM scs_public_name_char c USING sanctions_integrityrecord r
    WHERE r.subject_id = NEW.id AND c.record_id = r.id;
    INSERT INTO scs_public_name_char (gram, publication_start, record_id)
    SELECT g, r.publication_start, r.id
    FROM sanctions_integrityrecord r, unnest(scs_name_grams(NEW.display_name)) AS g
    WHERE r.subject_id = NEW.id AND r.status IN ('active', 'under_objection') AND r.published_at IS NOT NULL AND r.publication_start IS NOT NULL
      AND char_length(g) <= 2;
    RETURN NULL;
END $function$;
