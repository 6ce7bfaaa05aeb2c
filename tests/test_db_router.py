"""Read replicas (docs/scaling.md, "Read replicas"): the database router and the middleware
that marks a request's reads (scs_portal/db_router.py, scs_portal/middleware.py). The real
streaming replica, its lag and the page cache on top of it: tests/replica/."""

from __future__ import annotations

import copy
import datetime
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.contrib.sessions.models import Session
from django.core import signing
from django.db import DEFAULT_DB_ALIAS, connections
from django.http import HttpResponse
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from sanctions.models import IntegrityRecord, RecordStatus, Subject
from scs_portal import db_router
from scs_portal.db_router import PUBLIC_READ_VIEWS, PrimaryReplicaRouter, RequestRouting
from scs_portal.middleware import REPLICA_PIN_COOKIE, ReplicaRoutingMiddleware
from tests.factories import make_citizen, make_enterprise, make_official

# A second connection to the test database that the test runner sets up as a mirror of
# `default` (TEST MIRROR), as it does for DATABASE_REPLICA_URLS's replicas: what the router
# sends there runs on a connection of its own, so a test can see which one served a page.
# Registered at import, before pytest-django sets up the test databases.
MIRROR = "replica_under_test"
_mirror_settings = copy.deepcopy(connections.settings[DEFAULT_DB_ALIAS])
_mirror_settings["TEST"] = {**_mirror_settings["TEST"], "MIRROR": DEFAULT_DB_ALIAS}
connections.settings.setdefault(MIRROR, _mirror_settings)

BASE_DIR = Path(__file__).resolve().parent.parent
REPLICAS = ("replica_1", "replica_2")
router = PrimaryReplicaRouter()


@pytest.fixture
def replicas(settings):
    settings.SCS_READ_REPLICAS = REPLICAS
    return REPLICAS


@pytest.fixture
def in_request():
    """Run the body as if inside a request with this routing (what the middleware sets)."""
    tokens = []

    def enter(**state) -> RequestRouting:
        routing = RequestRouting(**state)
        tokens.append(db_router.begin(routing))
        return routing

    yield enter
    for token in reversed(tokens):
        db_router.end(token)


# --- the router ---------------------------------------------------------------------------------


def test_outside_a_request_every_read_and_write_uses_the_primary(replicas):
    """Celery tasks, management commands and the shell never pass the middleware."""
    assert db_router.current() is None
    assert router.db_for_read(IntegrityRecord) == DEFAULT_DB_ALIAS
    assert router.db_for_write(IntegrityRecord) == DEFAULT_DB_ALIAS


def test_a_public_request_reads_one_replica_throughout(replicas, in_request):
    in_request(public=True)
    first = router.db_for_read(IntegrityRecord)
    assert first in REPLICAS
    assert router.db_for_read(Subject) == first
    assert [router.db_for_read(IntegrityRecord) for _ in range(20)] == [first] * 20


def test_public_requests_spread_over_the_replicas(replicas, in_request):
    chosen = set()
    for _ in range(200):  # both are chosen unless random.choice is broken (2 × 2**-200)
        token = db_router.begin(RequestRouting(public=True))
        try:
            chosen.add(router.db_for_read(IntegrityRecord))
        finally:
            db_router.end(token)
    assert chosen == set(REPLICAS)


def test_pages_that_are_not_public_read_the_primary(replicas, in_request):
    in_request(public=False)
    assert router.db_for_read(IntegrityRecord) == DEFAULT_DB_ALIAS


def test_without_replicas_public_reads_use_the_primary(settings, in_request):
    settings.SCS_READ_REPLICAS = ()
    in_request(public=True)
    assert router.db_for_read(IntegrityRecord) == DEFAULT_DB_ALIAS


def test_the_login_state_is_read_from_the_primary_on_public_pages(replicas, in_request):
    in_request(public=True)
    for model in (Session, get_user_model(), TOTPDevice):
        assert router.db_for_read(model) == DEFAULT_DB_ALIAS, model


def test_a_write_sends_the_rest_of_the_request_to_the_primary(replicas, in_request):
    routing = in_request(public=True)
    assert router.db_for_read(IntegrityRecord) in REPLICAS
    assert router.db_for_write(IntegrityRecord) == DEFAULT_DB_ALIAS
    assert routing.wrote
    assert router.db_for_read(IntegrityRecord) == DEFAULT_DB_ALIAS


def test_saving_the_session_is_not_a_write_that_pins(replicas, in_request):
    routing = in_request(public=True)
    assert router.db_for_write(Session) == DEFAULT_DB_ALIAS
    assert not routing.wrote
    assert router.db_for_read(IntegrityRecord) in REPLICAS


def test_a_pinned_browser_reads_public_pages_from_the_primary(replicas, in_request):
    in_request(public=True, pinned=True)
    assert router.db_for_read(IntegrityRecord) == DEFAULT_DB_ALIAS


def test_reads_inside_a_transaction_on_the_primary_stay_there(replicas, in_request, monkeypatch):
    in_request(public=True)
    monkeypatch.setattr(connections[DEFAULT_DB_ALIAS], "in_atomic_block", True)
    assert router.db_for_read(IntegrityRecord) == DEFAULT_DB_ALIAS


def test_only_the_primary_is_migrated_and_replica_rows_relate(replicas):
    assert router.allow_migrate(DEFAULT_DB_ALIAS, "sanctions") is True
    assert router.allow_migrate("replica_1", "sanctions") is False
    on_replica, on_primary = IntegrityRecord(), IntegrityRecord()
    on_replica._state.db, on_primary._state.db = "replica_2", DEFAULT_DB_ALIAS
    assert router.allow_relation(on_replica, on_primary) is True
    on_replica._state.db = "elsewhere"
    assert router.allow_relation(on_replica, on_primary) is None


def _settings_with(replica_urls: str, **extra: str) -> subprocess.CompletedProcess:
    """The replica settings a process starts with, given DATABASE_REPLICA_URLS (JSON)."""
    keys = ("HOST", "PORT", "USER", "PASSWORD", "NAME", "CONN_MAX_AGE", "CONN_HEALTH_CHECKS",
            "TEST", "OPTIONS", "DISABLE_SERVER_SIDE_CURSORS")  # fmt: skip
    code = (
        "import json, django; django.setup(); from django.conf import settings as s; "
        "print(json.dumps({'replicas': s.SCS_READ_REPLICAS, 'routers': s.DATABASE_ROUTERS, "
        f"'databases': {{a: {{k: s.DATABASES[a].get(k) for k in {keys!r}}} "
        "for a in s.DATABASES}}))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "scs_portal.settings",
           "DATABASE_REPLICA_URLS": replica_urls, **extra}  # fmt: skip
    return subprocess.run([sys.executable, "-c", code], cwd=BASE_DIR, env=env,
                          capture_output=True, text=True, timeout=60)  # fmt: skip


def test_replica_settings_from_the_environment():
    """DATABASE_REPLICA_URLS → replica_1..n with the primary's connection settings, mirrors of
    the test database under the test runner; none when unset; PostgreSQL only."""
    started = _settings_with(
        "postgres://ro@replica-a:5432/scs, postgres://ro:pw@replica-b:6432/scs"
    )
    assert started.returncode == 0, started.stderr
    loaded = json.loads(started.stdout.splitlines()[-1])
    assert loaded["replicas"] == ["replica_1", "replica_2"]
    assert loaded["routers"] == ["scs_portal.db_router.PrimaryReplicaRouter"]
    first, second = loaded["databases"]["replica_1"], loaded["databases"]["replica_2"]
    assert (first["HOST"], first["PORT"], first["USER"]) == ("replica-a", 5432, "ro")
    assert (second["HOST"], second["PORT"], second["PASSWORD"]) == ("replica-b", 6432, "pw")
    primary = loaded["databases"]["default"]
    assert first["CONN_MAX_AGE"] == primary["CONN_MAX_AGE"] and first["CONN_HEALTH_CHECKS"]
    assert first["TEST"]["MIRROR"] == "default" and primary["TEST"]["MIRROR"] is None
    # behind PgBouncer (DATABASE_POOLER) the replicas get the pooler's rules too, whatever
    # options their URL adds
    pooled = _settings_with("postgres://ro@replica-a:6432/scs?sslmode=require",
                            DATABASE_POOLER="pgbouncer")  # fmt: skip
    assert pooled.returncode == 0, pooled.stderr
    replica = json.loads(pooled.stdout.splitlines()[-1])["databases"]["replica_1"]
    assert replica["DISABLE_SERVER_SIDE_CURSORS"] is True
    assert replica["OPTIONS"] == {"prepare_threshold": None, "sslmode": "require"}
    unset = json.loads(_settings_with("").stdout.splitlines()[-1])
    assert unset["replicas"] == [] and list(unset["databases"]) == ["default"]
    refused = _settings_with("sqlite:///replica.db")
    assert refused.returncode != 0 and "PostgreSQL replicas only" in refused.stderr


# --- the middleware -----------------------------------------------------------------------------


def test_the_public_read_views_are_the_public_pages_and_api():
    """The names the middleware goes by exist, and name the public pages (a renamed URL in
    sanctions/urls.py or sanctions/api_urls.py fails here, not silently in production)."""
    public_id = "0123456789abcdef" * 2
    paths = {
        "/": "home",
        "/search/": "search",
        f"/entries/{public_id}/": "entry_detail",
        "/how-to-object/": "how_to_object",
        "/open-data/enterprises.csv": "open_data",
        "/api/v1/public/entries/": "api_public_entries",
        "/api/v1/public/entries/lookup/": "api_public_entries_lookup",
        f"/api/v1/public/entries/{public_id}/": "api_public_entry_detail",
    }
    assert {resolve(path).view_name for path in paths} == PUBLIC_READ_VIEWS
    for path, name in paths.items():
        assert resolve(path).view_name == name
    for path in ("/admin/", "/my/", "/api/v1/records/", "/api/v1/me/record/", "/account/login/",
                 "/account/activate/", "/healthz", "/api/v1/restrictions/check"):  # fmt: skip
        assert resolve(path).view_name not in PUBLIC_READ_VIEWS, path


def _middleware_request(
    path: str, *, method: str = "get", cookies=None, user=None, writes=(), **extra
):
    """Run ReplicaRoutingMiddleware around a stand-in view that saves `writes` (models, as
    Django asks the router for each save); returns (routing seen by the view, response)."""
    factory = RequestFactory()
    request = getattr(factory, method)(path, **extra)
    request.COOKIES.update(cookies or {})
    request.user = user or AnonymousUser()
    request.resolver_match = resolve(path)
    seen = {}

    def view(request):
        middleware.process_view(request, None, (), {})
        for model in writes:
            router.db_for_write(model)
        seen["routing"] = copy.copy(db_router.current())
        return HttpResponse("ok")

    middleware = ReplicaRoutingMiddleware(view)
    response = middleware(request)
    return seen["routing"], response


def test_public_views_are_marked_and_others_are_not(replicas):
    assert _middleware_request("/search/")[0].public
    assert _middleware_request("/api/v1/public/entries/")[0].public
    assert not _middleware_request("/admin/")[0].public
    assert not _middleware_request("/my/")[0].public
    assert db_router.current() is None  # nothing left behind after the request


def test_the_middleware_is_inert_without_replicas(settings):
    settings.SCS_READ_REPLICAS = ()
    routing, response = _middleware_request("/search/")
    assert routing is None and REPLICA_PIN_COOKIE not in response.cookies


def _pin_cookie(response) -> dict[str, str]:
    return {REPLICA_PIN_COOKIE: response.cookies[REPLICA_PIN_COOKIE].value}


class _LoggedIn:
    is_authenticated = True


def test_a_post_by_a_logged_in_user_pins_the_browser_for_a_bounded_time(replicas, settings):
    settings.SCS_REPLICA_PIN_SECONDS = 60
    _routing, posted = _middleware_request("/my/", method="post", user=_LoggedIn())
    cookie = posted.cookies[REPLICA_PIN_COOKIE]
    assert cookie["max-age"] == 60 and cookie["httponly"] and cookie["samesite"] == "Lax"
    assert _middleware_request("/search/", cookies=_pin_cookie(posted))[0].pinned
    with time_machine.travel(datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(
            seconds=61)):  # fmt: skip
        assert not _middleware_request("/search/", cookies=_pin_cookie(posted))[0].pinned
    # an anonymous POST that wrote nothing, and a logged-in user's public lookup, do not pin
    assert REPLICA_PIN_COOKIE not in _middleware_request("/my/", method="post")[1].cookies
    lookup = _middleware_request("/search/", method="post", user=_LoggedIn())[1]
    assert REPLICA_PIN_COOKIE not in lookup.cookies


def test_any_write_pins_the_browser_but_saving_the_session_does_not(replicas):
    """E.g. an activation or a login: anonymous, and it writes."""
    _routing, wrote = _middleware_request("/account/activate/", method="post",
                                          writes=[IntegrityRecord])  # fmt: skip
    assert REPLICA_PIN_COOKIE in wrote.cookies
    _routing, session_only = _middleware_request("/search/", writes=[Session])
    assert REPLICA_PIN_COOKIE not in session_only.cookies


def test_a_forged_pin_cookie_pins_nothing(replicas):
    forged = {REPLICA_PIN_COOKIE: "1"}
    assert not _middleware_request("/search/", cookies=forged)[0].pinned
    other_salt = signing.get_cookie_signer(salt="another").sign("1")
    assert not _middleware_request("/search/", cookies={REPLICA_PIN_COOKIE: other_salt})[0].pinned


# --- through the whole stack, on a mirror connection ---------------------------------------------


def _tables(queries) -> set[str]:
    return {table for q in queries for table in ("sanctions_integrityrecord", "django_session",
                                                  "auth_user") if table in q["sql"]}  # fmt: skip


@pytest.fixture
def on_mirror(settings):
    settings.SCS_READ_REPLICAS = (MIRROR,)
    settings.SCS_SEARCH_PAGE_CACHE_SECONDS = 0

    def served(client, method, url, **kwargs):
        """(response, tables read on the replica, tables read on the primary)"""
        with (
            CaptureQueriesContext(connections[MIRROR]) as replica,
            CaptureQueriesContext(connections[DEFAULT_DB_ALIAS]) as primary,
        ):
            response = getattr(client, method)(url, **kwargs)
            # the streamed body is produced (and its queries run) while it is read
            response.body = (
                b"".join(response.streaming_content) if response.streaming else response.content
            )
        return response, _tables(replica.captured_queries), _tables(primary.captured_queries)

    return served


@pytest.fixture
def enterprise_entry(catalog):
    from tests.sanctions.test_public import publish

    firm = make_enterprise(name="北京镜像读取贸易有限公司", legal_rep=make_citizen(name="王镜像"))
    return publish(firm.subject, "commercial-product-quality", "bj-dongcheng-amr",
                   "京市监罚〔2025〕77号")  # fmt: skip


@pytest.mark.django_db(transaction=True, databases=[DEFAULT_DB_ALIAS, MIRROR])
def test_public_pages_read_the_replica_and_a_write_reads_the_primary(on_mirror, enterprise_entry):
    entry_url = reverse("entry_detail", args=[enterprise_entry.public_id])
    name = "北京镜像读取贸易有限公司"
    anonymous = Client()
    for url in (entry_url, reverse("search") + "?q=镜像读取", "/api/v1/public/entries/?q=镜像读取",
                reverse("open_data", args=["csv"])):  # fmt: skip
        response, on_replica, on_primary = on_mirror(anonymous, "get", url)
        assert response.status_code == 200 and name in response.body.decode(), url
        assert "sanctions_integrityrecord" in on_replica, url  # the open-data stream too
        assert "sanctions_integrityrecord" not in on_primary, url

    # an official: the admin reads the primary (not a public page), whoever asks
    reviewer = make_official(role="reviewer", authority_code="bj-dongcheng-amr",
                             username="amr.mirror.reviewer")  # fmt: skip
    official = Client()
    official.force_login(reviewer)
    change = reverse("admin:sanctions_integrityrecord_change", args=[enterprise_entry.pk])
    response, on_replica, on_primary = on_mirror(official, "get", change)
    assert response.status_code == 200 and not on_replica
    assert "sanctions_integrityrecord" in on_primary
    # a logged-in visitor's public page: the record from the replica, the login from the primary
    response, on_replica, on_primary = on_mirror(official, "get", entry_url)
    assert response.status_code == 200
    assert on_replica == {"sanctions_integrityrecord"}
    assert {"django_session", "auth_user"} <= on_primary

    # the official removes the listing: the answer pins the browser to the primary …
    act = reverse("admin:sanctions_integrityrecord_act", args=[enterprise_entry.pk, "remove"])
    response, _r, _p = on_mirror(
        official, "post", act, data={"remove-reason": "revocation", "confirm": "yes"}
    )
    assert response.status_code == 302
    assert IntegrityRecord.objects.get(pk=enterprise_entry.pk).status == RecordStatus.REVOKED
    assert REPLICA_PIN_COOKIE in response.cookies
    # … so the public entry page is read from the primary: the official reads the removal
    response, on_replica, on_primary = on_mirror(official, "get", entry_url)
    assert response.status_code == 404
    assert not on_replica and "sanctions_integrityrecord" in on_primary
    # a visitor who wrote nothing still reads the replica
    response, on_replica, _p = on_mirror(anonymous, "get", entry_url)
    assert response.status_code == 404 and "sanctions_integrityrecord" in on_replica
    # the pin runs out: the official is back on the replica
    later = datetime.datetime.now(tz=datetime.UTC) + datetime.timedelta(seconds=61)
    with time_machine.travel(later):
        _response, on_replica, _p = on_mirror(official, "get", entry_url)
    assert "sanctions_integrityrecord" in on_replica


@pytest.mark.django_db(transaction=True, databases=[DEFAULT_DB_ALIAS, MIRROR])
def test_page_cache_and_rate_limit_work_as_before_with_replicas(on_mirror, enterprise_entry,
                                                                 settings):  # fmt: skip
    from django.core.cache import cache

    settings.SCS_SEARCH_PAGE_CACHE_SECONDS = 30
    settings.SCS_SEARCH_RATE_PER_MINUTE = 3
    cache.clear()
    url = reverse("search") + "?q=镜像读取"
    ip = {"REMOTE_ADDR": f"198.51.100.{datetime.datetime.now().microsecond % 200 + 1}"}
    visitor = Client()
    first, on_replica, _p = on_mirror(visitor, "get", url, **ip)
    assert first.context is not None and "sanctions_integrityrecord" in on_replica  # rendered
    again, on_replica, on_primary = on_mirror(visitor, "get", url, **ip)
    assert again.status_code == 200 and again.context is None  # from the page cache
    assert not on_replica and not on_primary
    statuses = [on_mirror(visitor, "get", url, **ip)[0].status_code for _ in range(2)]
    assert statuses == [200, 429]  # the rate limit still counts every search
