"""The score history is range-partitioned by month (migration 0033): rows land in their
month's partition, rows of a month without one wait in DEFAULT until the daily task creates
it, the retention drops whole months (audited), the task is idempotent and runs as the app's
role (no DDL rights), and the migration turns a filled table into partitions and back with
every row and id intact."""

from __future__ import annotations

import datetime
import io
import threading

import pytest
from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from sanctions.kernel.errors import ApplicationError
from sanctions.models import AuditEvent, ScoreHistory
from sanctions.scoring.partitions import add_months, month_start, partition_name
from sanctions.scoring.selectors import score_history_partitions
from tests import services, tasks
from tests.factories import make_citizen

UTC = datetime.UTC
BEFORE = ("sanctions", "0032_audit_chain_at_commit")


def this_month() -> datetime.date:
    return month_start(timezone.now().date())


def mid_month(month: datetime.date, hour: int = 12) -> datetime.datetime:
    return datetime.datetime.combine(month + datetime.timedelta(days=14), datetime.time(hour),
                                     tzinfo=UTC)  # fmt: skip


def history(subject, at: datetime.datetime, total: int = 1000) -> ScoreHistory:
    return ScoreHistory.objects.create(
        subject=subject, total=total, government=0, commercial=0, societal=0, judicial=0,
        grade="A", rule_version=1, computed_at=at,
    )  # fmt: skip


def table_of(pk: int) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT tableoid::regclass::text FROM sanctions_scorehistory WHERE id = %s",
                       [pk])  # fmt: skip
        return cursor.fetchone()[0]


def partition_names() -> list[str]:
    return [partition.name for partition in score_history_partitions()]


def relkind(table: str) -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT relkind FROM pg_class WHERE oid = %s::regclass", [table])
        return cursor.fetchone()[0]


@pytest.mark.django_db
def test_the_score_history_is_partitioned_by_month_with_its_keys_on_the_parent():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.partstrat, a.attname FROM pg_partitioned_table p"
            " JOIN pg_attribute a ON a.attrelid = p.partrelid AND a.attnum = p.partattrs[0]"
            " WHERE p.partrelid = 'sanctions_scorehistory'::regclass"
        )
        assert cursor.fetchall() == [("r", "computed_at")]
        cursor.execute(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
            " WHERE conrelid = 'sanctions_scorehistory'::regclass AND contype IN ('p', 'f')"
            " ORDER BY contype"
        )
        (fk_name, fk), (pk_name, pk) = cursor.fetchall()
        assert pk == "PRIMARY KEY (id, computed_at)"
        assert fk.startswith("FOREIGN KEY (subject_id) REFERENCES sanctions_subject(id)")
        cursor.execute("SELECT pg_get_indexdef(%s::regclass)", [ScoreHistory._meta.indexes[0].name])
        assert "(subject_id, computed_at)" in cursor.fetchone()[0]
    names = partition_names()
    assert names[0] == "sanctions_scorehistory_default"
    for ahead in range(4):  # this month and three ahead, created by the migration
        assert partition_name(add_months(this_month(), ahead)) in names
    # Django still sees `id` as the primary key
    assert ScoreHistory._meta.pk.name == "id"


@pytest.mark.django_db
def test_a_recomputed_score_lands_in_its_months_partition(catalog):
    person = make_citizen().subject
    run = services.score_recompute_inline(kind="full")
    assert run.state == "done"
    row = ScoreHistory.objects.get(subject=person)
    assert table_of(row.pk) == partition_name(month_start(row.computed_at.astimezone(UTC).date()))
    # reads by subject go through the parent as before
    assert list(person.score_history.values_list("pk", flat=True)) == [row.pk]


@pytest.mark.django_db
def test_rows_of_a_month_without_partition_wait_in_default_and_move_out(catalog):
    person = make_citizen().subject
    month = add_months(this_month(), -24)
    rows = [history(person, mid_month(month, hour)) for hour in (1, 2, 3)]
    assert {table_of(row.pk) for row in rows} == {"sanctions_scorehistory_default"}

    result = services.score_history_partitions_maintain()

    assert partition_name(month) in result["created"]
    assert result["moved_from_default"] == 3 and result["dropped"] == []
    assert {table_of(row.pk) for row in rows} == {partition_name(month)}
    kept = ScoreHistory.objects.filter(pk__in=[row.pk for row in rows]).order_by("pk")
    assert [(r.pk, r.computed_at) for r in kept] == [(r.pk, r.computed_at) for r in rows]
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM sanctions_scorehistory_default")
        assert cursor.fetchone()[0] == 0


@pytest.mark.django_db
def test_retention_drops_a_wholly_older_month_and_keeps_the_next(catalog, settings):
    settings.SCS_SCORE_HISTORY_RETENTION_MONTHS = 96
    person = make_citizen().subject
    cutoff = add_months(this_month(), -96)
    too_old = add_months(cutoff, -1)  # ends on the cutoff: wholly older than the retention
    kept = [history(person, mid_month(cutoff)), history(person, mid_month(cutoff, 13))]
    dropped = [history(person, mid_month(too_old, hour)) for hour in (1, 2, 3, 4)]
    audit_rows = AuditEvent.objects.count()

    result = services.score_history_partitions_maintain()

    assert result["dropped"] == [partition_name(too_old)] and result["rows_dropped"] == 4
    assert result["retention_months"] == 96
    names = partition_names()
    assert partition_name(too_old) not in names and partition_name(cutoff) in names
    assert not ScoreHistory.objects.filter(pk__in=[row.pk for row in dropped]).exists()
    assert ScoreHistory.objects.filter(pk__in=[row.pk for row in kept]).count() == 2
    assert {table_of(row.pk) for row in kept} == {partition_name(cutoff)}
    (event,) = AuditEvent.objects.filter(action="score_history.partition_drop")
    assert AuditEvent.objects.count() == audit_rows + 1
    assert event.actor is None and event.subject is None
    assert event.new_values == {"partition": partition_name(too_old),
                                "month": f"{too_old:%Y-%m}", "rows": 4,
                                "retention_months": 96}  # fmt: skip


@pytest.mark.django_db
def test_the_task_run_twice_gives_the_same_result(catalog, settings):
    settings.SCS_SCORE_HISTORY_RETENTION_MONTHS = 96
    person = make_citizen().subject
    waiting = add_months(this_month(), -30)
    expired = add_months(this_month(), -100)
    history(person, mid_month(waiting))
    history(person, mid_month(expired))

    first = tasks.score_history_partitions()
    partitions = partition_names()
    rows = sorted(ScoreHistory.objects.values_list("pk", "computed_at"))
    audit_rows = AuditEvent.objects.count()
    assert partition_name(waiting) in first["created"] and first["moved_from_default"] == 2
    assert first["dropped"] == [partition_name(expired)] and first["rows_dropped"] == 1

    second = tasks.score_history_partitions()

    assert second == {"created": [], "moved_from_default": 0, "dropped": [],
                      "rows_dropped": 0, "retention_months": 96}  # fmt: skip
    assert partition_names() == partitions
    assert sorted(ScoreHistory.objects.values_list("pk", "computed_at")) == rows
    assert AuditEvent.objects.count() == audit_rows


@pytest.mark.django_db
def test_the_command_creates_ahead_and_lists(catalog):
    out = io.StringIO()
    call_command("score_history_partitions", "--months-ahead", "5", stdout=out)
    created = [partition_name(add_months(this_month(), n)) for n in (4, 5)]
    assert out.getvalue().splitlines()[0] == f"created=2 {' '.join(created)}"
    listing = io.StringIO()
    call_command("score_history_partitions", "--list", stdout=listing)
    assert all(name in listing.getvalue() for name in created)
    assert "sanctions_scorehistory_default  DEFAULT" in listing.getvalue()


@pytest.mark.django_db
def test_a_short_retention_is_refused_by_the_service_and_by_the_database():
    with pytest.raises(ApplicationError):
        services.score_history_partitions_maintain(retention_months=11)
    last_year = add_months(this_month(), -11)  # ends 10 months ago
    with pytest.raises(DatabaseError, match="less than 12 months old"), transaction.atomic():
        services.score_history_partition_drop(month=last_year, retention_months=11)
    assert partition_name(this_month()) in partition_names()


@pytest.fixture
def app_role(db):
    """The application's role (no DDL), created in the test's transaction (rolled back)."""
    role = "scs_app_partitions_test"
    call_command("create_app_role", role=role, password="not-used", stdout=io.StringIO())
    return role


def test_the_app_role_without_ddl_rights_runs_the_maintenance(app_role, catalog, settings):
    settings.SCS_SCORE_HISTORY_RETENTION_MONTHS = 96
    person = make_citizen().subject
    waiting = add_months(this_month(), -40)
    expired = add_months(this_month(), -99)
    row = history(person, mid_month(waiting))
    history(person, mid_month(expired))
    with connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL ROLE {app_role}")
        cursor.execute("SELECT has_schema_privilege('public', 'CREATE')")
        assert cursor.fetchone()[0] is False
        result = services.score_history_partitions_maintain()
        cursor.execute("SELECT current_user")
        assert cursor.fetchone()[0] == app_role
        cursor.execute("RESET ROLE")
        cursor.execute(
            "SELECT pg_get_userbyid(relowner) FROM pg_class WHERE oid = %s::regclass",
            [partition_name(waiting)],
        )
        assert cursor.fetchone()[0] != app_role  # the owner's table; the app role owns nothing
    assert partition_name(waiting) in result["created"]
    assert result["dropped"] == [partition_name(expired)]
    assert table_of(row.pk) == partition_name(waiting)


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_take_turns_and_do_each_step_once(catalog, settings):
    settings.SCS_SCORE_HISTORY_RETENTION_MONTHS = 96
    person = make_citizen().subject
    waiting = [add_months(this_month(), -n) for n in range(50, 44, -1)]
    expired = add_months(this_month(), -103)
    for month in waiting:
        history(person, mid_month(month))
    history(person, mid_month(expired))
    start = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            start.wait()
            results.append(services.score_history_partitions_maintain())
        except Exception as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connection.close()

    runners = [threading.Thread(target=run) for _ in range(2)]
    for runner in runners:
        runner.start()
    for runner in runners:
        runner.join(timeout=60)

    assert errors == [] and len(results) == 2
    created = sorted(name for result in results for name in result["created"])
    assert created == sorted({*map(partition_name, waiting), partition_name(expired)})
    assert sum(result["moved_from_default"] for result in results) == 7
    assert [name for result in results for name in result["dropped"]] == [partition_name(expired)]
    assert AuditEvent.objects.filter(action="score_history.partition_drop").count() == 1
    assert ScoreHistory.objects.count() == len(waiting)


@pytest.mark.django_db(transaction=True)
def test_the_migration_partitions_a_filled_table_and_back():
    people = [make_citizen().subject.pk for _ in range(3)]
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes()
    executor.migrate([BEFORE])
    assert relkind("sanctions_scorehistory") == "r"
    # a filled table: rows over several months (one whose partition the migration makes
    # ahead of time), with a gap in the ids
    months = [add_months(this_month(), n) for n in (-14, -13, -13, -11, -1, 0, 2)]
    with connection.cursor() as cursor:
        for number, month in enumerate(months * 5):
            cursor.execute(
                "INSERT INTO sanctions_scorehistory (subject_id, total, government,"
                " commercial, societal, judicial, grade, rule_version, computed_at)"
                " VALUES (%s, %s, 0, 0, 0, 0, 'B', 1, %s)",
                [people[number % 3], 900 + number, mid_month(month, number % 24)],
            )
        cursor.execute("DELETE FROM sanctions_scorehistory WHERE total = 905")
        cursor.execute("SELECT id, subject_id, total, computed_at FROM sanctions_scorehistory")
        before = sorted(cursor.fetchall())
    assert len(before) == 34

    executor = MigrationExecutor(connection)
    executor.migrate(latest)

    assert relkind("sanctions_scorehistory") == "p"
    rows = ScoreHistory.objects.order_by("pk")
    assert sorted(rows.values_list("pk", "subject_id", "total", "computed_at")) == before
    for row in rows:
        month = month_start(row.computed_at.astimezone(UTC).date())
        assert table_of(row.pk) == partition_name(month)
    # the sequence continues where it stopped
    added = history(ScoreHistory.objects.first().subject, timezone.now())
    assert added.pk == max(pk for pk, *_ in before) + 1

    # and back: a plain table with the same rows, then partitioned again
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE])
    assert relkind("sanctions_scorehistory") == "r"
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, subject_id, total, computed_at FROM sanctions_scorehistory")
        back = sorted(cursor.fetchall())
        cursor.execute("SELECT count(*) FROM pg_proc WHERE proname LIKE 'scs_score_history%%'")
        assert cursor.fetchone()[0] == 0
    assert back == sorted([*before, (added.pk, added.subject_id, added.total, added.computed_at)])
    executor = MigrationExecutor(connection)
    executor.migrate(latest)
    assert relkind("sanctions_scorehistory") == "p"
    assert ScoreHistory.objects.count() == len(back)
