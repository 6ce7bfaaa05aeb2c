"""Print a deployment config from deploy/ filled in for this environment.

    manage.py render_deploy_config nginx --server-name credit.example.gov.cn \\
        [--upstream unix:/run/scs-portal/gunicorn.sock] [--tls-certificate …] \\
        [--tls-certificate-key …]
    manage.py render_deploy_config pgbouncer [--server-host db1.internal] [--listen-port 6432]

Run it with the production environment loaded (the env file): the static root, the request
body limit, HSTS and the database come from the settings. docs/deployment.md.
"""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from scs_portal.deployment import NginxSite, PgBouncerConfig


class Command(BaseCommand):
    help = "Print deploy/'s nginx site or PgBouncer config filled in from the settings."

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="which", required=True)
        nginx = sub.add_parser("nginx", help="the nginx site (TLS, static files, proxy)")
        defaults = NginxSite(server_name="")
        nginx.add_argument(
            "--server-name",
            help="host names served (default: DJANGO_ALLOWED_HOSTS, space separated)",
        )
        nginx.add_argument("--upstream", default=defaults.upstream, help="gunicorn's address")
        nginx.add_argument(
            "--https-listen",
            action="append",
            help="listen address for HTTPS (repeatable; default 443 and [::]:443)",
        )
        nginx.add_argument(
            "--http-listen",
            action="append",
            help="listen address of the redirect (repeatable; default 80 and [::]:80)",
        )
        nginx.add_argument("--tls-certificate", default=defaults.tls_certificate)
        nginx.add_argument("--tls-certificate-key", default=defaults.tls_certificate_key)
        nginx.add_argument("--access-log", default=defaults.access_log)

        pgbouncer = sub.add_parser("pgbouncer", help="PgBouncer, transaction pooling")
        pg = PgBouncerConfig()
        pgbouncer.add_argument("--server-host", help="default: DATABASE_MIGRATE_URL's host")
        pgbouncer.add_argument("--server-port", type=int, help="default: DATABASE_MIGRATE_URL's")
        for name in ("listen_addr", "unix_socket_dir", "logfile", "pidfile", "auth_file",
                     "admin_users", "stats_users"):  # fmt: skip
            pgbouncer.add_argument(f"--{name.replace('_', '-')}", default=getattr(pg, name))
        for name in ("listen_port", "default_pool_size", "min_pool_size", "max_client_conn",
                     "server_round_robin"):  # fmt: skip
            pgbouncer.add_argument(
                f"--{name.replace('_', '-')}", type=int, default=getattr(pg, name)
            )

    def handle(self, *args, **options):
        if settings.DEBUG:
            raise CommandError(
                "Render with the production environment (DJANGO_DEBUG off): the values come "
                "from its settings."
            )
        if options["which"] == "nginx":
            server_name = options["server_name"] or " ".join(settings.ALLOWED_HOSTS)
            if not server_name:
                raise CommandError("Give --server-name (or set DJANGO_ALLOWED_HOSTS).")
            config = NginxSite(
                server_name=server_name,
                upstream=options["upstream"],
                https_listen=options["https_listen"] or NginxSite(server_name="").https_listen,
                http_listen=options["http_listen"] or NginxSite(server_name="").http_listen,
                tls_certificate=options["tls_certificate"],
                tls_certificate_key=options["tls_certificate_key"],
                access_log=options["access_log"],
            )
        else:
            names = PgBouncerConfig.__dataclass_fields__
            config = PgBouncerConfig(**{name: options[name] for name in names})
        try:
            self.stdout.write(config.render(), ending="")
        except ValueError as exc:
            raise CommandError(str(exc)) from None
