"""The entry-name table carries each entry's compact pinyin too, so a pinyin search with no
other filter picks its newest entries from that narrow table (public.newest_entries),
as a search by 3+ characters does, and joins only those to the records.

Before, a mid-frequency full name (`li yan`: 3,017 subjects at 1,000,000 entries) found its
subjects by the pinyin prefix index, joined every one to its records and sorted them all:
p95 31 ms, 55 ms for the worst names. Now a range of this table's pinyin index and a top-N
sort of its narrow rows, or, for a very common prefix (`wang`), a backward walk of its
(publication_start, record_id) index that stops after the page: see docs/performance.md.

The column holds `replace(name_pinyin, ' ', '')` of the subject, the expression of the
subject_pinyin_prefix index of migration 0009, so both paths give the same entries.
"""

from django.db import migrations

# as in 0015 (a migration is history: it keeps its own copy)
CANDIDATE = (
    "{row}.status IN ('active', 'under_objection') AND {row}.published_at IS NOT NULL "
    "AND {row}.publication_start IS NOT NULL"
)


def functions(with_pinyin: bool) -> str:
    """The record and subject trigger functions of the table, with or without the pinyin
    column (without: as migration 0016 left them)."""
    columns = "record_id, publication_start, publication_end, display_name"
    values = "NEW.id, NEW.publication_start, NEW.publication_end, s.display_name"
    subject_set = "display_name = NEW.display_name"
    if with_pinyin:
        columns += ", name_pinyin"
        values += ", replace(s.name_pinyin, ' ', '')"
        subject_set += ", name_pinyin = replace(NEW.name_pinyin, ' ', '')"
    return f"""
CREATE OR REPLACE FUNCTION scs_public_entry_name_of_record() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        DELETE FROM scs_public_entry_name WHERE record_id = OLD.id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND {CANDIDATE.format(row="NEW")} THEN
        INSERT INTO scs_public_entry_name ({columns})
        SELECT {values}
        FROM sanctions_subject s WHERE s.id = NEW.subject_id;
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION scs_public_entry_name_of_subject() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE scs_public_entry_name n SET {subject_set}
    FROM sanctions_integrityrecord r
    WHERE r.subject_id = NEW.id AND n.record_id = r.id;
    RETURN NULL;
END $$;
"""


def subject_trigger(with_pinyin: bool) -> str:
    columns = "display_name, name_pinyin" if with_pinyin else "display_name"
    changed = "OLD.display_name IS DISTINCT FROM NEW.display_name"
    if with_pinyin:
        changed += "\n          OR OLD.name_pinyin IS DISTINCT FROM NEW.name_pinyin"
    return f"""
DROP TRIGGER scs_public_entry_name_subject_upd ON sanctions_subject;
CREATE TRIGGER scs_public_entry_name_subject_upd
    AFTER UPDATE OF {columns} ON sanctions_subject FOR EACH ROW
    WHEN ({changed})
    EXECUTE FUNCTION scs_public_entry_name_of_subject();
"""


FORWARD = (
    """
-- every table whose triggers change, then the search table, in the order writers take
-- them (a record's trigger writes the search table): no deadlock with live writes, and
-- a clear error instead of a long wait if a long transaction holds one of them
SET LOCAL lock_timeout = '30s';
LOCK TABLE sanctions_recordtype, sanctions_subject, sanctions_integrityrecord,
    scs_public_entry_name IN ACCESS EXCLUSIVE MODE;
ALTER TABLE scs_public_entry_name ADD COLUMN name_pinyin text;
UPDATE scs_public_entry_name n SET name_pinyin = replace(s.name_pinyin, ' ', '')
FROM sanctions_integrityrecord r JOIN sanctions_subject s ON s.id = r.subject_id
WHERE r.id = n.record_id;
ALTER TABLE scs_public_entry_name ALTER COLUMN name_pinyin SET NOT NULL;
CREATE INDEX scs_public_entry_name_pinyin ON scs_public_entry_name
    (name_pinyin text_pattern_ops);
-- prefix estimates come from the histogram: a few surnames carry most names
ALTER TABLE scs_public_entry_name ALTER COLUMN name_pinyin SET STATISTICS 5000;
"""
    + functions(with_pinyin=True)
    + subject_trigger(with_pinyin=True)
    + "ANALYZE scs_public_entry_name;"
)

BACKWARD = (
    functions(with_pinyin=False)
    + subject_trigger(with_pinyin=False)
    + "ALTER TABLE scs_public_entry_name DROP COLUMN name_pinyin;"
)


class Migration(migrations.Migration):
    dependencies = [("sanctions", "0019_filing_attachment_sha256")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
