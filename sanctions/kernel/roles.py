"""Officials' roles as auth groups. Ensured after every migrate (idempotent)."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser, User
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from sanctions.kernel.errors import ApplicationError
from sanctions.models import (
    Authority,
    Official,
)

# who acts: an official's (or a client's service) user, a citizen, or None for the system
# (the project uses Django's own User model: AUTH_USER_MODEL is not set)
Actor = User | None
# who reads: the user a list, page or count is scoped to (anonymous: sees nothing of theirs)
Viewer = User | AnonymousUser

CLERK = "clerk"
REVIEWER = "reviewer"
SUPERVISOR = "supervisor"
# reads the whole audit trail and access log of every authority, and nothing else
AUDITOR = "auditor"

_VIEW_CORE = [
    "sanctions.view_subject",
    "sanctions.view_authority",
    "sanctions.view_measure",
    "sanctions.view_recordtype",
    "sanctions.view_integrityrecord",
    "sanctions.view_recordevent",
    "sanctions.view_auditevent",
    "citizens.view_citizen",
    "citizens.view_activationcode",
    "sanctions.view_filingattachment",
    "enterprises.view_enterprise",
    "sanctions.view_case",
    "sanctions.view_casenote",
    "sanctions.view_evidencefile",
    "sanctions.view_notice",
    "sanctions.view_objection",
    "sanctions.view_appeal",
    "sanctions.view_repairapplication",
    "sanctions.view_holiday",
    "sanctions.view_importbatch",
]
ROLE_PERMISSIONS = {
    CLERK: [
        *_VIEW_CORE,
        "sanctions.add_integrityrecord",
        "citizens.add_citizen",
        "citizens.change_citizen",
        "enterprises.add_enterprise",
        "enterprises.change_enterprise",
        "sanctions.add_case",
        "sanctions.change_case",
        "sanctions.add_evidencefile",
        "sanctions.add_casenote",
    ],
    REVIEWER: [
        *_VIEW_CORE,
        "sanctions.add_integrityrecord",
        "sanctions.change_integrityrecord",
        "sanctions.change_case",
        "sanctions.add_casenote",
        "sanctions.add_evidencefile",
    ],
    SUPERVISOR: [
        *_VIEW_CORE,
        "sanctions.add_integrityrecord",
        "sanctions.change_integrityrecord",
        "sanctions.add_recordtype",
        "sanctions.change_recordtype",
        "sanctions.add_measure",
        "sanctions.change_measure",
        "sanctions.view_official",
        "sanctions.view_ruleset",
        "sanctions.add_ruleset",
        "sanctions.change_ruleset",
        "sanctions.view_scorerun",
        "sanctions.view_score",
        "sanctions.add_official",
        "sanctions.change_official",
        "sanctions.add_case",
        "sanctions.change_case",
        "sanctions.add_casenote",
        "sanctions.add_evidencefile",
        "sanctions.add_holiday",
        "sanctions.change_holiday",
        "sanctions.view_accesslog",
        "sanctions.view_apiclient",
        "sanctions.add_apiclient",
        "sanctions.view_apisubmission",
        "sanctions.view_importbatch",
    ],
    AUDITOR: [
        "sanctions.view_auditevent",
        "sanctions.view_accesslog",
    ],
}


def ensure_roles(**_kwargs) -> None:
    from django.contrib.auth.models import Group, Permission

    for role, codes in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        permissions = []
        for code in codes:
            app_label, codename = code.split(".")
            permission = Permission.objects.filter(
                content_type__app_label=app_label, codename=codename
            ).first()
            if permission is not None:
                permissions.append(permission)
        group.permissions.set(permissions)


def require_official(actor: Actor, *, authority: Authority, roles: tuple[str, ...]) -> Official:
    """The actor must be an official of `authority` holding one of `roles`."""
    official = getattr(actor, "official", None) if actor and actor.is_authenticated else None
    if official is None or official.authority_id != authority.pk:
        raise ApplicationError(
            _("Only officials of %(authority)s may do this.") % {"authority": authority.name},
            code="forbidden",
        )
    if not actor.groups.filter(name__in=roles).exists():
        raise ApplicationError(
            _("This needs the role: %(roles)s.") % {"roles": ", ".join(roles)}, code="forbidden"
        )
    return official


def require_operator_or_official(
    actor: Actor, *, authority: Authority, roles: tuple[str, ...]
) -> Official | None:
    """The operator (a superuser: the seeder, imports run by hand), or what require_official
    asks. Returns the official, None for the operator."""
    if actor is not None and actor.is_authenticated and actor.is_superuser:
        return None
    return require_official(actor, authority=authority, roles=roles)


def authorities_visible_to(*, user: Viewer) -> QuerySet[Authority]:
    """The official's own authority; supervisors also see the bodies below theirs."""
    official = getattr(user, "official", None)
    if official is None:
        return Authority.objects.none()
    if not user.groups.filter(name="supervisor").exists():
        return Authority.objects.filter(pk=official.authority_id)
    ids = {official.authority_id}
    frontier = [official.authority_id]
    while frontier:
        frontier = list(
            Authority.objects.filter(parent_id__in=frontier)
            .exclude(pk__in=ids)
            .values_list("pk", flat=True)
        )
        ids.update(frontier)
    return Authority.objects.filter(pk__in=ids)


def scoped(queryset: QuerySet, user: Viewer, *authority_paths: str) -> QuerySet:
    """Rows whose authority (through any of the paths) the official may see; all for the
    operator (superuser)."""
    if user.is_superuser:
        return queryset
    visible = authorities_visible_to(user=user)
    condition = Q()
    for path in authority_paths:
        condition |= Q(**{f"{path}__in": visible})
    return queryset.filter(condition)


def is_auditor(*, user: Viewer) -> bool:
    """The operator (superuser) and the `auditor` role read every authority's trail."""
    return user.is_superuser or user.groups.filter(name=AUDITOR).exists()
