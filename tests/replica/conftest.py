"""Pieces of the streaming-replica test (issue 16, docs/scaling.md "Read replicas"): a primary
and a hot-standby replica of the embedded PostgreSQL wheel, a browser-like HTTP client with
its own cookies, and the figures printed in the terminal summary (visible in the CI log).

Every process these tests signal is one they started themselves (a Popen they hold, or a
server in a data directory of their own); nothing is looked up machine-wide."""

from __future__ import annotations

import contextlib
import http.client
import http.cookies
import os
import re
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlencode

import psycopg

from scs_portal import embedded

FIGURES: list[str] = []


def figure(line: str) -> None:
    """A measured figure: printed now (visible with -s) and in the terminal summary."""
    print(f"[replica] {line}", flush=True)
    FIGURES.append(line)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    if FIGURES:
        terminalreporter.section("streaming replica figures (docs/scaling.md)")
        for line in FIGURES:
            terminalreporter.write_line(line)


# --- PostgreSQL: a primary and its streaming replica --------------------------------------------


def sql(port: int, query: str, params: tuple = ()):
    """One statement on the server at `port` (database scs), autocommit; the first row."""
    url = f"postgres://postgres@127.0.0.1:{port}/{embedded.PG_DATABASE}"
    with psycopg.connect(url, autocommit=True, connect_timeout=10) as conn:
        return conn.execute(query, params).fetchone()


def start_primary(pgdata: Path, port: int) -> None:
    """The embedded server, ready to stream: wal_level replica (or more), WAL senders, and a
    pg_hba entry that lets a replica on loopback connect for replication."""
    assert embedded.postgres_start(pgdata=pgdata, port=port, shared_buffers="64MB")
    assert sql(port, "SHOW wal_level")[0] in ("replica", "logical")
    assert int(sql(port, "SHOW max_wal_senders")[0]) > 0
    rules = "SELECT count(*) FROM pg_hba_file_rules WHERE 'replication' = ANY(database) " \
            "AND address = '127.0.0.1'"  # fmt: skip
    if not sql(port, rules)[0]:
        with open(pgdata / "pg_hba.conf", "a") as hba:
            hba.write("host replication postgres 127.0.0.1/32 trust\n")
        sql(port, "SELECT pg_reload_conf()")
        assert sql(port, rules)[0]


def start_replica(pgdata: Path, port: int, *, primary_port: int) -> None:
    """`pg_basebackup -R` from the primary (standby.signal, primary_conninfo), hot_standby on,
    started on its own port: a streaming hot standby that answers read-only queries."""
    pgdata.mkdir(mode=0o700)
    if os.geteuid() == 0:  # the server runs as its own user (see embedded.py)
        embedded._prepare_root_permissions(pgdata)
    subprocess.run(
        [embedded._pg_bin("pg_basebackup"), "-D", str(pgdata), "-h", "127.0.0.1",
         "-p", str(primary_port), "-U", "postgres", "-R", "-X", "stream", "-c", "fast"],
        check=True, capture_output=True, **embedded._pg_run_kwargs(),
    )  # fmt: skip
    with open(pgdata / "postgresql.auto.conf", "a") as conf:
        conf.write("hot_standby = on\n")
    assert embedded.postgres_start(pgdata=pgdata, port=port, shared_buffers="64MB")
    assert sql(port, "SELECT pg_is_in_recovery()")[0] is True


def stop_server(pgdata: Path) -> None:
    with contextlib.suppress(Exception):
        embedded.postgres_stop(pgdata=pgdata)


def primary_lsn(port: int) -> str:
    return sql(port, "SELECT pg_current_wal_lsn()::text")[0]


def replayed(replica_port: int, lsn: str) -> bool:
    """The replica has replayed the primary's WAL up to `lsn`."""
    return sql(replica_port, "SELECT pg_last_wal_replay_lsn() >= %s::pg_lsn", (lsn,))[0]


def pause_replay(replica_port: int) -> None:
    sql(replica_port, "SELECT pg_wal_replay_pause()")
    deadline = time.monotonic() + 10
    while sql(replica_port, "SELECT pg_get_wal_replay_pause_state()")[0] != "paused":
        assert time.monotonic() < deadline, "replay did not pause"
        time.sleep(0.02)


def resume_replay(replica_port: int) -> None:
    sql(replica_port, "SELECT pg_wal_replay_resume()")


# --- a browser: cookies of its own, no redirects followed ---------------------------------------


@dataclass
class Page:
    status: int
    location: str
    body: str
    set_cookies: set[str]


CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Browser:
    """One visitor over real HTTP (loopback). Keeps its cookies itself: without DEBUG they are
    Secure, and this test speaks plain HTTP to the server."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, form: dict | None = None) -> Page:
        headers = {"Accept-Language": "en", "Host": f"127.0.0.1:{self.port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            text = response.read().decode("utf-8", "replace")
            names = set()
            for header in response.headers.get_all("Set-Cookie") or []:
                for name, morsel in http.cookies.SimpleCookie(header).items():
                    names.add(name)
                    if morsel["max-age"] == "0" or not morsel.value:
                        self.cookies.pop(name, None)
                    else:
                        self.cookies[name] = morsel.value
            return Page(response.status, response.headers.get("Location", ""), text, names)
        finally:
            conn.close()

    def get(self, path: str) -> Page:
        return self.request("GET", path)

    def post(self, path: str, form: dict) -> Page:
        return self.request("POST", path, form)

    def csrf_token(self, path: str) -> str:
        page = self.get(path)
        assert page.status == 200, (path, page.status, page.body[-2000:])
        return CSRF_INPUT.search(page.body).group(1)
