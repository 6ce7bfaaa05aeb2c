"""What every API of the portal shares: the 503 for a service that is unavailable, the
schema of the error body. The error handler itself: `sanctions.kernel.api_errors`."""

from __future__ import annotations

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers


class ServiceUnavailable(exceptions.APIException):
    """A service the request needs (Redis, the database) is unavailable: the error handler
    (sanctions.kernel.api) answers 503 with Retry-After and code "unavailable"."""

    status_code = 503
    default_code = "unavailable"


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()
    code = serializers.CharField()
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text=gettext_lazy("Field path → messages (e.g. subject.identifier)."),
    )


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    descriptions = {
        400: "Invalid input: field errors",
        401: "Not authenticated",
        403: "Not allowed (scope, role or ownership)",
        404: "Not found",
        409: "Conflicts with an earlier submission",
        429: "Rate limit reached (or the limiter is unavailable)",
    }
    return {code: OpenApiResponse(ErrorSerializer, description=descriptions[code])
            for code in codes}  # fmt: skip
