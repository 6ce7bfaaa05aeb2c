"""User accounts in the admin, audited: who may act as an official (staff flag, roles) is of
legal meaning, so every change of it leaves an AuditEvent in the same transaction."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db import transaction

from sanctions.services import audit_log

User = get_user_model()

ACCESS_FIELDS = ("is_active", "is_staff", "is_superuser")


def account_access(user) -> dict:
    """What a user may do: flags and roles (group names), as stored."""
    if user.pk is None:
        return {}
    stored = User.objects.get(pk=user.pk)
    return {
        **{field: getattr(stored, field) for field in ACCESS_FIELDS},
        "roles": sorted(stored.groups.values_list("name", flat=True)),
    }


def account_access_audit(*, actor, user, old: dict) -> None:
    """Audit a change of a user's access, if there was one (call after the change, inside its
    transaction)."""
    new = account_access(user)
    if new == old:
        return
    changed = [key for key in new if old.get(key) != new[key]]
    audit_log(
        actor=actor,
        action="user.access_change" if old else "user.create",
        obj=user,
        old={key: old.get(key) for key in changed},
        new={key: new[key] for key in changed},
    )


admin.site.unregister(User)


@admin.register(User)
class AuditedUserAdmin(UserAdmin):
    def save_model(self, request, obj, form, change):
        request._access_before = account_access(obj) if change else {}
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)  # groups are saved here
        account_access_audit(
            actor=request.user, user=form.instance, old=getattr(request, "_access_before", {})
        )

    def user_change_password(self, request, id, form_url=""):
        with transaction.atomic():
            response = super().user_change_password(request, id, form_url)
            if request.method == "POST" and response.status_code == 302:  # saved
                audit_log(actor=request.user, action="user.password_set",
                          obj=User.objects.get(pk=id))  # fmt: skip
        return response

    def delete_model(self, request, obj):
        with transaction.atomic():
            audit_log(actor=request.user, action="user.delete", obj=obj,
                      old=account_access(obj))  # fmt: skip
            super().delete_model(request, obj)

    def delete_queryset(self, request, queryset):
        with transaction.atomic():
            for user in queryset:
                audit_log(actor=request.user, action="user.delete", obj=user,
                          old=account_access(user))  # fmt: skip
            super().delete_queryset(request, queryset)
