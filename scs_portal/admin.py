"""User accounts in the admin, audited: every change of who may act as an official goes
through `sanctions.services.accounts`, which writes the AuditEvent in the same transaction."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.db import transaction

from sanctions.services.accounts import (
    account_access,
    account_access_audit,
    account_password_set_audit,
    accounts_delete,
)

User = get_user_model()

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
                account_password_set_audit(actor=request.user, user=User.objects.get(pk=id))
        return response

    def delete_model(self, request, obj):
        accounts_delete(actor=request.user, users=[obj])

    def delete_queryset(self, request, queryset):
        accounts_delete(actor=request.user, users=queryset)
