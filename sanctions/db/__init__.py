"""The database objects the portal defines in SQL rather than through models: the search
tables and their triggers, the functions they use, the audit trail's triggers, and the
indexes on model tables that the ORM cannot express.

- `sql/`: the CURRENT definition of each of them, one file per object (as the last
  migration leaves it). Migrations are history and keep their own copies; these files are
  where a reader finds what the database holds now. `tests/sanctions/test_db_definitions.py`
  migrates the test database and compares it with these files; after a migration that
  changes one of them, `manage.py sql_definitions --write` rewrites the files from a
  migrated database (review the diff).
- `predicates`: the two rules SQL and ORM must agree on — "counts for the score" and
  "candidate public entry" — written once in each language, side by side, and tested
  against each other on random data (`tests/sanctions/test_predicates.py`).
- `search`: the names of the search tables and of their columns, for the search's raw SQL.
"""
