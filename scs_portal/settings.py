"""Settings for SCS Portal, driven entirely by the environment.

Production differs from development only by environment variables (see `.env.example`).
When DATABASE_URL / REDIS_URL are unset, the embedded PostgreSQL and Redis started by
`scs_portal.embedded` (``make run`` / ``make test``) are used.
"""

import copy
import datetime
from pathlib import Path

import environ
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _
from kombu import Queue

from scs_portal import embedded

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
# A local .env is optional and never committed (.env.example documents the variables).
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

# Secure by default: DEBUG is off unless asked for.
DEBUG = env.bool("DJANGO_DEBUG", default=False)

if DEBUG:
    SECRET_KEY = env("DJANGO_SECRET_KEY", default="django-insecure-development-only-key")
else:
    SECRET_KEY = env("DJANGO_SECRET_KEY")  # required in production; no default

ALLOWED_HOSTS = env.list(
    "DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else []
)
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "scs_portal.admin_site.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "bootstrap",  # Bootstrap 5 CSS from the django-bootstrap-static wheel, served locally
    "rest_framework",
    "django_filters",
    "axes",  # login failure tracking and lockout (citizen and admin logins)
    # officials' second factor (TOTP + backup codes); before scs_portal, whose admin module
    # takes their device admins off the site (secrets are never shown there)
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI / Redoc assets served locally (no CDN)
    "csp",  # Content-Security-Policy header (CONTENT_SECURITY_POLICY below)
    "scs_portal",
    "sanctions",
    "citizens",
    "enterprises",
]

MIDDLEWARE = [
    # response headers on every answer, also the 400/503 ones answered by the middlewares
    # below (neither reads request.GET, so the 400 check below still sees it first):
    # Content-Security-Policy, Permissions-Policy, Cache-Control: no-store on personal pages
    "csp.middleware.CSPMiddleware",
    "scs_portal.middleware.PermissionsPolicyMiddleware",
    "scs_portal.middleware.NoStoreForPersonalPagesMiddleware",
    # first: more than DATA_UPLOAD_MAX_NUMBER_FIELDS query parameters is a 400, under DEBUG too
    "scs_portal.middleware.RefuseTooManyQueryParameters",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # the database or Redis unavailable: 503 + Retry-After (JSON under /api/, else a plain
    # page), also for errors raised in the session/auth middlewares below it
    "scs_portal.middleware.ServiceUnavailableMiddleware",
    "scs_portal.middleware.DropMalformedSessionCookie",
    # the client address (SCS_TRUSTED_PROXY_HOPS rule) that audit rows of this request carry
    "sanctions.kernel.request_context.ClientAddressMiddleware",
    # read replicas: public read-only views may read a replica; a browser that just wrote is
    # pinned to the primary (docs/scaling.md, "Read replicas"); inert without replicas
    "scs_portal.middleware.ReplicaRoutingMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): the session passed the second factor (staff pages need it)
    "django_otp.middleware.OTPMiddleware",
    # logs a session out SCS_SESSION_ABSOLUTE_SECONDS after its login, however active it is
    "scs_portal.middleware.AbsoluteSessionLifetimeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # last, as its docs require: turns a locked-out login into the lockout page
    "axes.middleware.AxesMiddleware",
]

# Axes first: it refuses a locked-out login before the password is even checked.
# https://django-axes.readthedocs.io/en/latest/4_configuration.html
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env.int("SCS_LOGIN_FAILURE_LIMIT", default=5)
# Per account and address together, so nobody can lock a citizen out from elsewhere.
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# Escalating: 15 min after 5 failures, doubled for each further 5 (capped at a day).
AXES_COOLOFF_TIME = "citizens.lockout.cooloff"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "citizens/locked_out.html"
AXES_VERBOSE = False
# The client address by the project's rule (SCS_TRUSTED_PROXY_HOPS), not the proxy's own.
AXES_CLIENT_IP_CALLABLE = "citizens.lockout.axes_client_ip"
# Masked in AccessAttempt.post_data/get_data (the password always is): ID numbers, codes.
AXES_SENSITIVE_PARAMETERS = [
    "resident_id", "identifier", "code", "otp_token", "token", "password1", "password2",
]  # fmt: skip
# Per account across all addresses: after this many failures within the hour each further
# attempt waits 1, 2, 4 … seconds (at most the maximum). It slows, never locks: the wait is
# short, and a browser the owner has logged in with before is not made to wait.
SCS_LOGIN_SLOWDOWN_AFTER = env.int("SCS_LOGIN_SLOWDOWN_AFTER", default=10)
SCS_LOGIN_SLOWDOWN_MAX_SECONDS = env.int("SCS_LOGIN_SLOWDOWN_MAX_SECONDS", default=60)
# Officials' login (admin) POSTs per IP and minute.
SCS_ADMIN_LOGIN_RATE_PER_MINUTE = env.int("SCS_ADMIN_LOGIN_RATE_PER_MINUTE", default=10)
SCS_LOGIN_COOLOFF_MINUTES = env.int("SCS_LOGIN_COOLOFF_MINUTES", default=15)

# Officials' second factor (docs/security.md). The issuer names the account in the
# authenticator app. https://django-otp-official.readthedocs.io/en/stable/overview.html
OTP_TOTP_ISSUER = env("SCS_OTP_ISSUER", default="SCS Portal")
# After each wrong code the device waits 1, 2, 4, 8 … seconds (per device, in the database).
OTP_TOTP_THROTTLE_FACTOR = env.int("SCS_OTP_THROTTLE_FACTOR", default=1)
OTP_STATIC_THROTTLE_FACTOR = env.int("SCS_OTP_THROTTLE_FACTOR", default=1)
# one-time backup codes shown once at enrolment
SCS_OTP_BACKUP_CODES = env.int("SCS_OTP_BACKUP_CODES", default=10)
# a device is enrolled only this soon after the password was typed (re-authentication)
SCS_OTP_ENROL_WINDOW_SECONDS = env.int("SCS_OTP_ENROL_WINDOW_SECONDS", default=10 * 60)

ROOT_URLCONF = "scs_portal.urls"
WSGI_APPLICATION = "scs_portal.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# PostgreSQL is the only database. Unset DATABASE_URL means the embedded server, under DEBUG
# only (`make run`, `make test` set it): without DEBUG a missing DATABASE_URL refuses to start
# rather than quietly use a local server.
# https://django-environ.readthedocs.io/en/latest/types.html#environ-env-db-url
if not DEBUG and not env("DATABASE_URL", default=""):
    raise environ.ImproperlyConfigured(
        "Set the DATABASE_URL environment variable (required without DJANGO_DEBUG)."
    )
DATABASES = {"default": env.db_url("DATABASE_URL", default=embedded.DATABASE_URL)}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DB_CONN_MAX_AGE", default=60)
# Health checks: a persistent connection broken by a database restart is replaced at the
# start of the next request instead of failing it, so the web recovers without a restart
# (tests/faults/test_postgres_outage.py).
# https://docs.djangoproject.com/en/5.2/ref/databases/#persistent-database-connections
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if not DATABASES["default"]["ENGINE"].endswith("postgresql"):
    raise environ.ImproperlyConfigured("SCS Portal runs on PostgreSQL only (DATABASE_URL).")
# Test databases are created from template0 in UTF-8: pg_trgm needs a UTF-8 ctype for CJK.
DATABASES["default"]["TEST"] = {"TEMPLATE": "template0", "CHARSET": "UTF8"}
# Optional owner credentials for schema changes: `manage.py migrate` connects with them (the
# tables' owner), everything else with DATABASE_URL (a role that owns nothing and may not run
# DDL; `manage.py create_app_role`). Same server and database, other user/password only —
# except behind a pooler (DATABASE_POOLER below): then it is the server's own host and port,
# so schema changes never go through transaction pooling.
# Unset: migrate uses DATABASE_URL too (development, tests). docs/security.md, deployment roles.
DATABASE_MIGRATE = None

# A connection pooler between Django and PostgreSQL (deploy/pgbouncer, docs/deployment.md):
# "" (none) or "pgbouncer" (PgBouncer in pool_mode = transaction). In transaction mode each
# transaction may run on another server connection, so nothing may outlive a transaction:
# - no server-side cursors: `.iterator()` would DECLARE a WITH HOLD cursor in one
#   transaction and FETCH from it in the next (the sweeps and the open-data export use it);
# - no prepared statements (psycopg prepares a query run often, on one server connection;
#   PgBouncer < 1.21 cannot follow them). Django's default; pinned here, and server-side
#   binding (which prepares) is refused;
# - advisory locks only transaction-scoped (`pg_advisory_xact_lock`; the audit chain's are),
#   and `SET LOCAL`, never a session-level `SET` (PgBouncer itself carries TimeZone,
#   client_encoding, DateStyle and application_name over to the server connection).
# DB_CONN_MAX_AGE then keeps the cheap client connection to PgBouncer, not a server one.
# https://docs.djangoproject.com/en/5.2/ref/databases/#transaction-pooling-server-side-cursors
# https://www.pgbouncer.org/features.html#sql-feature-map-for-pooling-modes
DATABASE_POOLER = env("DATABASE_POOLER", default="")
if DATABASE_POOLER not in ("", "pgbouncer"):
    raise environ.ImproperlyConfigured('DATABASE_POOLER must be "" or "pgbouncer".')
if DATABASE_POOLER:
    DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
    db_options = DATABASES["default"].setdefault("OPTIONS", {})
    if db_options.get("server_side_binding"):
        raise environ.ImproperlyConfigured(
            "server_side_binding prepares statements: not behind PgBouncer (DATABASE_POOLER)."
        )
    db_options["prepare_threshold"] = None

if env("DATABASE_MIGRATE_URL", default=""):
    DATABASE_MIGRATE = env.db_url("DATABASE_MIGRATE_URL")
    same = ("NAME",) if DATABASE_POOLER else ("NAME", "HOST", "PORT")
    if any(DATABASE_MIGRATE[key] != DATABASES["default"][key] for key in same):
        raise environ.ImproperlyConfigured(
            "DATABASE_MIGRATE_URL must name the same database as DATABASE_URL"
            + (
                " (behind the pooler: the server's direct host and port)."
                if DATABASE_POOLER
                else ", on the same host and port."
            )
        )

# Read replicas (docs/scaling.md, "Read replicas"): DATABASE_REPLICA_URLS, zero or more
# comma-separated URLs of streaming replicas of DATABASE_URL's server, become the databases
# replica_1 … replica_n. Reads of the public search, entry pages, open data and the public API
# go to one of them (scs_portal.db_router, scs_portal.middleware.ReplicaRoutingMiddleware);
# writes, every other page, Celery tasks and management commands use the primary. Each takes
# the primary's settings (persistent connections, health checks, pooler options) unless its
# URL says otherwise. In the test runner a replica mirrors the test database (TEST MIRROR).
# https://docs.djangoproject.com/en/5.2/topics/db/multi-db/#an-example
# https://docs.djangoproject.com/en/5.2/topics/testing/advanced/#testing-primary-replica-configurations
SCS_READ_REPLICAS: tuple[str, ...] = ()
_replica_urls = [url.strip() for url in env.list("DATABASE_REPLICA_URLS", default=[])]
for _number, _url in enumerate(filter(None, _replica_urls), start=1):
    _given = env.db_url_config(_url)
    _replica = {**copy.deepcopy(DATABASES["default"]), **_given, "TEST": {"MIRROR": "default"}}
    # the URL's query options add to the primary's (e.g. the pooler's), never drop them
    _replica["OPTIONS"] = {**DATABASES["default"].get("OPTIONS", {}), **_given.get("OPTIONS", {})}
    if not _replica["ENGINE"].endswith("postgresql"):
        raise environ.ImproperlyConfigured("DATABASE_REPLICA_URLS: PostgreSQL replicas only.")
    DATABASES[f"replica_{_number}"] = _replica
    SCS_READ_REPLICAS += (f"replica_{_number}",)
DATABASE_ROUTERS = ["scs_portal.db_router.PrimaryReplicaRouter"]
# Read-your-writes: after a write, the browser reads the primary (public pages too) for this
# long (a signed cookie). Keep it above the worst replica lag you accept (replay_lag in
# pg_stat_replication); a replica that lags more should leave DATABASE_REPLICA_URLS.
SCS_REPLICA_PIN_SECONDS = env.int("SCS_REPLICA_PIN_SECONDS", default=60)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env("REDIS_URL", default=embedded.REDIS_URL)
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.redis.RedisCache",
        "LOCATION": REDIS_URL,
        "KEY_PREFIX": env("CACHE_KEY_PREFIX", default="scs"),
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("TIME_ZONE", default="Asia/Shanghai")
USE_I18N = True
# project formats first (amounts grouped in Chinese as in English), then Django's own
FORMAT_MODULE_PATH = ["scs_portal.formats"]
USE_TZ = True

STATIC_URL = "static/"
# `manage.py collectstatic` writes here; nginx serves it (deploy/nginx, far-future caching of
# the hashed names the manifest storage below gives every file without DEBUG).
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
# Uploaded evidence and attachments: never served by URL (no media route, in DEBUG neither;
# don't point nginx at it). They are read through scoped, logged views (docs/security.md).
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / ".data" / "media")
MEDIA_URL = "media/"

# Messages live in the session (server side), not in a cookie: one-time activation codes and
# new API keys are shown once in a message and must never travel in a cookie.
# https://docs.djangoproject.com/en/5.2/ref/contrib/messages/#storage-backends
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

LOGIN_URL = "citizens:login"
LOGIN_REDIRECT_URL = "citizens:my_record"

# --- Security (https://docs.djangoproject.com/en/5.2/howto/deployment/checklist/) ---
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=30 * 60)
SESSION_SAVE_EVERY_REQUEST = True  # idle timeout, not absolute
# Absolute lifetime on top of the idle timeout: a session is logged out this long after its
# login, however active (scs_portal.middleware.AbsoluteSessionLifetimeMiddleware).
# https://cheatsheetseries.owasp.org/cheatsheets/Session_Management_Cheat_Sheet.html#absolute-timeout
SCS_SESSION_ABSOLUTE_SECONDS = env.int("SCS_SESSION_ABSOLUTE_SECONDS", default=12 * 3600)
SCS_STAFF_SESSION_ABSOLUTE_SECONDS = env.int("SCS_STAFF_SESSION_ABSOLUTE_SECONDS", default=8 * 3600)

# Content-Security-Policy (django-csp 4.x format): everything from this origin only; no inline
# script or style anywhere (styles live in static/css/). data: images: Bootstrap's and the
# admin's CSS draw small icons as data: SVGs. The API docs pages (Swagger UI, Redoc) get a
# relaxed policy of their own in sanctions/kernel/api_urls.py (docs/security.md).
# https://django-csp.readthedocs.io/en/latest/configuration.html
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}
# Browser features no page of the portal uses, switched off for every page (and any frame).
# https://developer.mozilla.org/docs/Web/HTTP/Headers/Permissions-Policy
SCS_PERMISSIONS_POLICY = (
    "accelerometer=(), autoplay=(), camera=(), display-capture=(), encrypted-media=(), "
    "fullscreen=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), midi=(), "
    "payment=(), picture-in-picture=(), publickey-credentials-get=(), screen-wake-lock=(), "
    "serial=(), usb=(), xr-spatial-tracking=()"
)
# Pages and API answers about one person (and the staff pages): no browser or shared cache
# keeps a copy (Cache-Control: no-store, Pragma: no-cache).
SCS_NO_STORE_PATH_PREFIXES = (
    "/my/", "/account/", "/api/v1/me/", "/api/v1/restrictions/check", "/admin/",
    "/verify/",  # a credit report's contents, shown to whoever holds its code
)  # fmt: skip
if not DEBUG:
    SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
# Behind a TLS-terminating proxy that sets X-Forwarded-Proto.
# https://docs.djangoproject.com/en/5.2/ref/settings/#secure-proxy-ssl-header
if env.bool("DJANGO_BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="consolemail://")
vars().update(EMAIL_CONFIG)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="noreply@scs-portal.invalid")

# Key for the keyed hash (HMAC-SHA256) of full identifiers: exact lookup without keeping the
# number searchable in clear twice. Changing it requires re-hashing (manage.py rehash_identifiers).
# Without DEBUG it must look random: at least 32 characters, at least 16 of them different,
# and not a placeholder such as .env.example's "change-me…" (refuses "x" * 40, "abcabc…");
# generate one with `python -c "import secrets; print(secrets.token_urlsafe(48))"`.
if DEBUG:
    # strong enough for the rule below, so the benchmarks can serve DEBUG-seeded data with
    # DEBUG off (bench/search.py, bench/page_cpu.py use the same default)
    SCS_IDENTIFIER_KEY = env(
        "SCS_IDENTIFIER_KEY", default="development-only-identifier-key-0123456789abcdef"
    )
else:
    SCS_IDENTIFIER_KEY = env("SCS_IDENTIFIER_KEY")
    if (
        len(SCS_IDENTIFIER_KEY) < 32
        or len(set(SCS_IDENTIFIER_KEY)) < 16
        or any(word in SCS_IDENTIFIER_KEY.lower() for word in ("change-me", "changeme"))
    ):
        raise environ.ImproperlyConfigured(
            "SCS_IDENTIFIER_KEY is too weak: use at least 32 random characters "
            "(python -c 'import secrets; print(secrets.token_urlsafe(48))')."
        )

# Due-process parameters (DESIGN.md §6).
SCS_NOTICE_PERIOD_DAYS = env.int("SCS_NOTICE_PERIOD_DAYS", default=10)
SCS_OBJECTION_DECISION_DAYS = env.int("SCS_OBJECTION_DECISION_DAYS", default=15)
SCS_APPEAL_FILING_DAYS = env.int("SCS_APPEAL_FILING_DAYS", default=10)
SCS_REPAIR_DECISION_WORKDAYS = env.int("SCS_REPAIR_DECISION_WORKDAYS", default=15)
# The system check sanctions.W001 and the dashboard warn while the holiday calendar ends sooner.
SCS_HOLIDAY_CALENDAR_DAYS_AHEAD = env.int("SCS_HOLIDAY_CALENDAR_DAYS_AHEAD", default=120)
# Deadline reminders name the cases, objections and repairs due within this many working days.
SCS_REMINDER_WORKDAYS = env.int("SCS_REMINDER_WORKDAYS", default=2)
# Credit repair may be applied for this many days after the decision, by tier.
SCS_REPAIR_AFTER_DAYS = {"general": 91, "serious": 365}
# Score history is kept this many months, then dropped a whole month at a time (the task
# sanctions.tasks.score_history_partitions; docs/scaling.md, "ScoreHistory partitions").
# 96 = 8 years: the longest a record keeps moving a score is a judicial listing extended once
# (2 + 3 years, DESIGN.md §6), and the history of those scores stays explainable for the
# general 3-year limitation period after that (Civil Code art. 188), e.g. for a claim over a
# wrong score. At least 12 (the database refuses to drop a younger month).
SCS_SCORE_HISTORY_RETENTION_MONTHS = env.int("SCS_SCORE_HISTORY_RETENTION_MONTHS", default=96)
if SCS_SCORE_HISTORY_RETENTION_MONTHS < 12:
    raise environ.ImproperlyConfigured("SCS_SCORE_HISTORY_RETENTION_MONTHS must be at least 12.")
# Public search: per-IP searches per minute (counted in Redis, fail closed) and result cap.
SCS_SEARCH_RATE_PER_MINUTE = env.int("SCS_SEARCH_RATE_PER_MINUTE", default=30)
SCS_OPEN_DATA_RATE_PER_MINUTE = env.int("SCS_OPEN_DATA_RATE_PER_MINUTE", default=5)
# entry detail pages per IP and minute (its own bucket; the API's detail counts as a search)
SCS_ENTRY_RATE_PER_MINUTE = env.int("SCS_ENTRY_RATE_PER_MINUTE", default=60)
# activation and login attempts per IP and minute (on top of the per-account lockout)
SCS_ACCOUNT_RATE_PER_MINUTE = env.int("SCS_ACCOUNT_RATE_PER_MINUTE", default=20)
# citizens' password reset requests: per IP and minute (429 page), and per account and hour
# (over it no more mail is sent; the page answers the same, so it tells nothing)
SCS_PASSWORD_RESET_RATE_PER_MINUTE = env.int("SCS_PASSWORD_RESET_RATE_PER_MINUTE", default=5)
SCS_PASSWORD_RESET_PER_ACCOUNT_PER_HOUR = env.int(
    "SCS_PASSWORD_RESET_PER_ACCOUNT_PER_HOUR", default=3
)
SCS_SEARCH_MAX_RESULTS = env.int("SCS_SEARCH_MAX_RESULTS", default=200)
# Anonymous search pages cached per URL (0 = off); invalidated when the public list changes.
# Fresh this long, then kept as long again: one request re-renders, others get the older copy.
SCS_SEARCH_PAGE_CACHE_SECONDS = env.int("SCS_SEARCH_PAGE_CACHE_SECONDS", default=30)
# how long a request waits for a page another request is already rendering
SCS_SEARCH_PAGE_WAIT_MS = env.int("SCS_SEARCH_PAGE_WAIT_MS", default=1000)
SCS_TRUSTED_PROXY_HOPS = env.int("SCS_TRUSTED_PROXY_HOPS", default=0)
# Adds /bench/bare (an empty HttpResponse) for bench/search.py; never on in production.
SCS_BENCH_BARE_VIEW = env.bool("SCS_BENCH_BARE_VIEW", default=False)
SCS_EVIDENCE_MAX_BYTES = env.int("SCS_EVIDENCE_MAX_BYTES", default=10 * 1024 * 1024)
SCS_FILING_MAX_ATTACHMENTS = env.int("SCS_FILING_MAX_ATTACHMENTS", default=5)
# one-time codes that open a citizen account; sent by letter (a Notice)
SCS_ACTIVATION_CODE_DAYS = env.int("SCS_ACTIVATION_CODE_DAYS", default=30)
# Verifiable credit reports (docs/citizens.md): a report's code answers at /verify/ this many
# days; checks per IP and minute (a lookup by POST or by the QR link); PDFs a citizen may
# download per hour (each is rendered and stored)
SCS_REPORT_VERIFY_DAYS = env.int("SCS_REPORT_VERIFY_DAYS", default=90)
SCS_VERIFY_RATE_PER_MINUTE = env.int("SCS_VERIFY_RATE_PER_MINUTE", default=10)
SCS_REPORT_ISSUE_PER_HOUR = env.int("SCS_REPORT_ISSUE_PER_HOUR", default=20)
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "sanctions.agency.api_auth.ApiKeyAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 20,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    # every error is JSON {"detail", "code", "errors": {field: [messages]}}, never a 500
    "EXCEPTION_HANDLER": "sanctions.kernel.api_errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
}
# https://drf-spectacular.readthedocs.io/en/latest/settings.html
SPECTACULAR_SETTINGS = {
    "TITLE": "SCS Portal API",
    "DESCRIPTION": "Agency record submission, bulk import, restriction checks, the public "
    "list and citizens' own record. See docs/api.md.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # two choice sets share the field name "kind" (subject kind, record event kind)
    "ENUM_NAME_OVERRIDES": {
        "SubjectKindEnum": "sanctions.models.SubjectKind",
        "RecordEventKindEnum": "sanctions.models.RecordEventKind",
    },
}
# Requests per minute for each agency API client (DRF throttle keyed on the client, in Redis).
SCS_API_CLIENT_RATE_PER_MINUTE = env.int("SCS_API_CLIENT_RATE_PER_MINUTE", default=120)
# Bulk imports: upload size and rows per file.
SCS_IMPORT_MAX_BYTES = env.int("SCS_IMPORT_MAX_BYTES", default=5 * 1024 * 1024)
SCS_IMPORT_MAX_ROWS = env.int("SCS_IMPORT_MAX_ROWS", default=10_000)
# Parsing limits of an import (a field, a JSON line, JSON nesting): past them a row (or, for a
# CSV that cannot be read on, the file) is refused with a reason, never a crashed task.
SCS_IMPORT_MAX_FIELD_CHARS = env.int("SCS_IMPORT_MAX_FIELD_CHARS", default=10_000)
SCS_IMPORT_MAX_LINE_CHARS = env.int("SCS_IMPORT_MAX_LINE_CHARS", default=20_000)
SCS_IMPORT_MAX_DEPTH = env.int("SCS_IMPORT_MAX_DEPTH", default=5)
# Rows per transaction: bounds how long an import holds locks others may wait for.
SCS_IMPORT_CHUNK_ROWS = env.int("SCS_IMPORT_CHUNK_ROWS", default=25)
# A batch waiting or running without progress this long is queued again by the backstop.
SCS_IMPORT_STUCK_SECONDS = env.int("SCS_IMPORT_STUCK_SECONDS", default=600)
# A failed batch keeps its file (full identifiers) this long for a retry, then it is cleared.
SCS_IMPORT_FAILED_KEEP_DAYS = env.int("SCS_IMPORT_FAILED_KEEP_DAYS", default=7)
# Retry-After (seconds) of the 503 answered while the database or Redis is unavailable.
SCS_UNAVAILABLE_RETRY_AFTER_SECONDS = env.int("SCS_UNAVAILABLE_RETRY_AFTER_SECONDS", default=30)
# Who finds or registers a subject for an agency submission: `sanctions` does not import
# citizens or enterprises (DESIGN.md §4), so the project wires them here.
SCS_SUBJECT_RESOLVERS = {
    "person": "citizens.services.citizen_subject_resolve",
    "enterprise": "enterprises.services.enterprise_subject_resolve",
}

# --- Celery (https://docs.celeryq.dev/en/stable/userguide/configuration.html) ---
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default=REDIS_URL)
CELERY_RESULT_BACKEND = None  # tasks record their progress in the database
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=30 * 60)
# Soft limit stays below the Redis visibility timeout so a slow task is stopped before the
# broker redelivers it to another worker.
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=25 * 60)
# A task taken by a worker that then dies or loses the network (acks_late: still unacknowledged)
# is queued again by the other workers once it is older than the visibility timeout; they look
# for such tasks every interval × throttle seconds (kombu's defaults: 10 × 10). Workers on many
# hosts: docs/scaling.md, "Workers on many hosts".
# https://docs.celeryq.dev/projects/kombu/en/stable/reference/kombu.transport.redis.html
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=60 * 60),
    "unacked_restore_interval": env.int("CELERY_UNACKED_RESTORE_INTERVAL", default=10),
    "unacked_restore_throttle": env.int("CELERY_UNACKED_RESTORE_THROTTLE", default=10),
}
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Celery heartbeat: beat sends `sanctions.tasks.heartbeat` this often, a worker stores the time
# in Redis; `/healthz?worker=1` answers 503 once it is older than the bound (a stopped worker or
# beat, or workers too busy to take a task within it: size it above the longest task).
SCS_HEARTBEAT_SECONDS = env.int("SCS_HEARTBEAT_SECONDS", default=60)
SCS_WORKER_HEARTBEAT_MAX_AGE_SECONDS = env.int("SCS_WORKER_HEARTBEAT_MAX_AGE_SECONDS", default=300)
if SCS_WORKER_HEARTBEAT_MAX_AGE_SECONDS <= SCS_HEARTBEAT_SECONDS:
    raise environ.ImproperlyConfigured(
        "SCS_WORKER_HEARTBEAT_MAX_AGE_SECONDS must be longer than SCS_HEARTBEAT_SECONDS."
    )
# The heartbeat has a queue of its own, which every worker consumes besides the default one
# (no -Q needed): the Redis transport takes from its queues in turn, so a heartbeat waits for
# the next free worker slot, not behind a night's backlog of score chunks.
# https://docs.celeryq.dev/en/stable/userguide/routing.html
CELERY_TASK_QUEUES = (
    Queue("celery", routing_key="celery"),
    Queue("heartbeat", routing_key="heartbeat"),
)
CELERY_TASK_ROUTES = {"sanctions.tasks.heartbeat": {"queue": "heartbeat"}}
CELERY_BEAT_SCHEDULE = {
    # Nightly incremental score recompute (dirty subjects + windows that opened or closed).
    "score-recompute-nightly": {
        "task": "sanctions.tasks.score_recompute",
        "schedule": crontab(
            hour=env.int("SCS_SCORE_HOUR", default=2), minute=env.int("SCS_SCORE_MINUTE", default=0)
        ),
        "args": ["incremental"],
    },
    # Backstop for chunks lost with a worker: re-send those of runs older than 10 minutes.
    "score-resume": {
        "task": "sanctions.tasks.score_resume",
        "schedule": crontab(minute="*/10"),
        "kwargs": {"older_than_seconds": 600},
    },
    # Nightly backstop: publish entries whose notice period ended, expire closed windows.
    "publication-sweep": {
        "task": "sanctions.tasks.publication_sweep",
        "schedule": crontab(
            hour=env.int("SCS_SWEEP_HOUR", default=1),
            minute=env.int("SCS_SWEEP_MINUTE", default=30),
        ),
    },
    # Daily: tell the assigned officials what falls due within 2 working days (once per deadline).
    "deadline-reminders": {
        "task": "sanctions.tasks.deadline_reminders_send",
        "schedule": crontab(
            hour=env.int("SCS_REMINDER_HOUR", default=7),
            minute=env.int("SCS_REMINDER_MINUTE", default=0),
        ),
    },
    # Backstop: queue again imports waiting or running without progress (lost worker/message).
    "import-requeue": {
        "task": "sanctions.tasks.import_batches_requeue",
        "schedule": crontab(minute="*/10"),
    },
    # Daily: open the 2-year review case (and notice) of every ground-1 listing falling due.
    "review-cases": {
        "task": "sanctions.tasks.review_cases_open",
        "schedule": crontab(hour=1, minute=45),
    },
    # Daily: erase the personal data of records whose retention period has run out.
    "retention-sweep": {
        "task": "sanctions.tasks.retention_sweep",
        "schedule": crontab(hour=3, minute=30),
    },
    # Daily: create the score history's partitions 3 months ahead, drop months past retention.
    "score-history-partitions": {
        "task": "sanctions.tasks.score_history_partitions",
        "schedule": crontab(hour=3, minute=45),
    },
    # Heartbeat: proves beat and a worker are alive (/healthz?worker=1 reads its time). One
    # older than the bound proves nothing, so it expires then (no burst after an outage).
    "heartbeat": {
        "task": "sanctions.tasks.heartbeat",
        "schedule": datetime.timedelta(seconds=SCS_HEARTBEAT_SECONDS),
        "options": {"expires": SCS_WORKER_HEARTBEAT_MAX_AGE_SECONDS},
    },
    # Nightly: recompute the audit trail's hash chain; the admin dashboard shows the result.
    "audit-chain-verify": {
        "task": "sanctions.tasks.audit_chain_verify",
        "schedule": crontab(hour=4, minute=15),
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # WeasyPrint logs every rendering step of a credit report PDF at INFO
    "loggers": {"weasyprint.progress": {"level": "WARNING"}},
}
