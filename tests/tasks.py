"""The portal's Celery tasks under the names the tests call them by: `from tests import tasks`.

The tasks are now `*_task` functions in their bounded context's `tasks` module, gathered by
the hub `sanctions.tasks` (their Celery names, "sanctions.tasks.<name>", did not change). The
tests were written against the earlier function names; this module maps those names to the
same task objects, so the tests' bodies and assertions stay as they were."""

from sanctions.agency.tasks import import_batch_process_task as import_batch_process
from sanctions.agency.tasks import import_batches_requeue_task as import_batches_requeue
from sanctions.casework.tasks import deadline_reminders_send_task
from sanctions.casework.tasks import retention_sweep_task as retention_sweep
from sanctions.casework.tasks import review_cases_open_task as review_cases_open
from sanctions.kernel.tasks import audit_chain_verify_task
from sanctions.kernel.tasks import heartbeat_task as heartbeat
from sanctions.publication.tasks import publication_sweep_task as publication_sweep
from sanctions.scoring.tasks import score_chunk_task as score_chunk
from sanctions.scoring.tasks import score_history_partitions_task as score_history_partitions
from sanctions.scoring.tasks import score_recompute_task as score_recompute
from sanctions.scoring.tasks import score_resume_task as score_resume

__all__ = [
    "audit_chain_verify_task",
    "deadline_reminders_send_task",
    "heartbeat",
    "import_batch_process",
    "import_batches_requeue",
    "publication_sweep",
    "retention_sweep",
    "review_cases_open",
    "score_chunk",
    "score_history_partitions",
    "score_recompute",
    "score_resume",
]
