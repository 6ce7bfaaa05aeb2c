"""Liveness endpoint, and catalog edits in the admin: audited, and refused for prohibited
grounds."""

import datetime

import pytest
from django.urls import reverse

from sanctions.models import AuditEvent, Authority, Holiday, RecordType
from tests.factories import make_official

pytestmark = pytest.mark.django_db


def test_healthz_reports_database_and_cache(client, settings):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "cache": "ok"}
    # Django resets its cache connections when CACHES changes (setting_changed)
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": "redis://127.0.0.1:1/0"}}  # fmt: skip
    down = client.get(reverse("healthz"))
    assert down.status_code == 503 and down.json()["cache"] == "unavailable"


@pytest.fixture
def supervisor_client(client, catalog):
    user = make_official(role="supervisor", authority_code="bj-dongcheng-court")
    user.is_superuser = True  # catalogs beyond the role's own permissions, for this test
    user.save()
    client.force_login(user)
    return client, user


def test_holiday_and_authority_edits_are_audited(supervisor_client):
    client, user = supervisor_client
    response = client.post(reverse("admin:sanctions_holiday_add"),
                           {"date": "2027-01-01", "name": "元旦"})  # fmt: skip
    assert response.status_code == 302
    holiday = Holiday.objects.get(date=datetime.date(2027, 1, 1))
    event = AuditEvent.objects.get(action="holiday.create", object_id=str(holiday.pk))
    assert event.actor == user and event.new_values["name"] == "元旦"
    court = Authority.objects.get(code="bj-xicheng-court")
    url = reverse("admin:sanctions_authority_change", args=[court.pk])
    data = {"code": court.code, "name": "北京市西城区人民法院（新名）", "name_en": court.name_en,
            "kind": court.kind, "level": court.level, "region_code": court.region_code,
            "parent": court.parent_id, "is_active": "on"}  # fmt: skip
    assert client.post(url, data).status_code == 302
    event = AuditEvent.objects.get(action="authority.update", object_id=str(court.pk))
    assert event.old_values["name"] == "北京市西城区人民法院"
    assert event.new_values["name"] == "北京市西城区人民法院（新名）"
    client.post(reverse("admin:sanctions_holiday_delete", args=[holiday.pk]), {"post": "yes"})
    assert not Holiday.objects.filter(pk=holiday.pk).exists()
    event = AuditEvent.objects.get(action="holiday.delete", object_id=str(holiday.pk))
    assert event.actor == user  # the row keeps what was deleted
    assert event.old_values["date"] == "2027-01-01" and event.old_values["name"] == "元旦"


def test_record_type_edit_is_audited_and_refuses_prohibited_grounds(supervisor_client):
    client, user = supervisor_client
    record_type = RecordType.objects.get(code="commercial-tax-arrears")
    url = reverse("admin:sanctions_recordtype_change", args=[record_type.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form.initial.get(name) for name in form.fields}
    data["subject_kinds"] = ",".join(record_type.subject_kinds)
    data["measures"] = [m.pk for m in record_type.measures.all()]
    data = {k: v for k, v in data.items() if v is not None}
    data["is_active"] = "on"
    data["points"] = -35
    assert client.post(url, data).status_code == 302
    record_type.refresh_from_db()
    assert record_type.points == -35 and record_type.attested_by == user
    event = AuditEvent.objects.get(action="record_type.update")
    assert event.old_values["points"] == -30 and event.new_values["points"] == -35
    refused = client.post(url, {**data, "title": "宗教活动违规"})
    assert refused.status_code == 200
    errors = " ".join(refused.context["adminform"].form.non_field_errors())
    assert "The catalog may not hold a category" in errors and "宗教" in errors
    record_type.refresh_from_db()
    assert record_type.title == "欠缴税款"
    assert AuditEvent.objects.filter(action="record_type.update").count() == 1
