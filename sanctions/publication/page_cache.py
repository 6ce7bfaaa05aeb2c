"""The search page cache: anonymous GETs of the search page, stored in Redis per URL and
language under the public list's version and the date, each response carrying its visitor's
own CSRF token (see `cached_page`).

The public list's version: a number that changes whenever something a public page shows may
have changed (model saves, through signals), so cached pages and choices are never stale."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import time

import redis
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import get_token
from django.utils import timezone
from django.utils.translation import get_language

from sanctions.models import Authority, IntegrityRecord, RecordType, Subject
from scs_portal.redis_clients import redis_client

logger = logging.getLogger(__name__)


def cache_redis() -> redis.Redis:
    return redis_client(settings.CACHES["default"]["LOCATION"])


def cache_key(name: str) -> str:
    return f"{settings.CACHES['default'].get('KEY_PREFIX', 'scs')}:public:{name}"


def _fresh_version() -> int:
    # never 1, 2, 3…: a version lost with Redis must not come back and meet old pages
    return int.from_bytes(os.urandom(4), "big") << 16


def public_list_version(raw: bytes | None = None) -> int:
    """A number that changes whenever something a public page shows may have changed.
    `raw`: the value already read with MGET (None: read it)."""
    client = cache_redis()
    key = cache_key("list-version")
    if raw is None:
        raw = client.get(key)
    if raw is None:
        client.set(key, _fresh_version(), nx=True)
        raw = client.get(key)
    return int(raw)


def bump_public_list_version() -> None:
    client = cache_redis()
    key = cache_key("list-version")
    if client.incr(key) == 1:  # the key was gone
        client.set(key, _fresh_version())


def _invalidate_on_change(sender, **kwargs) -> None:
    public_list_changed()


def public_list_changed() -> None:
    """What the public pages show changed. Bump now (a page rendered from now on keys under
    the new version) and again after the commit (a page rendered between the bump and the
    commit, from the old rows, keys under a version nobody reads any more). Model saves call
    it through signals; writes that bypass the models call it themselves."""
    from django.db import transaction

    try:
        bump_public_list_version()
    except redis.RedisError:
        # pages cached now expire within SCS_SEARCH_PAGE_CACHE_SECONDS; never fail the write
        logger.warning("public list version not bumped (Redis unavailable)")
    transaction.on_commit(bump_public_list_version, robust=True)


def connect_cache_invalidation() -> None:
    """Saves and deletes of what public pages show (entries, subjects, authorities, record
    types) change the version; `sanctions.apps` connects this in every process. Writes that
    bypass the models (queryset.update, raw SQL, COPY) are covered only by the cache's short
    TTL (SCS_SEARCH_PAGE_CACHE_SECONDS)."""
    from django.db.models.signals import post_delete, post_save

    for model in (IntegrityRecord, Subject, Authority, RecordType):
        for name, signal in (("save", post_save), ("delete", post_delete)):
            signal.connect(_invalidate_on_change, sender=model,
                           dispatch_uid=f"public-list-version-{name}-{model.__name__}")  # fmt: skip


logger = logging.getLogger(__name__)

# Rendered search pages are cached with this in place of the CSRF token; every response gets
# the requester's own token (cached pages never carry someone else's).
_CSRF_PLACEHOLDER = "scs-csrf-token-placeholder-5b0d1f"


def page_cache_keys(request: HttpRequest) -> list[str] | None:
    """[list version key, page key] when this request's page is served from the cache:
    anonymous GETs, per URL and language, while SCS_SEARCH_PAGE_CACHE_SECONDS > 0. Worked
    out once per request (the rate limit reads the keys, then the view)."""
    if hasattr(request, "_scs_page_cache_keys"):
        return request._scs_page_cache_keys
    keys = None
    if (
        settings.SCS_SEARCH_PAGE_CACHE_SECONDS > 0
        and request.method in ("GET", "HEAD")
        and not request.user.is_authenticated
    ):
        path = hashlib.sha256(request.get_full_path().encode()).hexdigest()
        keys = [cache_key("list-version"), cache_key(f"search-page:{get_language()}:{path}")]
    request._scs_page_cache_keys = keys
    return keys


def _page_of(cached: bytes | None, stamp: bytes) -> tuple[float, bytes] | None:
    """(when it was rendered, the page) of a stored page that is still valid: rendered under
    the list version and on the date of `stamp`."""
    if not cached or not cached.startswith(stamp):
        return None
    rendered_at, _newline, body = cached[len(stamp) :].partition(b"\n")
    try:
        return float(rendered_at), body
    except ValueError:
        return None


def cached_page(request: HttpRequest, render_page) -> HttpResponse:
    """Anonymous GETs of the search page, per URL and language, stored with the public
    list's version and the date: a change to the list (see connect_cache_invalidation)
    or midnight makes them invalid at once. The rate limit (decorator) has already counted
    the request, and read the two keys with the count when it could (one Redis round trip
    for a cached page).

    A valid page is fresh for SCS_SEARCH_PAGE_CACHE_SECONDS and kept as long again: when it
    is older, one request renders it anew while the others are served the older copy (its
    list version is current: only writes that bypass the models can have changed it). A page
    that is missing or invalid is rendered by one request; the others wait for it
    (SCS_SEARCH_PAGE_WAIT_MS) instead of rendering the same page side by side."""
    seconds = settings.SCS_SEARCH_PAGE_CACHE_SECONDS
    keys = page_cache_keys(request)
    if keys is None:
        return render_page(get_token(request))
    version_key, key = keys
    prefetched = getattr(request, "redis_prefetched", None) or {}
    try:
        client = cache_redis()
        if version_key in prefetched and key in prefetched:
            raw_version, cached = prefetched[version_key], prefetched[key]
        else:
            # one round trip: the list's version and the page (stored with the version read
            # before it was rendered: a page is never newer-keyed than its data)
            raw_version, cached = client.mget(keys)
        stamp = f"{public_list_version(raw_version)}:{timezone.localdate().isoformat()}:"
    except redis.RedisError:  # the cache is an optimisation: without Redis, render
        logger.warning("search page cache unavailable")
        return render_page(get_token(request))
    stamp_bytes = stamp.encode()
    stored = _page_of(cached, stamp_bytes)
    body = stored[1] if stored else None
    if stored and time.time() - stored[0] < seconds:
        return _with_token(request, body)
    lock = key + ":rendering"
    holds_lock = False
    try:
        holds_lock = bool(client.set(lock, b"1", nx=True, px=2000))
        if not holds_lock and body is None:
            body = _wait_for_page(client, key, stamp_bytes)
    except redis.RedisError:
        logger.warning("search page cache unavailable")
    if body is None or holds_lock:
        try:
            response = render_page(_CSRF_PLACEHOLDER)
            if response.status_code != 200:
                response.content = response.content.replace(
                    _CSRF_PLACEHOLDER.encode(), get_token(request).encode()
                )
                return response
            body = response.content
            rendered = stamp_bytes + f"{time.time():.3f}\n".encode() + body
            client.set(key, rendered, ex=2 * seconds)
        except redis.RedisError:
            logger.warning("search page cache unavailable")
        finally:
            if holds_lock:
                with contextlib.suppress(redis.RedisError):  # else it expires by itself
                    client.delete(lock)
    return _with_token(request, body)


def _with_token(request: HttpRequest, body: bytes) -> HttpResponse:
    """A stored page with the requester's own CSRF token in place of the placeholder."""
    return HttpResponse(body.replace(_CSRF_PLACEHOLDER.encode(), get_token(request).encode()))


def _wait_for_page(client, key: str, stamp: bytes) -> bytes | None:
    """The page another request is rendering, once stored; None after
    SCS_SEARCH_PAGE_WAIT_MS (then this request renders it itself)."""
    deadline = time.monotonic() + settings.SCS_SEARCH_PAGE_WAIT_MS / 1000
    while time.monotonic() < deadline:
        time.sleep(0.005)
        stored = _page_of(client.get(key), stamp)
        if stored is not None:
            return stored[1]
    return None
