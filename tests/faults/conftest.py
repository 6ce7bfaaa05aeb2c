"""Shared pieces of the fault suite (issue 14, docs/reliability.md): real Celery workers on
the test database, figures printed as they are measured and repeated in the terminal summary
(so they show in the CI log without `-s`).

Every process these tests signal or count is one they started themselves (a Popen they hold,
or its process group); nothing is looked up machine-wide."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection

BASE_DIR = Path(__file__).resolve().parents[2]
FIGURES: list[str] = []


def figure(line: str) -> None:
    """A measured figure: printed now (visible with -s) and in the terminal summary."""
    print(f"[fault] {line}", flush=True)
    FIGURES.append(line)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if FIGURES:
        terminalreporter.section("fault suite figures (docs/reliability.md)")
        for line in FIGURES:
            terminalreporter.write_line(line)


def wait_for(predicate, seconds: float, step: float = 0.1) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_database_url() -> str:
    db = connection.settings_dict
    password = f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else ""
    user = quote(db["USER"], safe="")
    return f"postgres://{user}{password}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


test_database_url.__test__ = False  # a helper, not a test


def worker_env(**extra: str) -> dict[str, str]:
    """The environment of a worker (or web) process on the test database and the test
    session's Redis, with DEBUG off as in production."""
    return {
        **os.environ,
        "DATABASE_URL": test_database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "DJANGO_DEBUG": "false",
        **extra,
    }


def start_worker(env: dict[str, str], log: Path, concurrency: int = 1) -> subprocess.Popen:
    """A real Celery worker (prefork) in its own session: killing its group kills the pool."""
    with open(log, "ab") as out:
        return subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "scs_portal", "worker", "--concurrency",
             str(concurrency), "--pool", "prefork", "-l", "info", "--without-mingle",
             "--without-gossip", "-n", f"fault-{os.getpid()}-{time.monotonic_ns()}@%h"],
            cwd=BASE_DIR, env=env, start_new_session=True, stdout=out, stderr=subprocess.STDOUT,
        )  # fmt: skip


def stop_group(process: subprocess.Popen, sig: int = signal.SIGTERM, timeout: float = 30) -> None:
    """Signal the process group we started; SIGKILL what is left after `timeout`."""
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, sig)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=timeout)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait(timeout=10)


def flush_broker() -> None:
    """Empty the test session's Redis database (queued and unacknowledged messages)."""
    import redis

    redis.Redis.from_url(settings.CELERY_BROKER_URL).flushdb()


@dataclass
class Answer:
    status: int
    content_type: str
    body: bytes
    retry_after: str
    seconds: float


def http(url: str, *, json_body: dict | None = None, headers: dict | None = None) -> Answer:
    """One request over real HTTP (loopback); an error status is an answer, not a raise."""
    import json

    data = json.dumps(json_body, ensure_ascii=False).encode() if json_body is not None else None
    all_headers = {"Accept-Language": "en", **(headers or {})}
    if data is not None:
        all_headers["Content-Type"] = "application/json"
    request = urllib.request.Request(url, data=data, headers=all_headers)  # noqa: S310 - http
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310 - loopback
            status, head, body = response.status, response.headers, response.read()
    except urllib.error.HTTPError as exc:
        status, head, body = exc.code, exc.headers, exc.read()
    return Answer(status, head["Content-Type"] or "", body, head["Retry-After"] or "",
                  time.monotonic() - started)  # fmt: skip
