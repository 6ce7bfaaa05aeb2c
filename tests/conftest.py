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
    from sanctions.catalog import seed_catalog
    from sanctions.roles import ensure_roles

    seed_catalog(
        apps.get_model("sanctions", "Authority"),
        apps.get_model("sanctions", "Measure"),
        apps.get_model("sanctions", "RecordType"),
    )
    ensure_roles()


@pytest.fixture
def superuser(db):
    from tests.factories import UserFactory

    return UserFactory(username="root-admin", is_staff=True, is_superuser=True)


@pytest.fixture(scope="session", autouse=True)
def _collected_static():
    """Tests run with DEBUG off, i.e. with WhiteNoise's manifest storage, as production does."""
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)
