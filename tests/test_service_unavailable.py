"""Issue 14: the database or Redis unavailable is a 503 with Retry-After — JSON under /api/
(the documented error shape, code "unavailable"), a plain page in the visitor's language
elsewhere — never a 500; and the next request after the outage succeeds.

The outages are real: the connection is pointed at a closed port (connection refused), and
the cache / rate limiter at a Redis port nobody listens on. The live-server version (a real
PostgreSQL stopped under load) is tests/faults/test_postgres_outage.py."""

from __future__ import annotations

import contextlib
import socket

import pytest
from django.db import connection
from django.http import HttpResponse
from django.test import Client, RequestFactory
from rest_framework.test import APIClient

from scs_portal.middleware import ServiceUnavailableMiddleware, is_outage
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # free once closed: nothing listens there


@contextlib.contextmanager
def database_down():
    """Every new connection is refused until the block ends (then the real one is back)."""
    connection.close()
    saved = connection.settings_dict["PORT"]
    connection.settings_dict["PORT"] = str(closed_port())
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict["PORT"] = saved


def redis_down(settings) -> None:
    url = f"redis://127.0.0.1:{closed_port()}/0"
    settings.REDIS_URL = url  # the rate limiter's client follows the setting
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": url}}


def assert_api_503(response) -> None:
    assert response.status_code == 503, response.content[:300]
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["code"] == "unavailable" and body["errors"] == {}
    assert "temporarily unavailable" in body["detail"]
    assert response["Retry-After"] == "30"


def test_api_answers_json_503_with_retry_after_while_the_database_is_down(catalog):
    from tests.api.conftest import make_agency

    _client, key = make_agency("bj-dongcheng-court")
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en", raise_request_exception=False)
    assert api.get("/api/v1/public/entries/").status_code == 200
    with database_down():
        assert_api_503(api.get("/api/v1/public/entries/"))
        # an agency request fails already in authentication (the key lookup)
        assert_api_503(api.post("/api/v1/records/", {}, format="json",
                                HTTP_AUTHORIZATION=f"Api-Key {key}"))  # fmt: skip
        zh = api.get("/api/v1/public/entries/", HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert zh.status_code == 503 and zh.json()["detail"] == "服务暂时不可用，请稍后再试。"
    # back without a restart: the next request opens a new connection
    assert api.get("/api/v1/public/entries/").status_code == 200


def test_pages_answer_a_friendly_503_in_both_languages(catalog):
    client = Client(raise_request_exception=False)
    with database_down():
        en = client.get("/", HTTP_ACCEPT_LANGUAGE="en")  # the home page counts the catalog
        zh = client.get("/", HTTP_ACCEPT_LANGUAGE="zh-hans")
        cookie = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="zh-hans")
        cookie.cookies["django_language"] = "en"
        by_cookie = cookie.get("/")
    assert en.status_code == zh.status_code == by_cookie.status_code == 503
    for response in (en, zh, by_cookie):
        assert response["Retry-After"] == "30" and response["Content-Type"].startswith("text/html")
    assert "Temporarily unavailable" in en.content.decode()
    assert '<html lang="en">' in en.content.decode()
    assert "暂时无法访问" in zh.content.decode() and "Temporarily" not in zh.content.decode()
    assert '<html lang="zh-Hans">' in zh.content.decode()
    assert "Temporarily unavailable" in by_cookie.content.decode()  # the cookie wins
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="en").status_code == 200  # back


def test_an_outage_inside_the_session_middleware_is_503_too(catalog):
    """The view needs no database, but the session is saved on the way out (idle timeout:
    SESSION_SAVE_EVERY_REQUEST): the error is raised inside SessionMiddleware, below ours."""
    client = Client(raise_request_exception=False, HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(UserFactory(username="outage.citizen"))
    assert client.post("/i18n/setlang/", {"language": "en", "next": "/"}).status_code == 302
    with database_down():
        response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
        api = client.get("/api/v1/public/entries/")  # session auth: loaded inside DRF
    assert response.status_code == 503 and "Temporarily unavailable" in response.content.decode()
    assert_api_503(api)
    assert client.post("/i18n/setlang/", {"language": "en", "next": "/"}).status_code == 302


def test_redis_down_is_503_for_the_api_throttles_and_the_page_limiter(catalog, settings):
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en", raise_request_exception=False)
    from tests.api.conftest import make_agency

    _client, key = make_agency("bj-dongcheng-court")
    redis_down(settings)
    # agency client throttle (the cache) and the public API's per-IP limiter
    assert_api_503(api.post("/api/v1/records/", {}, format="json",
                            HTTP_AUTHORIZATION=f"Api-Key {key}"))  # fmt: skip
    assert_api_503(api.get("/api/v1/public/entries/"))
    page = Client(HTTP_ACCEPT_LANGUAGE="en").get("/search/", {"q": "张伟"})
    assert page.status_code == 503 and "briefly unavailable" in page.content.decode()


def test_the_middleware_turns_a_redis_error_into_503_and_leaves_bugs_alone():
    import redis

    def view_using_redis(request):
        redis.Redis(port=closed_port(), socket_connect_timeout=0.5).ping()
        return HttpResponse("never")

    factory = RequestFactory(HTTP_ACCEPT_LANGUAGE="en")
    middleware = ServiceUnavailableMiddleware(view_using_redis)
    for path, kind in (("/api/v1/x/", "application/json"), ("/search/", "text/html")):
        request = factory.get(path)
        try:
            view_using_redis(request)
        except redis.exceptions.ConnectionError as exc:
            response = middleware.process_exception(request, exc)
        assert response.status_code == 503 and response["Content-Type"].startswith(kind)
    # a bug is not an outage: it stays a 500 (process_exception declines)
    assert middleware.process_exception(factory.get("/"), ValueError("bug")) is None
    assert not is_outage(KeyError("x"))
    try:
        try:
            redis.Redis(port=closed_port(), socket_connect_timeout=0.5).ping()
        except redis.exceptions.ConnectionError:
            raise TypeError("a bug in the fallback path") from None
    except TypeError as exc:
        assert not is_outage(exc)  # merely raised while handling one: still a bug
