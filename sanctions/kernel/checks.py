"""System checks about the data the rules depend on (run by `manage.py check`, `runserver`,
`migrate`)."""

from __future__ import annotations

from django.core import checks
from django.db import DatabaseError, transaction
from django.utils import translation

from sanctions.kernel.workdays import calendar_warning


def holiday_calendar_check(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """sanctions.W001: the holiday calendar does not reach SCS_HOLIDAY_CALENDAR_DAYS_AHEAD days
    ahead, so working-day deadlines soon count unknown holidays as working days.

    Says nothing when the database cannot be read (not reachable, or not migrated yet): a check
    must not stop `migrate` or a deployment's first `check`."""
    if app_configs is not None and not any(config.label == "sanctions" for config in app_configs):
        return []

    try:
        # a savepoint when called inside a transaction: a failed read must not break it;
        # in English, like the rest of the checks' output (the dashboard says it translated)
        with transaction.atomic(), translation.override(None):
            warning = calendar_warning()
    except DatabaseError:
        return []
    if warning is None:
        return []
    return [
        checks.Warning(
            warning,
            hint="Deadlines that fall after the calendar are shown as provisional until then.",
            obj="sanctions.Holiday",
            id="sanctions.W001",
        )
    ]
