"""The sanctions models, split by concern: the core catalogs and records, and casework
(cases, notices, objections, appeals, repairs, access log, holidays)."""

from sanctions.models.agency import (  # noqa: F401
    ApiClient,
    ApiScope,
    ApiSubmission,
    AuthorityApiPolicy,
    ImportBatch,
    ImportFormat,
    ImportStatus,
    SubmissionMode,
)
from sanctions.models.casework import (  # noqa: F401
    AccessLog,
    Appeal,
    AppealState,
    Case,
    CaseNote,
    CaseState,
    EvidenceFile,
    FilingAttachment,
    Holiday,
    Notice,
    NoticeKind,
    Objection,
    ObjectionOutcome,
    RepairApplication,
    RepairState,
)
from sanctions.models.core import (  # noqa: F401
    REMOVING_EVENTS,
    AuditChainBreak,
    AuditEvent,
    AuditVerification,
    Authority,
    AuthorityKind,
    AuthorityLevel,
    Domain,
    IntegrityRecord,
    JudicialGround,
    Measure,
    MeasureKind,
    Official,
    PerformanceStatus,
    Polarity,
    RecordEvent,
    RecordEventKind,
    RecordEventSource,
    RecordStatus,
    RecordType,
    RemovalReasonChoices,
    Severity,
    Subject,
    SubjectKind,
    in_language,
)
from sanctions.models.reminders import DeadlineReminder  # noqa: F401
from sanctions.models.scoring import (  # noqa: F401
    RuleSet,
    RuleSetState,
    Score,
    ScoreDirty,
    ScoreHistory,
    ScoreRun,
    ScoreRunChunk,
)

RemovalReason = RemovalReasonChoices
