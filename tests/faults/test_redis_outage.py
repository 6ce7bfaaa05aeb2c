"""Fault 2 (issue 14): Redis stopped under a bounded load of agency submissions and public
searches → no 500; every submission answered 2xx is stored, none answered otherwise is.

A Redis server of the test's own (the embedded one, on a free port, in a temporary
directory) serves the cache, the rate limits and the Celery broker setting; it is stopped
for OUTAGE_SECONDS (30 s, as the issue asks; SCS_FAULT_OUTAGE_SECONDS
shortens it for a quick local run) and started again. Load: four
client threads over real HTTP against the live test server."""

from __future__ import annotations

import json
import os
import threading
import time
from collections import Counter

import pytest

from sanctions.models import ApiSubmission, IntegrityRecord
from scs_portal import embedded
from tests.api.conftest import make_agency, person_payload
from tests.factories import resident_id
from tests.faults.conftest import Answer, figure, free_port, http

pytestmark = [pytest.mark.fault, pytest.mark.django_db(transaction=True)]
OUTAGE_SECONDS = int(os.environ.get("SCS_FAULT_OUTAGE_SECONDS", "30"))


def test_redis_stopped_under_load_no_500_and_exactly_the_2xx_submissions_stored(
    catalog, live_server, settings, tmp_path
):
    port, workdir = free_port(), tmp_path / "redis"
    assert embedded.redis_start(port=port, workdir=workdir)
    url = f"redis://127.0.0.1:{port}/0"
    settings.REDIS_URL = url  # the rate limiter
    settings.CACHES = {"default": {**settings.CACHES["default"], "LOCATION": url}}
    settings.CELERY_BROKER_URL = url
    settings.SCS_API_CLIENT_RATE_PER_MINUTE = 100_000
    _client, key = make_agency("bj-dongcheng-court")
    base = live_server.url
    results: list[tuple[str, str, Answer]] = []  # what, phase, answer
    phase = {"now": "before"}
    stop = threading.Event()
    lock = threading.Lock()

    def submitter(worker: int) -> None:
        n = 0
        while not stop.is_set():
            n += 1
            number = f"(2026)京0101执R{worker}-{n}号"
            body = person_payload(number, rid=resident_id())
            answer = http(f"{base}/api/v1/records/", json_body=body,
                          headers={"Authorization": f"Api-Key {key}"})  # fmt: skip
            with lock:
                results.append(("submit:" + number, phase["now"], answer))
            time.sleep(0.1)

    def searcher(worker: int) -> None:
        paths = ["/search/?q=%E8%B5%B5", "/api/v1/public/entries/?q=%E8%B5%B5"]
        n = 0
        while not stop.is_set():
            n += 1
            path = paths[(n + worker) % 2]
            answer = http(f"{base}{path}")
            with lock:
                results.append(("search:" + path, phase["now"], answer))
            time.sleep(0.1)

    threads = [threading.Thread(target=submitter, args=(i,)) for i in range(2)]
    threads += [threading.Thread(target=searcher, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    try:
        time.sleep(3)
        phase["now"] = "outage"
        embedded.redis_stop(port=port, workdir=workdir)
        assert not embedded._port_open(port)
        time.sleep(OUTAGE_SECONDS)
        phase["now"] = "after"
        assert embedded.redis_start(port=port, workdir=workdir)
        time.sleep(5)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=60)
        embedded.redis_stop(port=port, workdir=workdir)

    statuses = Counter((what.split(":")[0], ph, a.status) for what, ph, a in results)
    assert all(a.status < 500 or a.status == 503 for _w, _p, a in results), statuses  # no 500
    # the outage was felt (refused while nothing could be counted) and is over
    assert statuses[("submit", "outage", 503)] > 0 and statuses[("search", "outage", 503)] > 0
    for what, _ph, answer in results:
        if answer.status != 503:
            continue
        assert answer.retry_after
        if "/api/" in what or what.startswith("submit:"):
            assert answer.content_type == "application/json"
            assert json.loads(answer.body)["code"] == "unavailable"
        else:
            assert answer.content_type.startswith("text/html")
            assert b"briefly unavailable" in answer.body
    tail = [a.status for _w, ph, a in results if ph == "after"][-8:]
    assert tail and all(status in (200, 201) for status in tail), tail

    submitted = {what.split(":", 1)[1]: a.status for what, _ph, a in results
                 if what.startswith("submit:")}  # fmt: skip
    accepted = {number for number, status in submitted.items() if 200 <= status < 300}
    stored = set(ApiSubmission.objects.values_list("decision_number", flat=True))
    assert stored == accepted  # every 2xx stored, no non-2xx stored
    assert set(IntegrityRecord.objects.values_list("decision_number", flat=True)) == accepted
    slowest = max(a.seconds for _w, _p, a in results)
    figure(
        f"Redis stopped {OUTAGE_SECONDS}s under load: {len(results)} requests "
        f"{dict(sorted(Counter(a.status for _w, _p, a in results).items()))}; submissions "
        f"{len(submitted)}: {len(accepted)} answered 2xx = {len(stored)} stored, "
        f"{len(submitted) - len(accepted)} answered 503 and not stored; no 500; "
        f"slowest answer {slowest:.2f}s"
    )
