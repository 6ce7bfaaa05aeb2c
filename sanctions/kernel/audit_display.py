"""The audit trail as an official reads it on a change page: each row's action in words, its
actor by name, and every changed field as "label: old → new" — the field's verbose name,
related rows by name (never their id), choices by their label, dates and amounts in the
page's language. The rows themselves stay as `audit_log` wrote them (JSON, ids and ISO
dates: the chain hashes them); this only reads them."""

from __future__ import annotations

import datetime
import decimal
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sanctions.models import (
    AuditEvent,
    Authority,
    Case,
    IntegrityRecord,
    Measure,
    Notice,
    RecordType,
    Subject,
)

EMPTY = "—"

# what each action did, in words (an action not listed shows its code)
ACTION_LABELS = {
    "case.create": gettext_lazy("Case drafted"),
    "case.update": gettext_lazy("Draft edited"),
    "case.evidence_add": gettext_lazy("Evidence attached"),
    "case.note": gettext_lazy("Note added"),
    "case.submit": gettext_lazy("Submitted for review"),
    "case.return": gettext_lazy("Returned to the drafter"),
    "case.decide": gettext_lazy("Decided"),
    "case.notify": gettext_lazy("Decision notice served"),
    "case.close": gettext_lazy("Case closed"),
    "case.withdraw": gettext_lazy("Case withdrawn"),
    "case.review_open": gettext_lazy("Two-year review opened"),
    "case.review_conclude": gettext_lazy("Review concluded"),
    "record.create": gettext_lazy("Record created"),
    "record.notice_served": gettext_lazy("Decision notice served"),
    "record.activate": gettext_lazy("Published after the notice period"),
    "record.expire": gettext_lazy("Expired"),
    "record.remove": gettext_lazy("Removed from the list"),
    "record.revoke": gettext_lazy("Revoked"),
    "record.repair": gettext_lazy("Credit repair granted"),
    "record.correct": gettext_lazy("Corrected after an objection"),
    "record.extend": gettext_lazy("Listing extended"),
    "record.event": gettext_lazy("Event reported"),
    "record.performance": gettext_lazy("Partial performance recorded"),
    "record.objection_filed": gettext_lazy("Marked “under objection”"),
    "record.objection_closed": gettext_lazy("Objection closed"),
    "record.review_continue": gettext_lazy("Listing continued after review"),
    "record.erase": gettext_lazy("Personal data erased"),
    "objection.file": gettext_lazy("Objection filed"),
    "objection.decide": gettext_lazy("Objection decided"),
    "appeal.file": gettext_lazy("Appeal filed"),
    "appeal.decide": gettext_lazy("Appeal decided"),
    "repair.apply": gettext_lazy("Credit repair applied for"),
    "repair.decide": gettext_lazy("Credit repair decided"),
}

# keys audit rows hold that are no field of the row's model: (label, related model or None)
EXTRA_KEYS: dict[str, tuple[Any, str | None]] = {
    "reason": (gettext_lazy("reason"), None),
    "reasons": (gettext_lazy("reasons"), None),
    "note": (gettext_lazy("note"), None),
    "corrections": (gettext_lazy("corrections"), None),
    "attachments": (gettext_lazy("attachments"), None),
    "attachment_sha256": (gettext_lazy("attachment checksums"), None),
    "notice": (gettext_lazy("notice"), "sanctions.Notice"),
    "record": (gettext_lazy("record"), "sanctions.IntegrityRecord"),
    "active_version": (gettext_lazy("active version"), None),
    "rows_done": (gettext_lazy("rows done"), None),
}

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")


@dataclass(frozen=True)
class Change:
    """One field of an audit row: its label and its value before and after ("—": none)."""

    key: str
    label: str
    old: str
    new: str
    # a row that only sets a value (nothing before it) reads "label: new"
    only_new: bool


@dataclass(frozen=True)
class AuditRow:
    event: AuditEvent
    time: str
    actor: str
    action: str
    changes: list[Change]


def _model(label: str) -> type[models.Model] | None:
    try:
        return apps.get_model(label)
    except (LookupError, ValueError):
        return None


def _field(model: type[models.Model] | None, key: str) -> models.Field | None:
    # the event's own model first; a correction or removal names the record's fields
    for candidate in (model, IntegrityRecord):
        if candidate is None:
            continue
        try:
            field = candidate._meta.get_field(key)
        except FieldDoesNotExist:
            continue
        if isinstance(field, models.Field):
            return field
    return None


def _related_model(model, key: str) -> type[models.Model] | None:
    field = _field(model, key)
    if field is not None and field.is_relation and field.related_model is not None:
        return field.related_model  # type: ignore[return-value]
    if field is not None and isinstance(field, ArrayField) and key == "editors":
        return get_user_model()
    related = EXTRA_KEYS.get(key, (None, None))[1]
    return _model(related) if related else None


def name_of(obj: models.Model) -> str:
    """A related row as an official knows it: a person's or body's name (in English where the
    catalog has one and the page is English), a record's decision number, a user's name."""
    if isinstance(obj, get_user_model()):
        full = obj.get_full_name()
        return f"{full} ({obj.get_username()})" if full else obj.get_username()
    if isinstance(obj, IntegrityRecord):
        return obj.decision_number
    if isinstance(obj, Subject):
        return obj.display_name
    if isinstance(obj, Authority):
        return obj.localized_name
    if isinstance(obj, RecordType | Measure):
        return obj.localized_title
    if isinstance(obj, Notice):
        return obj.localized_title
    if isinstance(obj, Case):
        return obj.title
    return str(obj)


class _Names:
    """Related rows of many audit rows, read with one query per model (by id, or by code:
    some rows name a record type or an authority by its code)."""

    def __init__(self) -> None:
        self.wanted: dict[type[models.Model], set[Any]] = defaultdict(set)
        self.found: dict[tuple[type[models.Model], Any], str] = {}

    def want(self, model: type[models.Model], value: Any) -> None:
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, int | str) and item != "":
                self.wanted[model].add(item)

    def load(self) -> None:
        for model, values in self.wanted.items():
            ids = {v for v in values if isinstance(v, int)}
            codes = {v for v in values if isinstance(v, str)}
            for pk, obj in model._default_manager.in_bulk(ids).items():
                self.found[(model, pk)] = name_of(obj)
            if codes and any(f.name == "code" for f in model._meta.fields):
                for obj in model._default_manager.filter(code__in=codes):
                    self.found[(model, obj.code)] = name_of(obj)

    def name(self, model: type[models.Model], value: Any) -> str:
        if isinstance(value, list):
            return ", ".join(self.name(model, item) for item in value) or EMPTY
        if value is None or value == "":
            return EMPTY
        return self.found.get((model, value), f"#{value}" if isinstance(value, int) else value)


def _date(value: str) -> str:
    try:
        day = datetime.date.fromisoformat(value)
    except ValueError:
        return value
    return formats.date_format(day, "DATE_FORMAT")


def _datetime(value: str) -> str:
    try:
        moment = datetime.datetime.fromisoformat(value)
    except ValueError:
        return value
    if timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return formats.date_format(moment, "DATETIME_FORMAT")


def _number(value: Any, places: int | None) -> str:
    try:
        number = decimal.Decimal(str(value))
    except (decimal.InvalidOperation, ValueError):
        return str(value)
    return formats.number_format(number, places, use_l10n=True, force_grouping=True)


def format_value(model, key: str, value: Any, names: _Names | None = None) -> str:
    """One value of an audit row as the page shows it."""
    if value is None or value == "" or value == [] or value == {}:
        return EMPTY
    related = _related_model(model, key)
    if related is not None and names is not None:
        return names.name(related, value)
    field = _field(model, key)
    if field is not None and field.choices:
        labels = {str(k): v for k, v in field.flatchoices}
        if isinstance(value, list):
            return ", ".join(str(labels.get(str(v), v)) for v in value)
        return str(labels.get(str(value), value))
    if isinstance(value, bool) or isinstance(field, models.BooleanField):
        return str(_("yes") if value else _("no"))
    if isinstance(value, dict):
        return "; ".join(
            f"{label_of(model, k)}: {format_value(model, k, v, names)}" for k, v in value.items()
        )
    if isinstance(value, list):
        return ", ".join(format_value(model, key, v, names) for v in value)
    if isinstance(field, models.DecimalField):
        return _number(value, field.decimal_places)
    if isinstance(value, int | float):
        return str(value)
    if isinstance(field, models.DateTimeField) or (
        field is None and isinstance(value, str) and _ISO_DATETIME.match(value)
    ):
        return _datetime(str(value))
    if isinstance(field, models.DateField) or (
        field is None and isinstance(value, str) and _ISO_DATE.match(value)
    ):
        return _date(str(value))
    return str(value)


def label_of(model, key: str) -> str:
    field = _field(model, key)
    if field is not None:
        return str(field.verbose_name)
    if key in EXTRA_KEYS:
        return str(EXTRA_KEYS[key][0])
    return key.replace("_", " ")


def action_label(action: str) -> str:
    label = ACTION_LABELS.get(action)
    return str(label) if label is not None else action


def actor_label(event: AuditEvent) -> str:
    if event.actor_id is None:
        return str(_("system")) if event.actor_repr == "system" else event.actor_repr
    return name_of(event.actor)  # type: ignore[arg-type]


def _keys(event: AuditEvent) -> list[str]:
    old, new = event.old_values or {}, event.new_values or {}
    return [*old, *(key for key in new if key not in old)]


def audit_rows(events: Sequence[AuditEvent] | Iterable[AuditEvent]) -> list[AuditRow]:
    """The rows of a change page's audit trail (events with their actor selected), with the
    related rows they name read in one query per model."""
    events = list(events)
    names = _Names()
    for event in events:
        model = _model(event.object_type)
        for key in _keys(event):
            related = _related_model(model, key)
            if related is None:
                continue
            for values in (event.old_values or {}, event.new_values or {}):
                if key in values:
                    names.want(related, values[key])
    names.load()
    rows = []
    for event in events:
        model = _model(event.object_type)
        old, new = event.old_values or {}, event.new_values or {}
        changes = [
            Change(
                key=key,
                label=label_of(model, key),
                old=format_value(model, key, old.get(key), names),
                new=format_value(model, key, new.get(key), names),
                only_new=key not in old,
            )
            for key in _keys(event)
            # a value set to nothing (no attachments, no note) says nothing
            if key in old or new.get(key) not in (None, "", [], {})
        ]
        rows.append(
            AuditRow(
                event=event,
                time=timezone.localtime(event.created_at).strftime("%Y-%m-%d %H:%M"),
                actor=actor_label(event),
                action=action_label(event.action),
                changes=changes,
            )
        )
    return rows
