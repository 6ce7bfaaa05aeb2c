"""The kernel: building blocks every bounded context of `sanctions` uses — the project's
error type, the audit trail and access log, roles and their scope, identifiers and pinyin,
regions, working days, the publication and effective windows (rules), rate limits, uploads,
the admin's shared machinery, the API's error handling and the task policy.

Nothing here imports a bounded context (registry, casework, scoring, publication, agency);
modules here may read and write the shared models (`sanctions.models`)."""
