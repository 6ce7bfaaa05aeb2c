"""Public pages: home, search (GET filters, POST exact identifier), entry detail, how to
object, open data for enterprises. Everything shown comes from `selectors.public_entry`."""

from __future__ import annotations

import csv
import json

from django.conf import settings
from django.http import (
    Http404,
    HttpRequest,
    HttpResponse,
    StreamingHttpResponse,
)
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from sanctions.kernel.ratelimit import rate_limited
from sanctions.models import IntegrityRecord
from sanctions.publication.filters import IdentifierForm, PublicEntryFilter, filtered_entries
from sanctions.publication.page_cache import cached_page, page_cache_keys
from sanctions.publication.selectors import (
    ENTERPRISE_FIELDS,
    capped_paginator,
    catalog_overview,
    enterprise_open_data_entries,
    entries_by_identifier,
    public_entry,
    public_list_kinds,
    public_record,
)

PAGE_SIZE = 20


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
            "list_kinds": public_list_kinds(),
            "filter": PublicEntryFilter(queryset=IntegrityRecord.objects.none()),
            "id_form": IdentifierForm(),
        },
    )


@require_http_methods(["GET", "HEAD", "POST"])
@rate_limited(
    "search", limit_setting="SCS_SEARCH_RATE_PER_MINUTE", applies=_is_search,
    read=page_cache_keys,
)  # fmt: skip
def search_view(request: HttpRequest) -> HttpResponse:
    return cached_page(request, lambda csrf_token: _search_page(request, csrf_token))


def _search_page(request: HttpRequest, csrf_token: str) -> HttpResponse:
    today = timezone.localdate()
    id_form = IdentifierForm(request.POST or None)
    if request.method == "POST":
        filterset = PublicEntryFilter({}, queryset=IntegrityRecord.objects.none())
        entries = (
            entries_by_identifier(identifier=id_form.cleaned_data["identifier"], today=today)
            if id_form.is_valid()
            else None
        )
    else:  # None: the filters did not validate
        filterset, entries = filtered_entries(request.GET, today=today)
    page = None
    capped = False
    if entries is not None:
        paginator, capped = capped_paginator(entries=entries, per_page=PAGE_SIZE)
        page = paginator.get_page(request.GET.get("page"))
        page.object_list = [public_entry(record=r, today=today) for r in page.object_list]
    query = request.GET.copy()
    query.pop("page", None)
    # the folded filters open when one of them is in use or has an error
    filters_open = bool(filterset.form.errors) or any(
        value for name, value in request.GET.items() if name not in ("q", "page")
    )
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
            "filters_open": filters_open,
            "csrf_token": csrf_token,
        },
        status=200 if entries is not None else 400,
    )


@require_safe
@rate_limited("entry", limit_setting="SCS_ENTRY_RATE_PER_MINUTE")
def entry_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    record = public_record(public_id=public_id)
    if record is None:
        raise Http404
    return render(request, "public/entry.html", {"entry": public_entry(record=record)})


@require_safe
def how_to_object(request: HttpRequest) -> HttpResponse:
    return render(request, "public/how_to_object.html", {"list_kinds": public_list_kinds()})


# A text cell a spreadsheet would read as a formula: "=", "+", "-", "@", or a tab or carriage
# return before one (OWASP "CSV injection"): e.g. a name entered as =HYPERLINK(…).
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value):
    """A CSV cell that spreadsheet software shows as text, never evaluates: a string that
    starts like a formula gets a leading apostrophe. Other values are left alone.
    https://owasp.org/www-community/attacks/CSV_Injection"""
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


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
            for entry in enterprise_open_data_entries():
                yield writer.writerow([spreadsheet_safe(entry[k]) for k in ENTERPRISE_FIELDS])

        response = StreamingHttpResponse(rows(), content_type="text/csv; charset=utf-8")
    else:

        def items():
            yield "["
            for index, entry in enumerate(enterprise_open_data_entries()):
                yield ("," if index else "") + json.dumps(entry, ensure_ascii=False)
            yield "]"

        response = StreamingHttpResponse(items(), content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="enterprise-entries.{fmt}"'
    return response
