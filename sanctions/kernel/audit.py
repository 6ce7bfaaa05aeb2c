"""The audit trail and the access log: who changed what (AuditEvent, written in the
transaction of the change) and which official read whose data (AccessLog); what an official
may read of them."""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Sequence
from typing import Any

from django.db import models, transaction
from django.db.models import CharField, Q, QuerySet
from django.db.models.functions import Cast

from sanctions.kernel.request_context import current_client_address
from sanctions.kernel.roles import Actor, Viewer, authorities_visible_to, is_auditor
from sanctions.models import (
    AccessLog,
    ApiClient,
    ApiSubmission,
    Appeal,
    AuditEvent,
    AuditVerification,
    Authority,
    Case,
    ImportBatch,
    IntegrityRecord,
    Notice,
    Objection,
    Official,
    RecordEvent,
    RepairApplication,
    Subject,
)


def json_value(value: Any) -> Any:
    """A value as audit rows (and the agency ledger) hold it in JSON: dates in ISO form,
    decimals as text, rows by their primary key."""
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dict):
        return {str(k): json_value(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set):
        return [json_value(v) for v in value]
    return value


def audit_log(
    *,
    actor: Actor,
    action: str,
    obj: models.Model,
    subject: Subject | None = None,
    old: dict[str, Any] | None = None,
    new: dict[str, Any] | None = None,
    ip_address: str | None = None,
) -> AuditEvent:
    """Append an AuditEvent. Call it inside the transaction of the change it records.

    `ip_address` defaults to the client address of the request being served (none for
    tasks and commands). The database chains the row (hash, position) on insert."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_log must run inside the transaction of the change it records")
    user = actor if actor is not None and actor.is_authenticated else None
    return AuditEvent.objects.create(
        actor=user,
        actor_repr=user.get_username() if user else "system",
        action=action,
        object_type=obj._meta.label,
        object_id=str(obj.pk),
        object_repr=str(obj)[:300],
        subject=subject,
        old_values={k: json_value(v) for k, v in (old or {}).items()},
        new_values={k: json_value(v) for k, v in (new or {}).items()},
        ip_address=ip_address or current_client_address(),
    )


def access_log_write(*, official_user, subject: Subject, purpose: str) -> AccessLog | None:
    """Record that an official opened a person's record (persons only; enterprises' records
    are not personal data). Returns None for non-officials and enterprise subjects.
    API clients' service users are officials without staff status (they cannot log in)."""
    official = getattr(official_user, "official", None)
    if subject.kind != "person" or not (getattr(official_user, "is_staff", False) or official):
        return None
    return AccessLog.objects.create(
        subject=subject,
        official=official_user,
        authority=official.authority if official else None,
        purpose=purpose[:200],
    )


def access_log_write_many(*, official_user, subjects: Sequence[Subject], purpose: str) -> int:
    """`access_log_write` for every person among `subjects` (a list page showing several
    people): one row per person, one INSERT. Returns how many rows were written."""
    official = getattr(official_user, "official", None)
    if not (getattr(official_user, "is_staff", False) or official):
        return 0
    people = {subject.pk: subject for subject in subjects if subject and subject.kind == "person"}
    AccessLog.objects.bulk_create(
        AccessLog(subject=subject, official=official_user, purpose=purpose[:200],
                  authority=official.authority if official else None)
        for subject in people.values()
    )  # fmt: skip
    return len(people)


def _audited_objects() -> list[tuple]:
    """The kinds of object whose audit rows belong to an authority: (model, the paths from
    the object to the authorities it belongs to)."""
    from django.contrib.auth import get_user_model

    return [
        (Case, ("authority",)),
        (IntegrityRecord, ("authority",)),
        (RecordEvent, ("record__authority",)),
        (Notice, ("record__authority",)),
        (Objection, ("record__authority",)),
        # the appeal body and the authority whose record is appealed
        (Appeal, ("authority", "objection__record__authority")),
        (RepairApplication, ("record__authority",)),
        (ApiClient, ("authority",)),
        (ApiSubmission, ("authority",)),
        (ImportBatch, ("authority",)),
        (Official, ("authority",)),
        (Authority, ("pk",)),
        (get_user_model(), ("official__authority",)),
    ]


def audit_events_visible_to(*, user: Viewer) -> QuerySet[AuditEvent]:
    """The audit trail an official may read: rows written by an official of an authority
    they see (their own; a supervisor's also the bodies below), and rows about an object of
    such an authority — its cases, records and their events and notices, objections, appeals
    (the appeal body's too), repair applications, API clients, submissions, imports, its
    officials and their accounts, the authority itself — whoever wrote them (the subject
    filing an objection, the nightly sweep). Rows about the shared registers (citizens,
    enterprises, the catalog, rule sets) that nobody of theirs wrote are not theirs. The
    auditor role and the operator read everything."""
    if is_auditor(user=user):
        return AuditEvent.objects.all()
    visible = authorities_visible_to(user=user)
    condition = Q(actor__official__authority__in=visible)
    for model, paths in _audited_objects():
        in_scope = Q()
        for path in paths:
            in_scope |= Q(**{f"{path}__in": visible})
        ids = (
            model.objects.filter(in_scope)
            .annotate(audit_object_id=Cast("pk", CharField()))
            .values("audit_object_id")
        )
        condition |= Q(object_type=model._meta.label, object_id__in=ids)
    return AuditEvent.objects.filter(condition)


def access_log_visible_to(*, user: Viewer) -> QuerySet[AccessLog]:
    """Reads by officials of the authorities the user sees (a supervisor's own and those
    below); everything for the auditor role and the operator."""
    if is_auditor(user=user):
        return AccessLog.objects.all()
    return AccessLog.objects.filter(authority__in=authorities_visible_to(user=user))


def audit_verification_latest() -> AuditVerification | None:
    """The last run of the audit-chain verifier (nightly task or `manage.py audit_verify`)."""
    return AuditVerification.objects.first()
