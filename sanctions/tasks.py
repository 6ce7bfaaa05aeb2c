"""The module Celery's autodiscovery imports (`app.autodiscover_tasks()`): each bounded
context defines its tasks in its `tasks` module (docs/architecture.md); this hub imports them
so they are registered, and names them for callers that want them all."""

from sanctions.agency.tasks import import_batch_process_task, import_batches_requeue_task
from sanctions.casework.tasks import (
    deadline_reminders_send_task,
    retention_sweep_task,
    review_cases_open_task,
)
from sanctions.kernel.tasks import audit_chain_verify_task, heartbeat_task
from sanctions.publication.tasks import publication_sweep_task
from sanctions.scoring.tasks import (
    score_chunk_task,
    score_history_partitions_task,
    score_recompute_task,
    score_resume_task,
)

__all__ = [
    "audit_chain_verify_task",
    "deadline_reminders_send_task",
    "heartbeat_task",
    "import_batch_process_task",
    "import_batches_requeue_task",
    "publication_sweep_task",
    "retention_sweep_task",
    "review_cases_open_task",
    "score_chunk_task",
    "score_history_partitions_task",
    "score_recompute_task",
    "score_resume_task",
]
