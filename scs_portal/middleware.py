"""Request hygiene that must run before Django's own middleware, the 503 answer when the
database or Redis is unavailable, and the request's database routing (read replicas)."""

from __future__ import annotations

import logging
import re
import sys
import time

from django.conf import settings
from django.core.signals import got_request_exception
from django.http import HttpResponse, JsonResponse

from scs_portal import db_router

logger = logging.getLogger(__name__)
_SESSION_KEY = re.compile(r"^[a-z0-9]{8,64}$")


class RefuseTooManyQueryParameters:
    """More query parameters than DATA_UPLOAD_MAX_NUMBER_FIELDS: 400, under DEBUG too.

    Django refuses such a request with TooManyFieldsSent when `request.GET` is first read,
    and its handler makes that a 400, except under DEBUG: the technical error page reads
    `request.GET` again, raises again, and the 400 becomes a 500. This check runs first
    (top of MIDDLEWARE) and answers the 400 itself: JSON in the API's error shape under
    /api/, else a plain page in the request's language. (A POST body with too many fields
    is Django's own 400; its parser remembers the failure, so that path has no such bug.)"""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        from django.core.exceptions import TooManyFieldsSent

        try:
            request.GET  # noqa: B018 - parsed (and cached) here, refused here if too long
        except TooManyFieldsSent:
            return bad_request_response(request)
        return self.get_response(request)


def bad_request_response(request) -> HttpResponse:
    """400 for a request refused before any view ran (no session, no database)."""
    from django.template import loader
    from django.utils import translation
    from django.utils.translation import gettext as _

    language = translation.get_language_from_request(request)
    with translation.override(language):
        if request.path.startswith("/api/"):
            body = {"detail": _("Too many parameters in the request."),
                    "code": "too_many_parameters", "errors": {}}  # fmt: skip
            response: HttpResponse = JsonResponse(body, status=400)
        else:
            response = HttpResponse(loader.get_template("400.html").render({}), status=400)
    response["Content-Language"] = language
    return response


class DropMalformedSessionCookie:
    """A session cookie that cannot be a session key (e.g. one with a NUL byte, which
    PostgreSQL refuses in a query: a 500 found by schemathesis) is dropped, so the request
    is simply anonymous."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        value = request.COOKIES.get(settings.SESSION_COOKIE_NAME)
        if value is not None and not _SESSION_KEY.match(value):
            del request.COOKIES[settings.SESSION_COOKIE_NAME]
        return self.get_response(request)


# --- outages: the database or Redis unavailable -------------------------------------------------


def outage_errors() -> tuple[type[BaseException], ...]:
    """The exceptions that mean "the database or Redis is away" (not a bug): Django's and
    psycopg's OperationalError / InterfaceError (connection refused, server shutting down or
    starting up, connection lost, and the transient statement cancellations and deadlocks
    PostgreSQL files under the same class), redis-py's ConnectionError / TimeoutError, and
    kombu's OperationalError (the broker refused a task message)."""
    global _OUTAGE_ERRORS
    if _OUTAGE_ERRORS is None:
        import django.db
        import kombu.exceptions
        import psycopg
        import redis.exceptions

        _OUTAGE_ERRORS = (
            django.db.OperationalError,
            django.db.InterfaceError,
            psycopg.OperationalError,
            psycopg.InterfaceError,
            redis.exceptions.ConnectionError,
            redis.exceptions.TimeoutError,
            kombu.exceptions.OperationalError,
        )
    return _OUTAGE_ERRORS


_OUTAGE_ERRORS: tuple[type[BaseException], ...] | None = None


def is_outage(exc: BaseException | None) -> bool:
    """Whether `exc`, or the exception it was explicitly raised from (`raise … from`), means
    a service is unavailable. An exception that merely happened while another was handled
    (`__context__`) is not followed: a bug in a fallback path must stay a 500."""
    for _depth in range(5):
        if exc is None:
            return False
        if isinstance(exc, outage_errors()):
            return True
        exc = exc.__cause__
    return False


def retry_after_seconds() -> int:
    return settings.SCS_UNAVAILABLE_RETRY_AFTER_SECONDS


def unavailable_body() -> dict:
    """The API's 503 body, in the project's error shape (sanctions/kernel/api_errors.py)."""
    from django.utils.translation import gettext as _

    return {
        "detail": _("The service is temporarily unavailable. Please try again in a moment."),
        "code": "unavailable",
        "errors": {},
    }


def unavailable_response(request) -> HttpResponse:
    """503 with Retry-After: JSON for /api/, else a plain page in the request's language.

    Nothing here may touch the database or Redis: the language comes from the language
    cookie or Accept-Language (never the session), and the page is a template rendered
    without the request's context processors (no user, no session, no messages)."""
    from django.template import loader
    from django.utils import translation

    language = translation.get_language_from_request(request)
    with translation.override(language):
        if request.path.startswith("/api/"):
            response: HttpResponse = JsonResponse(unavailable_body(), status=503)
        else:
            html = loader.get_template("503.html").render(
                {"LANGUAGE_CODE": translation.get_language()}
            )
            response = HttpResponse(html, status=503)
    response["Retry-After"] = str(retry_after_seconds())
    response["Cache-Control"] = "no-store"
    response["Content-Language"] = language
    return response


_OUTAGE_ATTRIBUTE = "_scs_outage"


def _remember_outage(sender, request=None, **kwargs) -> None:
    """got_request_exception: called while Django turns an exception into a 500 (one raised
    in a middleware, e.g. loading or saving the session). Marks the request so the outer
    ServiceUnavailableMiddleware can answer 503 instead."""
    exc = sys.exc_info()[1]
    if request is not None and is_outage(exc):
        setattr(request, _OUTAGE_ATTRIBUTE, exc)


class ServiceUnavailableMiddleware:
    """The database or Redis unavailable → 503 with Retry-After, never a 500 page.

    A view's exception is caught in process_exception. One raised inside a middleware below
    this one (the session loaded by the auth middleware, saved on the way out) has already
    been turned into a 500 by Django's handler when it gets here: the got_request_exception
    signal marked the request, and that 500 is replaced. Placed near the top of MIDDLEWARE so
    the session, auth, OTP, messages and axes middlewares are all below it. The connection
    itself recovers without a restart: CONN_HEALTH_CHECKS (settings) drops a broken
    persistent connection at the start of the next request that uses it."""

    def __init__(self, get_response):
        self.get_response = get_response
        got_request_exception.connect(_remember_outage, dispatch_uid="scs-outage-503")

    def __call__(self, request):
        response = self.get_response(request)
        exc = getattr(request, _OUTAGE_ATTRIBUTE, None)
        if exc is not None and response.status_code == 500:
            log_outage(request, exc)
            return unavailable_response(request)
        return response

    def process_exception(self, request, exception):
        if not is_outage(exception):
            return None
        log_outage(request, exception)
        return unavailable_response(request)


def log_outage(request, exc: BaseException) -> None:
    logger.warning(
        "503 for %s %s: service unavailable (%s: %s)",
        request.method, request.path, type(exc).__name__, " ".join(str(exc).split())[:200],
    )  # fmt: skip


# --- response headers and session lifetime ------------------------------------------------------


class PermissionsPolicyMiddleware:
    """Permissions-Policy (settings.SCS_PERMISSIONS_POLICY) on every response: camera,
    microphone, geolocation, payment, USB… are off for every page (Django has no setting)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.SCS_PERMISSIONS_POLICY)
        return response


class NoStoreForPersonalPagesMiddleware:
    """Pages and API answers about one person, and the staff pages (the path prefixes in
    settings.SCS_NO_STORE_PATH_PREFIXES): `Cache-Control: no-store` and `Pragma: no-cache`,
    so neither the browser (back button, disk cache) nor a shared proxy keeps a copy."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if request.path.startswith(tuple(settings.SCS_NO_STORE_PATH_PREFIXES)):
            if "no-store" not in response.get("Cache-Control", ""):  # e.g. the admin's never_cache
                response["Cache-Control"] = "no-store, private"
            response["Pragma"] = "no-cache"
        return response


LOGIN_AT_SESSION_KEY = "_scs_login_at"


def _stamp_login_time(sender, request=None, **kwargs) -> None:
    """user_logged_in: the session remembers when its login happened."""
    if request is not None and hasattr(request, "session"):
        request.session[LOGIN_AT_SESSION_KEY] = int(time.time())


class AbsoluteSessionLifetimeMiddleware:
    """A session is logged out SCS_SESSION_ABSOLUTE_SECONDS after its login (officials':
    SCS_STAFF_SESSION_ABSOLUTE_SECONDS), however active it has been: the idle timeout alone
    (SESSION_COOKIE_AGE, renewed on every request) would keep a busy session alive forever.
    A logged-in session without a login time (one from before this control) is stamped now.
    Placed after the authentication and OTP middlewares; the request then goes on anonymous,
    so a personal page sends the person to the login page as usual."""

    def __init__(self, get_response):
        from django.contrib.auth.signals import user_logged_in

        self.get_response = get_response
        user_logged_in.connect(_stamp_login_time, dispatch_uid="scs-session-login-time")

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            login_at = request.session.get(LOGIN_AT_SESSION_KEY)
            now = int(time.time())
            if not isinstance(login_at, int):
                request.session[LOGIN_AT_SESSION_KEY] = now
            else:
                limit = (
                    settings.SCS_STAFF_SESSION_ABSOLUTE_SECONDS
                    if user.is_staff
                    else settings.SCS_SESSION_ABSOLUTE_SECONDS
                )
                if now - login_at >= limit:
                    from django.contrib.auth import logout

                    logger.info("session of user %s ended: absolute lifetime reached", user.pk)
                    logout(request)  # flushes the session; request.user becomes anonymous
        return self.get_response(request)


# --- read replicas ------------------------------------------------------------------------------

# The signed cookie that pins a browser to the primary after it wrote (read-your-writes).
REPLICA_PIN_COOKIE = "scs_primary"
_REPLICA_PIN_SALT = "scs_portal.middleware.replica-pin"
_SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")


class ReplicaRoutingMiddleware:
    """Marks the request for the database router (scs_portal/db_router.py; docs/scaling.md,
    "Read replicas"); does nothing while no replica is configured (SCS_READ_REPLICAS).

    - A public read-only view (db_router.PUBLIC_READ_VIEWS, by the resolved URL name) may read
      a replica; every other view reads the primary, whoever asks.
    - Read-your-writes: a request that wrote (any model save, update or delete but the
      session's), or any non-GET request of a logged-in user to a page that is not public,
      pins its browser to the primary for SCS_REPLICA_PIN_SECONDS: a signed, timestamped
      cookie; while it is valid, public pages are read from the primary too. Set it longer
      than the worst replica lag you accept.
    - A streaming answer (open data) runs its queries after this middleware returned: its
      content is produced under the same routing."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not settings.SCS_READ_REPLICAS:
            return self.get_response(request)
        routing = db_router.RequestRouting(pinned=_pinned_to_primary(request))
        token = db_router.begin(routing)
        try:
            response = self.get_response(request)
        finally:
            db_router.end(token)
        if routing.wrote or (
            not routing.public and request.method not in _SAFE_METHODS and _logged_in(request)
        ):
            response.set_signed_cookie(
                REPLICA_PIN_COOKIE, "1", salt=_REPLICA_PIN_SALT,
                max_age=settings.SCS_REPLICA_PIN_SECONDS, secure=settings.SESSION_COOKIE_SECURE,
                httponly=True, samesite="Lax",
            )  # fmt: skip
        if routing.public and response.streaming:
            response.streaming_content = db_router.streamed_under(
                routing, response.streaming_content
            )
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        routing = db_router.current()
        match = request.resolver_match
        if routing is not None and match is not None:
            routing.public = match.view_name in db_router.PUBLIC_READ_VIEWS
        return None


def _pinned_to_primary(request) -> bool:
    """The browser wrote within SCS_REPLICA_PIN_SECONDS (a valid, unexpired pin cookie)."""
    if REPLICA_PIN_COOKIE not in request.COOKIES:
        return False
    value = request.get_signed_cookie(
        REPLICA_PIN_COOKIE, default=None, salt=_REPLICA_PIN_SALT,
        max_age=settings.SCS_REPLICA_PIN_SECONDS,
    )  # fmt: skip
    return value is not None


def _logged_in(request) -> bool:
    user = getattr(request, "user", None)
    return user is not None and user.is_authenticated
