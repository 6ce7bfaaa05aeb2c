"""Public pages: home, search (GET filters, POST exact identifier), entry detail, how to
object, open data for enterprises. Everything shown comes from `public.public_entry`."""

from __future__ import annotations

import contextlib
import csv
import hashlib
import json
import logging
import time

import redis
from django.conf import settings
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    StreamingHttpResponse,
)
from django.middleware.csrf import get_token
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language
from django.views.decorators.http import require_http_methods, require_safe

from sanctions.filters import IdentifierForm, PublicEntryFilter, filtered_entries
from sanctions.models import IntegrityRecord
from sanctions.public import (
    ENTERPRISE_FIELDS,
    cache_key,
    cache_redis,
    capped_paginator,
    entries_by_identifier,
    newest_first,
    public_entry,
    public_list_version,
    public_record,
    public_records,
)
from sanctions.ratelimit import rate_limited
from sanctions.selectors import catalog_overview

PAGE_SIZE = 20
logger = logging.getLogger(__name__)


def _is_search(request: HttpRequest) -> bool:
    if request.method == "POST":
        return True
    return any(v for k, v in request.GET.items() if k != "page")


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "public/home.html",
        {
            "overview": catalog_overview(),
            "filter": PublicEntryFilter(queryset=IntegrityRecord.objects.none()),
            "id_form": IdentifierForm(),
        },
    )


# Rendered search pages are cached with this in place of the CSRF token; every response gets
# the requester's own token (cached pages never carry someone else's).
_CSRF_PLACEHOLDER = "scs-csrf-token-placeholder-5b0d1f"


def _page_cache_keys(request: HttpRequest) -> list[str] | None:
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


def _cached_search_page(request: HttpRequest, render_page) -> HttpResponse:
    """Anonymous GETs of the search page, per URL and language, stored with the public
    list's version and the date: a change to the list (see public.connect_cache_invalidation)
    or midnight makes them invalid at once. The rate limit (decorator) has already counted
    the request, and read the two keys with the count when it could (one Redis round trip
    for a cached page).

    A valid page is fresh for SCS_SEARCH_PAGE_CACHE_SECONDS and kept as long again: when it
    is older, one request renders it anew while the others are served the older copy (its
    list version is current: only writes that bypass the models can have changed it). A page
    that is missing or invalid is rendered by one request; the others wait for it
    (SCS_SEARCH_PAGE_WAIT_MS) instead of rendering the same page side by side."""
    seconds = settings.SCS_SEARCH_PAGE_CACHE_SECONDS
    keys = _page_cache_keys(request)
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


@require_http_methods(["GET", "HEAD", "POST"])
@rate_limited(
    "search", limit_setting="SCS_SEARCH_RATE_PER_MINUTE", applies=_is_search,
    read=_page_cache_keys,
)  # fmt: skip
def search_view(request: HttpRequest) -> HttpResponse:
    return _cached_search_page(request, lambda csrf_token: _search_page(request, csrf_token))


def _search_page(request: HttpRequest, csrf_token: str) -> HttpResponse:
    today = timezone.localdate()
    id_form = IdentifierForm(request.POST or None)
    if request.method == "POST":
        filterset = PublicEntryFilter({}, queryset=IntegrityRecord.objects.none())
        entries = (
            entries_by_identifier(id_form.cleaned_data["identifier"], today=today)
            if id_form.is_valid()
            else None
        )
    else:  # None: the filters did not validate
        filterset, entries = filtered_entries(request.GET, today=today)
    page = None
    capped = False
    if entries is not None:
        paginator, capped = capped_paginator(entries, PAGE_SIZE)
        page = paginator.get_page(request.GET.get("page"))
        page.object_list = [public_entry(r, today=today) for r in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "public/search.html",
        {
            "filter": filterset,
            "id_form": IdentifierForm(),  # never echo the identifier back
            "id_errors": id_form.errors.get("identifier") if request.method == "POST" else None,
            "page": page,
            "capped": capped,
            "cap": settings.SCS_SEARCH_MAX_RESULTS,
            "searched": entries is not None,
            "by_identifier": request.method == "POST",
            "query": query.urlencode(),
            "csrf_token": csrf_token,
        },
        status=200 if entries is not None else 400,
    )


@require_safe
def entry_detail(request: HttpRequest, pk: int) -> HttpResponse:
    record = public_record(pk)
    if record is None:
        raise Http404
    return render(request, "public/entry.html", {"entry": public_entry(record)})


@require_safe
def how_to_object(request: HttpRequest) -> HttpResponse:
    return render(request, "public/how_to_object.html")


def _enterprise_entries():
    records = newest_first(public_records().filter(subject__kind="enterprise"))
    for record in records.iterator(chunk_size=2000):
        yield public_entry(record)


class _Echo:
    def write(self, value):
        return value


@require_safe
@rate_limited("open-data", limit_setting="SCS_OPEN_DATA_RATE_PER_MINUTE")
def open_data(request: HttpRequest, fmt: str) -> HttpResponse:
    """Enterprise entries as open data. Persons' entries are never bulk-exported."""
    if fmt not in ("csv", "json"):
        raise Http404
    if fmt == "csv":
        writer = csv.writer(_Echo())

        def rows():
            yield "\ufeff"  # BOM so spreadsheet software reads UTF-8
            yield writer.writerow(ENTERPRISE_FIELDS)
            for entry in _enterprise_entries():
                yield writer.writerow([entry[k] for k in ENTERPRISE_FIELDS])

        response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    else:

        def items():
            yield "["
            for index, entry in enumerate(_enterprise_entries()):
                yield ("," if index else "") + json.dumps(entry, ensure_ascii=False)
            yield "]"

        response = StreamingHttpResponse(items(), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="enterprise-entries.{fmt}"'
    return response


def download(item) -> FileResponse:
    """An uploaded file (evidence, filing attachment) as a download, never rendered inline.
    Callers have already checked that the requester may see it."""
    response = FileResponse(
        item.file.open("rb"), as_attachment=True, filename=item.original_name,
        content_type=item.content_type,
    )  # fmt: skip
    response["X-Content-Type-Options"] = "nosniff"
    return response
