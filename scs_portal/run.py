"""Process supervisor behind `make run` and `make test`.

    python -m scs_portal.run serve      # embedded services if needed, migrate, seed once,
                                        # web + Celery worker + beat; Ctrl-C stops all of it
    python -m scs_portal.run test ARGS  # embedded services if needed, then pytest ARGS

Everything it starts it stops: children run in their own sessions and are terminated as
process groups, and the embedded servers it started are shut down on exit.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from scs_portal import embedded

BASE_DIR = Path(__file__).resolve().parent.parent
PYTHON = sys.executable


class Supervisor:
    def __init__(self) -> None:
        self.children: list[tuple[str, subprocess.Popen]] = []
        self.started_services: set[str] = set()
        self.stopping = False

    def start_services(self) -> None:
        urls, self.started_services = embedded.start()
        os.environ.update(urls)

    def stop_services(self) -> None:
        if "redis" in self.started_services:
            embedded.redis_stop()
        if "postgres" in self.started_services:
            embedded.postgres_stop()

    def manage(self, *args: str) -> None:
        subprocess.run([PYTHON, "manage.py", *args], cwd=BASE_DIR, check=True)

    def spawn(self, name: str, argv: list[str]) -> None:
        process = subprocess.Popen(argv, cwd=BASE_DIR, start_new_session=True)
        self.children.append((name, process))

    def stop_children(self) -> None:
        for _name, process in self.children:
            if process.poll() is None:
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + 15
        for _name, process in self.children:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            # the group may hold grandchildren (reloader, worker pool) even after the leader
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)


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

    def on_signal(signum, _frame):
        raise KeyboardInterrupt

    # Installed explicitly: a shell that starts us in the background leaves SIGINT ignored,
    # and Ctrl-C / `kill -INT` must still stop everything we start.
    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    started = time.monotonic()
    try:
        supervisor.start_services()
        supervisor.manage("migrate", "--noinput", "-v", "0")
        supervisor.manage("seed_demo", "--if-empty")
        data_dir = embedded.DATA_DIR
        data_dir.mkdir(parents=True, exist_ok=True)
        supervisor.spawn("web", [PYTHON, "manage.py", "runserver", f"{host}:{port}", "--noreload"])
        supervisor.spawn(
            "worker",
            [PYTHON, "-m", "celery", "-A", "scs_portal", "worker", "-l", "info",
             "--concurrency", os.environ.get("CELERY_CONCURRENCY", "2")],
        )  # fmt: skip
        supervisor.spawn(
            "beat",
            [PYTHON, "-m", "celery", "-A", "scs_portal", "beat", "-l", "info",
             "--schedule", str(data_dir / "celerybeat-schedule")],
        )  # fmt: skip
        base = f"http://{host}:{port}"
        if not _wait_http(f"{base}/healthz", 60):
            print("The web server did not come up; see the output above.", file=sys.stderr)
            return 1
        _banner(base, time.monotonic() - started)
        while True:
            for name, process in supervisor.children:
                if process.poll() is not None:
                    print(f"{name} exited with {process.returncode}; stopping.", file=sys.stderr)
                    return 1
            time.sleep(1)
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
        *[f"  {username:<19} {what}" for username, what in demo_accounts()],
        f"Demo agency API key (court): {demo_api_key()}",
        "Press Ctrl-C to stop everything.",
        "",
    ]
    print("\n".join(lines), flush=True)


def test(args: list[str]) -> int:
    supervisor = Supervisor()
    try:
        supervisor.start_services()
        return subprocess.run([PYTHON, "-m", "pytest", *args], cwd=BASE_DIR).returncode
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
