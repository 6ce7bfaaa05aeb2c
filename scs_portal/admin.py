"""User accounts and roles in the admin, audited and for the operator only: every change of
who may act as an official goes through `sanctions.registry.services.officials`, which
checks who may make it and writes the AuditEvent in the same transaction. Supervisors place
officials under Officials (sanctions.registry.admin.OfficialAdmin), never here."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction

from sanctions.kernel.errors import ApplicationError
from sanctions.registry.services.officials import (
    account_access,
    account_access_audit,
    account_access_check,
    account_password_set_audit,
    accounts_delete,
    group_change_audit,
    group_change_check,
)
from scs_portal.second_factor import reset_second_factor

User = get_user_model()

admin.site.unregister(User)
admin.site.unregister(Group)


def _requested_access(data: dict) -> dict:
    """The access a submitted user form would leave (only the fields it has)."""
    new = {field: bool(data[field]) for field in ("is_active", "is_staff", "is_superuser")
           if field in data}  # fmt: skip
    if "groups" in data:
        new["roles"] = sorted(group.name for group in data["groups"] or [])
    if "user_permissions" in data:
        new["permissions"] = sorted(
            f"{p.content_type.app_label}.{p.codename}" for p in data["user_permissions"] or []
        )
    return new


class OperatorOnlyMixin:
    """Accounts and roles are the operator's (an active superuser), whatever permissions a
    staff account was given: a supervisor who held `auth.change_user` could otherwise make
    anyone staff or a supervisor of any authority."""

    def has_module_permission(self, request) -> bool:
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request) -> bool:
        return self.has_module_permission(request)

    def has_change_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        # nobody deletes their own account (the rule for their access, too)
        return self.has_module_permission(request) and getattr(obj, "pk", None) != request.user.pk


@admin.register(User)
class AuditedUserAdmin(OperatorOnlyMixin, UserAdmin):
    actions = [reset_second_factor]  # a lost phone (the operator; never one's own)

    def get_form(self, request, obj=None, **kwargs):
        form = super().get_form(request, obj, **kwargs)
        actor = request.user

        def clean(self):
            cleaned = form.clean(self)
            try:
                account_access_check(actor=actor, user=self.instance,
                                     new=_requested_access(cleaned))  # fmt: skip
            except ApplicationError as exc:
                raise ValidationError(exc.messages) from None
            return cleaned

        return type(form.__name__, (form,), {"clean": clean})

    def save_model(self, request, obj, form, change):
        stored = User.objects.get(pk=obj.pk) if change else obj
        try:  # again inside the admin's transaction: the form's check may be stale
            account_access_check(actor=request.user, user=stored,
                                 new=_requested_access(form.cleaned_data))  # fmt: skip
        except ApplicationError as exc:
            raise PermissionDenied(exc.messages) from None
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
                account_password_set_audit(actor=request.user, user=User.objects.get(pk=id))
        return response

    def delete_model(self, request, obj):
        accounts_delete(actor=request.user, users=[obj])

    def delete_queryset(self, request, queryset):
        if queryset.filter(pk=request.user.pk).exists():
            raise PermissionDenied
        accounts_delete(actor=request.user, users=queryset)


@admin.register(Group)
class AuditedGroupAdmin(OperatorOnlyMixin, GroupAdmin):
    """Roles (auth groups). `ensure_roles` resets the three officials' roles after every
    migrate; a change here is still audited, and only the operator makes it."""

    def save_model(self, request, obj, form, change):
        try:
            group_change_check(actor=request.user)
        except ApplicationError as exc:
            raise PermissionDenied(exc.messages) from None
        request._group_permissions_before = (
            sorted(
                f"{app}.{codename}"
                for app, codename in Group.objects.get(pk=obj.pk).permissions.values_list(
                    "content_type__app_label", "codename"
                )
            )
            if change
            else None
        )
        super().save_model(request, obj, form, change)

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)  # permissions are saved here
        group_change_audit(actor=request.user, group=form.instance,
                           old=request._group_permissions_before)  # fmt: skip
