"""Deployment settings: secure by default, zero warnings from `check --deploy`."""

import os
import subprocess
import sys
from pathlib import Path

from django.db import connection

BASE_DIR = Path(__file__).resolve().parent.parent

PRODUCTION_ENV = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "p9-Zx!q3vL2#rT8wY6mN4bK1jH7gF5dS0aQeWcRvTbYnUmIoPlKjHgFdSa",
    "DJANGO_ALLOWED_HOSTS": "credit.example.gov.cn",
    "SCS_IDENTIFIER_KEY": "production-identifier-key-from-a-vault",
    "DJANGO_BEHIND_TLS_PROXY": "true",
}


def manage(*args, env):
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SCS_"))}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=BASE_DIR,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_check_deploy_with_production_variables_reports_nothing():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_debug_is_off_and_secrets_are_required_unless_asked():
    env = {k: v for k, v in PRODUCTION_ENV.items() if k != "DJANGO_SECRET_KEY"}
    env.pop("DJANGO_DEBUG")
    result = manage("check", env=env)
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY" in result.stderr
    shown = manage("shell", "-c", "from django.conf import settings; print(settings.DEBUG)",
                   env={**PRODUCTION_ENV, "DJANGO_DEBUG": ""})  # fmt: skip
    assert shown.stdout.strip().splitlines()[-1] == "False"


def test_sqlite_is_refused():
    result = manage("check", env={**PRODUCTION_ENV, "DATABASE_URL": "sqlite:///x.db"})
    assert result.returncode != 0 and "PostgreSQL only" in result.stderr


def test_database_has_utf8_ctype_so_trigrams_keep_chinese(db):
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_encoding_to_char(encoding) FROM pg_database "
                       "WHERE datname = current_database()")  # fmt: skip
        assert cursor.fetchone()[0] == "UTF8"
        cursor.execute("SELECT show_trgm('张伟')")
        assert len(cursor.fetchone()[0]) >= 2  # under ctype C this is empty
