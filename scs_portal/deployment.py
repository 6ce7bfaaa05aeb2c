"""The deployment templates in deploy/ filled in: nginx's site and PgBouncer's config.

Values that the settings decide (static root, request body limit, HSTS, Referrer-Policy,
database name and server) come from the settings of the environment the command runs in;
host-specific ones (names, addresses, certificate paths) from options with production
defaults. `manage.py render_deploy_config` prints them; `.ci/production-smoke` renders the same
templates for loopback. docs/deployment.md.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

from django.conf import settings

DEPLOY_DIR = Path(__file__).resolve().parent.parent / "deploy"
NGINX_TEMPLATE = DEPLOY_DIR / "nginx" / "scs-portal.conf.template"
PGBOUNCER_TEMPLATE = DEPLOY_DIR / "pgbouncer" / "pgbouncer.ini.template"
_PLACEHOLDER = re.compile(r"\{\{ *([a-z_]+) *\}\}")
# Multipart framing and the form's own fields around the files of one request.
MULTIPART_ALLOWANCE_BYTES = 1024 * 1024


def render(template: str, values: dict[str, str]) -> str:
    """Fill every {{ name }}; a placeholder without a value, or a value no placeholder
    uses, is an error (a template and its renderer never drift apart silently)."""
    used = set(_PLACEHOLDER.findall(template))
    if missing := used - values.keys():
        raise KeyError(f"no value for {sorted(missing)}")
    if unused := values.keys() - used:
        raise KeyError(f"no placeholder for {sorted(unused)}")
    return _PLACEHOLDER.sub(lambda match: str(values[match.group(1)]), template)


def max_request_body_bytes() -> int:
    """The largest request body the portal accepts, for nginx's client_max_body_size.

    A citizen's objection or repair application carries up to SCS_FILING_MAX_ATTACHMENTS
    files of up to SCS_EVIDENCE_MAX_BYTES each in one request; an official's evidence upload
    one such file; an agency import up to SCS_IMPORT_MAX_BYTES; other forms up to
    DATA_UPLOAD_MAX_MEMORY_SIZE. Each file is checked against the evidence limit by the portal
    itself; nginx refuses what no check could accept."""
    evidence = settings.SCS_EVIDENCE_MAX_BYTES
    largest = max(
        evidence * max(1, settings.SCS_FILING_MAX_ATTACHMENTS),
        settings.SCS_IMPORT_MAX_BYTES,
        settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 0,
    )
    return largest + MULTIPART_ALLOWANCE_BYTES


def nginx_size(size: int) -> str:
    """Bytes as nginx writes a size, rounded up to whole KiB (e.g. 53477376 -> "52224k")."""
    kib = math.ceil(size / 1024)
    return f"{kib // 1024}m" if kib % 1024 == 0 else f"{kib}k"


def hsts_header() -> str:
    seconds = getattr(settings, "SECURE_HSTS_SECONDS", 0)
    if not seconds:
        return "# no Strict-Transport-Security: DJANGO_SECURE_HSTS_SECONDS is 0"
    value = f"max-age={seconds}"
    if getattr(settings, "SECURE_HSTS_INCLUDE_SUBDOMAINS", False):
        value += "; includeSubDomains"
    if getattr(settings, "SECURE_HSTS_PRELOAD", False):
        value += "; preload"
    return f'add_header Strict-Transport-Security "{value}" always;'


@dataclass
class NginxSite:
    server_name: str
    upstream: str = "unix:/run/scs-portal/gunicorn.sock"
    https_listen: list[str] = field(default_factory=lambda: ["443", "[::]:443"])
    http_listen: list[str] = field(default_factory=lambda: ["80", "[::]:80"])
    tls_certificate: str = "/etc/scs-portal/tls/fullchain.pem"
    tls_certificate_key: str = "/etc/scs-portal/tls/privkey.pem"
    access_log: str = "/var/log/nginx/scs-portal.access.log"

    def render(self) -> str:
        indent = "\n    "
        return render(
            NGINX_TEMPLATE.read_text(),
            {
                "server_name": self.server_name,
                "upstream": self.upstream,
                "https_listen": indent.join(f"listen {a} ssl http2;" for a in self.https_listen),
                "http_listen": indent.join(f"listen {a};" for a in self.http_listen),
                "tls_certificate": self.tls_certificate,
                "tls_certificate_key": self.tls_certificate_key,
                "access_log": self.access_log,
                "static_root": str(settings.STATIC_ROOT).rstrip("/"),
                "client_max_body_size": nginx_size(max_request_body_bytes()),
                "hsts_header": hsts_header(),
                "referrer_policy": settings.SECURE_REFERRER_POLICY,
            },
        )


@dataclass
class PgBouncerConfig:
    """Server host/port and database default to DATABASE_MIGRATE_URL (the server's direct
    address, when set) and DATABASE_URL's database name."""

    server_host: str | None = None
    server_port: int | None = None
    listen_addr: str = "127.0.0.1"
    listen_port: int = 6432
    unix_socket_dir: str = "/var/run/postgresql"
    logfile: str = "/var/log/postgresql/pgbouncer.log"
    pidfile: str = "/var/run/postgresql/pgbouncer.pid"
    auth_file: str = "/etc/pgbouncer/userlist.txt"
    default_pool_size: int = 20
    min_pool_size: int = 0
    max_client_conn: int = 1000
    server_round_robin: int = 0
    admin_users: str = ""
    stats_users: str = ""

    def render(self) -> str:
        direct = settings.DATABASE_MIGRATE or settings.DATABASES["default"]
        if (
            settings.DATABASE_POOLER
            and settings.DATABASE_MIGRATE is None
            and not (self.server_host and self.server_port)
        ):
            # DATABASE_URL is PgBouncer's own address then: it cannot point at itself
            raise ValueError(
                "Behind the pooler DATABASE_URL is PgBouncer's address: set DATABASE_MIGRATE_URL "
                "(the server's direct address) or give the server's host and port."
            )
        return render(
            PGBOUNCER_TEMPLATE.read_text(),
            {
                "database": settings.DATABASES["default"]["NAME"],
                "server_host": self.server_host or direct["HOST"] or "127.0.0.1",
                "server_port": self.server_port or direct["PORT"] or 5432,
                "listen_addr": self.listen_addr,
                "listen_port": self.listen_port,
                "unix_socket_dir": self.unix_socket_dir,
                "logfile": self.logfile,
                "pidfile": self.pidfile,
                "auth_file": self.auth_file,
                "default_pool_size": self.default_pool_size,
                "min_pool_size": self.min_pool_size,
                "max_client_conn": self.max_client_conn,
                "server_round_robin": self.server_round_robin,
                "admin_users": self.admin_users,
                "stats_users": self.stats_users,
            },
        )
