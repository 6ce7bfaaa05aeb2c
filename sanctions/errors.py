from typing import Any

from django.core.exceptions import ValidationError


class ApplicationError(ValidationError):
    """A rule of the portal refused an action. Carries a message (or field errors) meant for
    the user; views, admin and API show it as a form error / 400, never a 500."""


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
