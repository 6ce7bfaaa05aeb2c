"""The entry-name table carries each entry's publication end too, so a search by 3+
characters can pick its newest entries inside the publication window from that narrow table
alone and join only those to the records (public.newest_named_entries).

Before, every matching entry (~2,000 for a common brand name at 1,000,000 entries) was joined
to its record and subject before the top 201 were sorted: 40–180 ms. Now the trigram bitmap,
a top-N sort of the narrow rows and ≤ 200 record probes: see docs/performance.md.
"""

from django.db import migrations

# as in 0015 (a migration is history: it keeps its own copy)
CANDIDATE = (
    "{row}.status IN ('active', 'under_objection') AND {row}.published_at IS NOT NULL "
    "AND {row}.publication_start IS NOT NULL"
)

def record_function(with_end: bool) -> str:
    columns = "record_id, publication_start, publication_end, display_name"
    values = "NEW.id, NEW.publication_start, NEW.publication_end, s.display_name"
    if not with_end:
        columns = columns.replace(" publication_end,", "")
        values = values.replace(" NEW.publication_end,", "")
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
"""


def update_trigger(with_end: bool) -> str:
    end_column = " publication_end," if with_end else ""
    end_changed = (
        "\n          OR OLD.publication_end IS DISTINCT FROM NEW.publication_end" if with_end else ""
    )
    return f"""
DROP TRIGGER scs_public_entry_name_record_upd ON sanctions_integrityrecord;
CREATE TRIGGER scs_public_entry_name_record_upd
    AFTER UPDATE OF status, published_at, publication_start,{end_column} subject_id
    ON sanctions_integrityrecord FOR EACH ROW
    WHEN (OLD.status IS DISTINCT FROM NEW.status
          OR (OLD.published_at IS NULL) IS DISTINCT FROM (NEW.published_at IS NULL)
          OR OLD.publication_start IS DISTINCT FROM NEW.publication_start{end_changed}
          OR OLD.subject_id IS DISTINCT FROM NEW.subject_id)
    EXECUTE FUNCTION scs_public_entry_name_of_record();
"""


FORWARD = (
    """
ALTER TABLE scs_public_entry_name ADD COLUMN publication_end date;
UPDATE scs_public_entry_name n SET publication_end = r.publication_end
FROM sanctions_integrityrecord r
WHERE r.id = n.record_id AND r.publication_end IS NOT NULL;
"""
    + record_function(with_end=True)
    + update_trigger(with_end=True)
    + "ANALYZE scs_public_entry_name;"
)

BACKWARD = (
    record_function(with_end=False)
    + update_trigger(with_end=False)
    + "ALTER TABLE scs_public_entry_name DROP COLUMN publication_end;"
)


class Migration(migrations.Migration):
    dependencies = [("sanctions", "0015_search_speed")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
