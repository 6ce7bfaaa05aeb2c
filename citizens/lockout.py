"""Escalating lockout for django-axes: the cool-off grows with the failures on record."""

from __future__ import annotations

import datetime

from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max

MAX_COOLOFF = datetime.timedelta(days=1)


def _username(request) -> str | None:
    if request is None:
        return None
    # the citizen login sets it (people type an ID number, not the account name)
    return getattr(request, "scs_login_username", None) or request.POST.get("username")


def cooloff(request) -> datetime.timedelta:
    """15 minutes (configurable) after the first lockout, doubled each time the account
    fails another `AXES_FAILURE_LIMIT` times, at most a day."""
    base = datetime.timedelta(minutes=settings.SCS_LOGIN_COOLOFF_MINUTES)
    username = _username(request)
    if not username:
        return base
    failures = (
        AccessAttempt.objects.filter(username=username).aggregate(n=Max("failures_since_start"))[
            "n"
        ]
        or 0
    )
    rounds = max(failures // settings.AXES_FAILURE_LIMIT - 1, 0)
    return min(base * (2 ** min(rounds, 10)), MAX_COOLOFF)
