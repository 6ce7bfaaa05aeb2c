import datetime

from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

# Where `sanctions.tasks.heartbeat` (run by a worker, sent by beat) stores the time it ran.
HEARTBEAT_CACHE_KEY = "scs:heartbeat"


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """Health of this web process and its two services; 503 when one of them is not ok.

    `/healthz`: database and cache — for load balancers and `make run`'s start-up wait. It
    never looks at the Celery workers: a stopped worker must not take the web out of rotation.
    `/healthz?worker=1`: the same plus the Celery heartbeat, for monitoring — 503 once the
    last heartbeat is older than SCS_WORKER_HEARTBEAT_MAX_AGE_SECONDS (no worker, or no beat,
    or workers unable to take a task for that long). docs/deployment.md, "Health checks"."""
    status = {"database": "ok", "cache": "ok"}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:  # noqa: BLE001 - report, don't raise
        status["database"] = "unavailable"
    try:
        cache.set("healthz", "1", 5)
    except Exception:  # noqa: BLE001
        status["cache"] = "unavailable"
    body: dict[str, object] = dict(status)
    if request.GET.get("worker") in ("1", "true", "yes"):
        status["worker"], age = _worker_heartbeat()
        body["worker"] = status["worker"]
        body["heartbeat_age_seconds"] = age
        body["heartbeat_max_age_seconds"] = settings.SCS_WORKER_HEARTBEAT_MAX_AGE_SECONDS
    healthy = all(value == "ok" for value in status.values())
    return JsonResponse(body, status=200 if healthy else 503)


def _worker_heartbeat() -> tuple[str, int | None]:
    """("ok" | "stale" | "missing" | "unavailable", age of the last heartbeat in seconds)."""
    try:
        stamp = cache.get(HEARTBEAT_CACHE_KEY)
    except Exception:  # noqa: BLE001 - the cache's own status says why
        return "unavailable", None
    try:
        beat = datetime.datetime.fromisoformat(stamp)
    except (TypeError, ValueError):
        return "missing", None
    if timezone.is_naive(beat):
        beat = timezone.make_aware(beat, datetime.UTC)
    # a worker whose clock runs ahead of this host's gives a negative age: count it as fresh
    age = max(0, int((timezone.now() - beat).total_seconds()))
    fresh = age <= settings.SCS_WORKER_HEARTBEAT_MAX_AGE_SECONDS
    return ("ok" if fresh else "stale"), age


def bare(request: HttpRequest) -> HttpResponse:
    """Benchmark baseline only (SCS_BENCH_BARE_VIEW): no database, no template."""
    return HttpResponse("ok")
