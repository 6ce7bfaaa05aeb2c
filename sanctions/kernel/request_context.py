"""The client address of the request being served, for the audit trail.

`ClientAddressMiddleware` records it (the project's client-IP rule, `ratelimit.client_ip`) in a
context variable for the duration of the request; `kernel.audit.audit_log` stamps it on the rows it
writes when the caller gives none. Outside a request — Celery tasks, management commands — it
is unset, so system actions carry no address.
"""

from __future__ import annotations

import ipaddress
from contextvars import ContextVar

from sanctions.kernel.ratelimit import client_ip

_client_address: ContextVar[str | None] = ContextVar("scs_client_address", default=None)


def current_client_address() -> str | None:
    """The client IP of the request being served, or None outside a request."""
    return _client_address.get()


def _valid_address(value: str) -> str | None:
    # a forged or garbled X-Forwarded-For must not make an audited write fail on the inet column
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


class ClientAddressMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _client_address.set(_valid_address(client_ip(request)))
        try:
            return self.get_response(request)
        finally:
            _client_address.reset(token)
