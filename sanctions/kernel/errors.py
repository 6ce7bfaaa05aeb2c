"""The project's error type, and the helpers that raise it for a rule refused."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class ApplicationError(ValidationError):
    """A rule of the portal refused an action. Carries a message (or field errors) meant for
    the user; views, admin and API show it as a form error / 400, never a 500."""


class Conflict(ApplicationError):
    """The request conflicts with what is already stored (a decision number submitted with
    other content, an event on a record that no longer changes): the API answers 409."""


def flatten_errors(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """Nested error details (DRF's, or a ValidationError's message_dict/messages) →
    {"subject.identifier": ["message", ...]}: the API's error bodies and import reports."""
    out: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            for field, messages in flatten_errors(value, path).items():
                out.setdefault(field, []).extend(messages)
    elif isinstance(detail, list):
        for index, value in enumerate(detail):
            nested = isinstance(value, dict)
            path = f"{prefix}.{index}" if nested and prefix else prefix
            for field, messages in flatten_errors(value, path).items():
                out.setdefault(field, []).extend(messages)
    else:
        out.setdefault(prefix or "non_field_errors", []).append(str(detail))
    return out


def state_refusal(obj, field: str, allowed: tuple[str, ...]) -> ApplicationError | None:
    """Refuses an action that `obj` does not allow in its current `field` value."""
    if getattr(obj, field) in allowed:
        return None
    return ApplicationError(
        _("Not possible in state “%(state)s”.") % {"state": getattr(obj, f"get_{field}_display")()},
        code="state",
    )


def require_state(obj, field: str, allowed: tuple[str, ...]) -> None:
    refuse_if(state_refusal(obj, field, allowed))


def refuse_if(refusal: ApplicationError | None) -> None:
    """Raise the refusal an eligibility rule returned (sanctions.casework.eligibility), if any."""
    if refusal is not None:
        raise refusal
