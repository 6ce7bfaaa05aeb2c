"""Per-IP rate limits counted in Redis (fixed one-minute windows). Fails closed: when Redis
cannot be reached the request is refused, never let through uncounted."""

from __future__ import annotations

import functools
import ipaddress
import logging
import time

import redis
from django.conf import settings
from django.shortcuts import render

from scs_portal.redis_clients import redis_client

logger = logging.getLogger(__name__)


def _client() -> redis.Redis:
    return redis_client(settings.REDIS_URL)


def client_ip(request) -> str:
    """REMOTE_ADDR, or the proxy-reported client when running behind the trusted proxy."""
    if settings.SCS_TRUSTED_PROXY_HOPS:
        forwarded = [p.strip() for p in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        forwarded = [p for p in forwarded if p]
        if len(forwarded) >= settings.SCS_TRUSTED_PROXY_HOPS:
            return forwarded[-settings.SCS_TRUSTED_PROXY_HOPS]
    return request.META.get("REMOTE_ADDR", "unknown")


def limit_key(ip: str) -> str:
    """The key an address is counted under: an IPv6 address by its /64 network (one
    subscriber's usual allocation, so rotating addresses within it gains nothing), an IPv4
    address as it is. Anything that is not an address (e.g. an account key) is unchanged."""
    try:
        address = ipaddress.ip_address(ip)
    except ValueError:
        return ip
    if address.version == 6:
        if address.ipv4_mapped is not None:  # ::ffff:a.b.c.d is that IPv4 client
            return str(address.ipv4_mapped)
        return str(ipaddress.ip_network(f"{address}/64", strict=False))
    return ip


def hit(bucket: str, ip: str, limit: int, *, window: int = 60) -> tuple[bool, bool]:
    """Count one request. Returns (allowed, backend_ok). `ip` is the counted key (an address,
    or e.g. an account for a per-account limit); `window`: the fixed window in seconds."""
    allowed, backend_ok, _values = hit_and_read(bucket, ip, limit, window=window)
    return allowed, backend_ok


def shares_cache_redis() -> bool:
    """Whether the limiter's Redis is the cache's (then one round trip can do both)."""
    return settings.CACHES["default"].get("LOCATION") == settings.REDIS_URL


def hit_and_read(
    bucket: str, ip: str, limit: int, read: list[str] | None = None, *, window: int = 60
) -> tuple[bool, bool, list | None]:
    """Count one request and read `read` (MGET) in the same round trip. Returns (allowed,
    backend_ok, the values read or None)."""
    slot = int(time.time() // window)
    ip = limit_key(ip)
    if window != 60:  # longer windows (per-account limits) are counted apart from per-minute
        bucket = f"{bucket}/{window}s"
    key = f"{settings.CACHES['default'].get('KEY_PREFIX', 'scs')}:rl:{bucket}:{ip}:{slot}"
    try:
        # no MULTI/EXEC: one write, one read; an EXPIRE lost with the connection leaves a
        # key of a past window (its name carries the minute), never a wrong count
        pipe = _client().pipeline(transaction=False)
        pipe.incr(key)
        pipe.expire(key, 2 * window)
        if read:
            pipe.mget(read)
        results = pipe.execute()
    except redis.RedisError:
        logger.warning("rate limiter: Redis unavailable, refusing %s", bucket)
        return False, False, None
    return results[0] <= limit, True, results[2] if read else None


def refusal_if_over(request, bucket: str, *, limit_setting: str, template_context=None):
    """Count one request of this address in `bucket`; the 429 page (503 while Redis cannot be
    reached) once over the limit, else None. For views the decorator does not fit."""
    limit = getattr(settings, limit_setting)
    allowed, backend_ok = hit(bucket, client_ip(request), limit)
    if allowed:
        return None
    context = {"backend_ok": backend_ok, "limit": limit, **(template_context or {})}
    response = render(request, "public/429.html", context, status=429 if backend_ok else 503)
    response["Retry-After"] = "60"
    return response


def rate_limited(bucket: str, *, limit_setting: str, applies=lambda request: True, read=None):
    """Decorator: refuse with the friendly 429 page once the per-IP limit is reached (503,
    "briefly unavailable", while Redis cannot be reached: fail closed, never uncounted).
    `read(request)`: cache keys the view will read; when the limiter and the cache share a
    Redis they are read with the count and left in `request.redis_prefetched` ({key: value})."""

    def decorator(view):
        @functools.wraps(view)
        def wrapped(request, *args, **kwargs):
            if applies(request):
                keys = read(request) if read is not None and shares_cache_redis() else None
                limit = getattr(settings, limit_setting)
                allowed, backend_ok, values = hit_and_read(bucket, client_ip(request), limit, keys)
                if not allowed:
                    response = render(
                        request,
                        "public/429.html",
                        {"backend_ok": backend_ok, "limit": limit},
                        status=429 if backend_ok else 503,
                    )
                    response["Retry-After"] = "60"
                    return response
                if keys:
                    request.redis_prefetched = dict(zip(keys, values, strict=True))
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
