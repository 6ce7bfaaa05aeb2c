"""The search tables' names and columns, for the search's raw SQL
(`sanctions.publication.search`). Their definitions: `sql/scs_public_name_char.sql` and
`sql/scs_public_entry_name.sql`; the gram function: `sql/scs_name_grams.sql`."""

from __future__ import annotations

# One row per (1- or 2-character gram of the display name, candidate public entry), keyed
# (gram, publication_start, record_id), publication_start kept equal to the record's by
# triggers. Ordered by that key (newest_first), the first page of a common surname or name is
# one backward index range scan instead of a sort of thousands of entries.
NAME_CHAR_TABLE = "scs_public_name_char"

# One row per candidate public entry with its subject's display name, compact pinyin, kind,
# province and city, its type's domain, its authority and judicial ground, and its
# publication dates, kept by triggers; a trigram GIN on the name, a prefix btree on the pinyin
# (and kind), a btree on the date and one per filter.
ENTRY_NAME_TABLE = "scs_public_entry_name"

# The function whose 1- and 2-character grams index short names (subjects, NAME_CHAR_TABLE).
NAME_GRAMS_FUNCTION = "scs_name_grams"

# The search form's filters as ENTRY_NAME_TABLE holds them (form field → column), each with a
# (column, publication_start, record_id) btree that carries the other filters (migration 0021).
FACET_COLUMNS = {
    "kind": "kind",
    "domain": "domain",
    "ground": "judicial_ground",
    "province": "province",
    "city": "city",
    "authority": "authority_id",
}
