"""API security: agency keys, scopes and throttles (the JSON error handler:
`sanctions.kernel.api_errors`).

Agency clients send `Authorization: Api-Key <key>`; the request's user is the client's
service user and `request.auth` the ApiClient. Citizens use their session (GET only).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import exceptions
from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.permissions import BasePermission
from rest_framework.throttling import SimpleRateThrottle

from sanctions.agency.services.clients import api_client_authenticate
from sanctions.kernel.api import ServiceUnavailable
from sanctions.models import ApiClient

logger = logging.getLogger(__name__)
KEYWORD = "Api-Key"


class ApiKeyAuthentication(BaseAuthentication):
    def authenticate(self, request):
        header = get_authorization_header(request).split()
        if not header or header[0].lower() != KEYWORD.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Send the header as: Api-Key <key>."))
        try:
            key = header[1].decode("ascii")
        except UnicodeDecodeError:
            raise exceptions.AuthenticationFailed(_("Invalid API key.")) from None
        client = api_client_authenticate(key)
        if client is None:
            raise exceptions.AuthenticationFailed(_("Invalid or revoked API key."))
        return client.user, client

    def authenticate_header(self, request) -> str:
        return KEYWORD


class ApiKeyScheme(OpenApiAuthenticationExtension):
    target_class = "sanctions.agency.api_auth.ApiKeyAuthentication"
    name = "ApiKey"

    def get_security_definition(self, auto_schema):
        return {
            "type": "apiKey",
            "in": "header",
            "name": "Authorization",
            "description": "`Api-Key <key>` — a key created in the admin (API clients).",
        }


def api_client_of(request) -> ApiClient | None:
    return request.auth if isinstance(request.auth, ApiClient) else None


class HasScope(BasePermission):
    """An agency client holding `scope`. Subclass per scope (DRF instantiates classes)."""

    scope = ""

    def has_permission(self, request, view) -> bool:
        client = api_client_of(request)
        if client is None:
            self.message = _("This endpoint is for agency API clients (Api-Key header).")
            return False
        if not client.has_scope(self.scope):
            self.message = _("This API key lacks the scope %(scope)s.") % {"scope": self.scope}
            return False
        return True


class CanWriteRecords(HasScope):
    scope = "records:write"


class CanReadRestrictions(HasScope):
    scope = "restrictions:read"


class IsCitizen(BasePermission):
    message = "Only citizens with a linked record may use this endpoint."

    def has_permission(self, request, view) -> bool:
        user = request.user
        return bool(
            user
            and user.is_authenticated
            and api_client_of(request) is None
            and getattr(user, "citizen", None) is not None
        )


class ApiClientThrottle(SimpleRateThrottle):
    """Per client id, counted in the cache (Redis). Refuses when Redis is unreachable (503
    with Retry-After: the request is not counted, so it is not let through)."""

    scope = "agency"

    def get_rate(self) -> str:
        return f"{settings.SCS_API_CLIENT_RATE_PER_MINUTE}/min"

    def get_cache_key(self, request, view) -> str | None:
        client = api_client_of(request)
        return None if client is None else f"throttle_agency_{client.pk}"

    def allow_request(self, request, view) -> bool:
        try:
            return super().allow_request(request, view)
        except Exception as exc:  # noqa: BLE001 - cache down: fail closed, as the page limiter does
            logger.warning("API throttle: cache unavailable, refusing the request")
            raise ServiceUnavailable() from exc
