"""Escalating lockout for django-axes: the cool-off grows with the failures on record."""

from __future__ import annotations

import datetime
import ipaddress
import logging

import redis
from axes.models import AccessAttempt
from django.conf import settings
from django.db.models import Max

MAX_COOLOFF = datetime.timedelta(days=1)
logger = logging.getLogger(__name__)


def axes_client_ip(request) -> str | None:
    """AXES_CLIENT_IP_CALLABLE: the address by the project's rule (SCS_TRUSTED_PROXY_HOPS,
    the rate limiter's), or None where there is none (e.g. `Client.login` in tests) or it is
    not an address (axes stores it in an IP address column). An IPv6 client is counted by its
    /64 network (its first address), like the rate limiter's `limit_key`, so rotating
    addresses within one's /64 does not reset the lockout."""
    from sanctions.kernel.ratelimit import client_ip, limit_key

    try:
        address = ipaddress.ip_address(client_ip(request))
    except ValueError:
        return None
    key = limit_key(str(address))
    return str(ipaddress.ip_network(key, strict=False).network_address)


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


# --- per-account slow-down (across all addresses) ---------------------------------------------
# django-axes locks an account only together with an address (AXES_LOCKOUT_PARAMETERS), so
# knowing someone's ID number is not enough to lock them out. Guessing one account's password
# from many addresses is slowed here instead: after SCS_LOGIN_SLOWDOWN_AFTER failures within
# the hour, each further attempt must wait 1, 2, 4 … seconds (at most
# SCS_LOGIN_SLOWDOWN_MAX_SECONDS) after the last failure, and a browser that has logged in to
# the account before (a signed cookie) does not wait at all. Counted in Redis, like the
# per-address limits; Redis unreachable: the login view's per-address limiter already refuses.

DEVICE_COOKIE = "scs_login_device"
DEVICE_SALT = "scs.login-device"
DEVICE_MAX_AGE = 180 * 24 * 3600
FAILURE_WINDOW = 3600


def _keys(username: str) -> tuple[str, str]:
    prefix = settings.CACHES["default"].get("KEY_PREFIX", "scs")
    return f"{prefix}:login-fail:{username}", f"{prefix}:login-wait:{username}"


def _redis():
    from sanctions.kernel.ratelimit import _client

    return _client()


def known_device(request, username: str) -> bool:
    """Whether this browser has logged in to `username` before (signed cookie)."""
    value = request.get_signed_cookie(
        DEVICE_COOKIE, default=None, salt=DEVICE_SALT, max_age=DEVICE_MAX_AGE
    )
    return value is not None and value == username


def remember_device(response, username: str, *, secure: bool) -> None:
    response.set_signed_cookie(
        DEVICE_COOKIE, username, salt=DEVICE_SALT, max_age=DEVICE_MAX_AGE, secure=secure,
        httponly=True, samesite="Lax",
    )  # fmt: skip


def account_wait_seconds(request, username: str) -> int:
    """Seconds this attempt on `username` must still wait (0: go ahead)."""
    if known_device(request, username):
        return 0
    _fail_key, wait_key = _keys(username)
    try:
        remaining_ms = _redis().pttl(wait_key)
    except redis.RedisError:  # fail closed, as the per-address limiter does
        return settings.SCS_LOGIN_SLOWDOWN_MAX_SECONDS
    return max(0, -(-remaining_ms // 1000)) if remaining_ms > 0 else 0


def account_failed(username: str) -> None:
    """Count a failed login on `username`; from the threshold on, make the next wait."""
    fail_key, wait_key = _keys(username)
    try:
        pipe = _redis().pipeline(transaction=False)
        pipe.incr(fail_key)
        pipe.expire(fail_key, FAILURE_WINDOW)
        failures = pipe.execute()[0]
        over = failures - settings.SCS_LOGIN_SLOWDOWN_AFTER
        if over >= 0:
            wait = min(2 ** min(over, 20), settings.SCS_LOGIN_SLOWDOWN_MAX_SECONDS)
            _redis().set(wait_key, "1", ex=wait)
    except redis.RedisError:
        logger.warning("login slow-down: Redis unavailable, failure not counted")


def account_succeeded(username: str) -> None:
    try:
        _redis().delete(*_keys(username))
    except redis.RedisError:
        logger.warning("login slow-down: Redis unavailable, counter not cleared")
