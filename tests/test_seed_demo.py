import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from citizens.models import Citizen
from enterprises.models import Enterprise
from sanctions.kernel.identifiers import is_valid_resident_id, validate_credit_code
from sanctions.kernel.rules import is_minor_on
from sanctions.models import AuditEvent, IntegrityRecord, Score, Subject
from scs_portal.demo import DemoGenerator

pytestmark = pytest.mark.django_db


def test_generator_is_deterministic_and_ids_are_valid_and_unique():
    a, b = DemoGenerator(7), DemoGenerator(7)
    ids_a = [a.resident_id(i) for i in range(2000)]
    assert ids_a == [b.resident_id(i) for i in range(2000)]
    assert [a.person_name() for _ in range(50)] == [b.person_name() for _ in range(50)]
    assert len(set(ids_a)) == 2000
    assert all(is_valid_resident_id(n) for n in ids_a)
    codes = [a.credit_code(i) for i in range(2000)]
    assert len(set(codes)) == 2000 and all(validate_credit_code(c) == c for c in codes)
    assert DemoGenerator(8).resident_id(1) != ids_a[1]


def test_seed_demo_creates_audited_data_and_accounts_once(settings, catalog):
    settings.DEBUG = True
    call_command("seed_demo", "--citizens", "30", "--enterprises", "5", "--records", "60")
    assert Citizen.objects.count() >= 30 and Enterprise.objects.count() >= 5
    assert IntegrityRecord.objects.count() > 30
    domains = set(IntegrityRecord.objects.values_list("record_type__domain", flat=True))
    assert domains == {"government", "commercial", "societal", "judicial"}
    assert AuditEvent.objects.filter(action="record.create").count() == (
        IntegrityRecord.objects.count()
    )
    from django.contrib.auth import get_user_model

    users = set(get_user_model().objects.values_list("username", flat=True))
    assert {"admin", "court.clerk", "court.reviewer", "court.supervisor", "tax.clerk",
            "citizen.demo", "legalrep.demo"} <= users  # fmt: skip
    legal_rep = Citizen.objects.get(user__username="legalrep.demo")
    assert legal_rep.represented_enterprises.count() >= 2
    # a minor was generated, and no minor is on the blacklist
    assert Citizen.objects.filter(birth_date__year__gte=2009).exists()
    listed = IntegrityRecord.objects.filter(
        record_type__places_on_blacklist=True, subject__kind="person"
    ).select_related("subject")
    assert listed.exists()
    assert not [r for r in listed if is_minor_on(r.subject.birth_date, r.decision_date)]
    # the printed demo citizens log in with their ID number and have a score already
    from django.test import Client
    from django.urls import reverse

    from scs_portal.demo import DEMO_CITIZEN, DEMO_LEGAL_REP, DEMO_PASSWORD

    assert Score.objects.filter(subject__citizen__resident_id=DEMO_CITIZEN[0]).exists()
    for number, _name in (DEMO_CITIZEN, DEMO_LEGAL_REP):
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        response = client.post(reverse("citizens:login"),
                               {"resident_id": number, "password": DEMO_PASSWORD})  # fmt: skip
        assert response.status_code == 302, response.content.decode()[-2000:]
        assert client.get(reverse("citizens:my_record")).status_code == 200
    before = Subject.objects.count()
    call_command("seed_demo", "--if-empty")
    assert Subject.objects.count() == before


def test_seed_demo_refuses_without_debug(settings, catalog):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="DJANGO_DEBUG"):
        call_command("seed_demo")


def test_bulk_mode_copies_valid_subjects_and_records(settings, catalog):
    settings.DEBUG = True
    call_command("seed_demo", "--bulk", "--subjects", "500", "--records", "1500")
    assert Subject.objects.count() == 500
    assert Enterprise.objects.count() == 50
    sample = Citizen.objects.values_list("resident_id", flat=True)[:200]
    assert all(is_valid_resident_id(n) for n in sample)
    assert 1000 < IntegrityRecord.objects.count() <= 1500
    # sequences were moved past the copied ids: the ORM can insert afterwards
    from tests.factories import make_citizen

    make_citizen()
