import datetime

import pytest

from citizens.models import Citizen
from citizens.services import citizen_create, citizen_update
from sanctions.kernel.errors import ApplicationError
from sanctions.kernel.identifiers import identifier_hash
from sanctions.models import AuditEvent, Subject
from tests.factories import resident_id

pytestmark = pytest.mark.django_db


def test_citizen_create_derives_birth_sex_region_and_hides_the_number():
    number = resident_id(datetime.date(1990, 3, 7), region="110101", male=False)
    citizen = citizen_create(actor=None, resident_id=number, name="单雄信")
    assert citizen.birth_date == datetime.date(1990, 3, 7)
    assert citizen.sex == "F"
    assert citizen.region_code == "110101"
    subject = citizen.subject
    assert subject.kind == "person" and subject.birth_date == citizen.birth_date
    assert subject.name_pinyin == "shan xiong xin"
    assert subject.masked_identifier == number[:4] + "*" * 12 + number[-2:]
    assert subject.identifier_hash == identifier_hash(number)
    assert number not in str(Subject.objects.filter(pk=subject.pk).values().first())
    event = AuditEvent.objects.get(action="citizen.create")
    assert event.subject_id == subject.pk and number not in str(event.new_values)


@pytest.mark.parametrize(
    ("number", "fragment"),
    [
        ("123", "18 characters"),
        ("110101199003071234", "check digit"),
        ("110101199002301230", "check digit"),
    ],
)
def test_invalid_numbers_are_refused_with_a_field_error_and_nothing_is_written(number, fragment):
    with pytest.raises(ApplicationError) as excinfo:
        citizen_create(actor=None, resident_id=number, name="张伟")
    assert fragment in " ".join(excinfo.value.message_dict["resident_id"])
    assert not Citizen.objects.exists() and not Subject.objects.exists()
    assert not AuditEvent.objects.exists()


def test_duplicate_registration_and_blank_name_are_refused():
    number = resident_id()
    citizen_create(actor=None, resident_id=number, name="张伟")
    with pytest.raises(ApplicationError) as excinfo:
        citizen_create(actor=None, resident_id=number.lower(), name="张伟")
    assert "already registered" in excinfo.value.message_dict["resident_id"][0]
    with pytest.raises(ApplicationError):
        citizen_create(actor=None, resident_id=resident_id(), name="   ")
    assert Citizen.objects.count() == 1


def test_citizen_update_audits_old_and_new_values():
    citizen = citizen_create(actor=None, resident_id=resident_id(), name="张伟")
    citizen.name = "changed in memory"  # what an admin form does before save_model
    citizen_update(actor=None, citizen=citizen, name="曾伟", email="zw@example.cn")
    event = AuditEvent.objects.get(action="citizen.update")
    assert event.old_values["name"] == "张伟" and event.new_values["name"] == "曾伟"
    citizen.refresh_from_db()
    assert citizen.subject.name_pinyin == "zeng wei"


def test_resolving_a_person_with_a_legal_representative_is_refused():
    from citizens.services import citizen_subject_resolve

    number = resident_id()
    with pytest.raises(ApplicationError) as excinfo:
        citizen_subject_resolve(
            actor=None, identifier=number, name="赵六",
            legal_representative={"identifier": resident_id(), "name": "钱七"},
        )  # fmt: skip
    assert excinfo.value.message_dict == {"legal_representative": ["Only enterprises have one."]}
    assert not Subject.objects.filter(identifier_hash=identifier_hash(number)).exists()
    assert citizen_subject_resolve(actor=None, identifier=number, name="赵六").kind == "person"


def test_login_stand_in_for_an_unknown_number_does_not_depend_on_how_it_is_typed():
    from citizens.services import login_username_for

    # a wrong check digit: no account, a stand-in whose failures are counted (and locked out)
    stand_in = login_username_for("110101199001011234")
    assert stand_in.startswith("unknown-")
    assert login_username_for(" 110101-19900101 1234 ") == stand_in
    registered = citizen_create(actor=None, resident_id=resident_id(), name="王五")
    assert login_username_for(registered.resident_id) != stand_in
