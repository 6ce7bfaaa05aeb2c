"""gunicorn for SCS Portal: `gunicorn -c deploy/gunicorn.conf.py scs_portal.wsgi`.

Everything tunable comes from the environment (deploy/.env.production.example); docs/deployment.md
explains the numbers. Read again on SIGHUP (`systemctl reload scs-portal-web`): new workers
start with the new code and settings while the old ones finish their requests.
https://docs.gunicorn.org/en/stable/settings.html
"""

import multiprocessing
import os


def _int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


# Where nginx reaches us. Ignored under systemd socket activation (scs-portal-web.socket hands
# over its socket). A unix socket: nothing else on the host can talk to gunicorn directly and
# forge the X-Forwarded-For that SCS_TRUSTED_PROXY_HOPS trusts.
bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")

# Processes × threads = requests served at once. Threads overlap the waits on PostgreSQL and
# Redis; each thread keeps its own connection to PgBouncer (size max_client_conn for it).
workers = _int("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1)
threads = _int("GUNICORN_THREADS", 4)
worker_class = "gthread" if threads > 1 else "sync"

# A worker silent for this long is killed and replaced (a stuck request, not a slow one: with
# gthread the worker keeps reporting while its threads work).
timeout = _int("GUNICORN_TIMEOUT", 30)
# On reload (HUP) or stop (TERM) a worker finishes the requests it has for this long; keep
# systemd's TimeoutStopSec above it (deploy/systemd/scs-portal-web.service).
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
keepalive = _int("GUNICORN_KEEPALIVE", 5)
# Recycle a worker after this many requests (± jitter, so they don't all restart at once):
# bounds the growth of a leak. 0 = never.
max_requests = _int("GUNICORN_MAX_REQUESTS", 2000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 200)

# Each worker imports the app itself, so a reload (HUP) loads new code.
preload_app = False

# Logs to stdout/stderr (the journal under systemd).
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# The path only (%(U)s), never the query string or the Referer: both can carry a name someone
# searched for. The client is the address nginx forwarded (X-Forwarded-For).
access_log_format = '%({x-forwarded-for}i)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(B)s %(M)sms "%(a)s"'
