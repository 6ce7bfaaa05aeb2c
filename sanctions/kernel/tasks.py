"""The task policy every context's Celery tasks follow, sending a task after commit, and the
kernel's own tasks.

Tasks (`*_task`) take ids and plain values, load fresh rows, call a service and hold only
retry logic. Their Celery names (`name=`) stay "sanctions.tasks.<name>" whichever package
defines them: the beat schedule (settings) and messages already queued in the broker name
them so, and a deploy must not strand a queued message under a name nobody registers.
"""

from __future__ import annotations

from typing import Any, TypedDict

from celery import current_app, shared_task
from django.core.cache import cache
from django.db import OperationalError, transaction
from django.utils import timezone

from sanctions.kernel.audit_chain import audit_chain_verify


class TaskPolicy(TypedDict):
    """Keyword arguments of `shared_task` (typed, so mypy checks them at each task)."""

    acks_late: bool
    reject_on_worker_lost: bool
    retry_backoff: bool
    max_retries: int


# Tasks whose work must survive a worker crash: acknowledged after they ran, re-queued when
# the worker dies, retried on a lost database connection. Each is idempotent.
DURABLE: TaskPolicy = {"acks_late": True, "reject_on_worker_lost": True, "retry_backoff": True,
                       "max_retries": 5}  # fmt: skip


def enqueue_on_commit(name: str, *args: Any) -> None:
    """Send the task registered as `name` with `args` once the current transaction commits.

    By name, because a service must not import the tasks module that calls it (tasks import
    services; `tests/test_architecture.py` refuses the cycle and any function-level import
    that would hide it, and checks that every name sent here is a registered task). The
    signature resolves to the registered task (so eager mode in tests runs it in place);
    where the tasks are not imported it is sent to the broker by name, as `.delay` would."""
    transaction.on_commit(lambda: current_app.signature(name, args=args).delay())


@shared_task(name="sanctions.tasks.heartbeat", ignore_result=True)
def heartbeat_task() -> str:
    """Proves that beat schedules and a worker runs; idempotent (overwrites one key)."""
    stamp = timezone.now().isoformat()
    cache.set("scs:heartbeat", stamp, timeout=None)
    return stamp


@shared_task(
    name="sanctions.tasks.audit_chain_verify", autoretry_for=(OperationalError,), **DURABLE
)
def audit_chain_verify_task() -> dict:
    """Recompute the audit trail's hash chain and store the result (dashboard). Only reads the
    trail, so a second run or a redelivery stores the same result again."""
    result = audit_chain_verify()
    return {
        "intact": result.intact,
        "rows_checked": result.rows_checked,
        "head_hash": result.head_hash,
        "broken_event_id": result.broken_event_id,
        "reason": result.reason,
    }
