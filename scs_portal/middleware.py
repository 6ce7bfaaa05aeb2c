"""Request hygiene that must run before Django's own middleware."""

from __future__ import annotations

import re

from django.conf import settings

_SESSION_KEY = re.compile(r"^[a-z0-9]{8,64}$")


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
