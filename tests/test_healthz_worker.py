"""/healthz for load balancers (web + database + cache) and /healthz?worker=1 for monitoring
(also the Celery heartbeat: beat sends it, a worker stores its time, too old = 503)."""

import datetime
import json

import pytest
import redis
import time_machine
from django.core.cache import cache
from django.test import override_settings
from django.utils import timezone

from sanctions.tasks import heartbeat_task as heartbeat
from scs_portal.celery import app, resume_unfinished_work
from scs_portal.views import HEARTBEAT_CACHE_KEY

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _no_heartbeat():
    cache.delete(HEARTBEAT_CACHE_KEY)
    yield
    cache.delete(HEARTBEAT_CACHE_KEY)


def worker_health(client):
    response = client.get("/healthz?worker=1")
    return response.status_code, response.json()


def test_the_load_balancers_healthz_never_depends_on_the_worker(client):
    response = client.get("/healthz")  # no heartbeat at all: the web itself is fine
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "cache": "ok"}


def test_a_heartbeat_the_worker_just_ran_is_healthy(client, settings):
    settings.SCS_WORKER_HEARTBEAT_MAX_AGE_SECONDS = 300
    heartbeat.apply()  # the real task, as a worker runs it
    status, body = worker_health(client)
    assert status == 200
    assert body["worker"] == "ok" and body["database"] == "ok" and body["cache"] == "ok"
    assert 0 <= body["heartbeat_age_seconds"] <= 5
    assert body["heartbeat_max_age_seconds"] == 300


def test_a_heartbeat_older_than_the_bound_is_unhealthy(client, settings):
    settings.SCS_WORKER_HEARTBEAT_MAX_AGE_SECONDS = 60
    heartbeat.apply()
    ran = timezone.now()
    with time_machine.travel(ran + datetime.timedelta(seconds=58), tick=False):
        assert worker_health(client)[0] == 200
    with time_machine.travel(ran + datetime.timedelta(seconds=62), tick=False):
        status, body = worker_health(client)
        assert status == 503
        assert body["worker"] == "stale" and body["heartbeat_age_seconds"] >= 61
        # the load balancer's check stays green: only the worker is behind
        assert client.get("/healthz").status_code == 200
    # the bound is the setting's
    settings.SCS_WORKER_HEARTBEAT_MAX_AGE_SECONDS = 600
    with time_machine.travel(ran + datetime.timedelta(seconds=62), tick=False):
        assert worker_health(client)[0] == 200


def test_no_heartbeat_yet_or_an_unreadable_one_is_unhealthy(client):
    status, body = worker_health(client)
    assert status == 503 and body["worker"] == "missing"
    assert body["heartbeat_age_seconds"] is None
    cache.set(HEARTBEAT_CACHE_KEY, "not a time", None)
    assert worker_health(client) == (503, {**body, "worker": "missing"})


def test_a_worker_clock_ahead_of_the_webs_counts_as_fresh(client):
    cache.set(HEARTBEAT_CACHE_KEY, (timezone.now() + datetime.timedelta(seconds=30)).isoformat())
    status, body = worker_health(client)
    assert status == 200 and body["heartbeat_age_seconds"] == 0


def test_with_the_cache_down_the_worker_is_unknown(client):
    down = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                        "LOCATION": "redis://127.0.0.1:1/0"}}  # fmt: skip
    with override_settings(CACHES=down):
        status, body = worker_health(client)
    assert status == 503
    assert body["cache"] == "unavailable" and body["worker"] == "unavailable"


def test_the_heartbeat_is_scheduled_well_inside_the_bound(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["heartbeat"]
    assert entry["task"] == heartbeat.name
    assert entry["schedule"] == datetime.timedelta(seconds=settings.SCS_HEARTBEAT_SECONDS)
    assert settings.SCS_HEARTBEAT_SECONDS < settings.SCS_WORKER_HEARTBEAT_MAX_AGE_SECONDS
    # one older than the bound proves nothing: it expires rather than run late
    assert entry["options"]["expires"] == settings.SCS_WORKER_HEARTBEAT_MAX_AGE_SECONDS


def test_a_started_worker_beats_at_once():
    sent = []

    class Sender:
        class app:  # noqa: N801 - stands for the worker's Celery app
            @staticmethod
            def send_task(name, **kwargs):
                sent.append(name)

    resume_unfinished_work(sender=Sender)
    assert "sanctions.tasks.heartbeat" in sent


def test_the_heartbeat_travels_in_a_queue_of_its_own_on_the_broker():
    """Published to the real broker: the heartbeat lands in the "heartbeat" list only, other
    tasks in "celery" only (a queue bound with the default routing key would take a copy of
    every task). Every worker consumes both queues (CELERY_TASK_QUEUES), so a heartbeat waits
    for the next free slot, not behind a backlog of chunks."""
    broker = redis.Redis.from_url(app.conf.broker_url)

    def lists():
        return {name: broker.llen(name) for name in ("celery", "heartbeat")}

    def take(name, task_id):
        for raw in broker.lrange(name, 0, -1):
            if json.loads(raw)["headers"]["id"] == task_id:
                broker.lrem(name, 1, raw)
                return True
        return False

    before = lists()
    beat = app.send_task("sanctions.tasks.heartbeat")
    other = app.send_task("sanctions.tasks.score_resume", kwargs={"older_than_seconds": 600})
    try:
        after = lists()
        assert after["heartbeat"] - before["heartbeat"] == 1
        assert after["celery"] - before["celery"] == 1
    finally:
        assert take("heartbeat", beat.id)
        assert take("celery", other.id)
    assert {queue.name for queue in app.amqp.queues.values()} == {"celery", "heartbeat"}
