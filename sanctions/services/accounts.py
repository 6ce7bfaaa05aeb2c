"""Officials' user accounts: who may act as an official (active and staff flags, superuser,
roles) is of legal meaning, so every change of it leaves an AuditEvent in the transaction
that makes it. The admin's user pages call these; they hold no audit logic of their own."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction

from sanctions.services.core import Actor, audit_log

ACCESS_FIELDS = ("is_active", "is_staff", "is_superuser")


def account_access(user) -> dict:
    """What a user may do: flags and roles (group names), as stored ({} for a new user)."""
    if user.pk is None:
        return {}
    stored = get_user_model().objects.get(pk=user.pk)
    return {
        **{field: getattr(stored, field) for field in ACCESS_FIELDS},
        "roles": sorted(stored.groups.values_list("name", flat=True)),
    }


def account_access_audit(*, actor: Actor, user, old: dict) -> None:
    """Audit a change of a user's access, if there was one (call after the change, inside its
    transaction, with `old` = account_access before it)."""
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


def account_password_set_audit(*, actor: Actor, user) -> None:
    """An operator set another account's password (call inside the transaction that saved it)."""
    audit_log(actor=actor, action="user.password_set", obj=user)


@transaction.atomic
def accounts_delete(*, actor: Actor, users) -> None:
    """Delete accounts, each with an audit row holding the access it had."""
    users = list(users)
    for user in users:
        audit_log(actor=actor, action="user.delete", obj=user, old=account_access(user))
    get_user_model().objects.filter(pk__in=[user.pk for user in users]).delete()
