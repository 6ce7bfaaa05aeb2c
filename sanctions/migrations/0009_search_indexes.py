"""Indexes for the public search, so that every query shape the form produces is indexed:

- 1- and 2-character names (pg_trgm cannot index patterns under 3 characters): a GIN index
  over each name's 1- and 2-character grams, from the IMMUTABLE function scs_name_grams;
- 3+ characters: pg_trgm GIN (needs a UTF-8 ctype for CJK);
- pinyin with or without spaces: a text_pattern_ops btree on the compact pinyin (prefix);
- the legal representative's name of enterprises: the same two indexes, partial;
- newest-first browsing of public entries: a partial btree on the publication date.
"""

from django.db import migrations

FUNCTION = """
CREATE OR REPLACE FUNCTION scs_name_grams(name text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
    SELECT coalesce(array_agg(DISTINCT g), '{}')
    FROM (
        SELECT substr(lower(name), i, 1) AS g FROM generate_series(1, char_length(name)) AS i
        UNION ALL
        SELECT substr(lower(name), i, 2) FROM generate_series(1, char_length(name) - 1) AS i
    ) grams
    WHERE g <> '' AND g !~ '^\\s+$'
$$;
"""

INDEXES = [
    ("subject_name_grams_gin",
     "ON sanctions_subject USING gin (scs_name_grams(display_name))"),
    ("subject_name_trgm_gin",
     "ON sanctions_subject USING gin (display_name gin_trgm_ops)"),
    ("subject_pinyin_prefix",
     "ON sanctions_subject (replace(name_pinyin, ' ', '') text_pattern_ops)"),
    ("subject_legal_rep_grams_gin",
     "ON sanctions_subject USING gin (scs_name_grams(legal_rep_name)) WHERE kind = 'enterprise'"),
    ("subject_legal_rep_trgm_gin",
     "ON sanctions_subject USING gin (legal_rep_name gin_trgm_ops) WHERE kind = 'enterprise'"),
    ("subject_region_code", "ON sanctions_subject (region_code)"),
    ("record_public_newest",
     "ON sanctions_integrityrecord (publication_start DESC, id DESC) "
     "WHERE status IN ('active', 'under_objection') AND published_at IS NOT NULL"),
]  # fmt: skip


class Migration(migrations.Migration):
    dependencies = [("sanctions", "0008_public_fields")]

    operations = [
        migrations.RunSQL(FUNCTION, "DROP FUNCTION IF EXISTS scs_name_grams(text);"),
        *[
            migrations.RunSQL(
                f"CREATE INDEX IF NOT EXISTS {name} {definition};",
                f"DROP INDEX IF EXISTS {name};",
            )
            for name, definition in INDEXES
        ],
    ]
