"""Factories that create through the services, so test data obeys the same rules."""

from __future__ import annotations

import datetime
import itertools

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from citizens.services import citizen_create
from enterprises.services import enterprise_create
from sanctions.kernel.identifiers import ric_check_digit
from sanctions.models import Authority, Official
from scs_portal.demo import DemoGenerator

_gen = DemoGenerator(seed=12345)
_ids = itertools.count(1)


def resident_id(birth: datetime.date | None = None, region: str = "110101", male=True) -> str:
    if birth is None:
        # adult on every decision date the tests use (they go back to 2025)
        return _gen.adult_resident_id(next(_ids), datetime.date(2024, 1, 1))
    sequence = f"{next(_ids) % 500 * 2 + (1 if male else 0):03d}"
    first17 = f"{region}{birth:%Y%m%d}{sequence}"
    return first17 + ric_check_digit(first17)


def credit_code() -> str:
    return _gen.credit_code(next(_ids) + 5_000_000)


def make_citizen(*, name: str = "张伟", birth: datetime.date | None = None, actor=None, **kw):
    return citizen_create(actor=actor, resident_id=resident_id(birth, **kw), name=name)


def make_enterprise(*, name: str = "北京示例科技有限公司", legal_rep=None, actor=None):
    legal_rep = legal_rep or make_citizen(name="李建国")
    return enterprise_create(
        actor=actor, credit_code=credit_code(), name=name, legal_representative=legal_rep
    )


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("pw-for-tests-1")


def make_official(
    *, role: str, authority_code: str, username: str | None = None, second_factor: bool = True
):
    """A staff account of the authority with the role; with a confirmed TOTP device unless
    `second_factor=False` (an official who has not enrolled yet)."""
    user = UserFactory(username=username or f"{authority_code}.{role}", is_staff=True)
    user.groups.add(Group.objects.get(name=role))
    Official.objects.get_or_create(
        user=user, defaults={"authority": Authority.objects.get(code=authority_code)}
    )
    if second_factor:
        totp_device(user)
    return user


def totp_device(user):
    """The user's confirmed TOTP device (made once, random key): what an enrolled official
    has. Staff sessions of `client.force_login` are verified with it (tests/conftest.py), and
    the browser tests type its current code (tests/e2e/conftest.py: totp_code)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=True).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name="test phone", confirmed=True)


def the_event(action: str, obj):
    """The one AuditEvent of `action` about `obj` (fails, listing them, if not exactly one)."""
    from sanctions.models import AuditEvent

    events = AuditEvent.objects.filter(action=action, object_type=obj._meta.label,
                                       object_id=str(obj.pk))  # fmt: skip
    assert events.count() == 1, list(events.values_list("action", "old_values", "new_values"))
    return events.get()


def issuer_of(record_type) -> Authority:
    """The seeded authority that decides records of this type in the demo data (seed_demo's
    `_authority_for`): its kind may issue the type, so a test record obeys the catalog."""
    from scs_portal.management.commands.seed_demo import _authority_for

    return Authority.objects.get(code=_authority_for(record_type))
