"""Verification of the audit trail's hash chain (sanctions.audit_chain)."""

from __future__ import annotations

import logging

from django.db import connection, transaction

from sanctions.audit_chain import VERIFY_SQL
from sanctions.models import AuditChainBreak, AuditVerification

logger = logging.getLogger(__name__)


def audit_chain_verify(*, record: bool = True) -> AuditVerification:
    """Recompute every row's hash and link, in chain order, in one statement (one snapshot:
    rows committed meanwhile are left for the next run), and compare the last intact run's
    last row (the anchor) with what is stored now.

    Returns the result — saved when `record`, so the dashboard shows it and the next run is
    anchored on it. Reading only: safe to run at any time and any number of times.
    """
    anchor = AuditVerification.objects.filter(intact=True, head_seq__isnull=False).first()
    with connection.cursor() as cursor:
        # rows this transaction wrote are linked at commit (migration 0032): link them now
        if connection.in_atomic_block:
            cursor.execute("SET CONSTRAINTS sanctions_auditevent_link IMMEDIATE")
        cursor.execute(VERIFY_SQL, {"anchor_seq": anchor.head_seq if anchor else None})
        (
            rows, broken_id, broken_seq, _before_id, reason,
            head_id, head_seq, head_hash, anchor_hash_now,
        ) = cursor.fetchone()  # fmt: skip
    result = AuditVerification(
        intact=broken_id is None,
        rows_checked=rows,
        head_seq=head_seq,
        head_event_id=head_id,
        head_hash=head_hash or "",
        broken_event_id=broken_id,
        broken_seq=broken_seq,
        reason=reason or "",
    )
    anchor_lost = anchor is not None and anchor_hash_now != anchor.head_hash
    if anchor_lost and (broken_seq is None or anchor.head_seq < broken_seq):
        result.intact = False
        result.broken_event_id = anchor.head_event_id
        result.broken_seq = anchor.head_seq
        result.reason = AuditChainBreak.ANCHOR
    if result.intact:
        logger.info(
            "audit chain intact: %s rows, head #%s (position %s) %s",
            rows, head_id, head_seq, head_hash,
        )  # fmt: skip
    else:
        logger.error(
            "audit chain BROKEN at audit row #%s (position %s): %s",
            result.broken_event_id, result.broken_seq, result.get_reason_display(),
        )  # fmt: skip
    if record:
        with transaction.atomic():
            result.save()
    return result
