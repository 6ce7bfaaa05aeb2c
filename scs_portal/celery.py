import os

from celery import Celery
from celery.signals import worker_ready

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "scs_portal.settings")

app = Celery("scs_portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@worker_ready.connect
def resume_unfinished_work(sender=None, **_kwargs) -> None:
    """At start: re-send the chunks of unfinished score runs (a restart after a crash), and
    send one heartbeat."""
    sender.app.send_task("sanctions.tasks.score_resume", kwargs={"older_than_seconds": 0})
    # a heartbeat now, not one interval later: /healthz?worker=1 sees a started worker at once
    sender.app.send_task("sanctions.tasks.heartbeat")
