"""One redis-py client per Redis URL for the project's own Redis calls (rate limits, the
public page cache), shared by every thread of a process.

Building a redis.Redis (its table of response callbacks) costs more than the command it
sends, and each client brings its own connection pool; clients are thread-safe and take
connections from their pool. Short timeouts: callers treat Redis being away as an answer
(the rate limit refuses, the page cache renders).
"""

from __future__ import annotations

import redis

_clients: dict[str, redis.Redis] = {}


def redis_client(url: str) -> redis.Redis:
    client = _clients.get(url)
    if client is None:
        pool = redis.ConnectionPool.from_url(url, socket_connect_timeout=0.5, socket_timeout=0.5)
        # two threads may both build one on first use; either is fine, one is kept
        client = _clients.setdefault(url, redis.Redis(connection_pool=pool))
    return client
