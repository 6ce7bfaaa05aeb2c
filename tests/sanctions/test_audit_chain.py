"""Tamper-evident audit trail (issue 13): the hash chain the database writes, the verifier
(`manage.py audit_verify`, the nightly task, the dashboard), TRUNCATE refused, the access log
append-only, and audit rows carrying the client address of the request."""

from __future__ import annotations

import os
import re
import threading
import time

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from sanctions.kernel.audit_chain import GENESIS_HASH, audit_chain_verify
from sanctions.models import AccessLog, AuditEvent, AuditVerification, Authority
from tests import services, tasks
from tests.factories import make_citizen, make_official, the_event
from tests.sanctions.test_audit_rows import listed

pytestmark = pytest.mark.django_db

APPEND_ONLY = "sanctions_auditevent_append_only"


@pytest.fixture(autouse=True)
def _link_at_once(request):
    """Rows are linked when their transaction commits (migration 0032); a test runs inside one
    transaction that never commits, so link each row as it is written."""
    if "transactional_db" in request.fixturenames or request.node.get_closest_marker(
        "django_db"
    ).kwargs.get("transaction"):
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS sanctions_auditevent_link IMMEDIATE")
    yield


def write_events(count: int, actor=None, **values) -> list[AuditEvent]:
    """`count` audit rows, each in a transaction of its own, re-read (chain columns set)."""
    authority = Authority.objects.get(code="spc")
    events = []
    for index in range(count):
        with transaction.atomic():
            events.append(
                services.audit_log(actor=actor, action=f"test.chain.{index}", obj=authority,
                                   new={"index": index, "名称": "张三"}, **values)
            )  # fmt: skip
    for event in events:
        event.refresh_from_db()
    return events


def as_table_owner(sql: str, params=()) -> None:
    """What someone with the owner's rights can do: switch the append-only trigger off for a
    moment and rewrite the trail (inside the test's transaction, rolled back afterwards)."""
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending FK checks: ALTER may run
        cursor.execute(f"ALTER TABLE sanctions_auditevent DISABLE TRIGGER {APPEND_ONLY}")
        cursor.execute(sql, params)
        cursor.execute(f"ALTER TABLE sanctions_auditevent ENABLE TRIGGER {APPEND_ONLY}")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        cursor.execute("SET CONSTRAINTS sanctions_auditevent_link IMMEDIATE")


# --- the chain ---------------------------------------------------------------------------------


def test_normal_writes_form_one_valid_chain(catalog, court):
    record = listed(court)  # real services: case, decision, notice, publication
    write_events(3, actor=court["reviewer"], subject=record.subject, ip_address="2001:db8::7")
    rows = list(AuditEvent.objects.order_by("chain_seq"))
    assert len(rows) > 5
    assert [row.chain_seq for row in rows] == list(range(1, len(rows) + 1))
    assert rows[0].prev_hash == GENESIS_HASH
    for before, row in zip(rows, rows[1:], strict=False):
        assert row.prev_hash == before.row_hash
    assert all(re.fullmatch(r"[0-9a-f]{64}", row.row_hash) for row in rows)
    assert len({row.row_hash for row in rows}) == len(rows)

    result = audit_chain_verify()
    assert (result.intact, result.rows_checked, result.broken_event_id) == (True, len(rows), None)
    assert (result.head_event_id, result.head_hash) == (rows[-1].pk, rows[-1].row_hash)


def test_the_database_sets_the_chain_whatever_the_insert_says(catalog):
    last = write_events(1)[0]
    forged = AuditEvent.objects.create(
        actor_repr="x", action="forged", object_type="t", object_id="1",
        chain_seq=10_000, prev_hash="f" * 64, row_hash="e" * 64,
    )  # fmt: skip
    forged.refresh_from_db()
    assert forged.chain_seq == last.chain_seq + 1 and forged.prev_hash == last.row_hash
    assert forged.row_hash != "e" * 64
    assert audit_chain_verify().intact


def test_a_row_edited_by_the_table_owner_is_named_by_the_verifier(catalog):
    events = write_events(5)
    assert audit_chain_verify().intact
    as_table_owner(
        "UPDATE sanctions_auditevent SET new_values = '{\"index\": 99}' WHERE id = %s",
        [events[2].pk],
    )
    result = audit_chain_verify()
    assert not result.intact
    assert (result.broken_event_id, result.broken_seq) == (events[2].pk, events[2].chain_seq)
    assert result.reason == "content"
    with pytest.raises(CommandError, match=rf"BROKEN at audit row {events[2].pk}\b") as raised:
        call_command("audit_verify")
    assert raised.value.returncode == 1


def test_an_edit_with_a_recomputed_hash_is_named_at_the_next_row(catalog):
    from sanctions.kernel.audit_chain import row_hash_sql

    events = write_events(5)
    as_table_owner(
        f"UPDATE sanctions_auditevent SET actor_repr = 'someone else' WHERE id = %s;"
        f"UPDATE sanctions_auditevent SET row_hash = {row_hash_sql('sanctions_auditevent')} "
        f"WHERE id = %s",
        [events[1].pk, events[1].pk],
    )
    result = audit_chain_verify()
    assert (result.intact, result.broken_event_id, result.reason) == (False, events[2].pk, "link")


def test_a_deleted_row_is_named_by_the_row_after_it(catalog):
    events = write_events(5)
    as_table_owner("DELETE FROM sanctions_auditevent WHERE id = %s", [events[2].pk])
    result = audit_chain_verify()
    assert (result.intact, result.broken_event_id, result.reason) == (False, events[3].pk, "gap")


def test_rows_cut_off_the_end_are_caught_by_the_last_verification(catalog):
    events = write_events(4)
    assert audit_chain_verify().head_event_id == events[-1].pk  # the anchor
    as_table_owner("DELETE FROM sanctions_auditevent WHERE id >= %s", [events[2].pk])
    result = audit_chain_verify()
    assert (result.intact, result.broken_event_id, result.reason) == (False, events[3].pk, "anchor")
    assert result.rows_checked == AuditEvent.objects.count()


def test_the_command_prints_ok_with_the_count(catalog, capsys):
    write_events(3)
    call_command("audit_verify")
    out = capsys.readouterr().out
    assert re.search(rf"^OK: {AuditEvent.objects.count()} audit rows, chain intact", out)
    assert AuditVerification.objects.get().intact
    call_command("audit_verify", "--no-record")
    assert AuditVerification.objects.count() == 1


def test_the_nightly_task_run_twice_gives_the_same_result(catalog, settings):
    assert "audit-chain-verify" in settings.CELERY_BEAT_SCHEDULE
    events = write_events(3)
    first, second = tasks.audit_chain_verify_task(), tasks.audit_chain_verify_task()
    assert first == second and first["intact"] is True
    assert first["rows_checked"] == AuditEvent.objects.count()
    as_table_owner("UPDATE sanctions_auditevent SET action = 'x' WHERE id = %s", [events[0].pk])
    first = tasks.audit_chain_verify_task.delay().get()
    assert first == tasks.audit_chain_verify_task.delay().get()
    assert (first["intact"], first["broken_event_id"]) == (False, events[0].pk)
    assert AuditVerification.objects.count() == 4


def test_the_dashboard_shows_the_last_verification(client, court):
    client.force_login(court["clerk"])

    def status() -> str:
        page = client.get(reverse("admin:index")).content.decode()
        found = re.search(r'<li id="audit-chain-status" class="(\w+)">\s*(.*?)\s*</li>', page, re.S)
        return f"{found[1]}: {found[2]}"

    assert status() == "info: Audit trail not verified yet."
    events = write_events(2)
    audit_chain_verify()
    rows = AuditEvent.objects.count()
    assert re.fullmatch(
        rf"success: Audit trail verified at [\d: -]+: intact \({rows} rows\).", status()
    )
    as_table_owner("DELETE FROM sanctions_auditevent WHERE id = %s", [events[0].pk])
    audit_chain_verify()
    assert re.fullmatch(
        rf"error: Audit trail verified at [\d: -]+: broken at row {events[1].pk} "
        r"\(a row before it is missing\)\.",
        status(),
    )


# --- concurrency -------------------------------------------------------------------------------


def _in_thread(work, errors):
    def run():
        try:
            work()
        except Exception as error:  # noqa: BLE001 - reported by the test
            errors.append(error)
        finally:
            connection.close()  # this thread's own connection

    thread = threading.Thread(target=run)
    thread.start()
    return thread


@pytest.mark.django_db(transaction=True)
def test_concurrent_transactions_writing_audit_rows_still_form_one_chain(catalog):
    authority = Authority.objects.get(code="spc")
    # 1. A writes a row and keeps its transaction open; B's audited write does not wait for
    # it (the chain links rows at commit, migration 0032) and commits first; A then writes a
    # second row and commits. Ids a.1 < b.1 < a.2, chain order b.1, a.1, a.2: commit order.
    a_wrote_first, b_done = threading.Event(), threading.Event()
    errors: list[Exception] = []
    b_took: list[float] = []

    def writer_a():
        with transaction.atomic():
            services.audit_log(actor=None, action="a.1", obj=authority)
            a_wrote_first.set()
            assert b_done.wait(10), "B waited for A's open transaction"
            services.audit_log(actor=None, action="a.2", obj=authority)

    def writer_b():
        assert a_wrote_first.wait(10)
        started = time.monotonic()
        with transaction.atomic():
            services.audit_log(actor=None, action="b.1", obj=authority)
        b_took.append(time.monotonic() - started)
        b_done.set()

    threads = [_in_thread(writer_a, errors), _in_thread(writer_b, errors)]
    for thread in threads:
        thread.join(30)
    assert not errors
    assert b_took and b_took[0] < 2
    rows = {row.action: row for row in AuditEvent.objects.filter(action__in=["a.1", "a.2", "b.1"])}
    assert rows["a.1"].pk < rows["b.1"].pk < rows["a.2"].pk
    assert rows["a.1"].chain_seq == rows["b.1"].chain_seq + 1  # B committed first
    assert rows["a.2"].chain_seq == rows["a.1"].chain_seq + 1
    assert rows["a.1"].prev_hash == rows["b.1"].row_hash
    assert rows["a.2"].prev_hash == rows["a.1"].row_hash

    # 2. two writers racing, each with transactions of two rows
    barrier = threading.Barrier(2)

    def racer(tag):
        barrier.wait(10)
        for index in range(15):
            with transaction.atomic():
                services.audit_log(actor=None, action=f"{tag}.{index}", obj=authority)
                services.audit_log(actor=None, action=f"{tag}.{index}.b", obj=authority)

    threads = [_in_thread(lambda tag=tag: racer(tag), errors) for tag in ("x", "y")]
    for thread in threads:
        thread.join(60)
    assert not errors
    total = AuditEvent.objects.count()
    assert total == 3 + 60
    seqs = sorted(AuditEvent.objects.values_list("chain_seq", flat=True))
    assert seqs == list(range(1, total + 1))
    # each transaction's two rows are neighbours: the lock is held until COMMIT
    for tag in ("x", "y"):
        for index in range(15):
            first = AuditEvent.objects.get(action=f"{tag}.{index}").chain_seq
            assert AuditEvent.objects.get(action=f"{tag}.{index}.b").chain_seq == first + 1
    result = audit_chain_verify()
    assert (result.intact, result.rows_checked) == (True, total)


# --- TRUNCATE and the access log ---------------------------------------------------------------


@pytest.mark.parametrize("table", ["sanctions_auditevent", "sanctions_accesslog"])
def test_truncate_is_refused(catalog, table):
    write_events(1)
    with connection.cursor() as cursor:  # (TRUNCATE refuses to run with FK checks pending)
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    with (
        pytest.raises(DatabaseError, match="append-only: TRUNCATE refused"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("SET LOCAL scs.allow_truncate = 'off'")  # as on every real database
        cursor.execute(f"TRUNCATE {table}")
    # a role that does not own the table is refused even when it asks for it
    role = f"scs_truncate_probe_{os.getpid()}"
    with (
        pytest.raises(DatabaseError, match="append-only: TRUNCATE refused"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(f"CREATE ROLE {role} NOLOGIN")
        cursor.execute(f"GRANT TRUNCATE ON {table} TO {role}")
        cursor.execute(f"SET LOCAL ROLE {role}")
        cursor.execute("SET LOCAL scs.allow_truncate = 'on'")
        cursor.execute(f"TRUNCATE {table}")
    assert AuditEvent.objects.exists()
    # the owner who asked for it (the test database's flush) may
    with transaction.atomic(), connection.cursor() as cursor:
        savepoint = transaction.savepoint()
        cursor.execute("SET LOCAL scs.allow_truncate = 'on'")
        cursor.execute(f"TRUNCATE {table}")
        cursor.execute("SELECT count(*) FROM sanctions_auditevent")
        assert (cursor.fetchone()[0] == 0) == (table == "sanctions_auditevent")
        transaction.savepoint_rollback(savepoint)


def test_the_access_log_is_append_only(court):
    entry = services.access_log_write(
        official_user=court["clerk"], subject=make_citizen().subject, purpose="case review"
    )
    refused = "sanctions_accesslog is append-only"
    with pytest.raises(DatabaseError, match=f"{refused}: UPDATE"), transaction.atomic():
        AccessLog.objects.filter(pk=entry.pk).update(purpose="nothing to see")
    with pytest.raises(DatabaseError, match=f"{refused}: DELETE"), transaction.atomic():
        AccessLog.objects.filter(pk=entry.pk).delete()
    entry.refresh_from_db()
    assert entry.purpose == "case review"


# --- the client address on audit rows ----------------------------------------------------------


@pytest.fixture
def supervisor_client(client, catalog):
    user = make_official(role="supervisor", authority_code="bj-dongcheng-court")
    user.is_superuser = True  # the holiday calendar is edited by superusers
    user.save()
    client.force_login(user)
    return client


def add_holiday(client, day: str, **headers) -> AuditEvent:
    response = client.post(reverse("admin:sanctions_holiday_add"),
                           {"date": day, "name": "元旦"}, **headers)  # fmt: skip
    assert response.status_code == 302
    return AuditEvent.objects.get(action="holiday.create", new_values__date=day)


def test_an_admin_actions_audit_row_carries_the_client_address(supervisor_client, settings):
    event = add_holiday(supervisor_client, "2027-01-01", REMOTE_ADDR="203.0.113.9")
    assert event.ip_address == "203.0.113.9"
    settings.SCS_TRUSTED_PROXY_HOPS = 1  # behind the proxy: the address it reports
    event = add_holiday(supervisor_client, "2027-01-02", REMOTE_ADDR="10.0.0.2",
                        HTTP_X_FORWARDED_FOR="198.51.100.4, 2001:db8::1")  # fmt: skip
    assert event.ip_address == "2001:db8::1"
    # a garbled header costs the address, never the audited change
    event = add_holiday(supervisor_client, "2027-01-03", REMOTE_ADDR="10.0.0.2",
                        HTTP_X_FORWARDED_FOR="not-an-address")  # fmt: skip
    assert event.ip_address is None


def test_system_actions_carry_no_address(supervisor_client, court):
    record = listed(court, ground=1)
    add_holiday(supervisor_client, "2027-01-04", REMOTE_ADDR="203.0.113.9")  # a request ends…
    assert tasks.review_cases_open(record.review_due_on.isoformat()) == 1  # … then a task runs
    case = record.review_cases.get()
    assert the_event("case.review_open", case).ip_address is None
    assert the_event("case.decide", record.case).ip_address is None  # services called directly
