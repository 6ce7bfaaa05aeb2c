"""Tamper evidence of the audit trail: the hash chain over `sanctions_auditevent`.

Each row stores `chain_seq` (its gapless position), `prev_hash` (the `row_hash` of the row at
the position before it; 64 zeros for the first row) and `row_hash`:

    sha256( jsonb_build_array('scs-audit-v1', chain_seq, id, prev_hash, actor_id, actor_repr,
            action, object_type, object_id, object_repr, subject_id, old_values, new_values,
            host(ip_address), created_at in UTC as YYYY-MM-DDTHH:MI:SS.ffffffZ)::text )

jsonb's text form is canonical (keys sorted, one spelling of each value), strings are JSON-escaped
(so no field can run into the next one), and the time is spelled independently of the session's
time zone: any session — the app, psql of an operator — computes the same hash.

The database computes the three columns when the row's transaction commits (migration 0032: a
deferred constraint trigger, frozen copy of `row_hash_sql` below), under a transaction-level
advisory lock (`CHAIN_LOCK_KEY`) held only for the commit: rows chain in commit order, so ids
that commit out of order never fork the chain, and no transaction waits for another's whole
duration (migration 0026 took the lock at the first insert; an import chunk then held every
audited write in the portal behind it).

The verifier (`verify_query`) recomputes every hash with the expression below, written here and
not in a stored function, so replacing the trigger's function cannot also blind the verifier.
"""

from __future__ import annotations

import logging

from django.db import connection, transaction

from sanctions.models import AuditChainBreak, AuditVerification

GENESIS_HASH = "0" * 64
HASH_VERSION = "scs-audit-v1"
# pg_advisory_xact_lock key that serialises audit inserts (arbitrary, fixed: "SCS" "AUDT")
CHAIN_LOCK_KEY = 0x534353_41554454


def row_hash_sql(row: str) -> str:
    """SQL expression of the hash of `row` (a row of sanctions_auditevent, e.g. `NEW` or an
    alias) whose `prev_hash` and `chain_seq` are already set."""
    return f"""encode(sha256(convert_to(jsonb_build_array(
        '{HASH_VERSION}', {row}.chain_seq, {row}.id, {row}.prev_hash, {row}.actor_id,
        {row}.actor_repr, {row}.action, {row}.object_type, {row}.object_id, {row}.object_repr,
        {row}.subject_id, {row}.old_values, {row}.new_values, host({row}.ip_address),
        to_char({row}.created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
    )::text, 'UTF8')), 'hex')"""


# Why a row is the first one at which the chain no longer holds, in chain order:
#   gap      the position before it is missing: a row was deleted (or this one moved)
#   link     its prev_hash is not the previous row's row_hash: the previous row was rewritten
#            (and re-hashed), or this row's link was
#   content  its content no longer gives its row_hash: this row was edited
#   anchor   the last row of the last intact verification is missing or changed (rows cut off
#            the end of the chain, or the chain rewritten since)
VERIFY_SQL = f"""
WITH chain AS (
    SELECT e.id, e.chain_seq, e.prev_hash, e.row_hash,
           lag(e.id) OVER w AS before_id,
           lag(e.chain_seq) OVER w AS before_seq,
           lag(e.row_hash) OVER w AS before_hash,
           {row_hash_sql("e")} AS recomputed
    FROM sanctions_auditevent e
    WINDOW w AS (ORDER BY e.chain_seq)
),
first_broken AS (
    SELECT id, chain_seq, before_id,
           CASE WHEN chain_seq <> coalesce(before_seq, 0) + 1 THEN 'gap'
                WHEN prev_hash <> coalesce(before_hash, '{GENESIS_HASH}') THEN 'link'
                ELSE 'content' END AS reason
    FROM chain
    WHERE chain_seq <> coalesce(before_seq, 0) + 1
       OR prev_hash <> coalesce(before_hash, '{GENESIS_HASH}')
       OR row_hash IS DISTINCT FROM recomputed
    ORDER BY chain_seq
    LIMIT 1
),
head AS (
    SELECT id, chain_seq, row_hash FROM sanctions_auditevent ORDER BY chain_seq DESC LIMIT 1
)
SELECT (SELECT count(*) FROM chain),
       fb.id, fb.chain_seq, fb.before_id, fb.reason,
       head.id, head.chain_seq, head.row_hash,
       (SELECT a.row_hash FROM sanctions_auditevent a WHERE a.chain_seq = %(anchor_seq)s)
FROM (SELECT 1) AS one
LEFT JOIN first_broken fb ON true
LEFT JOIN head ON true
"""  # noqa: S608 - constant SQL, one parameter
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
