"""The entry-name table carries what the search form filters on, so a search by filters
(and by a name of 3+ characters or pinyin with filters) picks its newest entries in that
narrow table and joins only those to records.

Before, filters were tested on records joined to their subject and record type while
walking the newest-first index: fine for common values, but a combination with few or no
entries walked all of them — at 1,000,000 entries `domain=commercial&kind=person` (no entry)
took 2.7 s, `q=wang&kind=enterprise` 1.1 s, a small authority 111 ms.

Now each filter has a btree (value, publication_start, record_id) that also carries the
other filters and the publication end: one filter is one index range read in order, and a
combination is an index-only walk of its most selective filter's range, testing the others
in the index (no table access); the planner knows which combinations are rare or empty
from multivariate MCV statistics over the low-cardinality filters (it assumed them
independent: 53,000 commercial entries of persons, 0 in fact). The pinyin index also keys
the kind.

Columns, kept by triggers like the others: the subject's kind, province (2 digits) and city
(4 digits) of its region code; the record type's domain; the record's authority and
judicial ground.
"""

from django.db import migrations

# as in 0015 (a migration is history: it keeps its own copy)
CANDIDATE = (
    "{row}.status IN ('active', 'under_objection') AND {row}.published_at IS NOT NULL "
    "AND {row}.publication_start IS NOT NULL"
)

FUNCTIONS = f"""
CREATE OR REPLACE FUNCTION scs_public_entry_name_of_record() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        DELETE FROM scs_public_entry_name WHERE record_id = OLD.id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND {CANDIDATE.format(row="NEW")} THEN
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
END $$;

CREATE OR REPLACE FUNCTION scs_public_entry_name_of_subject() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE scs_public_entry_name n SET display_name = NEW.display_name,
        name_pinyin = replace(NEW.name_pinyin, ' ', ''), kind = NEW.kind,
        province = left(NEW.region_code, 2), city = left(NEW.region_code, 4)
    FROM sanctions_integrityrecord r
    WHERE r.subject_id = NEW.id AND n.record_id = r.id;
    RETURN NULL;
END $$;

CREATE FUNCTION scs_public_entry_name_of_record_type() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE scs_public_entry_name n SET domain = NEW.domain
    FROM sanctions_integrityrecord r
    WHERE r.record_type_id = NEW.id AND n.record_id = r.id;
    RETURN NULL;
END $$;
"""

TRIGGERS = """
DROP TRIGGER scs_public_entry_name_record_upd ON sanctions_integrityrecord;
CREATE TRIGGER scs_public_entry_name_record_upd
    AFTER UPDATE OF status, published_at, publication_start, publication_end, subject_id,
        record_type_id, authority_id, judicial_ground
    ON sanctions_integrityrecord FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status
          OR (OLD.published_at IS NULL) IS DISTINCT FROM (NEW.published_at IS NULL)
          OR OLD.publication_start IS DISTINCT FROM NEW.publication_start
          OR OLD.publication_end IS DISTINCT FROM NEW.publication_end
          OR OLD.subject_id IS DISTINCT FROM NEW.subject_id
          OR OLD.record_type_id IS DISTINCT FROM NEW.record_type_id
          OR OLD.authority_id IS DISTINCT FROM NEW.authority_id
          OR OLD.judicial_ground IS DISTINCT FROM NEW.judicial_ground)
    EXECUTE FUNCTION scs_public_entry_name_of_record();
DROP TRIGGER scs_public_entry_name_subject_upd ON sanctions_subject;
CREATE TRIGGER scs_public_entry_name_subject_upd
    AFTER UPDATE OF display_name, name_pinyin, kind, region_code ON sanctions_subject
    FOR EACH ROW
    WHEN (OLD.display_name IS DISTINCT FROM NEW.display_name
          OR OLD.name_pinyin IS DISTINCT FROM NEW.name_pinyin
          OR OLD.kind IS DISTINCT FROM NEW.kind
          OR OLD.region_code IS DISTINCT FROM NEW.region_code)
    EXECUTE FUNCTION scs_public_entry_name_of_subject();
CREATE TRIGGER scs_public_entry_name_record_type_upd
    AFTER UPDATE OF domain ON sanctions_recordtype FOR EACH ROW
    WHEN (OLD.domain IS DISTINCT FROM NEW.domain)
    EXECUTE FUNCTION scs_public_entry_name_of_record_type();
"""

FACETS = ("kind", "province", "city", "domain", "authority_id", "judicial_ground")

FORWARD = (
    """
-- every table whose triggers change, then the search table, in the order writers take
-- them (a record's trigger writes the search table): no deadlock with live writes, and
-- a clear error instead of a long wait if a long transaction holds one of them
SET LOCAL lock_timeout = '30s';
LOCK TABLE sanctions_recordtype, sanctions_subject, sanctions_integrityrecord,
    scs_public_entry_name IN ACCESS EXCLUSIVE MODE;
ALTER TABLE scs_public_entry_name
    ADD COLUMN kind text, ADD COLUMN province text, ADD COLUMN city text,
    ADD COLUMN domain text, ADD COLUMN authority_id bigint, ADD COLUMN judicial_ground smallint;
UPDATE scs_public_entry_name n SET kind = s.kind, province = left(s.region_code, 2),
    city = left(s.region_code, 4), domain = t.domain, authority_id = r.authority_id,
    judicial_ground = r.judicial_ground
FROM sanctions_integrityrecord r, sanctions_subject s, sanctions_recordtype t
WHERE r.id = n.record_id AND s.id = r.subject_id AND t.id = r.record_type_id;
ALTER TABLE scs_public_entry_name ALTER COLUMN kind SET NOT NULL,
    ALTER COLUMN province SET NOT NULL, ALTER COLUMN city SET NOT NULL,
    ALTER COLUMN domain SET NOT NULL, ALTER COLUMN authority_id SET NOT NULL;
"""
    + "".join(
        f"CREATE INDEX scs_public_entry_name_{facet} ON scs_public_entry_name "
        f"({facet}, publication_start, record_id) "
        f"INCLUDE ({', '.join(other for other in FACETS if other != facet)}, publication_end);\n"
        for facet in FACETS
    )
    + """
-- pinyin with a kind (`wang` among enterprises): both in the index condition
DROP INDEX scs_public_entry_name_pinyin;
CREATE INDEX scs_public_entry_name_pinyin ON scs_public_entry_name
    (name_pinyin text_pattern_ops, kind);
"""
    + """
-- which combinations of filters are rare or empty (they are far from independent: an
-- authority has one domain and one region)
CREATE STATISTICS scs_public_entry_name_facets (mcv)
    ON kind, province, domain, authority_id, judicial_ground FROM scs_public_entry_name;
ALTER STATISTICS scs_public_entry_name_facets SET STATISTICS 10000;
"""
    + FUNCTIONS
    + TRIGGERS
    + "ANALYZE scs_public_entry_name;"
)


# as migration 0020 left the trigger functions and triggers (its own copy: history)
BACKWARD = """
DROP TRIGGER scs_public_entry_name_record_type_upd ON sanctions_recordtype;
DROP FUNCTION scs_public_entry_name_of_record_type();

CREATE OR REPLACE FUNCTION scs_public_entry_name_of_record() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        DELETE FROM scs_public_entry_name WHERE record_id = OLD.id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND """ + CANDIDATE.format(row="NEW") + """ THEN
        INSERT INTO scs_public_entry_name (
            record_id, publication_start, publication_end, display_name, name_pinyin)
        SELECT NEW.id, NEW.publication_start, NEW.publication_end, s.display_name,
               replace(s.name_pinyin, ' ', '')
        FROM sanctions_subject s WHERE s.id = NEW.subject_id;
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION scs_public_entry_name_of_subject() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE scs_public_entry_name n SET display_name = NEW.display_name,
        name_pinyin = replace(NEW.name_pinyin, ' ', '')
    FROM sanctions_integrityrecord r
    WHERE r.subject_id = NEW.id AND n.record_id = r.id;
    RETURN NULL;
END $$;

DROP TRIGGER scs_public_entry_name_subject_upd ON sanctions_subject;
CREATE TRIGGER scs_public_entry_name_subject_upd
    AFTER UPDATE OF display_name, name_pinyin ON sanctions_subject FOR EACH ROW
    WHEN (OLD.display_name IS DISTINCT FROM NEW.display_name
          OR OLD.name_pinyin IS DISTINCT FROM NEW.name_pinyin)
    EXECUTE FUNCTION scs_public_entry_name_of_subject();

DROP TRIGGER scs_public_entry_name_record_upd ON sanctions_integrityrecord;
CREATE TRIGGER scs_public_entry_name_record_upd
    AFTER UPDATE OF status, published_at, publication_start, publication_end, subject_id
    ON sanctions_integrityrecord FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status
          OR (OLD.published_at IS NULL) IS DISTINCT FROM (NEW.published_at IS NULL)
          OR OLD.publication_start IS DISTINCT FROM NEW.publication_start
          OR OLD.publication_end IS DISTINCT FROM NEW.publication_end
          OR OLD.subject_id IS DISTINCT FROM NEW.subject_id)
    EXECUTE FUNCTION scs_public_entry_name_of_record();
DROP STATISTICS scs_public_entry_name_facets;
DROP INDEX scs_public_entry_name_pinyin;
CREATE INDEX scs_public_entry_name_pinyin ON scs_public_entry_name (name_pinyin text_pattern_ops);
ALTER TABLE scs_public_entry_name DROP COLUMN kind, DROP COLUMN province, DROP COLUMN city,
    DROP COLUMN domain, DROP COLUMN authority_id, DROP COLUMN judicial_ground;
"""


class Migration(migrations.Migration):
    dependencies = [("sanctions", "0020_entry_name_pinyin")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
