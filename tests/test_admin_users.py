"""Changing who may act as an official is audited (flags, roles, password, deletion)."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse

from sanctions.models import AuditEvent
from tests.factories import make_official

pytestmark = pytest.mark.django_db


def _form(user, **changes):
    data = {
        "username": user.username, "first_name": "", "last_name": "", "email": "",
        "is_active": "on", "is_staff": "on",
        "groups": [str(g.pk) for g in user.groups.all()],
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
        "initial-date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "initial-date_joined_1": user.date_joined.strftime("%H:%M:%S"),
    }  # fmt: skip
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_role_and_flag_changes_are_audited(admin_client, catalog):
    clerk = make_official(role="clerk", authority_code="bj-dongcheng-court")
    url = reverse("admin:auth_user_change", args=[clerk.pk])
    reviewer = Group.objects.get(name="reviewer")
    response = admin_client.post(url, _form(clerk, groups=[str(reviewer.pk)]))
    assert response.status_code == 302, response.content.decode()[:3000]
    event = AuditEvent.objects.get(action="user.access_change", object_id=str(clerk.pk))
    assert event.old_values == {"roles": ["clerk"]}
    assert event.new_values == {"roles": ["reviewer"]}
    assert event.actor.is_superuser
    # saving without a change writes nothing more; taking staff away is recorded
    admin_client.post(url, _form(get_user_model().objects.get(pk=clerk.pk)))
    assert AuditEvent.objects.filter(action="user.access_change").count() == 1
    admin_client.post(url, _form(get_user_model().objects.get(pk=clerk.pk), is_staff=None))
    event = AuditEvent.objects.filter(action="user.access_change").latest("id")
    assert event.old_values == {"is_staff": True} and event.new_values == {"is_staff": False}


def test_password_set_and_deletion_are_audited(admin_client, catalog):
    clerk = make_official(role="clerk", authority_code="bj-dongcheng-court")
    url = reverse("admin:auth_user_password_change", args=[clerk.pk])
    new = "Fresh-pass-2026"
    response = admin_client.post(url, {"password1": new, "password2": new,
                                       "usable_password": "true"})  # fmt: skip
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="user.password_set", object_id=str(clerk.pk))
    assert event.actor.is_superuser and event.object_type == "auth.User"
    assert new not in f"{event.old_values}{event.new_values}"  # never the password itself
    clerk.refresh_from_db()
    assert clerk.check_password(new)
    user = get_user_model().objects.create_user("temp-user", is_staff=True)
    user.groups.add(Group.objects.get(name="reviewer"))
    pk = user.pk
    response = admin_client.post(reverse("admin:auth_user_delete", args=[pk]), {"post": "yes"})
    assert response.status_code == 302
    assert not get_user_model().objects.filter(pk=pk).exists()
    event = AuditEvent.objects.get(action="user.delete", object_id=str(pk))
    # the row keeps what the deleted account could do
    assert event.old_values == {"is_active": True, "is_staff": True, "is_superuser": False,
                                "roles": ["reviewer"]}  # fmt: skip
    assert event.actor.is_superuser


def test_bulk_deletion_audits_each_account(admin_client, catalog):
    users = [get_user_model().objects.create_user(f"bulk-{i}", is_staff=bool(i)) for i in (0, 1)]
    response = admin_client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "delete_selected", "post": "yes",
         "_selected_action": [str(u.pk) for u in users]},
    )  # fmt: skip
    assert response.status_code == 302
    assert not get_user_model().objects.filter(username__startswith="bulk-").exists()
    events = AuditEvent.objects.filter(action="user.delete")
    assert {e.object_id: e.old_values["is_staff"] for e in events} == {
        str(users[0].pk): False, str(users[1].pk): True,
    }  # fmt: skip
