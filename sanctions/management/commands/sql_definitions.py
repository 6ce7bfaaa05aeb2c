"""Compare the database's SQL-defined objects with sanctions/db/sql/ (or rewrite the files).

    manage.py sql_definitions           # exit 1 and list the differences, if any
    manage.py sql_definitions --write   # after a migration that changes one of them

Run it against a database migrated to the latest migration (the test database is)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from sanctions.db.definitions import differences, file_definitions, live_definitions, write_files


class Command(BaseCommand):
    help = "Compare (or --write) the current SQL definitions in sanctions/db/sql/."

    def add_arguments(self, parser):
        parser.add_argument("--write", action="store_true", help="rewrite the files")

    def handle(self, *args, write: bool = False, **options):
        live = live_definitions(connection)
        if write:
            for path in write_files(live):
                self.stdout.write(f"wrote {path}")
        problems = differences(live, file_definitions())
        for problem in problems:
            self.stdout.write(problem)
        if problems:
            raise CommandError(f"{len(problems)} definitions differ from sanctions/db/sql/")
        self.stdout.write("OK: the files match the database")
