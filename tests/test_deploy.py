"""deploy/: the production process contract (gunicorn, nginx, PgBouncer, systemd, Procfile, the
production env file) and the settings behind PgBouncer. The whole topology runs in
`.ci/production-smoke`; these check each piece on its own."""

import io
import os
import re
import runpy
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from scs_portal import deployment
from scs_portal.management.commands.run_beat_tasks import Command as RunBeatTasks
from scs_portal.management.commands.run_beat_tasks import TaskEvents, TaskState
from tests.test_settings import BASE_DIR, PRODUCTION_ENV, database_url_of_tests, manage

DEPLOY = BASE_DIR / "deploy"
SHOW_DATABASE = (
    "import json; from django.conf import settings as s; d = s.DATABASES['default']; "
    "print(json.dumps([s.DATABASE_POOLER, d.get('DISABLE_SERVER_SIDE_CURSORS', False), "
    "d.get('OPTIONS', {}), d['PORT']]))"
)


def last_json_line(result):
    import json

    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


# --- Django behind PgBouncer (transaction pooling) -------------------------------------------


def test_behind_pgbouncer_no_server_side_cursors_and_no_prepared_statements():
    env = {**PRODUCTION_ENV, "DATABASE_URL": "postgres://app:pw@127.0.0.1:6432/scs",
           "DATABASE_POOLER": "pgbouncer"}  # fmt: skip
    pooler, no_cursors, options, port = last_json_line(
        manage("shell", "-c", SHOW_DATABASE, env=env)
    )
    assert pooler == "pgbouncer" and no_cursors is True
    assert "prepare_threshold" in options and options["prepare_threshold"] is None
    assert port == 6432
    direct = {**env, "DATABASE_POOLER": ""}
    pooler, no_cursors, options, _port = last_json_line(
        manage("shell", "-c", SHOW_DATABASE, env=direct)
    )
    assert (pooler, no_cursors) == ("", False)  # a direct connection keeps server-side cursors


def test_an_unknown_pooler_and_server_side_binding_are_refused():
    env = {**PRODUCTION_ENV, "DATABASE_URL": "postgres://app:pw@127.0.0.1:6432/scs"}
    result = manage("check", env={**env, "DATABASE_POOLER": "pgpool"})
    assert result.returncode != 0 and "DATABASE_POOLER" in result.stderr
    binding = {**env, "DATABASE_POOLER": "pgbouncer",
               "DATABASE_URL": env["DATABASE_URL"] + "?server_side_binding=true"}  # fmt: skip
    result = manage("check", env=binding)
    assert result.returncode != 0 and "server_side_binding" in result.stderr


def test_behind_the_pooler_the_migrate_url_is_the_servers_own_address(transactional_db):
    """migrate connects to DATABASE_MIGRATE_URL's host and port (the server itself), every
    other command to DATABASE_URL (PgBouncer; here a port where nothing listens)."""
    direct = database_url_of_tests()
    scheme, rest = direct.split("://", 1)
    name = rest.rsplit("/", 1)[1]
    pooled = f"{scheme}://app:pw@127.0.0.1:1/{name}"
    env = {**PRODUCTION_ENV, "DATABASE_URL": pooled, "DATABASE_POOLER": "pgbouncer",
           "DATABASE_MIGRATE_URL": direct}  # fmt: skip
    migrated = manage("migrate", "--check", env=env)
    assert migrated.returncode == 0, migrated.stderr
    code = "from django.db import connection; connection.ensure_connection()"
    assert manage("shell", "-c", code, env=env).returncode != 0  # went to the "pooler"
    # still the same database, whatever the address
    other = {**env, "DATABASE_MIGRATE_URL": f"{direct.rsplit('/', 1)[0]}/some_other_db"}
    result = manage("check", env=other)
    assert result.returncode != 0 and "DATABASE_MIGRATE_URL" in result.stderr
    # without a pooler another port is refused as before
    unpooled = {**env, "DATABASE_POOLER": ""}
    result = manage("check", env=unpooled)
    assert result.returncode != 0 and "same host and port" in result.stderr


# --- rendered configs ------------------------------------------------------------------------


def render(*args) -> str:
    out = io.StringIO()
    call_command("render_deploy_config", *args, stdout=out)
    return out.getvalue()


def test_the_nginx_site_takes_its_limits_and_paths_from_the_settings(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path / "static"
    site = render("nginx", "--server-name", "credit.example.gov.cn")
    assert "{{" not in site
    assert f"alias {tmp_path / 'static'}/;" in site
    # the largest legitimate request: every attachment at the evidence limit, plus framing
    assert "client_max_body_size 51m;" in site  # 5 × 10 MiB + 1 MiB
    settings.SCS_EVIDENCE_MAX_BYTES = 4 * 1024 * 1024
    settings.SCS_FILING_MAX_ATTACHMENTS = 2
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
    settings.SCS_IMPORT_MAX_BYTES = 1024 * 1024
    assert "client_max_body_size 9m;" in render("nginx", "--server-name", "x")
    settings.SCS_FILING_MAX_ATTACHMENTS = 1
    settings.SCS_EVIDENCE_MAX_BYTES = 3_000_000
    assert "client_max_body_size 3954k;" in render("nginx", "--server-name", "x")
    # HSTS and Referrer-Policy as Django sends them
    assert 'Strict-Transport-Security "max-age=31536000; includeSubDomains; preload"' in site
    assert 'Referrer-Policy "same-origin"' in site


def test_the_nginx_site_forwards_the_client_and_logs_no_query_string(settings):
    site = render("nginx", "--server-name", "credit.example.gov.cn")
    # appended, never passed through: SCS_TRUSTED_PROXY_HOPS=1 takes nginx's own entry
    assert "proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;" in site
    assert "proxy_set_header X-Forwarded-Proto $scheme;" in site
    log_format = re.search(r"log_format scs_portal (.*?);", site, re.S).group(1)
    assert "$uri" in log_format
    for leak in ("$request ", "$request_uri", "$args", "$query_string", "$http_referer"):
        assert leak not in log_format + " "
    assert "access_log /var/log/nginx/scs-portal.access.log scs_portal;" in site
    # TLS on 443 (IPv4 and IPv6), the plain port only redirects
    assert "listen 443 ssl http2;" in site and "listen [::]:443 ssl http2;" in site
    assert "return 301 https://$host$request_uri;" in site
    assert "ssl_protocols TLSv1.2 TLSv1.3;" in site
    # evidence is never served by nginx
    assert str(settings.MEDIA_ROOT) not in site
    assert not re.search(r"location[^{]*/media", site)


def test_rendering_needs_the_production_settings(settings):
    settings.DEBUG = True
    with pytest.raises(CommandError, match="production environment"):
        render("nginx", "--server-name", "x")


def test_the_pgbouncer_config_pools_transactions_in_front_of_the_servers_address(settings):
    settings.DATABASE_POOLER = "pgbouncer"
    settings.DATABASE_MIGRATE = {"HOST": "db1.internal", "PORT": 5433}
    config = render("pgbouncer")
    name = settings.DATABASES["default"]["NAME"]
    assert f"{name} = host=db1.internal port=5433 dbname={name}" in config
    assert "pool_mode = transaction" in config
    assert "auth_type = scram-sha-256" in config
    assert "{{" not in config
    # behind the pooler without the server's address there is nothing to point it at
    settings.DATABASE_MIGRATE = None
    with pytest.raises(CommandError, match="DATABASE_MIGRATE_URL"):
        render("pgbouncer")
    assert "host=10.0.0.5 port=5432" in render(
        "pgbouncer", "--server-host", "10.0.0.5", "--server-port", "5432"
    )


def test_a_template_and_its_values_must_match():
    with pytest.raises(KeyError, match="no value"):
        deployment.render("a {{ x }} {{ y }}", {"x": "1"})
    with pytest.raises(KeyError, match="no placeholder"):
        deployment.render("a {{ x }}", {"x": "1", "z": "2"})
    assert deployment.render("a {{ x }}{{x}}", {"x": "1"}) == "a 11"


# --- gunicorn, Procfile, systemd, the env file -----------------------------------------------


def test_gunicorn_takes_workers_and_threads_from_the_environment(monkeypatch):
    monkeypatch.setenv("GUNICORN_WORKERS", "3")
    monkeypatch.setenv("GUNICORN_THREADS", "6")
    conf = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))
    assert (conf["workers"], conf["threads"], conf["worker_class"]) == (3, 6, "gthread")
    assert conf["graceful_timeout"] >= 1 and conf["timeout"] >= 1
    assert conf["preload_app"] is False  # a reload (HUP) loads new code
    # the path only: no request line, query string or referer
    log = conf["access_log_format"]
    assert "%(U)s" in log
    for leak in ("%(r)s", "%(q)s", "%(f)s", "%({referer}i)s"):
        assert leak not in log
    monkeypatch.setenv("GUNICORN_THREADS", "1")
    assert runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))["worker_class"] == "sync"


def test_gunicorn_accepts_the_config_and_loads_the_app():
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "SCS_"))}
    env.update(PRODUCTION_ENV, DATABASE_URL="postgres://app:pw@127.0.0.1:6432/scs")
    result = subprocess.run(
        [str(Path(sys.executable).parent / "gunicorn"), "--check-config", "-c",
         "deploy/gunicorn.conf.py", "scs_portal.wsgi"],
        cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_procfile_names_web_worker_and_beat():
    processes = dict(
        line.split(":", 1)
        for line in (DEPLOY / "Procfile").read_text().splitlines()
        if line and not line.startswith("#")
    )
    assert set(processes) == {"web", "worker", "beat"}
    assert "gunicorn -c deploy/gunicorn.conf.py scs_portal.wsgi" in processes["web"]
    assert "celery -A scs_portal worker" in processes["worker"]
    assert "celery -A scs_portal beat" in processes["beat"]


@pytest.mark.parametrize("unit", ["web", "worker", "beat"])
def test_the_systemd_units_are_hardened(unit):
    text = (DEPLOY / "systemd" / f"scs-portal-{unit}.service").read_text()
    for line in (
        "NoNewPrivileges=yes", "ProtectSystem=strict", "ProtectHome=yes", "PrivateTmp=yes",
        "PrivateDevices=yes", "CapabilityBoundingSet=",
        "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6",
        "SystemCallFilter=@system-service", "UMask=0077", "User=scs",
        "EnvironmentFile=/etc/scs-portal/env",
    ):  # fmt: skip
        assert re.search(rf"^{re.escape(line)}$", text, re.M), (unit, line)


def test_the_web_unit_reloads_gracefully_within_its_stop_timeout():
    text = (DEPLOY / "systemd" / "scs-portal-web.service").read_text()
    assert "ExecReload=/bin/kill -s HUP $MAINPID" in text
    graceful = runpy.run_path(str(DEPLOY / "gunicorn.conf.py"))["graceful_timeout"]
    stop = int(re.search(r"^TimeoutStopSec=(\d+)$", text, re.M).group(1))
    assert stop > graceful
    socket = (DEPLOY / "systemd" / "scs-portal-web.socket").read_text()
    assert "SocketUser=www-data" in socket and "SocketMode=0600" in socket


def test_the_production_env_file_documents_every_variable_the_settings_read():
    source = (BASE_DIR / "scs_portal" / "settings.py").read_text()
    read = set(re.findall(r"\benv(?:\.\w+)?\(\s*\"([A-Z][A-Z0-9_]*)\"", source))
    assert {"DATABASE_URL", "DATABASE_POOLER", "SCS_HEARTBEAT_SECONDS"} <= read
    example = (DEPLOY / ".env.production.example").read_text()
    documented = set(re.findall(r"^#? ?([A-Z][A-Z0-9_]*)=", example, re.M))
    assert not read - documented, (
        f"undocumented in deploy/.env.production.example: {read - documented}"
    )
    # systemd's EnvironmentFile takes everything after "=" as the value: no trailing comments
    assert not re.findall(r"^[A-Z][A-Z0-9_]*=.*[ \t]#", example, re.M)


# --- run_beat_tasks: how task events are read ------------------------------------------------


def test_task_events_end_in_one_state_whatever_their_order():
    events = TaskEvents(app=None)
    events._on_event({"type": "task-succeeded", "uuid": "a", "runtime": 0.5})
    events._on_event({"type": "task-received", "uuid": "a", "name": "t.a"})  # late
    events._on_event({"type": "task-received", "uuid": "b", "name": "t.b"})
    events._on_event({"type": "task-retried", "uuid": "b", "exception": "OperationalError()"})
    events._on_event({"type": "task-succeeded", "uuid": "b", "runtime": 0.1})
    events._on_event({"type": "worker-heartbeat"})
    tasks = events.snapshot()
    assert (tasks["a"].name, tasks["a"].state, tasks["a"].runtime) == ("t.a", "succeeded", 0.5)
    assert tasks["b"].state == "succeeded" and tasks["b"].retried


def test_a_retry_or_a_failure_fails_the_run():
    command = RunBeatTasks(stdout=io.StringIO())
    ok = {"1": TaskState(name="t.a", state="succeeded", runtime=0.1)}
    command._report(ok, {"1": "a"}, 1.0, event_count=2)
    retried = {"1": TaskState(name="t.a", state="succeeded", retried=True)}
    with pytest.raises(CommandError, match="1 task"):
        command._report(retried, {"1": "a"}, 1.0, event_count=2)
    chunk_failed = {**ok, "2": TaskState(name="t.chunk", state="failed", exception="X")}
    with pytest.raises(CommandError, match="1 task"):
        command._report(chunk_failed, {"1": "a"}, 1.0, event_count=3)
    with pytest.raises(CommandError, match="-E"):
        command._report({}, {"1": "a"}, 1.0, event_count=0)
