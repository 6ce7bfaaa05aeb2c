import pytest
from django.apps import apps


@pytest.fixture(autouse=True)
def _english_messages(request, client):
    """Unit tests read messages in English; the browser tests run in Chinese (zh-CN)."""
    from django.utils import translation

    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def catalog(db):
    """The seeded catalogs and roles. Migrations seed them, but transactional tests flush the
    database, so make sure they are there (both functions are idempotent)."""
    from django.contrib.auth.models import Group

    from sanctions.kernel.roles import ensure_roles
    from sanctions.registry.catalog_data import seed_catalog

    record_type = apps.get_model("sanctions", "RecordType")
    if not record_type.objects.exists():  # flushed by a transactional test
        seed_catalog(
            apps.get_model("sanctions", "Authority"),
            apps.get_model("sanctions", "Measure"),
            record_type,
        )
    if not Group.objects.filter(name="clerk").exists():
        ensure_roles()
    # the data migrations' own seeders: holiday calendar and the first scoring rule set
    import importlib

    for module in ("0004_holidays_2025_2026", "0006_initial_ruleset"):
        importlib.import_module(f"sanctions.migrations.{module}").seed(apps, None)


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2's deliberate slowness protects real passwords; tests create dozens of users.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _staff_sessions_pass_the_second_factor(monkeypatch):
    """Staff pages need a session verified by a second factor (scs_portal.admin_site). The
    test client's `force_login` of a staff account stands for the whole login: password and
    the code of the account's TOTP device (made if missing). The login steps themselves are
    tested through the real forms in tests/test_otp.py and tests/e2e/test_otp_enrolment.py."""
    from django.test import Client

    force_login = Client.force_login

    def force_login_with_second_factor(self, user, backend=None):
        force_login(self, user, backend)
        if user.is_staff:
            from django_otp import DEVICE_ID_SESSION_KEY

            from tests.factories import totp_device

            session = self.session
            session[DEVICE_ID_SESSION_KEY] = totp_device(user).persistent_id
            session.save()

    monkeypatch.setattr(Client, "force_login", force_login_with_second_factor)


@pytest.fixture
def superuser(db):
    from tests.factories import UserFactory

    return UserFactory(username="root-admin", is_staff=True, is_superuser=True)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """The audit trail and the access log refuse TRUNCATE (migration 0026) unless the session
    owns the table and set `scs.allow_truncate`. Django's flush after each transactional test
    is a TRUNCATE of every table, so the disposable test database sets it for every session
    (a test can still `SET LOCAL scs.allow_truncate = off`). Never set it on a real database."""
    from django.db import connection

    with django_db_blocker.unblock(), connection.cursor() as cursor:
        name = connection.ops.quote_name(connection.settings_dict["NAME"])
        cursor.execute(f"ALTER DATABASE {name} SET scs.allow_truncate = 'on'")
        cursor.execute("SET scs.allow_truncate = 'on'")  # this session started before


@pytest.fixture(scope="session", autouse=True)
def _collected_static():
    """Tests run with DEBUG off, i.e. with WhiteNoise's manifest storage, as production does."""
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)


@pytest.fixture(autouse=True)
def _celery_runs_inline():
    """Tasks sent during a test run in-process (the crash test starts a real worker)."""
    from scs_portal.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture(autouse=True)
def _generous_rate_limits(settings):
    # Tests search far more than 30 times a minute from one address; the rate-limit test
    # lowers the limit again for an address of its own.
    settings.SCS_SEARCH_RATE_PER_MINUTE = 100_000
    settings.SCS_OPEN_DATA_RATE_PER_MINUTE = 100_000
    settings.SCS_ENTRY_RATE_PER_MINUTE = 100_000
    settings.SCS_ADMIN_LOGIN_RATE_PER_MINUTE = 100_000
    settings.SCS_LOGIN_SLOWDOWN_AFTER = 100_000
    settings.SCS_ACCOUNT_RATE_PER_MINUTE = 100_000
    settings.SCS_PASSWORD_RESET_RATE_PER_MINUTE = 100_000
    settings.SCS_PASSWORD_RESET_PER_ACCOUNT_PER_HOUR = 100_000
    settings.SCS_VERIFY_RATE_PER_MINUTE = 100_000
    settings.SCS_REPORT_ISSUE_PER_HOUR = 100_000
