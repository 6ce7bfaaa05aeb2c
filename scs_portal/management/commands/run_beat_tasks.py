"""Run every periodic task once through the running workers and report how each ended.

    manage.py run_beat_tasks [--entry NAME …] [--full-recompute] [--timeout 120]

Sends each entry of CELERY_BEAT_SCHEDULE (its task, arguments and options, without an expiry)
to the broker, as beat would, and follows the workers' task events until every task sent —
and every task those started in turn (score chunks after a recompute) — has ended. Exit 0
only when all of them succeeded without a retry. For after a deployment or an upgrade, and
for `.ci/production-smoke` (everything through PgBouncer in transaction mode).

The workers must send task events: start them with `-E` (`--task-events`), or switch events
on in a running fleet with `celery -A scs_portal control enable_events`.
"""

from __future__ import annotations

import threading
import time
from collections import Counter
from dataclasses import dataclass

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

TERMINAL = {"succeeded", "failed", "rejected", "revoked"}


@dataclass
class TaskState:
    name: str = "?"
    state: str = "received"
    retried: bool = False
    runtime: float | None = None
    exception: str = ""


class TaskEvents:
    """Follows the workers' task events on a thread of its own (Celery's event receiver)."""

    def __init__(self, app) -> None:
        self.app = app
        self.tasks: dict[str, TaskState] = {}
        self.lock = threading.Lock()
        self.ready = threading.Event()
        self.events = 0
        self.error: BaseException | None = None
        self._receiver = None
        self._thread = threading.Thread(target=self._run, name="task-events", daemon=True)

    def start(self, timeout: float = 15) -> None:
        self._thread.start()
        if not self.ready.wait(timeout):
            raise CommandError(f"Could not subscribe to the task events: {self.error}")

    def stop(self) -> None:
        if self._receiver is not None:
            self._receiver.should_stop = True
        self._thread.join(timeout=5)

    def _run(self) -> None:
        try:
            with self.app.connection_for_read() as connection:
                receiver = self.app.events.Receiver(connection, handlers={"*": self._on_event})
                ready_hook = receiver.on_consume_ready

                def on_ready(*args, **kwargs):
                    ready_hook(*args, **kwargs)
                    self.ready.set()

                receiver.on_consume_ready = on_ready
                self._receiver = receiver
                receiver.capture(limit=None, timeout=None, wakeup=False)
        except BaseException as exc:  # noqa: BLE001 - reported by start() / the caller
            self.error = exc
            self.ready.set()

    def _on_event(self, event: dict) -> None:
        kind = event.get("type", "")
        if not kind.startswith("task-"):
            return
        with self.lock:
            self.events += 1
            task = self.tasks.setdefault(event["uuid"], TaskState())
            if event.get("name"):
                task.name = event["name"]
            state = kind.removeprefix("task-")
            if state == "retried":
                task.retried = True
                task.exception = event.get("exception", "")
            elif state in TERMINAL or task.state not in TERMINAL:
                task.state = state
            if state == "succeeded":
                task.runtime = event.get("runtime")
            if state == "failed":
                task.exception = event.get("exception", "")

    def snapshot(self) -> dict[str, TaskState]:
        with self.lock:
            return {uuid: TaskState(**vars(task)) for uuid, task in self.tasks.items()}


class Command(BaseCommand):
    help = "Send every CELERY_BEAT_SCHEDULE task once to the workers and wait for each to succeed."

    def add_arguments(self, parser):
        parser.add_argument(
            "--entry", action="append", help="only this schedule entry (repeatable)"
        )
        parser.add_argument(
            "--full-recompute", action="store_true",
            help="also a full score recompute: every score chunk through the workers",
        )  # fmt: skip
        parser.add_argument("--timeout", type=float, default=120.0, help="seconds in all")
        parser.add_argument(
            "--quiet-seconds", type=float, default=2.0,
            help="done once nothing has been running for this long",
        )  # fmt: skip

    def handle(self, *args, **options):
        from scs_portal.celery import app

        schedule = settings.CELERY_BEAT_SCHEDULE
        names = options["entry"] or list(schedule)
        if unknown := [name for name in names if name not in schedule]:
            raise CommandError(f"No such entry in CELERY_BEAT_SCHEDULE: {', '.join(unknown)}")
        planned = [(name, schedule[name]) for name in names]
        if options["full_recompute"]:
            planned.append(("full-recompute", {"task": "sanctions.tasks.score_recompute",
                                               "args": ["full"]}))  # fmt: skip

        events = TaskEvents(app)
        events.start()
        sent: dict[str, str] = {}
        started = time.monotonic()
        try:
            for name, entry in planned:
                # once, now: an expiry meant for a schedule would only race the queue here
                task_options = {k: v for k, v in entry.get("options", {}).items() if k != "expires"}
                result = app.send_task(
                    entry["task"], args=entry.get("args", ()), kwargs=entry.get("kwargs", {}),
                    **task_options,
                )  # fmt: skip
                sent[result.id] = name
            tasks = self._wait(events, sent, started + options["timeout"], options)
        finally:
            events.stop()
        return self._report(tasks, sent, time.monotonic() - started, events.events)

    def _wait(self, events, sent, deadline, options) -> dict[str, TaskState]:
        quiet_since = None
        while time.monotonic() < deadline:
            tasks = events.snapshot()
            done = all(uuid in tasks and tasks[uuid].state in TERMINAL for uuid in sent)
            running = [t for t in tasks.values() if t.state not in TERMINAL]
            if done and not running:
                quiet_since = quiet_since or time.monotonic()
                if time.monotonic() - quiet_since >= options["quiet_seconds"]:
                    return tasks
            else:
                quiet_since = None
            time.sleep(0.2)
        return events.snapshot()

    def _report(self, tasks, sent, elapsed, event_count) -> None:
        failures = 0
        for uuid, name in sent.items():
            task = tasks.get(uuid)
            if task is None:
                failures += 1
                self.stdout.write(f"FAIL {name}: never received by a worker")
                continue
            ok = task.state == "succeeded" and not task.retried
            failures += not ok
            runtime = f"{task.runtime:.2f}s" if task.runtime is not None else "-"
            outcome = task.state + (" after a retry" if task.retried else "")
            detail = f" ({task.exception})" if task.exception else ""
            self.stdout.write(
                f"{'ok  ' if ok else 'FAIL'} {name:<24} {task.name:<42} {outcome} {runtime}{detail}"
            )
        others = [task for uuid, task in tasks.items() if uuid not in sent]
        counts = Counter((task.name, task.state, task.retried) for task in others)
        for (name, state, retried), count in sorted(counts.items()):
            ok = state == "succeeded" and not retried
            failures += 0 if ok else count
            outcome = state + (" after a retry" if retried else "")
            self.stdout.write(f"{'ok  ' if ok else 'FAIL'} {'(also ran)':<24} {name:<42} "
                              f"{outcome} ×{count}")  # fmt: skip
        if event_count == 0:
            raise CommandError(
                "No task events arrived: start the workers with -E (--task-events), or run "
                "`celery -A scs_portal control enable_events`."
            )
        if failures:
            raise CommandError(f"{failures} task(s) did not succeed ({elapsed:.1f}s).")
        self.stdout.write(f"All {len(tasks)} tasks succeeded in {elapsed:.1f}s.")
