"""Officials' user accounts: who may act as an official (active and staff flags, superuser,
roles) is of legal meaning, so every change of it leaves an AuditEvent in the transaction
that makes it. The admin's user pages call these; they hold no audit logic of their own."""

from __future__ import annotations

from collections.abc import Collection, Iterable

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, User
from django.db import transaction
from django.utils.translation import gettext as _

from sanctions.kernel.audit import audit_log
from sanctions.kernel.errors import ApplicationError
from sanctions.kernel.roles import CLERK, REVIEWER, SUPERVISOR, Actor, authorities_visible_to
from sanctions.models import Authority, Official
from sanctions.registry.selectors import accounts_placeable_by

ACCESS_FIELDS = ("is_active", "is_staff", "is_superuser")
# the roles the Official admin assigns; other groups of an account (e.g. an operator's) are
# the operator's to give in the Users admin and are left as they are
OFFICIAL_ROLES = (CLERK, REVIEWER, SUPERVISOR)

# an account's access: the ACCESS_FIELDS flags, "roles" (and "permissions") as sorted names
Access = dict[str, bool | list[str]]


def account_access(user: User) -> Access:
    """What a user may do: flags and roles (group names), as stored ({} for a new user)."""
    if user.pk is None:
        return {}
    stored = get_user_model().objects.get(pk=user.pk)
    return {
        **{field: getattr(stored, field) for field in ACCESS_FIELDS},
        "roles": sorted(stored.groups.values_list("name", flat=True)),
    }


def account_access_audit(*, actor: Actor, user: User, old: Access) -> None:
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


def account_password_set_audit(*, actor: Actor, user: User) -> None:
    """An operator set another account's password (call inside the transaction that saved it)."""
    audit_log(actor=actor, action="user.password_set", obj=user)


@transaction.atomic
def accounts_delete(*, actor: Actor, users: Iterable[User]) -> None:
    """Delete accounts, each with an audit row holding the access it had."""
    accounts = list(users)
    for user in accounts:
        audit_log(actor=actor, action="user.delete", obj=user, old=account_access(user))
    get_user_model().objects.filter(pk__in=[user.pk for user in accounts]).delete()


def _is_operator(actor: Actor) -> bool:
    return bool(actor and actor.is_authenticated and actor.is_active and actor.is_superuser)


def _supervised_by(actor: Actor) -> set[int] | None:
    """The ids of the authorities a supervisor oversees; None if `actor` is not a supervisor
    (an active staff account with an official and the supervisor role)."""
    if not (actor and actor.is_authenticated and actor.is_active and actor.is_staff):
        return None
    official = Official.objects.filter(user_id=actor.pk).first()
    if official is None or not actor.groups.filter(name=SUPERVISOR).exists():
        return None
    return set(authorities_visible_to(user=actor).values_list("pk", flat=True))


def _own_authority_id(actor: Actor) -> int | None:
    if actor is None:
        return None
    return Official.objects.filter(user_id=actor.pk).values_list("authority_id", flat=True).first()


def _roles_of(user: User) -> list[str]:
    return sorted(user.groups.filter(name__in=OFFICIAL_ROLES).values_list("name", flat=True))


def official_management_refusal(*, actor: Actor, official: Official) -> str | None:
    """Why `actor` may not change or remove this (stored) official; None if they may. The
    Official admin asks it for each row; `official_save` and `official_delete` enforce it."""
    if not (actor and actor.is_authenticated):
        return _("Only the operator or a supervisor manages officials.")
    if official.user_id == actor.pk:
        return _(
            "Nobody changes their own official account (authority, roles or title): ask the "
            "operator or the supervisor above you."
        )
    if _is_operator(actor):
        return None
    supervised = _supervised_by(actor)
    if supervised is None:
        return _("Only the operator or a supervisor manages officials.")
    if official.authority_id not in supervised:
        return _("This official belongs to an authority you do not oversee.")
    if official.user.is_superuser:
        return _("Only the operator manages an operator's account.")
    if official.user.groups.exclude(name__in=OFFICIAL_ROLES).exists():
        # e.g. an auditor, who reads every authority's trail: not a supervisor's to move
        return _("This official holds a role only the operator manages.")
    if official.authority_id == _own_authority_id(actor) and SUPERVISOR in _roles_of(official.user):
        return _(
            "Another supervisor of your own authority is managed by the operator or a "
            "supervisor of a higher authority."
        )
    return None


def official_validate(
    *,
    actor: Actor,
    official: Official | None,
    user: User | None = None,
    authority: Authority,
    roles: Collection[str],
) -> None:
    """Every rule a new or changed official must pass (the admin's form calls it for field
    errors; `official_save` calls it again inside its transaction). `official`: the stored
    row for a change, None for a new official."""
    if official is not None:
        refusal = official_management_refusal(actor=actor, official=official)
        if refusal:
            raise ApplicationError(refusal, code="forbidden")
        if user is not None and user.pk != official.user_id:
            raise ApplicationError(
                {"user": _("An official's account is never exchanged: add a new official.")}
            )
    else:
        if actor is None or (not _is_operator(actor) and _supervised_by(actor) is None):
            raise ApplicationError(
                _("Only the operator or a supervisor manages officials."), code="forbidden"
            )
        if user is None:
            raise ApplicationError({"user": _("Choose the account of the new official.")})
        if user.pk == actor.pk:
            raise ApplicationError(
                {"user": _("Nobody makes their own account an official's.")}, code="forbidden"
            )
        if not accounts_placeable_by(user=actor).filter(pk=user.pk).exists():
            raise ApplicationError(
                {
                    "user": _(
                        "This account cannot be made an official's: the operator opens an "
                        "active staff account for each new official, and an account serves "
                        "one authority only."
                    )
                },
                code="forbidden",
            )
    unknown = set(roles) - set(OFFICIAL_ROLES)
    if unknown:
        raise ApplicationError({"roles": _("Unknown role: %(roles)s.") % {
            "roles": ", ".join(sorted(unknown))}})  # fmt: skip
    if _is_operator(actor):
        return
    supervised = _supervised_by(actor) or set()
    if authority.pk not in supervised:
        raise ApplicationError(
            {"authority": _("Choose one of the authorities you oversee.")}, code="forbidden"
        )
    # (this also stops a supervisor of a body below being moved up beside the actor)
    if SUPERVISOR in roles and authority.pk == _own_authority_id(actor):
        raise ApplicationError(
            {
                "roles": _(
                    "Only the operator or a supervisor of a higher authority makes someone a "
                    "supervisor of your own authority; you may make supervisors of the "
                    "bodies below it."
                )
            },
            code="forbidden",
        )


def _official_state(official: Official) -> dict[str, str | list[str]]:
    return {
        "user": official.user.get_username(),
        "authority": official.authority.code,
        "title": official.title,
        "roles": _roles_of(official.user),
    }


@transaction.atomic
def official_save(
    *,
    actor: Actor,
    official: Official | None = None,
    user: User | None = None,
    authority: Authority,
    title: str = "",
    roles: Collection[str] | None = None,
) -> Official:
    """Create an official (`official` None) or change one: authority, job title and roles
    (auth groups among OFFICIAL_ROLES; None keeps them). Enforces who may manage whom (see
    the rules above), against the row as stored (locked), and audits old and new values."""
    stored = None
    if official is not None and official.pk is not None:
        stored = (
            Official.objects.select_for_update()
            .select_related("user", "authority")
            .get(pk=official.pk)
        )
    if user is not None:
        user = get_user_model().objects.select_for_update().get(pk=user.pk)
    account = stored.user if stored is not None else user
    new_roles = sorted(set(roles)) if roles is not None else (
        _roles_of(account) if account is not None else [])  # fmt: skip
    official_validate(actor=actor, official=stored, user=user, authority=authority,
                      roles=new_roles)  # fmt: skip
    old = _official_state(stored) if stored is not None else {}
    target = stored or Official(user=user)
    target.authority = authority
    target.title = (title or "").strip()
    target.full_clean()
    target.save()
    current = set(_roles_of(target.user))
    target.user.groups.remove(*Group.objects.filter(name__in=current - set(new_roles)))
    target.user.groups.add(*Group.objects.filter(name__in=set(new_roles) - current))
    new = _official_state(target)
    changed = [key for key in new if old.get(key) != new[key]]
    if stored is None or changed:
        audit_log(
            actor=actor,
            action="official.create" if stored is None else "official.update",
            obj=target,
            old={key: old[key] for key in changed if key in old},
            new={key: new[key] for key in (changed if stored is not None else new)},
        )
    return target


@transaction.atomic
def official_delete(*, actor: Actor, official: Official) -> None:
    """Remove an official: the account keeps no role and no authority (the operator
    deactivates the account itself). Same rules as a change; audited with what it had."""
    stored = (
        Official.objects.select_for_update().select_related("user", "authority").get(pk=official.pk)
    )
    refusal = official_management_refusal(actor=actor, official=stored)
    if refusal:
        raise ApplicationError(refusal, code="forbidden")
    old = _official_state(stored)
    audit_log(actor=actor, action="official.delete", obj=stored, old=old)
    stored.user.groups.remove(*Group.objects.filter(name__in=OFFICIAL_ROLES))
    stored.delete()


def account_access_check(*, actor: Actor, user: User, new: Access) -> None:
    """Refuse a change of a user account's access that `actor` may not make. `new`: the
    access the change would leave (keys of `account_access`, plus "permissions" for direct
    permissions, as sorted "app_label.codename"); keys left out are unchanged. The Users
    admin calls it for its form and again inside the transaction that saves."""
    if actor is None or not _is_operator(actor):
        raise ApplicationError(
            _("Only the operator changes user accounts; supervisors place officials under "
              "Officials."),
            code="forbidden",
        )  # fmt: skip
    old = account_access(user) if user.pk is not None else {}
    if user.pk is not None:
        old["permissions"] = account_permissions(user)
    changed = [key for key, value in new.items() if old.get(key, _default(key)) != value]
    if user.pk is not None and user.pk == actor.pk and changed:
        raise ApplicationError(
            _("Nobody changes their own account's access (active, staff, superuser, groups, "
              "permissions): another operator does."),
            code="forbidden",
        )  # fmt: skip


def _default(key: str) -> bool | list[str]:
    return [] if key in ("roles", "permissions") else False


def account_permissions(user: User) -> list[str]:
    """A user's direct permissions (not those of their groups) as "app_label.codename"."""
    return sorted(
        f"{app}.{codename}"
        for app, codename in user.user_permissions.values_list(
            "content_type__app_label", "codename"
        )
    )


def group_change_check(*, actor: Actor) -> None:
    """Only the operator changes what a role (auth group) may do."""
    if not _is_operator(actor):
        raise ApplicationError(_("Only the operator changes roles."), code="forbidden")


def group_change_audit(*, actor: Actor, group: Group, old: list[str] | None) -> None:
    """Audit a role created or changed in the Groups admin (`old`: its permissions before,
    None for a new group), inside the transaction that saved it."""
    new = sorted(
        f"{app}.{codename}"
        for app, codename in group.permissions.values_list("content_type__app_label", "codename")
    )
    if old == new:
        return
    audit_log(
        actor=actor,
        action="group.create" if old is None else "group.update",
        obj=group,
        old={"name": group.name, "permissions": old or []},
        new={"name": group.name, "permissions": new},
    )
