"""Fault 3 (issue 14): PostgreSQL stopped under a bounded read load → only 200s and 503s
(JSON with code "unavailable" under /api/, the friendly page elsewhere, both with
Retry-After), and the same web process answers 200 again once the database is back.

A PostgreSQL server of the test's own (the embedded wheel's, on a free port, data in a
temporary directory) is migrated, and a production-like web process serves it: gunicorn, one
worker with four threads (persistent connections, CONN_MAX_AGE + CONN_HEALTH_CHECKS), DEBUG
off. Three client threads read over HTTP while the server is stopped with `pg_ctl stop -m
fast` for OUTAGE_SECONDS (30 s, as the issue asks; SCS_FAULT_OUTAGE_SECONDS shortens it
for a quick local run) and started again. Only the processes this test starts are signalled
or counted."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections import Counter

import pytest

from scs_portal import embedded
from tests.faults.conftest import (
    BASE_DIR,
    Answer,
    figure,
    free_port,
    http,
    stop_group,
    wait_for,
)

pytestmark = pytest.mark.fault  # its own database server: the test database is not used
OUTAGE_SECONDS = int(os.environ.get("SCS_FAULT_OUTAGE_SECONDS", "30"))
PATHS = ["/api/v1/public/entries/", "/search/?q=%E8%B5%B5", "/api/v1/public/entries/?q=zhao",
         "/"]  # fmt: skip


def test_postgres_stopped_under_read_load_503_only_and_recovery_without_restart(tmp_path, settings):
    pgdata, pg_port, web_port = tmp_path / "pg", free_port(), free_port()
    setup_started = time.monotonic()
    assert embedded.postgres_start(pgdata=pgdata, port=pg_port, shared_buffers="64MB")
    web = None
    try:
        env = {
            **os.environ,
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:{pg_port}/{embedded.PG_DATABASE}",
            "REDIS_URL": settings.REDIS_URL,
            "DJANGO_DEBUG": "false",
            "SCS_SEARCH_RATE_PER_MINUTE": "1000000",
            "SCS_SEARCH_PAGE_CACHE_SECONDS": "0",  # every search reads the database
            "CACHE_KEY_PREFIX": f"fault-pg-{pg_port}",
        }
        subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
                       cwd=BASE_DIR, env=env, check=True)  # fmt: skip
        log = tmp_path / "gunicorn.log"
        with open(log, "wb") as out:
            web = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "scs_portal.wsgi:application",
                 "--bind", f"127.0.0.1:{web_port}", "--workers", "1", "--worker-class",
                 "gthread", "--threads", "4", "--timeout", "120"],
                cwd=BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        base = f"http://127.0.0.1:{web_port}"
        assert wait_for(lambda: _up(base), 120), log.read_text()[-3000:]
        setup_seconds = time.monotonic() - setup_started

        results: list[tuple[float, str, Answer]] = []  # when, path, answer
        stop, lock = threading.Event(), threading.Lock()

        def reader(worker: int) -> None:
            n = worker
            while not stop.is_set():
                path = PATHS[n % len(PATHS)]
                n += 1
                answer = http(base + path)
                with lock:
                    results.append((time.monotonic(), path, answer))
                time.sleep(0.05)

        threads = [threading.Thread(target=reader, args=(i,)) for i in range(3)]
        for thread in threads:
            thread.start()
        try:
            time.sleep(3)
            stopped_at = time.monotonic()
            embedded.postgres_stop(pgdata=pgdata)
            assert not embedded._port_open(pg_port)
            time.sleep(OUTAGE_SECONDS)
            restarted_at = time.monotonic()
            assert embedded.postgres_start(pgdata=pgdata, port=pg_port, shared_buffers="64MB")
            back = wait_for(lambda: any(at > restarted_at and a.status == 200
                                        for at, _p, a in list(results)), 60)  # fmt: skip
            assert back, "no 200 after the database came back"
            time.sleep(4)
        finally:
            stop.set()
            for thread in threads:
                thread.join(timeout=60)
        web_log = log.read_text()
        assert web.poll() is None, web_log[-3000:]  # the same web process throughout
        assert web_log.count("Booting worker") == 1, web_log[-3000:]  # never restarted
    finally:
        if web is not None:
            stop_group(web)
        embedded.postgres_stop(pgdata=pgdata)

    statuses = Counter(a.status for _at, _p, a in results)
    assert set(statuses) <= {200, 503}, statuses  # never a 500
    during = [a.status for at, _p, a in results if stopped_at <= at <= restarted_at]
    assert during.count(503) >= 5, Counter(during)
    for _at, path, answer in results:
        if answer.status != 503:
            continue
        assert answer.retry_after == "30"
        if path.startswith("/api/"):
            assert answer.content_type == "application/json"
            assert json.loads(answer.body)["code"] == "unavailable"
        else:
            assert answer.content_type.startswith("text/html")
            assert b"Temporarily unavailable" in answer.body
    first_ok = min(at for at, _p, a in results if at > restarted_at and a.status == 200)
    tail = [a.status for at, _p, a in results if at > first_ok + 1]
    assert tail and set(tail) == {200}, Counter(tail)
    figure(
        f"PostgreSQL stopped {OUTAGE_SECONDS}s under read load: {len(results)} requests "
        f"{dict(sorted(statuses.items()))}, {len(during)} during the outage; 200 again "
        f"{first_ok - restarted_at:.1f}s after the restart, same gunicorn worker; "
        f"setup (initdb, migrate, gunicorn) {setup_seconds:.0f}s"
    )


def _up(base: str) -> bool:
    try:
        return http(base + "/healthz").status == 200
    except OSError:
        return False
