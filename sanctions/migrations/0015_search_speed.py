"""One-character name search as an index range scan.

A common surname (王, 李, 张) is in ~7 % of names. The gram GIN of migration 0009 finds those
subjects, but the page wants only the newest 20 entries (and a count capped at 200): the
database had to fetch and sort tens of thousands of entries, or walk the newest-first index
and compute every walked subject's grams. p95 was 1.2 s at 1,000,000 entries.

`scs_public_name_char` holds one row per (character of the subject's display name, candidate
public entry) with the entry's publication date, keyed (gram, publication_start, record_id):
the newest entries whose name contains a character are the start of one index range, read
backwards. Candidate = status active/under objection and published (the predicate of the
partial index record_public_newest); the search still applies every condition of
`public_entries()` to the record itself, so the table only has to be a superset of the public
entries with the right characters — which triggers keep it:

- records: insert/delete, and updates of status, published_at, publication_start or subject;
- subjects: a changed display name rewrites the rows of the subject's candidate entries;
- TRUNCATE of records (test flushes) empties the table, so recycled ids can't match stale rows.

The characters are exactly the 1-character grams of scs_name_grams() (lower-cased, no spaces),
so results equal those of the gram GIN condition.
"""

from django.db import migrations

CANDIDATE = (
    "{row}.status IN ('active', 'under_objection') AND {row}.published_at IS NOT NULL "
    "AND {row}.publication_start IS NOT NULL"
)

FORWARD = f"""
CREATE TABLE scs_public_name_char (
    gram text NOT NULL,
    publication_start date NOT NULL,
    record_id bigint NOT NULL,
    PRIMARY KEY (gram, publication_start, record_id)
);
CREATE INDEX scs_public_name_char_record ON scs_public_name_char (record_id);

CREATE FUNCTION scs_public_name_char_of_record() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        DELETE FROM scs_public_name_char WHERE record_id = OLD.id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND {CANDIDATE.format(row="NEW")} THEN
        INSERT INTO scs_public_name_char (gram, publication_start, record_id)
        SELECT g, NEW.publication_start, NEW.id
        FROM sanctions_subject s, unnest(scs_name_grams(s.display_name)) AS g
        WHERE s.id = NEW.subject_id AND char_length(g) = 1;
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION scs_public_name_char_of_subject() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM scs_public_name_char c USING sanctions_integrityrecord r
    WHERE r.subject_id = NEW.id AND c.record_id = r.id;
    INSERT INTO scs_public_name_char (gram, publication_start, record_id)
    SELECT g, r.publication_start, r.id
    FROM sanctions_integrityrecord r, unnest(scs_name_grams(NEW.display_name)) AS g
    WHERE r.subject_id = NEW.id AND {CANDIDATE.format(row="r")} AND char_length(g) = 1;
    RETURN NULL;
END $$;

CREATE FUNCTION scs_public_name_char_truncate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE scs_public_name_char;
    RETURN NULL;
END $$;

CREATE TRIGGER scs_public_name_char_record_ins_del
    AFTER INSERT OR DELETE ON sanctions_integrityrecord
    FOR EACH ROW EXECUTE FUNCTION scs_public_name_char_of_record();
CREATE TRIGGER scs_public_name_char_record_upd
    AFTER UPDATE OF status, published_at, publication_start, subject_id
    ON sanctions_integrityrecord FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status
          OR (OLD.published_at IS NULL) IS DISTINCT FROM (NEW.published_at IS NULL)
          OR OLD.publication_start IS DISTINCT FROM NEW.publication_start
          OR OLD.subject_id IS DISTINCT FROM NEW.subject_id)
    EXECUTE FUNCTION scs_public_name_char_of_record();
CREATE TRIGGER scs_public_name_char_subject_upd
    AFTER UPDATE OF display_name ON sanctions_subject FOR EACH ROW
    WHEN (OLD.display_name IS DISTINCT FROM NEW.display_name)
    EXECUTE FUNCTION scs_public_name_char_of_subject();
CREATE TRIGGER scs_public_name_char_record_truncate
    AFTER TRUNCATE ON sanctions_integrityrecord
    FOR EACH STATEMENT EXECUTE FUNCTION scs_public_name_char_truncate();

INSERT INTO scs_public_name_char (gram, publication_start, record_id)
SELECT g, r.publication_start, r.id
FROM sanctions_integrityrecord r
JOIN sanctions_subject s ON s.id = r.subject_id,
LATERAL unnest(scs_name_grams(s.display_name)) AS g
WHERE {CANDIDATE.format(row="r")} AND char_length(g) = 1;

-- the planner needs per-character frequencies (a few hundred surnames carry most rows)
ALTER TABLE scs_public_name_char ALTER COLUMN gram SET STATISTICS 1000;
-- read for one page at a time: starting parallel workers (~8 ms) costs more than the page,
-- and the planner, which underestimates how many joined records are public, would start them
ALTER TABLE scs_public_name_char SET (parallel_workers = 0);
ANALYZE scs_public_name_char;
"""

# Names of 3+ characters (partial enterprise names: "诚信示范", "银嘉科技"): the trigram GIN on
# subjects finds ~1,000 enterprises for a typical term, then every one of them was joined to
# its entries and all of them sorted (p95 40 ms and worse when the planner walked instead).
# scs_public_entry_name holds each candidate public entry's display name next to its
# publication date: the trigram bitmap lands on the entries directly, the top 201 are sorted
# on the table's own columns, and only those are joined to records. For very common terms
# (most enterprises) the planner may instead walk (publication_start, record_id) backwards.
NAMES_FORWARD = f"""
CREATE TABLE scs_public_entry_name (
    record_id bigint PRIMARY KEY,
    publication_start date NOT NULL,
    display_name text NOT NULL
);

CREATE FUNCTION scs_public_entry_name_of_record() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        DELETE FROM scs_public_entry_name WHERE record_id = OLD.id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND {CANDIDATE.format(row="NEW")} THEN
        INSERT INTO scs_public_entry_name (record_id, publication_start, display_name)
        SELECT NEW.id, NEW.publication_start, s.display_name
        FROM sanctions_subject s WHERE s.id = NEW.subject_id;
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION scs_public_entry_name_of_subject() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE scs_public_entry_name n SET display_name = NEW.display_name
    FROM sanctions_integrityrecord r
    WHERE r.subject_id = NEW.id AND n.record_id = r.id;
    RETURN NULL;
END $$;

CREATE FUNCTION scs_public_entry_name_truncate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    TRUNCATE scs_public_entry_name;
    RETURN NULL;
END $$;

CREATE TRIGGER scs_public_entry_name_record_ins_del
    AFTER INSERT OR DELETE ON sanctions_integrityrecord
    FOR EACH ROW EXECUTE FUNCTION scs_public_entry_name_of_record();
CREATE TRIGGER scs_public_entry_name_record_upd
    AFTER UPDATE OF status, published_at, publication_start, subject_id
    ON sanctions_integrityrecord FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status
          OR (OLD.published_at IS NULL) IS DISTINCT FROM (NEW.published_at IS NULL)
          OR OLD.publication_start IS DISTINCT FROM NEW.publication_start
          OR OLD.subject_id IS DISTINCT FROM NEW.subject_id)
    EXECUTE FUNCTION scs_public_entry_name_of_record();
CREATE TRIGGER scs_public_entry_name_subject_upd
    AFTER UPDATE OF display_name ON sanctions_subject FOR EACH ROW
    WHEN (OLD.display_name IS DISTINCT FROM NEW.display_name)
    EXECUTE FUNCTION scs_public_entry_name_of_subject();
CREATE TRIGGER scs_public_entry_name_record_truncate
    AFTER TRUNCATE ON sanctions_integrityrecord
    FOR EACH STATEMENT EXECUTE FUNCTION scs_public_entry_name_truncate();

INSERT INTO scs_public_entry_name (record_id, publication_start, display_name)
SELECT r.id, r.publication_start, s.display_name
FROM sanctions_integrityrecord r JOIN sanctions_subject s ON s.id = r.subject_id
WHERE {CANDIDATE.format(row="r")};

CREATE INDEX scs_public_entry_name_trgm ON scs_public_entry_name
    USING gin (display_name gin_trgm_ops);
CREATE INDEX scs_public_entry_name_newest ON scs_public_entry_name (publication_start, record_id);
-- LIKE estimates come from the histogram: a finer one tells 0.1 % terms from 30 % terms
ALTER TABLE scs_public_entry_name ALTER COLUMN display_name SET STATISTICS 1000;
ALTER TABLE scs_public_entry_name SET (parallel_workers = 0);
ANALYZE scs_public_entry_name;
"""

NAMES_BACKWARD = """
DROP TRIGGER IF EXISTS scs_public_entry_name_record_truncate ON sanctions_integrityrecord;
DROP TRIGGER IF EXISTS scs_public_entry_name_subject_upd ON sanctions_subject;
DROP TRIGGER IF EXISTS scs_public_entry_name_record_upd ON sanctions_integrityrecord;
DROP TRIGGER IF EXISTS scs_public_entry_name_record_ins_del ON sanctions_integrityrecord;
DROP FUNCTION IF EXISTS scs_public_entry_name_truncate();
DROP FUNCTION IF EXISTS scs_public_entry_name_of_subject();
DROP FUNCTION IF EXISTS scs_public_entry_name_of_record();
DROP TABLE IF EXISTS scs_public_entry_name;
"""

BACKWARD = """
DROP TRIGGER IF EXISTS scs_public_name_char_record_truncate ON sanctions_integrityrecord;
DROP TRIGGER IF EXISTS scs_public_name_char_subject_upd ON sanctions_subject;
DROP TRIGGER IF EXISTS scs_public_name_char_record_upd ON sanctions_integrityrecord;
DROP TRIGGER IF EXISTS scs_public_name_char_record_ins_del ON sanctions_integrityrecord;
DROP FUNCTION IF EXISTS scs_public_name_char_truncate();
DROP FUNCTION IF EXISTS scs_public_name_char_of_subject();
DROP FUNCTION IF EXISTS scs_public_name_char_of_record();
DROP TABLE IF EXISTS scs_public_name_char;
"""


class Migration(migrations.Migration):
    dependencies = [("sanctions", "0014_agency_api")]

    operations = [
        migrations.RunSQL(FORWARD, BACKWARD),
        migrations.RunSQL(NAMES_FORWARD, NAMES_BACKWARD),
    ]
