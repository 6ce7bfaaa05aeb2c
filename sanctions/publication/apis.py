"""The public list over the API (read-only, anonymous): search with the search page's filters
and limits, exact lookup, one entry. Same per-IP limit as the pages."""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import InvalidPage
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import exceptions
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import BaseThrottle
from rest_framework.views import APIView

from sanctions.kernel import ratelimit
from sanctions.kernel.api import ServiceUnavailable, error_responses
from sanctions.publication import serializers as s
from sanctions.publication.filters import filtered_entries
from sanctions.publication.selectors import (
    capped_paginator,
    entries_by_identifier,
    public_entry,
    public_record,
)


class PublicSearchThrottle(BaseThrottle):
    """The public pages' per-IP Redis limit (same bucket and setting), failing closed (503
    with Retry-After while Redis is unreachable)."""

    bucket = "search"

    def allow_request(self, request, view) -> bool:
        allowed, backend_ok = ratelimit.hit(
            self.bucket, ratelimit.client_ip(request), settings.SCS_SEARCH_RATE_PER_MINUTE
        )
        if not backend_ok:
            raise ServiceUnavailable()
        return allowed

    def wait(self) -> float:
        return 60.0


class PublicView(APIView):
    authentication_classes: list = []
    permission_classes = [AllowAny]
    throttle_classes = [PublicSearchThrottle]


def _page(request: Request, entries, today) -> dict:
    """One page of the capped list, exactly as on the search page (persons' entries are
    never bulk-exportable); a page number out of range is a 404."""
    paginator, capped = capped_paginator(
        entries=entries, per_page=settings.REST_FRAMEWORK["PAGE_SIZE"]
    )
    try:
        page = paginator.page(int(request.query_params.get("page", "1")))
    except (ValueError, InvalidPage):
        raise exceptions.NotFound(_("No such page.")) from None

    def link(n: int | None) -> str | None:
        if n is None:
            return None
        query = request.query_params.copy()
        query["page"] = str(n)
        return request.build_absolute_uri(request.path) + "?" + query.urlencode()

    return {
        "count": paginator.count,
        "capped": capped,
        "next": link(page.next_page_number() if page.has_next() else None),
        "previous": link(page.previous_page_number() if page.has_previous() else None),
        "results": [public_entry(record=record, today=today) for record in page.object_list],
    }


CITY_PARAMETER = "4-digit prefecture-level code (GB/T 2260), e.g. 1101; an unknown code: 400"


class PublicEntryListApi(PublicView):
    filter_backends: list = []  # the FilterSet is applied below, as on the search page

    @extend_schema(
        operation_id="public_entries_list",
        summary="Search the public list (same filters and limits as the search page)",
        parameters=[
            OpenApiParameter("q", OpenApiTypes.STR, description="Name or pinyin"),
            OpenApiParameter("legal_rep", OpenApiTypes.STR),
            OpenApiParameter("kind", OpenApiTypes.STR, enum=["person", "enterprise"]),
            OpenApiParameter(
                "domain",
                OpenApiTypes.STR,
                enum=["government", "commercial", "societal", "judicial"],
            ),
            OpenApiParameter("ground", OpenApiTypes.INT, enum=[1, 2, 3, 4, 5, 6]),
            OpenApiParameter("province", OpenApiTypes.STR, description="2-digit code + 0000"),
            OpenApiParameter("city", OpenApiTypes.STR, description=CITY_PARAMETER),
            OpenApiParameter("authority", OpenApiTypes.INT),
            OpenApiParameter("published_from", OpenApiTypes.DATE),
            OpenApiParameter("published_to", OpenApiTypes.DATE),
            OpenApiParameter("page", OpenApiTypes.INT),
        ],  # fmt: skip
        responses={200: s.PublicEntryPageSerializer, **error_responses(400, 404, 429)},
        tags=["public"],
    )
    def get(self, request: Request) -> Response:
        today = timezone.localdate()
        data = request.query_params.copy()
        data.pop("page", None)
        filterset, entries = filtered_entries(data, today=today)
        if entries is None:
            raise exceptions.ValidationError(filterset.errors)
        return Response(_page(request, entries, today))


class PublicEntryLookupApi(PublicView):
    parser_classes = [JSONParser]

    @extend_schema(
        operation_id="public_entries_lookup",
        summary="Exact lookup by full ID number or credit code (in the body, never echoed)",
        request=s.IdentifierLookupSerializer,
        responses={200: s.PublicEntryPageSerializer, **error_responses(400, 404, 429)},
        tags=["public"],
    )
    def post(self, request: Request) -> Response:
        serializer = s.IdentifierLookupSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        today = timezone.localdate()
        entries = entries_by_identifier(
            identifier=serializer.validated_data["identifier"], today=today
        )
        return Response(_page(request, entries, today))


class PublicEntryDetailApi(PublicView):
    @extend_schema(
        operation_id="public_entries_retrieve",
        summary="One public entry",
        responses={200: s.PublicEntrySerializer, **error_responses(404, 429)},
        tags=["public"],
    )
    def get(self, request: Request, public_id: str) -> Response:
        record = public_record(public_id=public_id)
        if record is None:
            raise exceptions.NotFound()
        return Response(public_entry(record=record))
