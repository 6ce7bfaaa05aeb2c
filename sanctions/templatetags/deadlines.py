"""`{% load deadlines %}{% provisional_note day %}`: after a working-day deadline, says that it
is provisional when it falls beyond the stored holiday calendar (nothing otherwise)."""

from __future__ import annotations

import datetime

from django import template
from django.utils.html import format_html

from sanctions.kernel.workdays import calendar_ends_on, is_beyond_calendar, provisional_label

register = template.Library()


@register.simple_tag(takes_context=True)
def provisional_note(context, day: datetime.date | None) -> str:
    key = "sanctions.calendar_ends_on"
    if key not in context.render_context:  # read once per page, however many deadlines
        context.render_context[key] = calendar_ends_on()
    ends_on = context.render_context[key]
    if not is_beyond_calendar(day, ends_on=ends_on):
        return ""
    return format_html(' <span class="provisional-deadline">{}</span>', provisional_label(ends_on))
