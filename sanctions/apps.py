from django.apps import AppConfig
from django.core import checks
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class SanctionsConfig(AppConfig):
    name = "sanctions"
    verbose_name = _("Integrity records")

    def ready(self) -> None:
        from sanctions.kernel.roles import ensure_roles

        # Groups need the permissions that post_migrate creates; run after all apps.
        post_migrate.connect(ensure_roles, dispatch_uid="sanctions.ensure_roles")
        # warns while the holiday calendar does not reach far enough ahead (sanctions.W001)
        from sanctions.kernel.checks import holiday_calendar_check

        checks.register(holiday_calendar_check)
        # public search pages are cached per version of the public list
        from sanctions.publication.page_cache import connect_cache_invalidation

        connect_cache_invalidation()
        # uploads written in a transaction that then rolled back are deleted after the request
        from django.core.signals import request_finished

        from sanctions.kernel.uploads import discard_rolled_back_files

        request_finished.connect(
            discard_rolled_back_files, dispatch_uid="sanctions.discard_rolled_back_files"
        )
        # every context's Celery tasks registered in every process (web too): services send
        # them by name after commit (sanctions.kernel.tasks.enqueue_on_commit)
        from sanctions import tasks  # noqa: F401
