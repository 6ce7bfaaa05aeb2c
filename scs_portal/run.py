"""Process supervisor behind `make run` and `make test`.

    python -m scs_portal.run serve      # embedded services if needed, migrate, seed once,
                                        # web + Celery worker + beat; Ctrl-C stops all of it
    python -m scs_portal.run test ARGS  # embedded services if needed, then pytest ARGS

Everything it starts it stops: children run in their own sessions and are terminated as
process groups, and the embedded servers it started are shut down on exit. A crashed Celery
worker or beat is restarted (with a backoff and a limit per minute, see Supervisor) instead
of taking everything down.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from scs_portal import embedded

BASE_DIR = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


@dataclass
class Child:
    name: str
    argv: list[str]
    restart: bool  # started again when it exits (worker, beat); else its exit stops all
    process: subprocess.Popen
    restarted_at: list[float] = field(default_factory=list)  # clock times, the last minute
    restart_due: float | None = None  # exited; to be started again at this clock time


def describe_exit(code: int) -> str:
    if code < 0:
        with contextlib.suppress(ValueError):
            return f"was killed by {signal.Signals(-code).name}"
        return f"was killed by signal {-code}"
    return f"exited with code {code}"


class Supervisor:
    """Starts the children in their own sessions (process groups, so a child's own children
    — the worker's pool, the reloader — are stopped with it) and keeps them running.

    A child spawned with `restart=True` (the Celery worker and beat) that exits is started
    again after a short backoff (`backoff`, growing with each restart in the last minute), and
    the console says so; after `max_restarts_per_minute` restarts within a minute, one more
    exit stops everything, as does the exit of any other child (the web server). Queued
    tasks are not lost meanwhile: they wait in Redis (the embedded one keeps an append-only
    file). `check_children()` is one round of that, `supervise()` the loop, `run()` the loop
    until Ctrl-C / SIGTERM (tests/test_run_supervisor.py drives all three)."""

    MAX_RESTARTS_PER_MINUTE = 5
    BACKOFF = (1.0, 2.0, 4.0, 8.0, 15.0)

    def __init__(
        self,
        *,
        cwd: Path = BASE_DIR,
        max_restarts_per_minute: int = MAX_RESTARTS_PER_MINUTE,
        backoff: tuple[float, ...] = BACKOFF,
        stop_timeout: float = 15.0,
        out: TextIO | None = None,
    ) -> None:
        self.children: list[Child] = []
        self.started_services: set[str] = set()
        self.stopping = False
        self.cwd = cwd
        self.max_restarts_per_minute = max_restarts_per_minute
        self.backoff = backoff
        self.stop_timeout = stop_timeout
        self.out = out

    def start_services(self) -> None:
        urls, self.started_services = embedded.start()
        os.environ.update(urls)

    def stop_services(self) -> None:
        if "redis" in self.started_services:
            embedded.redis_stop()
        if "postgres" in self.started_services:
            embedded.postgres_stop()

    def manage(self, *args: str) -> None:
        subprocess.run([PYTHON, "manage.py", *args], cwd=self.cwd, check=True)

    def _say(self, line: str) -> None:
        print(line, file=self.out or sys.stderr, flush=True)

    def _popen(self, argv: list[str]) -> subprocess.Popen:
        return subprocess.Popen(argv, cwd=self.cwd, start_new_session=True)

    def spawn(self, name: str, argv: list[str], *, restart: bool = False) -> Child:
        child = Child(name=name, argv=argv, restart=restart, process=self._popen(argv))
        self.children.append(child)
        return child

    def check_children(self) -> str | None:
        """One round: restart what is due, schedule the restart of what exited. Returns why
        everything must stop (a child that is not restarted exited, or one crashed too
        often), or None. Never blocks."""
        now = time.monotonic()
        for child in self.children:
            if child.restart_due is not None:
                if now >= child.restart_due:
                    self._restart(child, now)
                continue
            code = child.process.poll()
            if code is None:
                continue
            if not child.restart:
                return f"{child.name} {describe_exit(code)}; stopping everything."
            child.restarted_at = [t for t in child.restarted_at if now - t < 60]
            recent = len(child.restarted_at)
            if recent >= self.max_restarts_per_minute:
                return (f"{child.name} {describe_exit(code)} after {recent} restarts within a "
                        "minute; stopping everything.")  # fmt: skip
            delay = self.backoff[min(recent, len(self.backoff) - 1)]
            child.restart_due = now + delay
            self._say(
                f"{child.name} {describe_exit(code)}; restarting it in {delay:g}s (restart "
                f"{recent + 1} of at most {self.max_restarts_per_minute} a minute)."
            )
        return None

    def _restart(self, child: Child, now: float) -> None:
        # what is left of the old process group (a killed worker's pool processes) goes first
        with contextlib.suppress(ProcessLookupError):
            os.killpg(child.process.pid, signal.SIGKILL)
        child.process = self._popen(child.argv)
        child.restarted_at.append(now)
        child.restart_due = None
        self._say(f"{child.name} restarted (pid {child.process.pid}).")

    def supervise(self, interval: float = 1.0) -> int:
        """Keep the children running until one cannot be; returns 1 then."""
        while True:
            reason = self.check_children()
            if reason is not None:
                self._say(reason)
                return 1
            time.sleep(interval)

    def run(self, interval: float = 1.0) -> int:
        """supervise() until Ctrl-C or SIGTERM (0) or a child that cannot be kept (1); the
        children are stopped either way. Expects `stop_on_signals()` to be installed."""
        try:
            return self.supervise(interval)
        except KeyboardInterrupt:
            self._say("\nStopping " + ", ".join(c.name for c in self.children) + "…")
            return 0
        finally:
            self.stop_children()

    def stop_children(self) -> None:
        """SIGTERM to every child's process group, SIGKILL to what is left after
        `stop_timeout`. Safe to call twice."""
        for child in self.children:
            if child.process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(child.process.pid, signal.SIGTERM)
        deadline = time.monotonic() + self.stop_timeout
        for child in self.children:
            with contextlib.suppress(subprocess.TimeoutExpired):
                child.process.wait(timeout=max(0.1, deadline - time.monotonic()))
            # the group may hold grandchildren (reloader, worker pool) even after the leader
            with contextlib.suppress(ProcessLookupError):
                os.killpg(child.process.pid, signal.SIGKILL)


def stop_on_signals() -> None:
    """Ctrl-C and SIGTERM raise KeyboardInterrupt in the main thread. Installed explicitly:
    a shell that starts us in the background leaves SIGINT ignored, and Ctrl-C / `kill -INT`
    / `kill` must still stop everything we start."""

    def on_signal(signum, _frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)


def _wait_http(url: str, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2) as response:  # noqa: S310 - loopback
                if response.status == 200:
                    return True
        except OSError:
            pass
        time.sleep(0.3)
    return False


def serve() -> int:
    os.environ.setdefault("DJANGO_DEBUG", "true")
    host = os.environ.get("SCS_HOST", "127.0.0.1")
    port = os.environ.get("SCS_PORT", "8000")
    supervisor = Supervisor()
    stop_on_signals()
    started = time.monotonic()
    try:
        supervisor.start_services()
        supervisor.manage("migrate", "--noinput", "-v", "0")
        supervisor.manage("seed_demo", "--if-empty")
        data_dir = embedded.DATA_DIR
        data_dir.mkdir(parents=True, exist_ok=True)
        supervisor.spawn("web", [PYTHON, "manage.py", "runserver", f"{host}:{port}", "--noreload"])
        # a crashed worker or beat is restarted (Supervisor); the web's exit stops everything
        supervisor.spawn(
            "worker",
            [PYTHON, "-m", "celery", "-A", "scs_portal", "worker", "-l", "info",
             "--concurrency", os.environ.get("CELERY_CONCURRENCY", "2")],
            restart=True,
        )  # fmt: skip
        supervisor.spawn(
            "beat",
            [PYTHON, "-m", "celery", "-A", "scs_portal", "beat", "-l", "info",
             "--schedule", str(data_dir / "celerybeat-schedule")],
            restart=True,
        )  # fmt: skip
        base = f"http://{host}:{port}"
        if not _wait_http(f"{base}/healthz", 60):
            print("The web server did not come up; see the output above.", file=sys.stderr)
            return 1
        _banner(base, time.monotonic() - started)
        return supervisor.run()
    except KeyboardInterrupt:
        print("\nStopping web, worker and beat…")
        return 0
    finally:
        supervisor.stop_children()
        supervisor.stop_services()
        print("Stopped.")


def _banner(base: str, seconds: float) -> None:
    from scs_portal.demo import DEMO_PASSWORD, demo_accounts, demo_api_key

    lines = [
        "",
        f"SCS Portal is running (ready in {seconds:.0f}s): web, Celery worker and beat.",
        f"  Public site : {base}/",
        f"  Officials   : {base}/admin/",
        f"  Citizens    : {base}/account/login/  (log in with the ID number)",
        f"  API docs    : {base}/api/docs/  (agency example: docs/api.md)",
        f"  Health      : {base}/healthz",
        f"  Database    : {os.environ.get('DATABASE_URL', embedded.DATABASE_URL)}",
        f"  Broker      : {os.environ.get('REDIS_URL', embedded.REDIS_URL)}",
        f"Demo logins (password for all: {DEMO_PASSWORD}):",
        *_demo_login_lines(demo_accounts()),
        "  Officials' second factor: add the otpauth:// URI to an authenticator app, or print",
        "  the current code: .venv/bin/python -m scs_portal.demo otp <username>",
        f"Demo agency API key (court): {demo_api_key()}",
        "Press Ctrl-C to stop everything.",
        "",
    ]
    print("\n".join(lines), flush=True)


def _demo_login_lines(accounts: list[tuple[str, str]]) -> list[str]:
    """Each demo login; under each official's, the otpauth:// URI of their demo TOTP key."""
    from scs_portal.demo import demo_otpauth_uri, is_demo_official

    lines = []
    for username, what in accounts:
        lines.append(f"  {username:<19} {what}")
        if is_demo_official(username):
            lines.append(f"  {'':<19} 2FA {demo_otpauth_uri(username)}")
    return lines


def test(args: list[str]) -> int:
    supervisor = Supervisor()
    try:
        supervisor.start_services()
        env = dict(os.environ)
        if env.get("REDIS_URL") == embedded.REDIS_URL:
            # a Redis database of their own: tests flush it and queue tasks for their own
            # workers (tests/faults), while a `make run` keeps its queue in database 0
            env["REDIS_URL"] = embedded.REDIS_URL.rsplit("/", 1)[0] + "/15"
        return subprocess.run([PYTHON, "-m", "pytest", *args], cwd=BASE_DIR, env=env).returncode
    finally:
        supervisor.stop_services()


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "serve"
    if command == "serve":
        return serve()
    if command == "test":
        return test(argv[2:])
    print("usage: python -m scs_portal.run serve | test [pytest args]", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
