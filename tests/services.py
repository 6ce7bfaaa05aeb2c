"""The portal's services under one name, for the tests: `from tests import services`.

The tests were written when `sanctions.services` held every write, and call
`services.<name>(...)`; the services now live in their bounded context's package
(docs/architecture.md). This module gathers the ones the tests call, so their bodies
(and assertions) stay as they were. Production code imports each from its package."""

from bench.recompute import score_floor_totals
from sanctions.casework.services.cases import (
    case_close,
    case_create,
    case_decide,
    case_serve_notice,
    case_submit,
    case_update,
    case_withdraw,
    evidence_add,
)
from sanctions.casework.services.filings import (
    appeal_decide,
    appeal_file,
    objection_decide,
    objection_file,
    repair_apply,
    repair_decide,
)
from sanctions.casework.services.listings import (
    record_extend_listing,
    review_case_conclude,
    review_cases_open,
)
from sanctions.casework.services.retention import retention_sweep
from sanctions.kernel.audit import access_log_write, audit_log
from sanctions.publication.services import publication_sweep
from sanctions.registry.services.catalog import (
    catalog_save,
    record_type_create,
    record_type_update,
)
from sanctions.registry.services.notices import notice_issue
from sanctions.registry.services.records import (
    mark_dirty,
    record_create,
    record_event_report,
    record_register,
    record_remove,
    record_serve_notice,
    record_validate,
)
from sanctions.scoring.partitions import (
    score_history_partition_create,
    score_history_partition_drop,
    score_history_partitions_maintain,
)
from sanctions.scoring.selectors import active_ruleset, ruleset_what_if, score_explain
from sanctions.scoring.services import (
    ruleset_activate,
    ruleset_create_draft,
    ruleset_update_draft,
    score_recompute_inline,
    score_run_pending_chunks,
    score_run_start,
)

__all__ = [
    "access_log_write",
    "active_ruleset",
    "appeal_decide",
    "appeal_file",
    "audit_log",
    "case_close",
    "case_create",
    "case_decide",
    "case_serve_notice",
    "case_submit",
    "case_update",
    "case_withdraw",
    "catalog_save",
    "evidence_add",
    "mark_dirty",
    "notice_issue",
    "objection_decide",
    "objection_file",
    "publication_sweep",
    "record_create",
    "record_event_report",
    "record_extend_listing",
    "record_register",
    "record_remove",
    "record_serve_notice",
    "record_type_create",
    "record_type_update",
    "record_validate",
    "repair_apply",
    "repair_decide",
    "retention_sweep",
    "review_case_conclude",
    "review_cases_open",
    "ruleset_activate",
    "ruleset_create_draft",
    "ruleset_update_draft",
    "ruleset_what_if",
    "score_explain",
    "score_floor_totals",
    "score_history_partition_create",
    "score_history_partition_drop",
    "score_history_partitions_maintain",
    "score_recompute_inline",
    "score_run_pending_chunks",
    "score_run_start",
]
