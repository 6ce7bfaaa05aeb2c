"""Issue 14: `make run` restarts a crashed worker or beat instead of stopping everything (with
a backoff, a line saying so and a limit per minute), still stops cleanly on SIGTERM / Ctrl-C,
and the embedded Redis keeps queued messages across a restart (append-only file).

The "worker" here is a stand-in: a short Python command that starts a child of its own (as a
prefork worker starts its pool) and writes both process ids to a file. Only processes these
tests start are looked at or signalled."""

from __future__ import annotations

import contextlib
import io
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from scs_portal import embedded
from scs_portal.run import BASE_DIR, Supervisor

FAKE_WORKER = textwrap.dedent(
    """
    import os, subprocess, sys, time
    pool = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(300)"])
    with open(sys.argv[1], "a") as f:
        f.write(f"{os.getpid()} {pool.pid}\\n")
    time.sleep(300)
    """
)


def alive(pid: int) -> bool:
    """Running (a zombie — exited, not yet reaped — counts as gone)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (FileNotFoundError, ProcessLookupError):
        return False
    return state not in ("Z", "X")


def wait_for(predicate, seconds: float, step: float = 0.05) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return False


def pid_lines(path: Path) -> list[tuple[int, int]]:
    if not path.exists():
        return []
    return [tuple(map(int, line.split())) for line in path.read_text().splitlines() if line]


def test_a_killed_worker_is_restarted_with_backoff_and_a_limit(tmp_path):
    out = io.StringIO()
    supervisor = Supervisor(out=out, backoff=(0.3, 0.6), max_restarts_per_minute=2)
    pids = tmp_path / "worker.pids"
    web = supervisor.spawn("web", [sys.executable, "-c", "import time; time.sleep(300)"])
    worker = supervisor.spawn("worker", [sys.executable, "-c", FAKE_WORKER, str(pids)],
                              restart=True)  # fmt: skip
    try:
        assert wait_for(lambda: len(pid_lines(pids)) == 1, 20)
        leader, pool = pid_lines(pids)[0]
        assert leader == worker.process.pid and alive(pool)
        for attempt in (1, 2):
            os.kill(worker.process.pid, signal.SIGKILL)  # the leader only, like an OOM kill
            killed_at = time.monotonic()
            restarted = wait_for(lambda n=attempt: supervisor.check_children() is None
                                 and len(pid_lines(pids)) == n + 1, 20)  # fmt: skip
            assert restarted, out.getvalue()
            # not at once: after the backoff (0.3 s, then 0.6 s)
            assert time.monotonic() - killed_at >= (0.3, 0.6)[attempt - 1]
            # the old group's leftovers (the pool) were killed before the new start
            assert wait_for(lambda p=pool: not alive(p), 5)
            leader, pool = pid_lines(pids)[-1]
            assert leader == worker.process.pid and alive(leader) and alive(pool)
        log = out.getvalue()
        assert "worker was killed by SIGKILL; restarting it in 0.3s (restart 1 of at most 2" in log
        assert "restarting it in 0.6s (restart 2 of at most 2 a minute)" in log
        assert f"worker restarted (pid {worker.process.pid})" in log
        assert web.process.poll() is None  # nothing else was touched
        # a third crash within the minute: over the limit, everything stops
        os.kill(worker.process.pid, signal.SIGKILL)
        assert wait_for(lambda: worker.process.poll() is not None, 10)
        reason = supervisor.check_children()
        assert reason == "worker was killed by SIGKILL after 2 restarts within a minute; " \
                         "stopping everything."  # fmt: skip
    finally:
        supervisor.stop_children()
    # the crashed worker's leftover pool too (SIGKILL to its group)
    assert wait_for(lambda: not alive(web.process.pid) and not alive(pool), 5)


def test_the_web_server_exiting_stops_everything(tmp_path):
    supervisor = Supervisor(out=io.StringIO())
    supervisor.spawn("worker", [sys.executable, "-c", "import time; time.sleep(300)"],
                     restart=True)  # fmt: skip
    web = supervisor.spawn("web", [sys.executable, "-c", "raise SystemExit(3)"])
    try:
        assert wait_for(lambda: web.process.poll() is not None, 20)
        assert supervisor.supervise(interval=0.05) == 1
        assert "web exited with code 3; stopping everything." in supervisor.out.getvalue()
    finally:
        supervisor.stop_children()
    assert all(not alive(child.process.pid) for child in supervisor.children)


SUPERVISOR_SCRIPT = textwrap.dedent(
    """
    import sys
    from scs_portal.run import Supervisor, stop_on_signals
    stop_on_signals()
    supervisor = Supervisor(backoff=(0.2,))
    for name in ("worker", "beat"):
        supervisor.spawn(name, [sys.executable, "-c", sys.argv[1], sys.argv[2]], restart=True)
    print("ready", flush=True)
    sys.exit(supervisor.run(interval=0.1))
    """
)


@pytest.mark.parametrize("stop_signal", [signal.SIGTERM, signal.SIGINT])
def test_sigterm_or_ctrl_c_stops_every_child_and_grandchild(tmp_path, stop_signal):
    pids = tmp_path / "children.pids"
    process = subprocess.Popen(
        [sys.executable, "-c", SUPERVISOR_SCRIPT, FAKE_WORKER, str(pids)],
        cwd=BASE_DIR, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True,
    )  # fmt: skip
    try:
        assert process.stdout.readline().strip() == "ready"
        assert wait_for(lambda: len(pid_lines(pids)) == 2, 20)
        started = [pid for pair in pid_lines(pids) for pid in pair]
        assert all(alive(pid) for pid in started)
        os.kill(process.pid, stop_signal)
        assert process.wait(timeout=30) == 0
        stderr = process.stderr.read()
        assert "Stopping worker, beat…" in stderr
        assert wait_for(lambda: not any(alive(pid) for pid in started), 10), stderr
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_embedded_redis_keeps_queued_messages_across_a_restart(tmp_path):
    """The embedded server's configuration has the append-only file on, and it works: a
    message pushed onto a queue is still there after the server was stopped and started."""
    import redis

    args = embedded.redis_server_args(port=6390, workdir=tmp_path)
    assert args[args.index("--appendonly") + 1] == "yes"
    assert args[args.index("--dir") + 1] == str(tmp_path)
    port = free_port()
    workdir = tmp_path / "redis"
    assert embedded.redis_start(port=port, workdir=workdir)
    try:
        client = redis.Redis(port=port)
        assert client.config_get("appendonly") == {"appendonly": "yes"}
        client.lpush("celery", '{"task": "sanctions.tasks.import_batch_process"}')
        embedded.redis_stop(port=port, workdir=workdir)
        assert not embedded._port_open(port)
        assert embedded.redis_start(port=port, workdir=workdir)
        assert redis.Redis(port=port).lrange("celery", 0, -1) == [
            b'{"task": "sanctions.tasks.import_batch_process"}'
        ]
    finally:
        embedded.redis_stop(port=port, workdir=workdir)
