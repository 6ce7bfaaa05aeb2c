"""The current definition of every database object the migrations create in SQL — functions,
triggers, the search tables (with their indexes, statistics and storage options) and the
indexes on model tables the ORM cannot express — read from the database's catalog, and the
files in `sql/` that hold them.

`live_definitions` reads a migrated database; `file_definitions` reads `sql/`; both give
{"<kind>/<name>": text} in the same canonical form, so `differences` can compare them after
collapsing whitespace (a file's leading `--` comment lines are its own and not compared).
`manage.py sql_definitions` prints the differences, `--write` rewrites the files (keeping
their comments); `tests/sanctions/test_db_definitions.py` requires none.
"""

from __future__ import annotations

import re
from pathlib import Path

SQL_DIR = Path(__file__).resolve().parent / "sql"
KINDS = ("functions", "triggers", "tables", "indexes")

# Tables that are neither a model's nor the portal's own (Django's migration ledger).
NOT_OURS = {"django_migrations"}
FUNCTIONS_SQL = """
SELECT p.proname, pg_get_functiondef(p.oid)
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname = 'public'
  AND NOT EXISTS (SELECT 1 FROM pg_depend d WHERE d.objid = p.oid AND d.deptype = 'e')
ORDER BY p.proname
"""
TRIGGERS_SQL = """
SELECT t.tgname, pg_get_triggerdef(t.oid, true)
FROM pg_trigger t
JOIN pg_class c ON c.oid = t.tgrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'public' AND NOT t.tgisinternal
ORDER BY t.tgname
"""
COLUMNS_SQL = """
SELECT a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull,
       pg_get_expr(d.adbin, d.adrelid), a.attstattarget
FROM pg_attribute a
LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid AND d.adnum = a.attnum
WHERE a.attrelid = %s::regclass AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum
"""
CONSTRAINTS_SQL = """
SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint
WHERE conrelid = %s::regclass ORDER BY conname
"""
TABLE_INDEXES_SQL = """
SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
FROM pg_index i
WHERE i.indrelid = %s::regclass
  AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
ORDER BY 1
"""
INDEX_SQL = """
SELECT pg_get_indexdef(%s::regclass)
"""
INDEX_STATISTICS_SQL = """
SELECT a.attnum, a.attstattarget FROM pg_attribute a
WHERE a.attrelid = %s::regclass AND a.attstattarget > 0 ORDER BY a.attnum
"""
RELOPTIONS_SQL = "SELECT reloptions FROM pg_class WHERE oid = %s::regclass"
STATISTICS_SQL = """
SELECT s.stxname, pg_get_statisticsobjdef(s.oid), s.stxstattarget
FROM pg_statistic_ext s WHERE s.stxrelid = %s::regclass ORDER BY s.stxname
"""


def normalise(text: str) -> str:
    """Without the leading comment lines, whitespace collapsed."""
    lines = text.strip().splitlines()
    while lines and lines[0].lstrip().startswith("--"):
        lines.pop(0)
    return " ".join("\n".join(lines).split())


def _pretty_trigger(definition: str) -> str:
    for word in (" BEFORE ", " AFTER ", " INSTEAD OF ", " ON ", " DEFERRABLE ", " FOR EACH ",
                 " WHEN ", " EXECUTE "):  # fmt: skip
        definition = definition.replace(word, "\n    " + word.strip() + " ", 1)
    return definition + ";\n"


def _table(cursor, table: str) -> str:
    cursor.execute(COLUMNS_SQL, [table])
    columns = cursor.fetchall()
    lines = []
    for name, type_, not_null, default, _stattarget in columns:
        line = f"    {name} {type_}"
        if default is not None:
            line += f" DEFAULT {default}"
        if not_null:
            line += " NOT NULL"
        lines.append(line)
    cursor.execute(CONSTRAINTS_SQL, [table])
    for name, definition in cursor.fetchall():
        lines.append(f"    CONSTRAINT {name} {definition}")
    out = [f"CREATE TABLE {table} (\n" + ",\n".join(lines) + "\n);"]
    for name, *_rest, stattarget in columns:
        if stattarget is not None and stattarget >= 0:
            out.append(f"ALTER TABLE {table} ALTER COLUMN {name} SET STATISTICS {stattarget};")
    cursor.execute(RELOPTIONS_SQL, [table])
    (options,) = cursor.fetchone()
    if options:
        out.append(f"ALTER TABLE {table} SET ({', '.join(options)});")
    cursor.execute(TABLE_INDEXES_SQL, [table])
    for name, definition in cursor.fetchall():
        out.append(definition + ";")
        out.extend(_index_statistics(cursor, name))
    cursor.execute(STATISTICS_SQL, [table])
    for name, definition, target in cursor.fetchall():
        out.append(definition + ";")
        if target is not None and target >= 0:
            out.append(f"ALTER STATISTICS {name} SET STATISTICS {target};")
    return "\n".join(out) + "\n"


def _index_statistics(cursor, index: str) -> list[str]:
    cursor.execute(INDEX_STATISTICS_SQL, [index])
    return [f"ALTER INDEX {index} ALTER COLUMN {number} SET STATISTICS {target};"
            for number, target in cursor.fetchall()]  # fmt: skip


def _index(cursor, index: str) -> str | None:
    cursor.execute("SELECT to_regclass(%s)", [index])
    if cursor.fetchone()[0] is None:
        return None
    cursor.execute(INDEX_SQL, [index])
    out = [cursor.fetchone()[0] + ";", *_index_statistics(cursor, index)]
    return "\n".join(out) + "\n"


PARTITIONS_SQL = """
SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'public' AND c.relispartition
"""


def sql_tables(connection) -> list[str]:
    """The tables of the public schema that no model owns (the search tables). Partitions
    are their parent's (the score history's months come and go with the date, migration 0033)."""
    models = set(connection.introspection.django_table_names(include_views=False))
    with connection.cursor() as cursor:
        cursor.execute(PARTITIONS_SQL)
        partitions = {name for (name,) in cursor.fetchall()}
    return sorted(set(connection.introspection.table_names()) - models - partitions - NOT_OURS)


def file_names(kind: str) -> list[str]:
    return sorted(path.stem for path in (SQL_DIR / kind).glob("*.sql"))


def live_definitions(connection) -> dict[str, str]:
    """{"<kind>/<name>": definition} of the objects in the database of `connection`. Indexes
    on model tables: those that have a file (the ORM's own indexes are the models')."""
    found: dict[str, str] = {}
    with connection.cursor() as cursor:
        cursor.execute(FUNCTIONS_SQL)
        for name, definition in cursor.fetchall():
            found[f"functions/{name}"] = definition.rstrip() + ";\n"
        cursor.execute(TRIGGERS_SQL)
        for name, definition in cursor.fetchall():
            found[f"triggers/{name}"] = _pretty_trigger(definition)
        for table in sql_tables(connection):
            found[f"tables/{table}"] = _table(cursor, table)
        for index in file_names("indexes"):
            definition = _index(cursor, index)
            if definition is not None:
                found[f"indexes/{index}"] = definition
    return found


def file_definitions() -> dict[str, str]:
    return {
        f"{kind}/{path.stem}": path.read_text()
        for kind in KINDS
        for path in sorted((SQL_DIR / kind).glob("*.sql"))
    }


def differences(live: dict[str, str], files: dict[str, str]) -> list[str]:
    """What differs: objects only in the database, only in files, or defined differently."""
    problems = []
    for key in sorted(set(live) | set(files)):
        if key not in files:
            problems.append(f"{key}: in the database, no file sanctions/db/sql/{key}.sql")
        elif key not in live:
            problems.append(f"{key}: a file, but not in the database")
        elif normalise(live[key]) != normalise(files[key]):
            problems.append(f"{key}: the database's definition differs from the file")
    return problems


def write_files(live: dict[str, str]) -> list[Path]:
    """Write each live definition to its file, keeping the file's leading comment lines."""
    written = []
    for key, definition in live.items():
        path = SQL_DIR / f"{key}.sql"
        header = ""
        if path.exists():
            lines = path.read_text().splitlines(keepends=True)
            kept = []
            for line in lines:
                if not line.lstrip().startswith("--"):
                    break
                kept.append(line)
            header = "".join(kept)
        text = header + definition
        if not path.exists() or path.read_text() != text:
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text)
            written.append(path)
    return written


def file_text(kind: str, name: str) -> str:
    """A file's definition without its comments (e.g. to check what a function embeds)."""
    text = (SQL_DIR / kind / f"{name}.sql").read_text()
    return "\n".join(line for line in text.splitlines() if not re.match(r"\s*--", line))
