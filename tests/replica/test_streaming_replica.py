"""Issue 16, read replicas, against a real streaming replica (docs/scaling.md, "Read replicas").

The embedded PostgreSQL wheel runs a primary (wal_level replica, a replication entry in
pg_hba) and a hot standby made by `pg_basebackup -R`, each on a free port in a temporary
directory. The primary is migrated (the replica replays it), and a production-like web process
serves it: gunicorn, DEBUG off, DATABASE_URL = the primary, DATABASE_REPLICA_URLS = the
replica, the search page cache on (SCS_SEARCH_PAGE_CACHE_SECONDS = 5). Listings are written
on the primary through the project's services (`manage.py shell -c`, tests/replica/primary.py,
run with DATABASE_REPLICA_URLS set too: each reads its own write back, also while replay is
paused, so management commands read the primary) and by an official in the admin over HTTP
(password + TOTP login).

1. Routing: with replay paused on the replica, a listing published on the primary does not
   appear on the public entry page, the search page, the public API or open data; it appears
   once replay resumes. The public pages are therefore read from the replica.
2. Read-your-writes: with replay paused, an official removes a listing in the admin; the
   admin shows the removal, and so does the public entry page for that official (the answer
   pinned the browser to the primary), while the same page without the pin, and any visitor,
   still shows the listing (the replica has not replayed the removal).
3. Staleness bound: after the removal no public page names the entry for longer than the
   replica's lag plus the page-cache time (plus one render), measured here.
4. With the replica stopped, public pages answer 503 and the admin still works.

Only the processes this test starts are signalled (gunicorn's process group, the two
servers in their own data directories)."""

from __future__ import annotations

import json
import os
import re
import secrets
import subprocess
import sys
import time
from urllib.parse import quote

import pytest
from django_otp.oath import totp

from scs_portal import embedded
from scs_portal.middleware import REPLICA_PIN_COOKIE
from tests.faults.conftest import BASE_DIR, free_port, stop_group, wait_for
from tests.replica.conftest import (
    CSRF_INPUT,
    Browser,
    figure,
    pause_replay,
    primary_lsn,
    replayed,
    resume_replay,
    sql,
    start_primary,
    start_replica,
    stop_server,
)

pytestmark = pytest.mark.replica  # servers of its own: the test database is not used

PAGE_CACHE_SECONDS = 5  # SCS_SEARCH_PAGE_CACHE_SECONDS of the web process (default 30)
RENDER_SLACK = 1.0  # one render of the page and the polling step, on top of the bound
PAUSE_SECONDS = 3.0  # replay held back this long: the replica's lag in steps 1 and 2
FIRST, SECOND = "北京复制延迟示范贸易有限公司", "上海副本路由检验科技有限公司"


def test_public_reads_come_from_the_streaming_replica(tmp_path, settings):
    started = time.monotonic()
    primary_dir, replica_dir = tmp_path / "primary", tmp_path / "replica"
    primary_port, replica_port, web_port = free_port(), free_port(), free_port()
    web = None
    try:
        start_primary(primary_dir, primary_port)
        start_replica(replica_dir, replica_port, primary_port=primary_port)
        env = {
            **os.environ,
            "DATABASE_URL": _url(primary_port),
            "DATABASE_REPLICA_URLS": _url(replica_port),
            "REDIS_URL": settings.REDIS_URL,
            "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
            "DJANGO_DEBUG": "false",
            "CACHE_KEY_PREFIX": f"replica-test-{web_port}",
            "SCS_SEARCH_PAGE_CACHE_SECONDS": str(PAGE_CACHE_SECONDS),
            "SCS_SEARCH_RATE_PER_MINUTE": "1000000",
            "SCS_ENTRY_RATE_PER_MINUTE": "1000000",
            "SCS_OPEN_DATA_RATE_PER_MINUTE": "1000000",
            "SCS_REPLICA_PIN_SECONDS": "60",
            "MEDIA_ROOT": str(tmp_path / "media"),
        }
        subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
                       cwd=BASE_DIR, env=env, check=True)  # fmt: skip
        assert wait_for(lambda: replayed(replica_port, primary_lsn(primary_port)), 30)
        assert sql(replica_port, "SELECT count(*) FROM sanctions_recordtype")[0] > 0

        log = tmp_path / "gunicorn.log"
        with open(log, "wb") as out:
            web = subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "scs_portal.wsgi:application",
                 "--bind", f"127.0.0.1:{web_port}", "--workers", "1", "--worker-class",
                 "gthread", "--threads", "4", "--timeout", "120"],
                cwd=BASE_DIR, env=env, stdout=out, stderr=subprocess.STDOUT,
                start_new_session=True,
            )  # fmt: skip
        password = secrets.token_urlsafe(16)
        official = _shell(env, f"officials(password={password!r})")
        first = _shell(env, f"publish(number=1, name={FIRST!r})")
        visitor = Browser(web_port)
        assert wait_for(lambda: _up(visitor), 60), log.read_text()[-3000:]
        setup_seconds = time.monotonic() - started

        # the first listing reaches the replica and the public pages
        assert wait_for(lambda: _shown(visitor, first, FIRST), 15 + PAGE_CACHE_SECONDS)

        reviewer = Browser(web_port)
        _admin_login(reviewer, official["username"], password, official["otp_key"])
        assert REPLICA_PIN_COOKIE in reviewer.cookies  # the login wrote (last login, …)
        del reviewer.cookies[REPLICA_PIN_COOKIE]  # from here on, only what the test does pins

        # --- 1. routing: published on the primary, invisible while the replica is paused ---
        pause_replay(replica_port)
        paused_at = time.monotonic()
        second = _shell(env, f"publish(number=2, name={SECOND!r})")
        assert sql(primary_port, "SELECT count(*) FROM sanctions_integrityrecord "
                   "WHERE public_id = %s AND published_at IS NOT NULL",
                   (second["public_id"],))[0] == 1  # fmt: skip
        assert sql(replica_port, "SELECT count(*) FROM sanctions_integrityrecord "
                   "WHERE public_id = %s", (second["public_id"],))[0] == 0  # fmt: skip
        published_at, hidden_checks = time.monotonic(), 0
        while hidden_checks < 3 or time.monotonic() - published_at < PAUSE_SECONDS:
            assert _hidden(visitor, second, SECOND), "shown while the replica was paused"
            hidden_checks += 1
            time.sleep(0.1)
        # a logged-in official's public page reads the replica too (nothing written yet) …
        assert reviewer.get(f"/entries/{second['public_id']}/").status == 404
        # … while the admin, not a public page, reads the primary
        change = f"/admin/sanctions/integrityrecord/{second['pk']}/change/"
        page = reviewer.get(change)
        assert page.status == 200 and second["decision_number"] in page.body
        resumed_at = time.monotonic()
        resume_replay(replica_port)
        assert wait_for(lambda: _shown(visitor, second, SECOND), 15 + PAGE_CACHE_SECONDS)
        appeared_after = time.monotonic() - resumed_at
        figure(
            f"routing: a listing published while replay was paused stayed off the entry page, "
            f"search, API and open data for {resumed_at - paused_at:.1f}s ({hidden_checks} "
            f"rounds); on all four {appeared_after:.1f}s after replay resumed"
        )

        # --- 2. read-your-writes: the official removes a listing while replay is paused ---
        assert _names(visitor, first, FIRST)  # search page cached, naming the first listing
        pause_replay(replica_port)
        change = f"/admin/sanctions/integrityrecord/{first['pk']}/change/"
        act = f"/admin/sanctions/integrityrecord/{first['pk']}/act/remove/"
        page = reviewer.get(change)
        assert page.status == 200 and act in page.body
        token = CSRF_INPUT.search(page.body).group(1)
        done = reviewer.post(act, {"csrfmiddlewaretoken": token, "remove-reason": "revocation",
                                   "confirm": "yes"})  # fmt: skip
        assert done.status == 302, done.body[-2000:]
        removed_at = time.monotonic()
        removal_lsn = primary_lsn(primary_port)
        assert REPLICA_PIN_COOKIE in done.set_cookies  # the write pinned the browser
        page = reviewer.get(change)
        assert page.status == 200 and "Remove from the list: done." in page.body
        assert act not in page.body  # removed: no "remove" action any more (the primary's row)
        entry = f"/entries/{first['public_id']}/"
        assert reviewer.get(entry).status == 404  # the official reads their own write
        unpinned = Browser(web_port)
        unpinned.cookies = {k: v for k, v in reviewer.cookies.items() if k != REPLICA_PIN_COOKIE}
        assert unpinned.get(entry).status == 200  # the same session unpinned: the replica
        assert visitor.get(entry).status == 200  # a visitor: the replica, not replayed yet
        assert not replayed(replica_port, removal_lsn)
        stale_checks = 0
        while stale_checks < 3 or time.monotonic() - removed_at < PAUSE_SECONDS:
            # visitors keep reading: every public page still shows the replica's copy, and the
            # search page rendered from it is cached under the list's new version
            assert reviewer.get(entry).status == 404
            assert all(_named(visitor, first, FIRST).values()), "not from the replica"
            stale_checks += 1
            time.sleep(0.1)

        # --- 3. staleness: gone within the replica's lag + the page-cache time ---------------
        resume_replay(replica_port)
        replayed_at = gone_at = None
        cleared: dict[str, float] = {}  # page → when it first no longer named the entry
        deadline = time.monotonic() + PAGE_CACHE_SECONDS + 30
        while gone_at is None and time.monotonic() < deadline:
            if replayed_at is None and replayed(replica_port, removal_lsn):
                replayed_at = time.monotonic()
            named = _named(visitor, first, FIRST)
            now = time.monotonic()
            for what, shown in named.items():
                if not shown:
                    cleared.setdefault(what, now)
            if replayed_at is None:  # nothing may clear before the replica has the removal
                assert all(named.values()) or replayed(replica_port, removal_lsn), cleared
            elif not any(named.values()):
                gone_at = now
            else:
                time.sleep(0.05)
        assert replayed_at is not None and gone_at is not None, ("never gone", cleared)
        lag = replayed_at - removed_at
        stale = gone_at - removed_at
        assert stale <= lag + PAGE_CACHE_SECONDS + RENDER_SLACK, (stale, lag, cleared)
        for _ in range(3):  # and it stays gone
            assert not _names(visitor, first, FIRST)
        figure(
            f"read-your-writes: with replay paused the official's removal showed in the admin "
            f"and on the public entry page for them (pinned to the primary); unpinned and "
            f"anonymous reads still showed it ({stale_checks} rounds). Staleness after the "
            f"removal: {stale:.1f}s <= lag {lag:.1f}s + page cache {PAGE_CACHE_SECONDS}s + "
            f"{RENDER_SLACK:.0f}s; after replay each page cleared at "
            + ", ".join(f"{what} +{at - replayed_at:.1f}s" for what, at in cleared.items())
        )

        # --- the same with a replica that is not held back: its lag as it comes -------------
        removal = _shell(env, f"remove(pk={second['pk']})")  # the reviewer, by the service
        # clock times: the command printed when its transaction had committed, and the LSN
        assert wait_for(lambda: replayed(replica_port, removal["lsn"]), 10, step=0.002)
        lag = time.time() - removal["committed_at"]  # at most: replay may have come sooner
        assert wait_for(lambda: not _names(visitor, second, SECOND),
                        PAGE_CACHE_SECONDS + 10, step=0.05)  # fmt: skip
        stale = time.time() - removal["committed_at"]
        assert stale <= lag + PAGE_CACHE_SECONDS + RENDER_SLACK, (stale, lag)
        figure(
            f"unpaused replica: a removal by the service was replayed at most {lag:.2f}s after "
            f"its commit (including the command's exit) and off every public page {stale:.1f}s "
            f"after it (bound: lag + {PAGE_CACHE_SECONDS}s page cache + {RENDER_SLACK:.0f}s)"
        )
        web_log = log.read_text()
        assert " 500 " not in web_log and "Traceback" not in web_log, web_log[-3000:]

        # --- the replica gone: public pages answer 503 (no silent fallback), the rest works --
        stop_server(replica_dir)
        down = visitor.get(f"/entries/{first['public_id']}/")
        assert down.status == 503 and "Temporarily unavailable" in down.body, down.body[-2000:]
        assert reviewer.get("/admin/").status == 200  # the officials' pages read the primary
        assert "Traceback" not in log.read_text()
    finally:
        if web is not None:
            stop_group(web)
        stop_server(replica_dir)
        stop_server(primary_dir)
        _forget_keys(settings.REDIS_URL, f"replica-test-{web_port}:")
    figure(
        f"setup (primary, pg_basebackup replica, migrate, gunicorn) {setup_seconds:.0f}s; "
        f"whole test {time.monotonic() - started:.0f}s"
    )


def _forget_keys(redis_url: str, prefix: str) -> None:
    """The web process's cache and rate-limit keys (under its own CACHE_KEY_PREFIX)."""
    import redis

    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter(match=f"{prefix}*", count=500):
        client.delete(key)


def _url(port: int) -> str:
    return f"postgres://postgres@127.0.0.1:{port}/{embedded.PG_DATABASE}"


def _shell(env: dict[str, str], call: str) -> dict:
    """One function of tests/replica/primary.py in `manage.py shell` on the primary."""
    done = subprocess.run(
        [sys.executable, "manage.py", "shell", "-v", "0", "-c",
         f"from tests.replica.primary import *; {call}"],
        cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    line = next(x for x in done.stdout.splitlines() if x.startswith("RESULT "))
    return json.loads(line.removeprefix("RESULT "))


def _up(browser: Browser) -> bool:
    try:
        return browser.get("/healthz").status == 200
    except OSError:
        return False


def _paths(entry: dict, name: str) -> dict[str, str]:
    q = quote(name)
    return {
        "entry page": f"/entries/{entry['public_id']}/",
        "search": f"/search/?q={q}",
        "API": f"/api/v1/public/entries/?q={q}",
        "open data": "/open-data/enterprises.csv",
    }


def _named(browser: Browser, entry: dict, name: str) -> dict[str, bool]:
    """Which public pages show the entry: its page answers with the name; search results link
    to it, the API and open data carry its public id (the search form echoes the name typed,
    so the name alone would prove nothing there)."""
    named = {}
    for what, path in _paths(entry, name).items():
        page = browser.get(path)
        assert page.status in (200, 404), (path, page.status, page.body[-2000:])
        if what == "entry page":
            named[what] = page.status == 200 and name in page.body
        else:
            named[what] = page.status == 200 and entry["public_id"] in page.body
    return named


def _shown(browser: Browser, entry: dict, name: str) -> bool:
    return all(_named(browser, entry, name).values())


def _hidden(browser: Browser, entry: dict, name: str) -> bool:
    return not any(_named(browser, entry, name).values())


def _names(browser: Browser, entry: dict, name: str) -> bool:
    """Any public page (entry page, search, API; open data is not cached) names the entry."""
    return any(_named(browser, entry, name).values())


def _admin_login(browser: Browser, username: str, password: str, otp_key: str) -> None:
    """The officials' two-step login: password, then the TOTP code."""
    token = browser.csrf_token("/admin/login/?next=/admin/")
    step = browser.post("/admin/login/?next=/admin/", {
        "csrfmiddlewaretoken": token, "username": username, "password": password,
        "next": "/admin/",
    })  # fmt: skip
    assert step.status == 302 and "second-factor" in step.location, step.body[-2000:]
    path = re.sub(r"^https?://[^/]+", "", step.location)
    token = browser.csrf_token(path)
    code = f"{totp(bytes.fromhex(otp_key)):06d}"
    verified = browser.post(path, {"csrfmiddlewaretoken": token, "otp_token": code})
    assert verified.status == 302, verified.body[-2000:]
    assert browser.get("/admin/").status == 200
