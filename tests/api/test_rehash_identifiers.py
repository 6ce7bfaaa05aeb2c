"""`manage.py rehash_identifiers`: after SCS_IDENTIFIER_KEY changes, subjects are found by their
number again, an API repeat is still recognised as the same submission, a second run changes
nothing, and a subject hashed under an unknown key is reported, never guessed."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from sanctions.kernel.identifiers import identifier_hash
from sanctions.models import ApiSubmission, IntegrityRecord, Subject
from tests.api.conftest import auth, person_payload
from tests.factories import make_citizen, make_enterprise, resident_id

pytestmark = pytest.mark.django_db
OLD_KEY = "test-only-identifier-key-0123456789abcdef"
NEW_KEY = "a-new-identifier-key-after-rotation-9876543210zyxw"


def rehash(monkeypatch, settings, old_key: str = OLD_KEY) -> str:
    settings.SCS_IDENTIFIER_KEY = NEW_KEY
    monkeypatch.setenv("SCS_IDENTIFIER_OLD_KEY", old_key)
    out = StringIO()
    call_command("rehash_identifiers", stdout=out)
    return out.getvalue()


def test_rekeyed_subjects_are_found_and_api_repeats_stay_the_same(
    api, court_agency, monkeypatch, settings
):
    settings.SCS_IDENTIFIER_KEY = OLD_KEY
    _client, key = court_agency
    number = resident_id()
    body = person_payload(rid=number)
    assert api.post("/api/v1/records/", body, format="json", **auth(key)).status_code == 201
    enterprise = make_enterprise()
    person = Subject.objects.get(identifier_hash=identifier_hash(number))

    output = rehash(monkeypatch, settings)

    assert "subjects re-keyed: " in output
    person.refresh_from_db()
    enterprise.subject.refresh_from_db()
    assert person.identifier_hash == identifier_hash(number, key=NEW_KEY)
    assert enterprise.subject.identifier_hash == identifier_hash(
        enterprise.credit_code, key=NEW_KEY
    )
    # the same submission repeated under the new key is the same one: 200, no second record
    again = api.post("/api/v1/records/", body, format="json", **auth(key))
    assert again.status_code == 200, again.json()
    assert again.json()["created"] is False
    assert IntegrityRecord.objects.filter(decision_number=body["decision_number"]).count() == 1
    ledger = ApiSubmission.objects.get()
    assert ledger.payload["subject"]["identifier"] == identifier_hash(number, key=NEW_KEY)

    # a second run finds everything under the new key and changes nothing
    before = dict(Subject.objects.values_list("pk", "identifier_hash"))
    second = rehash(monkeypatch, settings)
    assert "subjects re-keyed: 0;" in second
    assert "API ledger rows rewritten: 0" in second
    assert dict(Subject.objects.values_list("pk", "identifier_hash")) == before


def test_a_subject_under_neither_key_is_reported_and_left(monkeypatch, settings):
    settings.SCS_IDENTIFIER_KEY = OLD_KEY
    citizen = make_citizen()
    other = make_citizen(name="李娜")
    Subject.objects.filter(pk=other.subject_id).update(identifier_hash="f" * 64)

    with pytest.raises(CommandError, match="1 subject\\(s\\) match neither key"):
        rehash(monkeypatch, settings)

    citizen.subject.refresh_from_db()
    assert citizen.subject.identifier_hash == identifier_hash(citizen.resident_id, key=NEW_KEY)
    assert Subject.objects.get(pk=other.subject_id).identifier_hash == "f" * 64


def test_without_the_old_key_it_refuses_and_changes_nothing(monkeypatch, settings):
    settings.SCS_IDENTIFIER_KEY = OLD_KEY
    citizen = make_citizen()
    monkeypatch.delenv("SCS_IDENTIFIER_OLD_KEY", raising=False)
    settings.SCS_IDENTIFIER_KEY = NEW_KEY
    with pytest.raises(CommandError, match="SCS_IDENTIFIER_OLD_KEY"):
        call_command("rehash_identifiers")
    with pytest.raises(CommandError, match="equals"):
        rehash(monkeypatch, settings, old_key=NEW_KEY)
    citizen.subject.refresh_from_db()
    assert citizen.subject.identifier_hash == identifier_hash(citizen.resident_id, key=OLD_KEY)
