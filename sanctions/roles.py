"""Officials' roles as auth groups. Ensured after every migrate (idempotent)."""

from __future__ import annotations

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
