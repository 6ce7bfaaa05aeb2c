"""Bad input in the officials' admin is a field error, never a 500 (docs/security.md).

`SafeInputAdminMixin` is mixed into every ModelAdmin the portal's admin site registers (see
`PortalAdminSite.register`) and into the project's inlines, so a new admin gets it without
asking:

- every integer form field made from a model field is bounded by its database column
  (`connection.ops.integer_field_range`): `publication_days=9223372036854775808` is "Ensure
  this value is less than or equal to 2147483647", not a DataError from PostgreSQL (the
  admin's forms skip the model's own validation: the services build and check the rows);
  decimal form fields made from a model field already carry its max_digits;
- autocomplete pickers tolerate a value that is not a key of the related model (`abc`,
  `1.5`, a number beyond the column): Django's widget would look it up to re-render the form
  with its error and raise ValueError.

Forms the admin does not build from model fields (service action forms) bound their numeric
fields themselves, e.g. with `column_bounds`.

This module is imported by scs_portal.admin_site, before the apps' models load: no models.
"""

from __future__ import annotations

from django import forms
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.views.main import ERROR_FLAG
from django.contrib.admin.widgets import AutocompleteSelect, AutocompleteSelectMultiple
from django.core import validators
from django.core.exceptions import ValidationError
from django.db import connection, models
from django.http import HttpResponseRedirect


def column_bounds(model_field: models.Field) -> tuple[int | None, int | None]:
    """The smallest and largest value the database column of an integer model field holds."""
    return connection.ops.integer_field_range(model_field.get_internal_type())


def bound_to_column(form_field: forms.Field | None, model_field: models.Field) -> None:
    """Give an integer form field the range of its model field's column (narrowing, never
    widening, bounds the form already had)."""
    if not isinstance(form_field, forms.IntegerField) or isinstance(
        form_field, forms.DecimalField | forms.FloatField
    ):
        return
    if not isinstance(model_field, models.IntegerField):
        return
    low, high = column_bounds(model_field)
    if low is not None and (form_field.min_value is None or form_field.min_value < low):
        form_field.min_value = low
        form_field.validators.append(validators.MinValueValidator(low))
        form_field.widget.attrs["min"] = low
    if high is not None and (form_field.max_value is None or form_field.max_value > high):
        form_field.max_value = high
        form_field.validators.append(validators.MaxValueValidator(high))
        form_field.widget.attrs["max"] = high


def is_key_of(target: models.Field, value) -> bool:
    """Whether `value` can be a value of the key field `target` (an integer key: a number
    within the column), i.e. whether the database can be asked for it at all."""
    try:
        key = target.to_python(value)
        target.run_validators(key)  # an integer key: the column's range
    except (ValidationError, ValueError, TypeError, OverflowError):
        return False
    return True


def without_nul(value: str) -> str:
    """PostgreSQL text cannot hold a NUL character; a search for one finds what the rest finds."""
    return value.replace("\x00", "")


class TolerantAutocompleteMixin:
    """Re-render an autocomplete picker whose submitted value is not a key of the related
    model (the form says "Select a valid choice"): such values are left out of the lookup
    instead of reaching the database as a ValueError."""

    def _target_field(self) -> models.Field:
        remote_opts = self.field.remote_field.model._meta
        name = getattr(self.field.remote_field, "field_name", None) or remote_opts.pk.name
        return remote_opts.get_field(name)

    def optgroups(self, name, value, attr=None):
        target = self._target_field()
        return super().optgroups(name, [v for v in value if is_key_of(target, v)], attr)


class TolerantAutocompleteSelect(TolerantAutocompleteMixin, AutocompleteSelect):
    pass


class TolerantAutocompleteSelectMultiple(TolerantAutocompleteMixin, AutocompleteSelectMultiple):
    pass


class SafeInputAdminMixin:
    """Bounded integer fields and tolerant autocomplete pickers on every admin form; list
    pages and list actions that refuse values the database cannot be asked about."""

    def changelist_view(self, request, extra_context=None):
        # a NUL character in a filter or sort parameter would reach PostgreSQL (DataError):
        # Django's answer to any unusable list parameter is the list again with "?e=1"
        if any("\x00" in value for _key, values in request.GET.lists() for value in values):
            return HttpResponseRedirect(f"{request.path}?{ERROR_FLAG}=1")
        # the date drill-down: Django turns a non-number into "?e=1" but lets a number too
        # large for a date through (OverflowError)
        if self.date_hierarchy and any(
            not (value.isdigit() and len(value) <= 4)
            for part in ("year", "month", "day")
            for value in request.GET.getlist(f"{self.date_hierarchy}__{part}")
        ):
            return HttpResponseRedirect(f"{request.path}?{ERROR_FLAG}=1")
        return super().changelist_view(request, extra_context)

    def get_search_results(self, request, queryset, search_term):
        # the list's search box and the autocomplete pickers (which call this method)
        return super().get_search_results(request, queryset, without_nul(search_term))

    def response_action(self, request, queryset):
        # ids ticked for a list action that cannot be keys ("abc", a number beyond the
        # column) are dropped before Django filters by them; none left: "Items must be
        # selected", as for an empty selection
        selected = request.POST.getlist(ACTION_CHECKBOX_NAME)
        usable = [value for value in selected if is_key_of(self.model._meta.pk, value)]
        if usable != selected:
            data = request.POST.copy()
            data.setlist(ACTION_CHECKBOX_NAME, usable)
            request.POST = data
        return super().response_action(request, queryset)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        bound_to_column(field, db_field)
        return field

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = TolerantAutocompleteSelect(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if "widget" not in kwargs and db_field.name in self.get_autocomplete_fields(request):
            kwargs["widget"] = TolerantAutocompleteSelectMultiple(
                db_field, self.admin_site, using=kwargs.get("using")
            )
        return super().formfield_for_manytomany(db_field, request, **kwargs)


def with_safe_input(admin_class: type) -> type:
    """`admin_class` with SafeInputAdminMixin in front (unchanged if it already has it)."""
    if issubclass(admin_class, SafeInputAdminMixin):
        return admin_class
    return type(
        admin_class.__name__,
        (SafeInputAdminMixin, admin_class),
        {
            "__module__": admin_class.__module__,
            "__qualname__": admin_class.__qualname__,
            "__doc__": admin_class.__doc__,
        },
    )


def repair_axes_admin(site) -> None:
    """django-axes' access-attempt admin has a list action, "clean up expired attempts",
    that reads the attempt time axes puts on a login request only (AttributeError, a 500,
    on the list page). The registered admin gets an action that sets it first."""
    from axes.admin import AccessAttemptAdmin
    from axes.handlers.proxy import AxesProxyHandler
    from axes.models import AccessAttempt

    registered = site._registry.get(AccessAttempt)
    if registered is None or not isinstance(registered, AccessAttemptAdmin):
        return
    upstream = AccessAttemptAdmin.cleanup_expired_attempts

    def cleanup_expired_attempts(self, request, queryset):
        AxesProxyHandler.update_request(request)
        return upstream(self, request, queryset)

    cleanup_expired_attempts.short_description = upstream.short_description
    admin_class = type(
        "AccessAttemptAdmin",
        (type(registered),),
        {"__module__": __name__, "cleanup_expired_attempts": cleanup_expired_attempts},
    )
    site.unregister(AccessAttempt)
    site.register(AccessAttempt, admin_class)
