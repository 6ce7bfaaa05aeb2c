"""Deadline reminders: tell the officials responsible which cases, objections and repair
applications fall due within SCS_REMINDER_WORKDAYS working days — a notice on their admin
dashboard (a DeadlineReminder row) and one e-mail per official and run."""

from __future__ import annotations

import datetime
import functools
from collections import defaultdict

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sanctions.casework.selectors import deadlines_due
from sanctions.kernel.roles import REVIEWER, SUPERVISOR
from sanctions.kernel.workdays import add_working_days
from sanctions.models import Case, DeadlineReminder, Objection, RepairApplication

# who decides an objection or a repair application (objection_decide, repair_decide), and who
# is told about a case nobody is assigned to
DECIDING_ROLES = (REVIEWER, SUPERVISOR)


def _deciders(authority_id: int, cache: dict[int, list[User]]) -> list[User]:
    if authority_id not in cache:
        cache[authority_id] = list(
            get_user_model()
            .objects.filter(
                is_active=True,
                official__authority_id=authority_id,
                groups__name__in=DECIDING_ROLES,
            )
            .distinct()
            .order_by("pk")
        )
    return cache[authority_id]


def _recipients(
    item: Case | Objection | RepairApplication, cache: dict[int, list[User]]
) -> list[User]:
    """A case's assignee; without one (or an inactive one), and for objections and repair
    applications (which have no assignee), the reviewers and supervisors of the authority
    that must decide."""
    if isinstance(item, Case):
        if item.assignee is not None and item.assignee.is_active:
            return [item.assignee]
        return _deciders(item.authority_id, cache)
    return _deciders(item.record.authority_id, cache)


def _email(reminders: list[DeadlineReminder]) -> tuple[str, str]:
    days = settings.SCS_REMINDER_WORKDAYS
    subject = ngettext(
        "SCS Portal: %(count)s deadline within %(days)s working days",
        "SCS Portal: %(count)s deadlines within %(days)s working days",
        len(reminders),
    ) % {"count": len(reminders), "days": days}
    lines = [
        _("These fall due within %(days)s working days:") % {"days": days},
        "",
        *(
            "- "
            + _("%(item)s: due on %(date)s") % {"item": r.item_label, "date": r.due_on.isoformat()}
            + f"\n  {r.admin_path}"
            for r in reminders
        ),
        "",
        _("They are also listed on your dashboard in the officials' workspace."),
    ]
    return subject, "\n".join(lines)


@transaction.atomic
def deadline_reminders_send(*, today: datetime.date | None = None) -> dict[str, int]:
    """Remind the responsible officials of what falls due from `today` to SCS_REMINDER_WORKDAYS
    working days ahead. Idempotent: a reminder exists at most once per official, item and due
    date (unique constraints; a concurrent run's row is found, not duplicated), and only newly
    created reminders are e-mailed — after commit, one e-mail per official. Running it twice,
    the same day or the next, tells no one twice. Returns the counts."""
    today = today or timezone.localdate()
    until = add_working_days(today, settings.SCS_REMINDER_WORKDAYS)
    deciders: dict[int, list[User]] = {}
    new: dict[int, list[DeadlineReminder]] = defaultdict(list)
    users: dict[int, User] = {}
    counts = {"due": 0, "created": 0, "already_sent": 0, "emails": 0}
    for item in deadlines_due(start=today, end=until):
        counts["due"] += 1
        field = {Case: "case", Objection: "objection", RepairApplication: "repair"}[type(item)]
        due_on = item.due_date if isinstance(item, Case) else item.due_on
        assert due_on is not None  # deadlines_due found it by its due date
        for user in _recipients(item, deciders):
            reminder, created = DeadlineReminder.objects.get_or_create(
                recipient=user,
                due_on=due_on,
                **{field: item},
                defaults={"sent_on": today, "emailed_to": user.email},
            )
            if not created:
                counts["already_sent"] += 1
                continue
            counts["created"] += 1
            users[user.pk] = user
            new[user.pk].append(reminder)
    for user_id, reminders in new.items():
        address = users[user_id].email
        if not address:
            continue
        subject, body = _email(reminders)
        # robust: one unreachable address is logged and does not stop the others' e-mails (the
        # reminders stay on the dashboards either way)
        transaction.on_commit(
            functools.partial(send_mail, subject, body, settings.DEFAULT_FROM_EMAIL, [address]),
            robust=True,
        )
        counts["emails"] += 1
    return counts
