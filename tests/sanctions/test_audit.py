import pytest
from django.db import DatabaseError, connection, transaction

from sanctions.kernel.audit import audit_log
from sanctions.models import AuditEvent, Authority


@pytest.fixture
def event(db, catalog):
    with transaction.atomic():
        return audit_log(
            actor=None, action="test.event", obj=Authority.objects.get(code="spc"), new={"a": 1}
        )


def test_update_of_an_audit_row_is_refused_by_the_database(event):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action="tampered")
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(
            "UPDATE sanctions_auditevent SET new_values = '{}' WHERE id = %s", [event.pk]
        )
    event.refresh_from_db()
    assert event.action == "test.event" and event.new_values == {"a": 1}


def test_delete_of_an_audit_row_is_refused_by_the_database(event):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute("DELETE FROM sanctions_auditevent")
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_audit_log_refuses_to_run_outside_a_transaction(catalog):
    with pytest.raises(RuntimeError, match="inside the transaction"):
        audit_log(actor=None, action="x", obj=Authority.objects.get(code="spc"))
    assert not AuditEvent.objects.filter(action="x").exists()


def test_audit_values_are_json_even_when_nested(db, catalog):
    import datetime
    from decimal import Decimal

    with transaction.atomic():
        event = audit_log(
            actor=None, action="t", obj=Authority.objects.get(code="spc"),
            new={"corrections": {"amount": Decimal("1.50"), "end": datetime.date(2025, 1, 2)},
                 "list": [Decimal("2")]},
        )  # fmt: skip
    event.refresh_from_db()
    assert event.new_values == {"corrections": {"amount": "1.50", "end": "2025-01-02"},
                                "list": ["2"]}  # fmt: skip
