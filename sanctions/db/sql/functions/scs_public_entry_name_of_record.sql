-- function scs_public_entry_name_of_record: its current definition (sanctions/db/__init__.py).
-- Keeps scs_public_entry_name for a record: one row while it is a candidate public entry
-- (sanctions.db.predicates.candidate_public_entry_sql("NEW"), checked by a test).
-- Migrations 0015, 0016, 0020, 0021.
CREATE OR REPLACE FUNCTION public.scs_public_entry_name_of_record()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        DELETE FROM scs_public_entry_name WHERE record_id = OLD.id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status IN ('active', 'under_objection') AND NEW.published_at IS NOT NULL AND NEW.publication_start IS NOT NULL THEN
        INSERT INTO scs_public_entry_name (
            record_id, publication_start, publication_end, display_name, name_pinyin,
            kind, province, city, domain, authority_id, judicial_ground)
        SELECT NEW.id, NEW.publication_start, NEW.publication_end, s.display_name,
               replace(s.name_pinyin, ' ', ''), s.kind, left(s.region_code, 2),
               left(s.region_code, 4), t.domain, NEW.authority_id, NEW.judicial_ground
        -- LEFT JOINs: a record inserted before its subject or type (foreign keys are checked
        -- at commit) fails on the NOT NULL columns instead of silently missing from search
        FROM (SELECT 1) AS one
        LEFT JOIN sanctions_subject s ON s.id = NEW.subject_id
        LEFT JOIN sanctions_recordtype t ON t.id = NEW.record_type_id;
    END IF;
    RETURN NULL;
END $function$;
