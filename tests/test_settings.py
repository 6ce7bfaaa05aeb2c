"""Deployment settings: secure by default, zero warnings from `check --deploy`."""

import datetime
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

import pytest
from django.db import connection
from django.utils import timezone

from sanctions.models import Holiday

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


def database_url_of_tests() -> str:
    """The URL of the test database, for a `manage.py` subprocess that must read its rows."""
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'], safe='')}" if db["PASSWORD"] else ""
    return (
        f"postgres://{quote(db['USER'], safe='')}{password}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}"
    )


def test_check_deploy_with_production_variables_reports_nothing(transactional_db):
    # The holiday-calendar check (sanctions.W001) reads the database: give it one whose
    # calendar reaches next year (committed, so the subprocess sees it), so only the settings
    # are judged here, whatever the date. test_holiday_calendar_check_... covers the warning.
    next_year = timezone.localdate().year + 1
    Holiday.objects.get_or_create(date=datetime.date(next_year, 1, 1), defaults={"name": "元旦"})
    env = {**PRODUCTION_ENV, "DATABASE_URL": database_url_of_tests()}
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_holiday_calendar_check_warns_through_manage_py_and_skips_an_unreachable_database(
    transactional_db,
):
    # the calendar ends before this year (an earlier transactional test may have flushed it)
    last_year = timezone.localdate().year - 1
    Holiday.objects.filter(date__year__gt=last_year).delete()
    Holiday.objects.get_or_create(date=datetime.date(last_year, 1, 1), defaults={"name": "元旦"})
    env = {**PRODUCTION_ENV, "DATABASE_URL": database_url_of_tests()}
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)
    assert result.returncode != 0 and "(sanctions.W001)" in result.stderr
    assert f"ends on {last_year}-12-31" in result.stderr
    assert f"import_holidays --year {last_year + 1}" in result.stderr
    # no database yet (a first deployment's check): nothing to say about its data
    gone = database_url_of_tests().rsplit("/", 1)[0] + "/scs_no_such_database"
    result = manage("check", "--deploy", "--fail-level", "WARNING",
                    env={**PRODUCTION_ENV, "DATABASE_URL": gone})  # fmt: skip
    assert result.returncode == 0 and "no issues" in result.stdout, result.stderr


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


@pytest.mark.parametrize(
    "key",
    ["test-only-identifier-key", "x" * 48, "abcdefgh" * 6, "change-me-keyed-hash-for-id-numbers"],
)
def test_a_weak_identifier_key_is_refused_without_debug(key):
    """SCS_IDENTIFIER_KEY: at least 32 characters, at least 16 different ones (settings)."""
    env = {**PRODUCTION_ENV, "DATABASE_URL": database_url_of_tests(), "SCS_IDENTIFIER_KEY": key}
    result = manage("check", env=env)
    assert result.returncode != 0 and "SCS_IDENTIFIER_KEY is too weak" in result.stderr, key


def test_a_random_identifier_key_is_accepted_and_debug_keeps_its_default():
    strong = {**PRODUCTION_ENV, "DATABASE_URL": database_url_of_tests(),
              "SCS_IDENTIFIER_KEY": "kP3v-Q9zR1mX7tL2wB8nC4yH6jF0sD5aE_gU"}  # fmt: skip
    shown = manage("shell", "-c", "from django.conf import settings; print(settings.DEBUG)",
                   env=strong)  # fmt: skip
    assert shown.returncode == 0, shown.stderr
    # under DEBUG the development default key (31 characters) is still fine
    development = {"DJANGO_DEBUG": "true", "DATABASE_URL": database_url_of_tests()}
    debug = manage("shell", "-c", "from django.conf import settings; print('ok')",
                   env=development)  # fmt: skip
    assert debug.returncode == 0 and debug.stdout.strip().endswith("ok"), debug.stderr


def test_without_debug_a_missing_database_url_refuses_to_start():
    """No silent fallback to the embedded server in production; under DEBUG (`make run`,
    .ci/embedded-smoke) the embedded server's URL is still the default."""
    base = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    code = "from django.conf import settings; print(settings.DATABASES['default']['PORT'])"
    env = {**PRODUCTION_ENV, "DATABASE_URL": ""}
    result = subprocess.run([sys.executable, "manage.py", "shell", "-c", code], cwd=BASE_DIR,
                            env={**{k: v for k, v in base.items()
                                    if not k.startswith(("DJANGO_", "SCS_"))}, **env},
                            capture_output=True, text=True, timeout=120)  # fmt: skip
    assert result.returncode != 0 and "DATABASE_URL" in result.stderr
    unset = {k: v for k, v in base.items() if not k.startswith(("DJANGO_", "SCS_"))}
    development = subprocess.run([sys.executable, "manage.py", "shell", "-c", code],
                                 cwd=BASE_DIR, env={**unset, "DJANGO_DEBUG": "true"},
                                 capture_output=True, text=True, timeout=120)  # fmt: skip
    from scs_portal import embedded

    assert development.returncode == 0, development.stderr
    assert development.stdout.strip().splitlines()[-1] == str(embedded.PG_PORT)
