"""Template filters of the public pages."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

register = template.Library()


@register.filter
def duration(days: int | None) -> str:
    """A catalog period in words: 91 days → "3 months", 365 → "1 year", 1095 → "3 years"
    (the tiers of DESIGN.md §6 are whole months or years)."""
    if days is None:
        return ""
    if days >= 365 and days % 365 == 0:
        years = days // 365
        return ngettext("%(count)d year", "%(count)d years", years) % {"count": years}
    months = max(1, round(days / 30.4))
    return ngettext("%(count)d month", "%(count)d months", months) % {"count": months}


@register.filter
def durations(days: list[int]) -> str:
    """Several periods, shortest first: "3 months or 1 year"."""
    words = [duration(d) for d in sorted(days)]
    if len(words) <= 1:
        return "".join(words)
    return _("%(shorter)s or %(longer)s") % {
        "shorter": _(", ").join(words[:-1]),
        "longer": words[-1],
    }
