"""Create (or update) the PostgreSQL role the application runs as: it owns nothing.

Run as the tables' owner (the DATABASE_MIGRATE_URL user), after `manage.py migrate`:

    DATABASE_URL=<owner url> manage.py create_app_role --role scs_app

The grants (and the default privileges, which apply to tables the *current* user creates) must
come from the owner. Creating the role, or setting its password (`--password` or
$SCS_APP_ROLE_PASSWORD), needs CREATEROLE: an owner without it gets an error naming the SQL an
administrator runs first (`CREATE ROLE scs_app LOGIN PASSWORD '…'`); then it only grants.

The role may log in, use the schema and read/write rows of every table (and use its
sequences), nothing more: no ownership, no CREATE on the schema, so it can neither ALTER nor
DROP a table or trigger, and the audit trail's triggers (append-only, no TRUNCATE) hold for
it. Default privileges give it the same rights on tables the owner creates later. Idempotent:
running it again re-grants. docs/security.md, deployment roles.
"""

import os
import re

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction

ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def grant_statements(role: str, schema: str = "public") -> list[str]:
    """The grants that make `role` an application role of the current user's tables."""
    q = connection.ops.quote_name
    role, schema = q(role), q(schema)
    database = q(connection.settings_dict["NAME"])
    return [
        f"REVOKE ALL ON SCHEMA {schema} FROM {role}",
        f"GRANT CONNECT ON DATABASE {database} TO {role}",
        f"GRANT USAGE ON SCHEMA {schema} TO {role}",
        f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role}",
        f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {schema} TO {role}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema}"
        f" GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA {schema} GRANT USAGE, SELECT ON SEQUENCES TO {role}",
    ]


class Command(BaseCommand):
    help = "Create the application's database role: row access only, owns nothing, no DDL."

    def add_arguments(self, parser):
        parser.add_argument("--role", default="scs_app", help="role name (default scs_app)")
        parser.add_argument(
            "--password",
            default=None,
            help="login password; default: $SCS_APP_ROLE_PASSWORD (keeps it out of shell history)",
        )
        parser.add_argument("--schema", default="public")

    def handle(self, *args, role, password, schema, **options):
        if not ROLE_NAME.match(role):
            raise CommandError("Role names are lower-case letters, digits and underscores.")
        password = password or os.environ.get("SCS_APP_ROLE_PASSWORD") or None
        q = connection.ops.quote_name
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT current_user")
            (owner,) = cursor.fetchone()
            if role == owner:
                raise CommandError("Run this as the tables' owner, for another role.")
            cursor.execute(
                "SELECT rolsuper, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = %s",
                [role],
            )
            row = cursor.fetchone()
            if row and any(row):
                raise CommandError(f"{role} is a superuser or may create roles or databases.")
            cursor.execute(
                "SELECT count(*) FROM pg_class c JOIN pg_roles r ON r.oid = c.relowner"
                " WHERE r.rolname = %s",
                [role],
            )
            if cursor.fetchone()[0]:
                raise CommandError(f"{role} owns tables: the application role must own nothing.")
            cursor.execute(
                "SELECT rolsuper OR rolcreaterole FROM pg_roles WHERE rolname = current_user"
            )
            (may_create_roles,) = cursor.fetchone()
            if may_create_roles:
                verb = "ALTER" if row else "CREATE"
                options_sql = " LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOINHERIT"
                if password:
                    cursor.execute(f"{verb} ROLE {q(role)}{options_sql} PASSWORD %s", [password])
                else:
                    cursor.execute(f"{verb} ROLE {q(role)}{options_sql}")
            elif not row:
                raise CommandError(
                    f"{owner} may not create roles: have an administrator run"
                    f" CREATE ROLE {role} LOGIN PASSWORD '…', then run this again to grant."
                )
            elif password:
                raise CommandError(
                    f"{owner} may not set {role}'s password: an administrator must"
                    f" (ALTER ROLE {role} PASSWORD '…'); run this without a password to grant."
                )
            for statement in grant_statements(role, schema):
                cursor.execute(statement)
        self.stdout.write(
            f"{'Updated' if row else 'Created'} role {role}: rows of {schema}.* owned by {owner}."
        )
