"""sanctions/db/sql holds the current definition of every function, trigger and search table
the migrations create in SQL (and the indexes the ORM cannot express): the migrated test
database must match the files, and the files must embed the rules the Python code defines."""

from __future__ import annotations

import pytest
from django.db import connection

from sanctions.db.definitions import (
    differences,
    file_definitions,
    file_text,
    live_definitions,
    normalise,
)
from sanctions.db.predicates import CANDIDATE_STATUSES, candidate_public_entry_sql
from sanctions.db.search import ENTRY_NAME_TABLE, NAME_CHAR_TABLE, NAME_GRAMS_FUNCTION
from sanctions.kernel.audit_chain import CHAIN_LOCK_KEY, row_hash_sql


@pytest.mark.django_db
def test_the_migrated_database_matches_the_files():
    assert differences(live_definitions(connection), file_definitions()) == []


@pytest.mark.django_db
def test_a_changed_definition_is_found():
    live = live_definitions(connection)
    files = file_definitions()
    changed = dict(files)
    changed["functions/scs_name_grams"] = files["functions/scs_name_grams"].replace(
        "char_length(name) - 1", "char_length(name) - 2"
    )
    assert differences(live, changed) == [
        "functions/scs_name_grams: the database's definition differs from the file"
    ]
    missing = {key: text for key, text in files.items() if key != "tables/" + NAME_CHAR_TABLE}
    assert differences(live, missing) == [
        f"tables/{NAME_CHAR_TABLE}: in the database, no file "
        f"sanctions/db/sql/tables/{NAME_CHAR_TABLE}.sql"
    ]


def test_the_search_triggers_test_the_candidate_predicate():
    for function, row in (
        ("scs_public_name_char_of_record", "NEW"),
        ("scs_public_name_char_of_subject", "r"),
        ("scs_public_entry_name_of_record", "NEW"),
    ):
        assert normalise(candidate_public_entry_sql(row)) in normalise(
            file_text("functions", function)
        )
    # the newest-first index covers the candidates' statuses
    newest = file_text("indexes", "record_public_newest")
    assert all(f"'{status}'" in newest for status in CANDIDATE_STATUSES)


def test_the_search_code_names_the_tables_the_files_define():
    files = file_definitions()
    assert f"tables/{ENTRY_NAME_TABLE}" in files and f"tables/{NAME_CHAR_TABLE}" in files
    assert f"functions/{NAME_GRAMS_FUNCTION}" in files


def test_the_audit_link_hashes_as_the_verifier_does():
    link = normalise(file_text("functions", "sanctions_auditevent_link"))
    assert normalise(row_hash_sql("r")) in link
    assert f"pg_advisory_xact_lock({CHAIN_LOCK_KEY})" in link
