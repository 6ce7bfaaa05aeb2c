"""The HTTP checks of `.ci/production-smoke`: the portal behind nginx (TLS), as a browser and
as an agency client see it. Standard library only; every check prints PASS or FAIL lines and
the command exits 1 if any failed.

    python -m scs_portal.production_smoke CHECK --base https://127.0.0.1:PORT --cafile cert.pem \\
        [--http-base http://127.0.0.1:PORT] [check options]

Checks: wait, pages, headers, static, ratelimit, upload, import, reload, worker-health.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import signal
import ssl
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode, urlsplit

DEMO_PASSWORD = "demo-Pass-2026"  # noqa: S105 - the published demo password (scs_portal.demo)
HSTS = "max-age=31536000; includeSubDomains; preload"
HASHED_STATIC = re.compile(r'(/static/[^"\'?#\s]+\.[0-9a-f]{12}\.(?:css|js))')


@dataclass
class Answer:
    status: int
    headers: http.client.HTTPMessage
    body: bytes

    def header(self, name: str) -> str:
        return self.headers.get(name, "")

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")


@dataclass
class Client:
    base: str
    cafile: str | None = None
    source: str | None = None  # the client's own loopback address (127.0.0.x)
    cookies: dict[str, str] = field(default_factory=dict)

    def connection(self) -> http.client.HTTPConnection:
        parts = urlsplit(self.base)
        source = (self.source, 0) if self.source else None
        if parts.scheme == "https":
            context = ssl.create_default_context(cafile=self.cafile)
            return http.client.HTTPSConnection(
                parts.hostname, parts.port, timeout=30, context=context, source_address=source
            )
        return http.client.HTTPConnection(
            parts.hostname, parts.port, timeout=30, source_address=source
        )

    def request(self, method, path, body=None, headers=None, connection=None) -> Answer:
        own = connection is None
        connection = connection or self.connection()
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            answer = Answer(response.status, response.headers, response.read())
        finally:
            if own:
                connection.close()
        for value in answer.headers.get_all("Set-Cookie") or []:
            name, _, rest = value.partition("=")
            self.cookies[name.strip()] = rest.split(";", 1)[0]
        return answer

    def get(self, path, **kwargs) -> Answer:
        return self.request("GET", path, **kwargs)


class Checks:
    def __init__(self) -> None:
        self.failed = 0

    def check(self, ok: bool, what: str, detail: str = "") -> bool:
        print(
            f"{'PASS' if ok else 'FAIL'}: {what}" + (f" — {detail}" if detail else ""), flush=True
        )
        self.failed += not ok
        return ok


# --- checks ---------------------------------------------------------------------------------


def wait(args, checks: Checks) -> None:
    client = Client(args.base, args.cafile)
    deadline = time.monotonic() + args.timeout
    status = None
    while time.monotonic() < deadline:
        try:
            status = client.get(args.path).status
        except OSError as exc:
            status = repr(exc)
        if status == 200:
            break
        time.sleep(0.5)
    checks.check(status == 200, f"{args.path} answers 200 through nginx", f"last: {status}")


def pages(args, checks: Checks) -> None:
    client = Client(args.base, args.cafile)
    for path, marker in (
        ("/", "<html"),
        ("/how-to-object/", "<html"),
        ("/search/", "<html"),  # no query: the form, not a counted search
        ("/api/v1/public/entries/", '"results"'),
        ("/open-data/enterprises.csv", ","),  # streamed with .iterator(): a server-side
        ("/open-data/enterprises.json", "["),  # cursor would break behind PgBouncer
        ("/api/schema/", "openapi"),
        ("/healthz", '"database": "ok"'),
    ):
        answer = client.get(path, headers={"Accept-Language": "en"})
        checks.check(
            answer.status == 200 and marker in answer.text, f"GET {path}", f"{answer.status}"
        )
    entries = json.loads(client.get("/api/v1/public/entries/").body).get("results", [])
    if checks.check(bool(entries), "the demo data has public entries"):
        public_id = entries[0].get("id") or entries[0].get("public_id")
        answer = client.get(f"/entries/{public_id}/")
        checks.check(answer.status == 200, f"GET /entries/{public_id}/", f"{answer.status}")

    admin = Client(args.base, args.cafile)
    login = admin.get("/admin/login/")
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.text)
    checks.check(
        login.status == 200 and token is not None, "GET /admin/login/ (the form)", f"{login.status}"
    )
    if token is None:
        return
    secure = all("; Secure" in c or "; secure" in c for c in login.headers.get_all("Set-Cookie"))
    checks.check(secure, "cookies are Secure behind the TLS proxy")
    form = urlencode(
        {
            "csrfmiddlewaretoken": token.group(1),
            "username": "admin",
            "password": DEMO_PASSWORD,
            "next": "/admin/",
        }
    )
    answer = admin.request(
        "POST",
        "/admin/login/",
        body=form,
        headers={
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": args.base + "/admin/login/",
            "Origin": args.base,
        },
    )
    location = answer.header("Location")
    checks.check(
        answer.status == 302 and "/admin/second-factor/" in location,
        "admin login: the password step passes (CSRF, session) and leads to the second factor",
        f"{answer.status} → {location}",
    )


def headers(args, checks: Checks) -> None:
    client = Client(args.base, args.cafile)
    for path in ("/", "/admin/login/"):
        answer = client.get(path)
        csp = answer.header("Content-Security-Policy")
        checks.check(
            "default-src 'self'" in csp and "frame-ancestors 'none'" in csp,
            f"{path}: Content-Security-Policy",
            csp[:80],
        )
        checks.check(
            answer.header("Strict-Transport-Security") == HSTS,
            f"{path}: Strict-Transport-Security over HTTPS",
            answer.header("Strict-Transport-Security"),
        )
        checks.check(
            answer.header("X-Content-Type-Options") == "nosniff", f"{path}: X-Content-Type-Options"
        )
        checks.check(answer.header("Referrer-Policy") == "same-origin", f"{path}: Referrer-Policy")
        checks.check(
            "camera=()" in answer.header("Permissions-Policy"), f"{path}: Permissions-Policy"
        )
        checks.check(answer.header("X-Frame-Options") == "DENY", f"{path}: X-Frame-Options")
        checks.check(
            re.search(r"\d", answer.header("Server")) is None,
            f"{path}: Server names no version",
            answer.header("Server"),
        )
    admin = client.get("/admin/login/")
    checks.check(
        "no-store" in admin.header("Cache-Control"), "/admin/login/: Cache-Control no-store"
    )
    if args.http_base:
        plain = Client(args.http_base).get("/search/?kind=person")
        location = plain.header("Location")
        checks.check(
            plain.status == 301 and location.startswith("https://"),
            "plain HTTP: 301 to HTTPS",
            f"{plain.status} → {location}",
        )
        checks.check(
            not plain.header("Strict-Transport-Security"),
            "plain HTTP: no Strict-Transport-Security (only sent over HTTPS)",
        )


def static(args, checks: Checks) -> None:
    client = Client(args.base, args.cafile)
    home = client.get("/")
    urls = sorted(set(HASHED_STATIC.findall(home.text)))
    if not checks.check(bool(urls), "the page links static files by hashed names", str(urls[:3])):
        return
    for url in urls:
        answer = client.get(url, headers={"Accept-Encoding": "gzip"})
        checks.check(
            answer.status == 200
            and answer.header("Cache-Control") == "public, max-age=31536000, immutable",
            f"{url}: far-future Cache-Control",
            f"{answer.status} {answer.header('Cache-Control')}",
        )
        checks.check(
            answer.header("Content-Encoding") == "gzip",
            f"{url}: the precompressed .gz copy (gzip_static)",
        )
        checks.check(
            answer.header("X-Content-Type-Options") == "nosniff"
            and answer.header("Strict-Transport-Security") == HSTS,
            f"{url}: nosniff and HSTS on static files too",
        )
    unhashed = re.sub(r"\.[0-9a-f]{12}\.", ".", urls[0])
    answer = client.get(unhashed)
    checks.check(
        answer.status == 200 and answer.header("Cache-Control") == "public, max-age=3600",
        f"{unhashed} (unhashed name): short caching only",
        f"{answer.status} {answer.header('Cache-Control')}",
    )
    if args.gunicorn_log:
        log = Path(args.gunicorn_log).read_text(errors="replace")
        checks.check(
            "/static/" not in log, "static files never reached gunicorn (nginx served them)"
        )


def ratelimit(args, checks: Checks) -> None:
    """Client A (127.0.0.2) and client B (127.0.0.3) search through nginx. A's own
    X-Forwarded-For header must not buy it a new budget; B has one of its own."""
    path = "/search/?" + urlencode({"q": "王"})
    for attempt in range(3):
        # the limiter counts fixed one-minute windows: all of it within one (a retry starts
        # with the next window, the one it ran into may hold some of its requests)
        if attempt or time.time() % 60 > 45:
            time.sleep(61 - time.time() % 60)
        window = int(time.time() // 60)
        a = Client(args.base, args.cafile, source="127.0.0.2")
        b = Client(args.base, args.cafile, source="127.0.0.3")
        first = [a.get(path).status for _ in range(args.limit)]
        over = a.get(path).status
        forged = [
            a.get(path, headers={"X-Forwarded-For": spoof}).status
            for spoof in ("203.0.113.7", "127.0.0.3", "203.0.113.8, 198.51.100.9")
        ]
        other = b.get(path).status
        if int(time.time() // 60) == window:
            break
    checks.check(
        first == [200] * args.limit, f"client A: {args.limit} searches allowed", str(first)
    )
    checks.check(over == 429, "client A: the next one is refused (429)", str(over))
    checks.check(
        forged == [429] * 3,
        "client A with a forged X-Forwarded-For: still refused (no new budget)",
        str(forged),
    )
    checks.check(other == 200, "client B behind the same proxy: its own budget", str(other))


def upload(args, checks: Checks) -> None:
    """nginx's body limit: the largest legitimate request (every attachment at the evidence
    limit) reaches the portal; one byte over nginx's limit is refused by nginx (413)."""
    client = Client(args.base, args.cafile)
    auth = {"Authorization": f"Api-Key {args.api_key}"}
    boundary = uuid.uuid4().hex
    part = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
        f'filename="e.pdf"\r\nContent-Type: application/pdf\r\n\r\n'
    ).encode()
    chunk = part + b"%PDF-1.4\n" + b"0" * (args.evidence_bytes - 9) + b"\r\n"
    body = chunk * args.attachments + f"--{boundary}--\r\n".encode()
    answer = client.request(
        "POST",
        "/api/v1/imports/",
        body=body,
        headers={**auth, "Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    checks.check(
        answer.status != 413 and "application/json" in answer.header("Content-Type"),
        f"{args.attachments} × {args.evidence_bytes} bytes ({len(body)} in all) reach the "
        "portal, which answers itself",
        f"{answer.status} {answer.text[:80]}",
    )
    connection = client.connection()
    status = None
    try:
        connection.putrequest("POST", "/api/v1/imports/")
        for name, value in {
            **auth,
            "Content-Type": "application/octet-stream",
            "Content-Length": str(args.max_body + 1),
        }.items():
            connection.putheader(name, value)
        connection.endheaders()
        try:
            sent = 0
            block = b"0" * 65536
            while sent < args.max_body + 1:
                connection.send(block[: args.max_body + 1 - sent])
                sent += len(block)
        except OSError:
            pass  # nginx may answer and close before the body is through
        response = connection.getresponse()
        status = response.status
        server = response.headers.get("Server", "")
    finally:
        connection.close()
    checks.check(
        status == 413 and server == "nginx",
        f"{args.max_body + 1} bytes: refused by nginx (413)",
        f"{status}",
    )


def import_batch(args, checks: Checks) -> None:
    """A bulk import through nginx, processed by the worker through PgBouncer."""
    client = Client(args.base, args.cafile)
    auth = {"Authorization": f"Api-Key {args.api_key}"}
    number = f"(2026)京0101执{int(time.time()) % 100000}号"
    csv = (
        "subject_kind,identifier,name,record_type,decision_number,decision_date,"
        "judicial_ground\n"
        f"person,110101198803150031,王小明,judicial-dishonest-debtor,{number},"
        "2026-01-06,2\n"
    )
    boundary = uuid.uuid4().hex
    body = (
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="d.csv"\r\n'
        f"Content-Type: text/csv\r\n\r\n{csv}\r\n--{boundary}--\r\n"
    ).encode()
    answer = client.request(
        "POST",
        "/api/v1/imports/",
        body=body,
        headers={**auth, "Content-Type": f"multipart/form-data; boundary={boundary}"},
    )
    if not checks.check(answer.status == 202, "import queued (202)", answer.text[:120]):
        return
    batch = json.loads(answer.body)
    deadline = time.monotonic() + args.timeout
    while time.monotonic() < deadline and batch.get("status") in ("pending", "running"):
        time.sleep(0.5)
        batch = json.loads(client.get(f"/api/v1/imports/{batch['id']}/", headers=auth).body)
    checks.check(
        batch.get("status") == "done" and batch.get("rows_imported") == 1,
        "the worker imported it (import_batch_process through PgBouncer)",
        f"status {batch.get('status')}, imported {batch.get('rows_imported')}, "
        f"{batch.get('failure_reason') or batch.get('report')}",
    )


def _children(pid: int) -> set[int]:
    """The worker processes of our gunicorn master: the processes whose parent it is."""
    found = set()
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:  # gone meanwhile
            continue
        if int(fields[1]) == pid:
            found.add(int(stat.parent.name))
    return found


def reload(args, checks: Checks) -> None:
    """Requests in a loop on several connections while gunicorn's master gets SIGHUP twice:
    every answer must be a 200 (none lost, none failed)."""
    client = Client(args.base, args.cafile)
    statuses: list[int | str] = []
    slowest = [0.0]
    lock = threading.Lock()
    stop = threading.Event()
    # pages without a rate limit (a search or an entry page counts against one)
    paths = ["/", "/how-to-object/", "/healthz", "/search/"]

    def load(index: int) -> None:
        connection = None
        n = index
        while not stop.is_set():
            connection = connection or client.connection()
            sent = time.monotonic()
            try:
                status: int | str = client.get(paths[n % len(paths)], connection=connection).status
            except (OSError, http.client.HTTPException) as exc:
                status = type(exc).__name__
                connection.close()
                connection = None
            with lock:
                statuses.append(status)
                slowest[0] = max(slowest[0], time.monotonic() - sent)
            n += 1
        if connection:
            connection.close()

    before = _children(args.master_pid)
    threads = [threading.Thread(target=load, args=(i,)) for i in range(args.threads)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    reloads = [float(s) for s in args.hup_at.split(",")]
    for at in reloads:
        time.sleep(max(0.0, started + at - time.monotonic()))
        os.kill(args.master_pid, signal.SIGHUP)
    time.sleep(max(0.0, started + args.seconds - time.monotonic()))
    stop.set()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    after = _children(args.master_pid)
    bad = [s for s in statuses if s != 200]
    checks.check(
        bool(statuses) and not bad,
        f"{len(reloads)} graceful reloads (HUP) under load: {len(statuses)} requests in "
        f"{elapsed:.1f}s on {args.threads} connections, all 200",
        f"not 200: {bad[:10]} ({len(bad)})" if bad else f"slowest {slowest[0]:.2f}s",
    )
    checks.check(
        bool(after) and not (before & after),
        "the workers were replaced by new ones",
        f"{sorted(before)} → {sorted(after)}",
    )


def worker_health(args, checks: Checks) -> None:
    client = Client(args.base, args.cafile)
    deadline = time.monotonic() + args.timeout
    started = time.monotonic()
    want = 200 if args.expect == "ok" else 503
    answer = None
    while time.monotonic() < deadline:
        answer = client.get("/healthz?worker=1")
        body = json.loads(answer.body)
        if answer.status == want and body.get("worker") == args.expect:
            break
        time.sleep(0.5)
    body = json.loads(answer.body) if answer else {}
    checks.check(
        answer is not None and answer.status == want and body.get("worker") == args.expect,
        f"/healthz?worker=1: {want}, worker {args.expect} "
        f"(after {time.monotonic() - started:.1f}s)",
        json.dumps(body),
    )
    plain = client.get("/healthz")
    checks.check(
        plain.status == 200, "/healthz (load balancer) stays 200 whatever the worker", plain.text
    )


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m scs_portal.production_smoke")
    parser.add_argument(
        "check",
        choices=[
            "wait",
            "pages",
            "headers",
            "static",
            "ratelimit",
            "upload",
            "import",
            "reload",
            "worker-health",
        ],
    )
    parser.add_argument("--base", required=True, help="https://127.0.0.1:PORT (nginx)")
    parser.add_argument("--http-base", help="nginx's plain-HTTP address")
    parser.add_argument("--cafile", help="the certificate nginx presents")
    parser.add_argument("--path", default="/healthz")
    parser.add_argument("--timeout", type=float, default=60)
    parser.add_argument("--limit", type=int, default=5, help="SCS_SEARCH_RATE_PER_MINUTE")
    parser.add_argument("--api-key")
    parser.add_argument("--max-body", type=int, help="nginx's client_max_body_size in bytes")
    parser.add_argument("--evidence-bytes", type=int)
    parser.add_argument("--attachments", type=int)
    parser.add_argument("--master-pid", type=int)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=8)
    parser.add_argument("--hup-at", default="2,5", help="seconds into the load")
    parser.add_argument("--expect", choices=["ok", "stale"], default="ok")
    parser.add_argument("--gunicorn-log")
    args = parser.parse_args(argv)
    checks = Checks()
    run = {
        "wait": wait,
        "pages": pages,
        "headers": headers,
        "static": static,
        "ratelimit": ratelimit,
        "upload": upload,
        "import": import_batch,
        "reload": reload,
        "worker-health": worker_health,
    }[args.check]
    try:
        run(args, checks)
    except (OSError, http.client.HTTPException, ValueError, KeyError) as exc:
        checks.check(False, f"{args.check}: {type(exc).__name__}: {exc}")
    return 1 if checks.failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
