"""Two-character names as an index range scan, like one-character names (0015).

`scs_public_name_char` now also holds each display name's 2-character grams (exactly the
2-character elements of scs_name_grams(), so results equal the gram GIN condition). A search
for 张伟 reads the key (gram, publication_start, record_id) backwards and stops after the
page. Before, a mid-frequency name (李红: ~3,000 subjects) had all its entries fetched and
sorted (50–85 ms) or, when the planner misjudged it, the newest-first index walked.
"""

from django.db import migrations

# as in 0015 (a migration is history: it keeps its own copy)
CANDIDATE = (
    "{row}.status IN ('active', 'under_objection') AND {row}.published_at IS NOT NULL "
    "AND {row}.publication_start IS NOT NULL"
)


def functions(max_length: int) -> str:
    return f"""
CREATE OR REPLACE FUNCTION scs_public_name_char_of_record() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        DELETE FROM scs_public_name_char WHERE record_id = OLD.id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND {CANDIDATE.format(row="NEW")} THEN
        INSERT INTO scs_public_name_char (gram, publication_start, record_id)
        SELECT g, NEW.publication_start, NEW.id
        FROM sanctions_subject s, unnest(scs_name_grams(s.display_name)) AS g
        WHERE s.id = NEW.subject_id AND char_length(g) <= {max_length};
    END IF;
    RETURN NULL;
END $$;

CREATE OR REPLACE FUNCTION scs_public_name_char_of_subject() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM scs_public_name_char c USING sanctions_integrityrecord r
    WHERE r.subject_id = NEW.id AND c.record_id = r.id;
    INSERT INTO scs_public_name_char (gram, publication_start, record_id)
    SELECT g, r.publication_start, r.id
    FROM sanctions_integrityrecord r, unnest(scs_name_grams(NEW.display_name)) AS g
    WHERE r.subject_id = NEW.id AND {CANDIDATE.format(row="r")}
      AND char_length(g) <= {max_length};
    RETURN NULL;
END $$;
"""


FORWARD = (
    functions(2)
    + f"""
INSERT INTO scs_public_name_char (gram, publication_start, record_id)
SELECT g, r.publication_start, r.id
FROM sanctions_integrityrecord r
JOIN sanctions_subject s ON s.id = r.subject_id,
LATERAL unnest(scs_name_grams(s.display_name)) AS g
WHERE {CANDIDATE.format(row="r")} AND char_length(g) = 2;
ANALYZE scs_public_name_char;
"""
)

BACKWARD = functions(1) + "DELETE FROM scs_public_name_char WHERE char_length(gram) = 2;"


class Migration(migrations.Migration):
    dependencies = [("sanctions", "0017_pinyin_statistics")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
