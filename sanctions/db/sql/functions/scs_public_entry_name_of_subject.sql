-- function scs_public_entry_name_of_subject: its current definition (sanctions/db/__init__.py).
-- Keeps scs_public_entry_name's name, pinyin, kind, province and city when a subject changes.
-- Migrations 0015, 0020, 0021.
CREATE OR REPLACE FUNCTION public.scs_public_entry_name_of_subject()
 RETURNS trigger
 LANGUAGE plpgsql
AS $function$
BEGIN
    UPDATE scs_public_entry_name n SET display_name = NEW.display_name,
        name_pinyin = replace(NEW.name_pinyin, ' ', ''), kind = NEW.kind,
        province = left(NEW.region_code, 2), city = left(NEW.region_code, 4)
    FROM sanctions_integrityrecord r
    WHERE r.subject_id = NEW.id AND n.record_id = r.id;
    RETURN NULL;
END $function$;
