"""The API's error handler (settings REST_FRAMEWORK["EXCEPTION_HANDLER"]): every error is
JSON {"detail": str, "code": str, "errors": {field path: [messages]}}, never a 500 page; the
database or Redis unavailable is 503 with Retry-After and code "unavailable"."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from sanctions.kernel.api import ServiceUnavailable
from sanctions.kernel.errors import Conflict, flatten_errors
from scs_portal.middleware import is_outage, log_outage, retry_after_seconds, unavailable_body


def unavailable_api_response() -> Response:
    return Response(
        unavailable_body(),
        status=status.HTTP_503_SERVICE_UNAVAILABLE,
        headers={"Retry-After": str(retry_after_seconds()), "Cache-Control": "no-store"},
    )


def _validation_body(errors: dict[str, list[str]], code: str = "invalid") -> dict[str, Any]:
    first = next(iter(errors.values()), [""])
    return {"detail": first[0] if first else _("Invalid input."), "code": code, "errors": errors}


def application_error_response(exc: DjangoValidationError) -> Response:
    if hasattr(exc, "error_dict"):
        errors = {field: list(messages) for field, messages in exc.message_dict.items()}
    else:
        errors = {"non_field_errors": list(exc.messages)}
    errors = {("non_field_errors" if k == "__all__" else k): v for k, v in errors.items()}
    code = getattr(exc, "code", None) or "invalid"
    if isinstance(exc, Conflict):
        return Response(_validation_body(errors, "conflict"), status=status.HTTP_409_CONFLICT)
    if code == "forbidden":
        return Response(_validation_body(errors, code), status=status.HTTP_403_FORBIDDEN)
    return Response(_validation_body(errors, code), status=status.HTTP_400_BAD_REQUEST)


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """JSON for every error: {"detail": str, "code": str, "errors": {field: [messages]}}.

    The project's ApplicationError and Django's ValidationError become 400 (409 for a
    conflicting submission, 403 for a rule that names who may act). The database or Redis
    unavailable (scs_portal.middleware.is_outage), or a throttle that cannot count, is 503
    with Retry-After."""
    if isinstance(exc, ServiceUnavailable) or is_outage(exc):
        if context.get("request") is not None:
            log_outage(context["request"], exc.__cause__ or exc)
        return unavailable_api_response()
    if isinstance(exc, DjangoValidationError):
        return application_error_response(exc)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        response.data = _validation_body(flatten_errors(exc.detail))
        return response
    detail = response.data.get("detail", "") if isinstance(response.data, dict) else ""
    code = getattr(exc, "default_code", "error")
    if isinstance(exc, exceptions.APIException) and hasattr(exc.detail, "code"):
        code = exc.detail.code or code
    response.data = {"detail": str(detail), "code": str(code), "errors": {}}
    return response
