"""Issue 14, found by the fault suite (tests/faults/test_import_contention.py): an agency
submission about a person or enterprise that another transaction (an import's chunk, another
agency) is registering at the same moment was refused with 400 "already registered". It now
waits for that registration and uses the subject it created."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, transaction

from citizens.models import Citizen
from citizens.services import citizen_create, citizen_subject_resolve
from enterprises.models import Enterprise
from enterprises.services import enterprise_create, enterprise_subject_resolve
from tests.factories import credit_code, make_citizen, resident_id

pytestmark = pytest.mark.django_db(transaction=True)


def register_concurrently(register) -> tuple[threading.Thread, threading.Event]:
    """Run `register()` in a transaction of another connection that stays open until the
    returned event is set."""
    registered, release = threading.Event(), threading.Event()

    def hold() -> None:
        try:
            with transaction.atomic():
                register()
                registered.set()
                release.wait(20)
        finally:
            connection.close()

    thread = threading.Thread(target=hold)
    thread.start()
    assert registered.wait(20)
    return thread, release


def test_a_person_registered_concurrently_resolves_to_that_citizen(catalog):
    number = resident_id()
    thread, release = register_concurrently(
        lambda: citizen_create(actor=None, resident_id=number, name="赵六")
    )
    # our insert waits for the other transaction's row; it commits half a second later
    threading.Timer(0.5, release.set).start()
    subject = citizen_subject_resolve(actor=None, identifier=number, name="赵六")
    thread.join(20)
    citizen = Citizen.objects.get(resident_id=number)
    assert subject == citizen.subject
    # a mismatching name is still refused after the race
    with pytest.raises(Exception, match="name does not match"):
        citizen_subject_resolve(actor=None, identifier=number, name="钱七")


def test_an_enterprise_registered_concurrently_resolves_to_that_enterprise(catalog):
    code = credit_code()
    rep = make_citizen(name="李建国")
    thread, release = register_concurrently(
        lambda: enterprise_create(
            actor=None, credit_code=code, name="北京并发科技有限公司", legal_representative=rep
        )
    )
    threading.Timer(0.5, release.set).start()
    subject = enterprise_subject_resolve(
        actor=None, identifier=code, name="北京并发科技有限公司",
        legal_representative={"identifier": rep.resident_id, "name": "李建国"},
    )  # fmt: skip
    thread.join(20)
    assert subject == Enterprise.objects.get(credit_code=code).subject
