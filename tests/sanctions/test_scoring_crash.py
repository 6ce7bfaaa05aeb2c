"""Crash safety: `kill -9` a real Celery worker in the middle of a recompute, restart it, and
the run finishes with exactly the scores of a clean computation (no lost or doubled chunk)."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.management import call_command
from django.db import connection

from sanctions.models import Score, ScoreHistory, ScoreRun
from sanctions.scoring.sql import aggregate_sql as _aggregate_sql
from sanctions.scoring.sql import grade_case as _grade_case
from sanctions.scoring.sql import sql_params as _params
from tests import services

BASE_DIR = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.django_db(transaction=True)


def broker_url() -> str:
    base = django_settings.CELERY_BROKER_URL.rsplit("/", 1)[0]
    return f"{base}/13"  # a Redis database of its own: nothing else is queued there


def start_worker(env):
    return subprocess.Popen(
        [sys.executable, "-m", "celery", "-A", "scs_portal", "worker", "--concurrency", "1",
         "--pool", "prefork", "-l", "warning", "--without-mingle", "--without-gossip"],
        cwd=BASE_DIR, env=env, start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip


def wait_for(predicate, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.05)
    return False


def expected_scores(as_of):
    ruleset = services.active_ruleset()
    sql = f"SELECT subject_id, total, {_grade_case(ruleset, 'a.total')} FROM (" \
          f"{_aggregate_sql(ruleset, 'TRUE')}) a"  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(sql, _params(ruleset, as_of))
        return {row[0]: (row[1], row[2]) for row in cursor.fetchall()}


def test_kill_9_mid_run_then_restart_finishes_with_clean_scores(catalog, settings):
    settings.DEBUG = True
    call_command("seed_demo", "--bulk", "--subjects", "3000", "--records", "9000", "--force")
    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
        "CELERY_BROKER_URL": broker_url(),
        "CELERY_VISIBILITY_TIMEOUT": "5",
        "DJANGO_DEBUG": "false",
    }
    from scs_portal.celery import app
    from tests.tasks import score_chunk

    app.conf.task_always_eager = False
    with app.connection_for_write(broker_url()) as conn:
        conn.default_channel.client.flushdb()
        run = services.score_run_start(kind="full", chunk_size=5)
        chunk_ids = services.score_run_pending_chunks(run)
        for chunk_id in chunk_ids:
            score_chunk.apply_async(args=[chunk_id], connection=conn)
    total = len(chunk_ids)
    assert total > 100

    worker = start_worker(env)
    try:
        started = wait_for(lambda: ScoreRun.objects.get(pk=run.pk).chunks_done >= total // 10, 120)
        assert started, "the worker did not start working"
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)
        done_at_kill = ScoreRun.objects.get(pk=run.pk).chunks_done
        assert 0 < done_at_kill < total, "the kill must land in the middle of the run"

        worker = start_worker(env)  # its worker_ready handler re-sends unfinished chunks
        finished = wait_for(lambda: ScoreRun.objects.get(pk=run.pk).state == "done", 180)
        assert finished, f"run stuck at {ScoreRun.objects.get(pk=run.pk).chunks_done}/{total}"
    finally:
        with __import__("contextlib").suppress(ProcessLookupError):
            os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=30)
        with app.connection_for_write(broker_url()) as conn:
            conn.default_channel.client.flushdb()

    run.refresh_from_db()
    stored = {s.subject_id: (s.total, s.grade) for s in Score.objects.all()}
    assert stored == expected_scores(run.as_of)
    # every subject got exactly one history row: no chunk was applied twice
    assert ScoreHistory.objects.count() == len(stored)
    assert run.chunks_done == run.chunks_total == total
