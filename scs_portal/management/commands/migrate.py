"""`manage.py migrate` as the tables' owner when DATABASE_MIGRATE_URL is set.

The application connects with DATABASE_URL, a role that owns nothing and may not run DDL
(`manage.py create_app_role`); only schema changes need the owner. For the length of this
command the default connection takes the owner's user and password (settings checked that the
database is the same), so the tables it creates are the owner's and the post_migrate work
(roles, permissions) runs in the same place. Behind PgBouncer (DATABASE_POOLER) it also takes
the URL's host and port: the server's direct address, so migrations never run through
transaction pooling. Without the setting this is Django's migrate unchanged (development,
tests). docs/security.md, deployment roles; docs/deployment.md.
"""

from django.conf import settings
from django.core.management.commands.migrate import Command as MigrateCommand
from django.db import DEFAULT_DB_ALIAS, connections


class Command(MigrateCommand):
    def execute(self, *args, **options):
        # execute, not handle: the system checks before handle already query the database
        owner = getattr(settings, "DATABASE_MIGRATE", None)
        if not owner or options.get("database", DEFAULT_DB_ALIAS) != DEFAULT_DB_ALIAS:
            return super().execute(*args, **options)
        connection = connections[DEFAULT_DB_ALIAS]
        # without a pooler settings made HOST and PORT equal, so only the user changes then
        keys = ("USER", "PASSWORD", "HOST", "PORT")
        saved = {key: connection.settings_dict[key] for key in keys}
        connection.close()
        connection.settings_dict.update({key: owner[key] for key in keys})
        try:
            return super().execute(*args, **options)
        finally:
            connection.close()
            connection.settings_dict.update(saved)
