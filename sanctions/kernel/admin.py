"""The officials' admin machinery every context's admin shares: scoping to the official's
authorities, the access log of reads, buttons that call services, the identifier lookup,
provisional deadlines; and the admin of the audit trail and the access log.

Every write calls a service; rule violations come back as messages, never as a 500.
Objects of another authority answer 404.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from django import forms
from django.contrib import admin, messages
from django.core.cache import cache
from django.http import Http404, HttpResponseRedirect
from django.urls import path, reverse
from django.utils.formats import localize
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from sanctions.kernel.audit import (
    access_log_visible_to,
    access_log_write,
    access_log_write_many,
    audit_events_visible_to,
)
from sanctions.kernel.audit_display import audit_rows
from sanctions.kernel.errors import ApplicationError
from sanctions.kernel.identifiers import identifier_hash, looks_like_identifier
from sanctions.kernel.workdays import (
    calendar_end_after,
    calendar_ends_on,
    is_beyond_calendar,
    provisional_label,
    with_calendar_end,
)
from sanctions.models import (
    AccessLog,
    AuditEvent,
)

# a record type the picker did not offer (the services would refuse it too)
RECORD_TYPE_NOT_OFFERED = _(
    "Choose a record type your authority may issue: the list offers only those."
)


def limit_record_type_field(field, record_types) -> None:
    """Make a form's record-type field accept only the types its picker offers."""
    field.queryset = record_types
    field.error_messages["invalid_choice"] = RECORD_TYPE_NOT_OFFERED


def truncated(value, *, width: str = "medium") -> str:
    """A list cell cut to its column's width by the stylesheet (`.truncate-<width>`: narrow,
    medium, wide), with an ellipsis; the whole text stays in the page and shows on hover."""
    text = "—" if value is None or value == "" else str(value)
    return format_html('<span class="truncate truncate-{}" title="{}">{}</span>', width, text, text)


def truncated_column(path: str, description, *, ordering: str | None = None,
                     width: str = "medium"):  # fmt: skip
    """A change-list column showing `path` ("subject.display_name") truncated (`truncated`),
    ordered by the same path unless `ordering` says otherwise."""

    @admin.display(description=description, ordering=ordering or path.replace(".", "__"))
    def column(self, obj):
        value = obj
        for part in path.split("."):
            value = getattr(value, part, None) if value is not None else None
        return truncated(value, width=width)

    return column


def adopt_saved(obj, saved) -> None:
    """Make the admin's unsaved form instance mirror the row a service created, so the
    admin's messages, log entry and redirect refer to it."""
    for field in saved._meta.concrete_fields:
        setattr(obj, field.attname, getattr(saved, field.attname))
    obj._state.adding = False


IDENTIFIER_LOOKUP_SECONDS = 300  # how long the opaque token of one lookup stays valid
IDENTIFIER_IN_QUERY_REFUSED = _(
    "Full ID numbers and credit codes are not searched through the address bar (they would "
    "stay in links, logs and browser history): use the form "
    "“Find by full ID number or credit code” above the list."
)


def post_only_url(model_admin: admin.ModelAdmin, route: str, view, suffix: str):
    """An extra admin URL of `model_admin` that accepts POST only, behind the admin's own
    login/permission wrapper, named `<app>_<model>_<suffix>`."""
    info = model_admin.model._meta.app_label, model_admin.model._meta.model_name
    return path(
        route,
        model_admin.admin_site.admin_view(require_POST(view)),
        name="{}_{}_{}".format(*info, suffix),
    )


class IdentifierSearchMixin:
    """Find by the full 18-character ID number / credit code through its keyed hash — by a
    POST form above the list, never in the URL. The lookup view keeps the hash under a
    short-lived random token (cache, bound to the official) and redirects to the list with
    `?lookup=<token>`; a full identifier typed into the GET search box (`?q=`) is refused
    with a message, finds nothing and is not echoed back."""

    identifier_hash_lookup = "identifier_hash"
    change_list_template = "admin/identifier_lookup_change_list.html"

    def get_urls(self):
        lookup = post_only_url(
            self, "identifier-lookup/", self.identifier_lookup_view, "identifier_lookup"
        )
        return [lookup, *super().get_urls()]

    def _changelist_url(self) -> str:
        info = self.model._meta.app_label, self.model._meta.model_name
        return reverse("admin:{}_{}_changelist".format(*info), current_app=self.admin_site.name)

    @staticmethod
    def _lookup_cache_key(token: str) -> str:
        return f"admin-identifier-lookup:{token}"

    def identifier_lookup_view(self, request):
        if not self.has_view_or_change_permission(request):
            raise Http404
        value = request.POST.get("identifier", "")
        if not looks_like_identifier(value):
            messages.error(
                request,
                _("Enter a full 18-character resident ID number or unified social credit code."),
            )
            return HttpResponseRedirect(self._changelist_url())
        token = secrets.token_urlsafe(16)
        cache.set(
            self._lookup_cache_key(token),
            {"user": request.user.pk, "digest": identifier_hash(value)},
            IDENTIFIER_LOOKUP_SECONDS,
        )
        return HttpResponseRedirect(f"{self._changelist_url()}?{urlencode({'lookup': token})}")

    def changelist_view(self, request, extra_context=None):
        params = request.GET.copy()
        token = params.pop("lookup", [None])[-1]
        refused = looks_like_identifier(params.get("q", ""))
        if token is not None or refused:
            if refused:
                params.pop("q")  # not echoed in the search box
                messages.error(request, IDENTIFIER_IN_QUERY_REFUSED)
                request.identifier_lookup_digest = None
            else:
                entry = cache.get(self._lookup_cache_key(token)) if token else None
                if not entry or entry.get("user") != request.user.pk:
                    messages.error(
                        request, _("This lookup has expired: please enter the number again.")
                    )
                    entry = {"digest": None}
                request.identifier_lookup_digest = entry["digest"]
            request.GET = params  # the changelist must not see the token as a filter
        return super().changelist_view(request, extra_context)

    def get_search_results(self, request, queryset, search_term):
        if hasattr(request, "identifier_lookup_digest"):
            digest = request.identifier_lookup_digest
            if digest is None:
                return queryset.none(), False
            return queryset.filter(**{self.identifier_hash_lookup: digest}), False
        if looks_like_identifier(search_term):
            return queryset.none(), False  # e.g. the autocomplete's ?term=: never by GET
        return super().get_search_results(request, queryset, search_term)


def error_text(exc: ApplicationError) -> str:
    if hasattr(exc, "error_dict"):
        return " ".join(f"{m}" for messages_ in exc.message_dict.values() for m in messages_)
    return " ".join(exc.messages)


class ScopedAdminMixin:
    """Lists and objects limited to the official's authorities; anything else is a 404."""

    def scoped_queryset(self, request):  # pragma: no cover - overridden
        raise NotImplementedError

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset.filter(pk__in=self.scoped_queryset(request).values("pk"))

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404(_("No such object in your authority."))
        return obj


class PersonAccessLogMixin:
    """Opening an object about a person writes an AccessLog row the person will see."""

    access_purpose = "admin"

    def access_subject(self, obj):
        return obj.subject

    def change_view(self, request, object_id, form_url="", extra_context=None):
        response = super().change_view(request, object_id, form_url, extra_context)
        if request.method == "GET" and getattr(response, "status_code", 200) == 200:
            obj = self.get_object(request, object_id)
            # an erased record or case names nobody any more (retention ended)
            if obj is not None and self.access_subject(obj) is not None:
                access_log_write(
                    official_user=request.user,
                    subject=self.access_subject(obj),
                    purpose=f"{self.access_purpose} #{obj.pk}",
                )
        return response


class PersonListAccessLogMixin(PersonAccessLogMixin):
    """Like `PersonAccessLogMixin`, and a list page also writes one AccessLog row for each
    person shown on it (e.g. notices or scores: personal data in the columns)."""

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = (getattr(response, "context_data", None) or {}).get("cl")
        if request.method == "GET" and response.status_code == 200 and changelist is not None:
            access_log_write_many(
                official_user=request.user,
                subjects=[self.access_subject(row) for row in changelist.result_list],
                purpose=f"{self.access_purpose} (list)",
            )
        return response


class TrailAdminMixin(PersonAccessLogMixin):
    """The audit trail and the access log: read-only, limited to `visible(user)` (another
    authority's row is a 404), and read under the access log: a list page writes one row
    for every person it shows, a row's page one for its person."""

    access_purpose = "admin: audit trail"

    def visible(self, user):  # pragma: no cover - overridden
        raise NotImplementedError

    def get_queryset(self, request):
        queryset = self.visible(request.user)
        ordering = self.get_ordering(request)
        return queryset.order_by(*ordering) if ordering else queryset

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None:
            raise Http404(_("No such object in your authority."))
        return obj

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = (getattr(response, "context_data", None) or {}).get("cl")
        if request.method == "GET" and response.status_code == 200 and changelist is not None:
            access_log_write_many(
                official_user=request.user,
                subjects=[row.subject for row in changelist.result_list if row.subject_id],
                purpose=self.access_purpose,
            )
        return response

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@dataclass(frozen=True)
class Step:
    """One step of a change page's action panel: its button, its form (or None), the call of
    the service (`handler(admin, request, obj, cleaned_data)`, which may return the URL to go
    to), whether it is offered for an object (`available(obj)`; None: the admin's
    `allowed_steps` decides), and what the official confirms it does to the person:
    `confirm(obj)` gives the sentence shown beside a required checkbox (None: no checkbox)."""

    label: Any
    form: type[forms.Form] | None
    handler: Callable[..., Any]
    available: Callable[[Any], bool] | None = None
    confirm: Callable[[Any], Any] | None = None


STEP_NOT_CONFIRMED = _(
    "Tick the box to confirm what this step does to the person. Nothing was changed."
)


class ServiceActionsMixin:
    """The action panel on the change page: the next steps the object allows, each a form
    that calls a service. `service_actions` maps a step's name to a `Step` (or the tuple
    (label, form class or None, handler, available)); `allowed_steps` says which are offered
    now (by default those whose `available(obj)` is true: admins with a state machine ask
    their selectors). Every refusal — a form error, a missing confirmation, a rule of the
    service — comes back as a message and changes nothing."""

    change_form_template = "admin/sanctions/service_change_form.html"
    service_actions: dict = {}

    @classmethod
    def step(cls, name: str) -> Step:
        spec = cls.service_actions[name]
        return spec if isinstance(spec, Step) else Step(*spec)

    def allowed_steps(self, request, obj) -> list[str]:
        return [
            name
            for name in self.service_actions
            if (available := self.step(name).available) is None or available(obj)
        ]

    def panel_state(self, obj) -> str | None:
        """The object's state as the panel's heading names it (None: no state to show)."""
        for field in ("state", "status", "outcome"):
            display = getattr(obj, f"get_{field}_display", None)
            if display is not None:
                return display()
        return None

    def get_urls(self):
        return [post_only_url(self, "<path:object_id>/act/<str:action>/", self.act_view, "act"),
                *super().get_urls()]  # fmt: skip

    def act_view(self, request, object_id, action):
        # a missing or malformed id (get_object answers None) or an unknown action: 404
        obj = self.get_object(request, object_id)
        if obj is None or action not in self.service_actions:
            raise Http404
        if not self.has_view_permission(request, obj):
            raise Http404
        step = self.step(action)
        form = step.form(request.POST, request.FILES) if step.form else None
        change_url = reverse(
            f"admin:{self.model._meta.app_label}_{self.model._meta.model_name}_change",
            args=[obj.pk],
        )
        problems = []
        if form is not None and not form.is_valid():
            for name, errors in form.errors.items():
                field = form.fields.get(name)
                label = f"{capfirst(field.label)}: " if field is not None and field.label else ""
                problems.extend(f"{label}{error}" for error in errors)
        if step.confirm is not None and request.POST.get("confirm") != "yes":
            problems.append(f"{STEP_NOT_CONFIRMED}")
        if problems:
            messages.error(request, f"{step.label}: {'; '.join(problems)}")
            return HttpResponseRedirect(change_url)
        try:
            result = step.handler(self, request, obj, form.cleaned_data if form else {})
        except ApplicationError as exc:
            messages.error(request, f"{step.label}: {error_text(exc)}")
            return HttpResponseRedirect(change_url)
        messages.success(request, _("%(action)s: done.") % {"action": step.label})
        return HttpResponseRedirect(result if isinstance(result, str) else change_url)

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            info = self.model._meta.app_label, self.model._meta.model_name
            steps = []
            for name in self.allowed_steps(request, obj):
                step = self.step(name)
                steps.append({
                    "name": name,
                    "label": step.label,
                    "form": step.form(prefix=name) if step.form else None,
                    "url": reverse("admin:{}_{}_act".format(*info), args=[obj.pk, name]),
                    "confirm": step.confirm(obj) if step.confirm else None,
                })  # fmt: skip
            context["service_actions"] = steps
            context["action_state"] = self.panel_state(obj)
            context["audit_rows"] = audit_rows(list(self.audit_events(obj)))
        return super().render_change_form(request, context, add, change, form_url, obj)

    def audit_events(self, obj):
        return AuditEvent.objects.filter(
            object_type=obj._meta.label, object_id=str(obj.pk)
        ).select_related("actor")[:100]


class PrefixedForm(forms.Form):
    """Action forms render with a prefix (several on one page) and post without one."""

    def __init__(self, data=None, files=None, prefix=None, **kwargs):
        if data is not None and prefix is None:
            prefix = self.action_prefix(data)
        super().__init__(data, files, prefix=prefix, **kwargs)

    @staticmethod
    def action_prefix(data):
        keys = [k for k in data if "-" in k and k != "csrfmiddlewaretoken"]
        return keys[0].split("-", 1)[0] if keys else None


class ProvisionalDeadlineMixin:
    """Lists whose working-day deadline column (`deadline_column`) says "provisional" past
    the stored holiday calendar: the calendar's end comes with the rows (one subquery)."""

    def get_queryset(self, request):
        return with_calendar_end(super().get_queryset(request))


def deadline_column(field: str, description):
    """A list column showing the date in `field`, marked provisional when it falls beyond
    the stored holiday calendar (so unknown holidays were counted as working days)."""

    @admin.display(description=description, ordering=field)
    def column(self, obj):
        day = getattr(obj, field)
        if day is None:
            return self.get_empty_value_display()
        if hasattr(obj, "calendar_last_stored_day"):
            ends_on = calendar_end_after(obj.calendar_last_stored_day)
        else:
            ends_on = calendar_ends_on()
        if not is_beyond_calendar(day, ends_on=ends_on):
            return localize(day)
        return format_html(
            '{} <span class="provisional-deadline">{}</span>',
            localize(day),
            provisional_label(ends_on),
        )

    return column


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(AccessLog)
class AccessLogAdmin(TrailAdminMixin, admin.ModelAdmin):
    """Supervisors: reads by officials of the authorities they oversee; the auditor role:
    all. Reading it is itself logged for each person shown."""

    access_purpose = "admin: access log"
    list_display = ["created_at", "official", "authority", "subject", "purpose"]
    list_filter = [("authority", admin.RelatedOnlyFieldListFilter)]
    search_fields = ["subject__display_name", "official__username", "purpose"]
    list_select_related = ["official", "authority", "subject"]

    def visible(self, user):
        return access_log_visible_to(user=user)


@admin.register(AuditEvent)
class AuditEventAdmin(TrailAdminMixin, admin.ModelAdmin):
    """Officials read the rows of the authorities they see (`audit_events_visible_to`), the
    auditor role every row; each read is logged for the persons shown."""

    access_purpose = "admin: audit trail"
    list_display = ["created_at", "actor_repr", "action", "object_type", "object_repr", "subject"]
    list_filter = ["action", "object_type"]
    search_fields = ["actor_repr", "action", "object_repr", "object_id"]
    date_hierarchy = "created_at"
    list_select_related = ["subject"]
    # the row as stored (what the chain hashes), and its changes as the change pages read them
    readonly_fields = ["changes_shown", *(f.name for f in AuditEvent._meta.fields)]
    show_full_result_count = False

    def visible(self, user):
        return audit_events_visible_to(user=user)

    @admin.display(description=_("changes"))
    def changes_shown(self, obj):
        (row,) = audit_rows([obj])
        return format_html_join(
            "\n", '<div class="audit-change">{}: {}{}</div>',
            ((capfirst(c.label), "" if c.only_new else f"{c.old} → ", c.new) for c in row.changes),
        ) or "—"  # fmt: skip
