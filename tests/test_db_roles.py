"""Deployment roles (issue 13 low): the app runs as a role that owns nothing and may not run
DDL (`manage.py create_app_role`); migrate runs as the owner (DATABASE_MIGRATE_URL).

The test database's user is a superuser, so the app role is entered with SET LOCAL ROLE in
the test's transaction; the role itself is created in that transaction and rolled back with
it (CREATE ROLE is transactional)."""

import io
import os

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from tests.test_settings import PRODUCTION_ENV, database_url_of_tests, manage

ROLE = f"scs_app_test_{os.getpid()}"

INSERT_AUDIT = """
    INSERT INTO sanctions_auditevent
        (actor_repr, action, object_type, object_id, object_repr, old_values, new_values,
         created_at, prev_hash, row_hash)
    VALUES ('system', 'db_roles_test', 'test', '1', '', '{}', '{}', now(), '', '')
    RETURNING id, chain_seq
"""


@pytest.fixture
def app_role(db):
    call_command("create_app_role", role=ROLE, password="not-used-here", stdout=io.StringIO())
    return ROLE


def as_app_role(statement, params=None):
    """Run `statement` as the app role in a savepoint; returns the rows (if any)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL ROLE {ROLE}")
        cursor.execute(statement, params)
        rows = cursor.fetchall() if cursor.description else None
        cursor.execute("RESET ROLE")  # (an error rolls the savepoint back, and the role with it)
        return rows


def refused(statement):
    with pytest.raises(DatabaseError) as excinfo:
        as_app_role(statement)
    with connection.cursor() as cursor:  # the savepoint's rollback also reset the role
        cursor.execute("SELECT current_user")
        assert cursor.fetchone()[0] != ROLE
    return str(excinfo.value)


def test_app_role_owns_nothing_and_is_no_superuser(app_role):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rolcanlogin, rolsuper, rolcreaterole, rolcreatedb FROM pg_roles"
            " WHERE rolname = %s",
            [ROLE],
        )
        assert cursor.fetchone() == (True, False, False, False)
        cursor.execute(
            "SELECT count(*) FROM pg_class WHERE relowner = (SELECT oid FROM pg_roles"
            " WHERE rolname = %s)",
            [ROLE],
        )
        assert cursor.fetchone()[0] == 0
        cursor.execute("SELECT has_schema_privilege(%s, 'public', 'CREATE')", [ROLE])
        assert cursor.fetchone()[0] is False


def test_app_role_reads_and_writes_rows(app_role):
    with connection.cursor() as cursor:  # link rows at insert, not at commit (migration 0032)
        cursor.execute("SET CONSTRAINTS sanctions_auditevent_link IMMEDIATE")
    ((event_id, _),) = as_app_role(INSERT_AUDIT)
    rows = as_app_role("SELECT chain_seq FROM sanctions_auditevent WHERE id = %s", [event_id])
    assert rows[0][0] is not None  # the chain trigger ran for the app role
    rows = as_app_role("SELECT action FROM sanctions_auditevent WHERE id = %s", [event_id])
    assert rows == [("db_roles_test",)]
    # an ordinary table: update and delete rows
    as_app_role(
        "INSERT INTO sanctions_holiday (date, name, is_working_day)"
        " VALUES ('2099-01-01', 'x', false)"
    )
    as_app_role("UPDATE sanctions_holiday SET name = 'y' WHERE date = '2099-01-01'")
    assert as_app_role(
        "DELETE FROM sanctions_holiday WHERE date = '2099-01-01' RETURNING name"
    ) == [("y",)]


def test_app_role_cannot_touch_the_audit_trails_defences(app_role):
    # (before any audit row of this transaction: TRUNCATE refuses pending trigger events)
    # TRUNCATE: not granted, and the statement trigger refuses a non-owner even when asked
    assert "permission denied" in refused(
        "SET LOCAL scs.allow_truncate = on; TRUNCATE sanctions_auditevent"
    )
    with connection.cursor() as cursor:
        cursor.execute(f"GRANT TRUNCATE ON sanctions_auditevent TO {ROLE}")
    assert "TRUNCATE refused" in refused(
        "SET LOCAL scs.allow_truncate = on; TRUNCATE sanctions_auditevent"
    )
    assert "must be owner" in refused(
        "ALTER TABLE sanctions_auditevent DISABLE TRIGGER sanctions_auditevent_append_only"
    )
    assert "must be owner" in refused(
        "DROP TRIGGER sanctions_auditevent_no_truncate ON sanctions_auditevent"
    )
    assert "permission denied" in refused("CREATE TABLE scs_app_test_ddl (id int)")
    assert "must be owner" in refused("DROP TABLE sanctions_accesslog")
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS sanctions_auditevent_link IMMEDIATE")
    ((event_id, _),) = as_app_role(INSERT_AUDIT)
    assert "append-only" in refused(
        f"UPDATE sanctions_auditevent SET action = 'forged' WHERE id = {event_id}"
    )
    assert "append-only" in refused(f"DELETE FROM sanctions_auditevent WHERE id = {event_id}")


def test_create_app_role_refuses_an_owner_or_superuser(db):
    with pytest.raises(CommandError):
        call_command("create_app_role", role="postgres")  # the current user / a superuser
    with pytest.raises(CommandError):
        call_command("create_app_role", role="Bad-Name")


def test_migrate_connects_with_the_migrate_url(transactional_db):
    url = database_url_of_tests()
    env = {**PRODUCTION_ENV, "DATABASE_URL": url}
    scheme, rest = url.split("://", 1)
    host_and_db = rest.split("@", 1)[1]
    missing_owner = f"{scheme}://scs_no_such_owner@{host_and_db}"
    result = manage("migrate", "--check", env={**env, "DATABASE_MIGRATE_URL": missing_owner})
    assert result.returncode != 0
    assert "scs_no_such_owner" in result.stderr
    # other commands keep DATABASE_URL
    code = "from django.db import connection; connection.ensure_connection(); print('ok')"
    result = manage("shell", "-c", code, env={**env, "DATABASE_MIGRATE_URL": missing_owner})
    assert result.returncode == 0, result.stderr
    # the owner URL must name the same database
    other_db = f"{url.rsplit('/', 1)[0]}/some_other_db"
    result = manage("check", env={**env, "DATABASE_MIGRATE_URL": other_db})
    assert result.returncode != 0 and "DATABASE_MIGRATE_URL" in result.stderr
