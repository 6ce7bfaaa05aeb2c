"""Per-request time of the search page inside one process, next to the bare view: the
project's own cost, without gunicorn, wrk or the network (bench/search.py measures those).

    .venv/bin/python bench/page_cpu.py [--query 张伟] [--requests 2000]

Calls the WSGI application directly, as an anonymous visitor without cookies (so every
response mints a CSRF secret and cookie, as for a first visit), one request at a time, best of
three rounds: the bare view, the search page served from the page cache (a hit), and the
search page rendered (cache off). Uses the benchmark database of bench/recompute.py and the
Redis of REDIS_URL.
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import time
import urllib.parse
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
sys.path.insert(0, str(BASE_DIR / "bench"))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--query", default="张伟")
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args()

    from recompute import prepare_database

    prepare_database()
    os.environ.update(
        DJANGO_DEBUG="false",
        DJANGO_SECRET_KEY=os.environ.get("DJANGO_SECRET_KEY", "bench-only-" + "k" * 50),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="false",
        SCS_SEARCH_RATE_PER_MINUTE="100000000",
        SCS_BENCH_BARE_VIEW="true",
        SCS_SEARCH_PAGE_CACHE_SECONDS="600",
    )
    # as bench/search.py: the key the data was seeded with (identifier hashes)
    os.environ.setdefault("SCS_IDENTIFIER_KEY", "development-only-identifier-key-0123456789abcdef")
    from django.conf import settings

    from scs_portal.wsgi import application

    def call(path: str, query: str = "") -> None:
        environ = {
            "REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": query,
            "SERVER_NAME": "127.0.0.1", "SERVER_PORT": "80", "HTTP_HOST": "127.0.0.1",
            "REMOTE_ADDR": "127.0.0.1", "SERVER_PROTOCOL": "HTTP/1.1",
            "wsgi.input": io.BytesIO(), "wsgi.url_scheme": "http", "wsgi.errors": sys.stderr,
        }  # fmt: skip
        statuses = []
        body = application(environ, lambda status, headers, exc=None: statuses.append(status))
        b"".join(body)
        body.close()
        if not statuses[0].startswith("200"):
            raise SystemExit(f"{path}?{query}: {statuses[0]}")

    def per_request_us(path: str, query: str, n: int) -> float:
        for _ in range(min(n // 10, 200)):  # warm-up (and the first render into the cache)
            call(path, query)
        best = float("inf")
        for _ in range(3):
            started = time.perf_counter()
            for _ in range(n):
                call(path, query)
            best = min(best, (time.perf_counter() - started) / n * 1e6)
        return best

    query = "q=" + urllib.parse.quote(args.query)
    bare = per_request_us("/bench/bare", "", args.requests)
    cached = per_request_us("/search/", query, args.requests)
    settings.SCS_SEARCH_PAGE_CACHE_SECONDS = 0
    rendered = per_request_us("/search/", query, max(args.requests // 20, 20))
    print(f"bare view                  {bare:9.0f} µs")
    print(f"search page, cache hit     {cached:9.0f} µs   bare ÷ page {bare / cached:6.1%}")
    print(f"search page, rendered      {rendered:9.0f} µs   bare ÷ page {bare / rendered:6.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
