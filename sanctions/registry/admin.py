"""Officials' admin of the registry: authorities, officials, measures, record types,
subjects. Writes go through services."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from sanctions.kernel.admin import (
    IdentifierSearchMixin,
    PersonAccessLogMixin,
    ScopedAdminMixin,
    adopt_saved,
)
from sanctions.kernel.errors import ApplicationError
from sanctions.kernel.roles import authorities_visible_to
from sanctions.kernel.second_factor import has_second_factor
from sanctions.models import (
    Authority,
    AuthorityKind,
    Measure,
    Official,
    RecordType,
    Subject,
)
from sanctions.registry.selectors import (
    accounts_placeable_by,
    officials_visible_to,
    record_types_offered_to,
)
from sanctions.registry.services import officials as accounts
from sanctions.registry.services.catalog import (
    catalog_delete,
    catalog_save,
    check_prohibited_grounds,
    record_type_check_numbers,
    record_type_create,
    record_type_update,
)
from scs_portal.second_factor import reset_second_factor


def case_record_types(request, case=None):
    """The record types a case form offers: those the case's authority (for a new case, the
    official's own) may issue."""
    official = getattr(request.user, "official", None)
    authority = case.authority if case else (official.authority if official else None)
    return record_types_offered_to(user=request.user, authority=authority)


class AuditedCatalogAdmin(admin.ModelAdmin):
    """Catalog rows an official edits are saved (and deleted) through the audited services."""

    def save_model(self, request, obj, form, change):
        catalog_save(actor=request.user, obj=obj, fields=list(form.fields))

    def delete_model(self, request, obj):
        catalog_delete(actor=request.user, obj=obj)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            catalog_delete(actor=request.user, obj=obj)


@admin.register(Authority)
class AuthorityAdmin(AuditedCatalogAdmin):
    list_display = ["name", "name_en", "code", "kind", "level", "region_code", "parent"]
    list_filter = ["kind", "level"]
    search_fields = ["name", "name_en", "code"]
    autocomplete_fields = ["parent"]
    # each name beside its English (an English page shows only the English, never a mix)
    fields = ["code", ("name", "name_en"), "kind", "level", "region_code", "parent", "is_active"]


class OfficialForm(forms.ModelForm):
    """An official's authority, job title and roles. The choices offered are what the actor
    may assign (set by OfficialAdmin); `official_validate` decides, here for field errors and
    again in `official_save`."""

    roles = forms.MultipleChoiceField(
        label=_("roles"),
        choices=[(role, role) for role in accounts.OFFICIAL_ROLES],
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )

    actor = None  # set by OfficialAdmin.get_form

    class Meta:
        model = Official
        fields = ["user", "authority", "title"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk is not None and "roles" in self.fields:
            self.fields["roles"].initial = accounts._roles_of(self.instance.user)

    def clean(self):
        cleaned = super().clean()
        if self.errors or cleaned.get("authority") is None:
            return cleaned
        stored = None
        if self.instance.pk is not None:
            stored = Official.objects.select_related("user").get(pk=self.instance.pk)
        try:
            accounts.official_validate(
                actor=self.actor,
                official=stored,
                user=cleaned.get("user"),
                authority=cleaned["authority"],
                roles=cleaned.get("roles") or [],
            )
        except ApplicationError as exc:
            raise forms.ValidationError(
                exc.error_dict if hasattr(exc, "error_dict") else exc
            ) from None
        return cleaned

    def _post_clean(self):
        # official_save builds and checks the row; the form never writes its instance
        pass


@admin.register(Official)
class OfficialAdmin(ScopedAdminMixin, admin.ModelAdmin):
    """Officials, scoped: a supervisor sees the officials of the authorities they oversee,
    changes only those `official_management_refusal` allows (never their own row: it opens
    read-only), and is offered only the authorities and accounts they may assign."""

    form = OfficialForm
    list_display = ["user", "authority", "title", "roles", "second_factor"]
    # a lost phone: the operator or a supervisor of the official's authority (docs/security.md)
    actions = [reset_second_factor]
    list_filter = [("authority", admin.RelatedOnlyFieldListFilter), "user__groups"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "authority__name"]
    list_select_related = ["user", "authority"]

    @admin.display(description=_("roles"))
    def roles(self, obj: Official) -> str:
        return ", ".join(group.name for group in obj.user.groups.all())

    @admin.display(description=_("second factor set up"), boolean=True)
    def second_factor(self, obj: Official) -> bool:
        return has_second_factor(obj.user)

    def scoped_queryset(self, request: HttpRequest) -> QuerySet:
        return officials_visible_to(user=request.user)

    def get_fields(self, request, obj=None):
        return ["user", "authority", "title", "roles"]

    def get_readonly_fields(self, request, obj=None):
        return ["user"] if obj is not None else []

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return type(form.__name__, (form,), {"actor": request.user})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "authority" and not request.user.is_superuser:
            kwargs["queryset"] = authorities_visible_to(user=request.user)
        if db_field.name == "user":
            kwargs["queryset"] = accounts_placeable_by(user=request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None) -> bool:
        allowed = super().has_change_permission(request, obj)
        if obj is None or not allowed:
            return allowed
        return accounts.official_management_refusal(actor=request.user, official=obj) is None

    def has_delete_permission(self, request, obj=None) -> bool:
        allowed = super().has_delete_permission(request, obj)
        if obj is None or not allowed:
            return allowed
        return accounts.official_management_refusal(actor=request.user, official=obj) is None

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        try:
            saved = accounts.official_save(
                actor=request.user,
                official=obj if change else None,
                user=None if change else data["user"],
                authority=data["authority"],
                title=data.get("title") or "",
                roles=data.get("roles") or [],
            )
        except ApplicationError as exc:  # the form checked; this is a change since then
            raise PermissionDenied(exc.messages) from None
        adopt_saved(obj, saved)

    def save_related(self, request, form, formsets, change):
        pass  # roles are set by the service, inside its audited transaction

    def delete_model(self, request, obj):
        self.delete_queryset(request, [obj])

    def delete_queryset(self, request, queryset):
        # the bulk action asks has_delete_permission without an object: the service checks
        # each row, and one refusal removes none of them
        try:
            with transaction.atomic():
                for obj in queryset:
                    accounts.official_delete(actor=request.user, official=obj)
        except ApplicationError as exc:
            raise PermissionDenied(exc.messages) from None


@admin.register(Measure)
class MeasureAdmin(AuditedCatalogAdmin):
    list_display = ["title", "title_en", "code", "kind", "enforcing_agency"]
    list_filter = ["kind"]
    search_fields = ["title", "title_en", "code", "enforcing_agency", "enforcing_agency_en"]
    fields = [
        "code", ("title", "title_en"), "kind", ("enforcing_agency", "enforcing_agency_en"),
        "legal_basis", "description",
    ]  # fmt: skip


class RecordTypeForm(forms.ModelForm):
    issuer_kinds = forms.MultipleChoiceField(
        label=_("may be issued by"),
        choices=AuthorityKind.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The kinds of authority that may issue a record of this type."),
        error_messages={"required": _("Choose at least one kind of authority that may issue it.")},
    )

    class Meta:
        model = RecordType
        fields = [
            "code", "title", "title_en", "domain", "polarity", "severity", "points",
            "subject_kinds", "issuer_kinds", "legal_basis", "is_administrative_penalty",
            "places_on_blacklist",
            "publication_min_days", "publication_max_days", "effective_days", "measures",
            "attestation", "is_active",
        ]  # fmt: skip

    def clean(self):
        cleaned = super().clean()
        try:
            check_prohibited_grounds(
                cleaned.get("title", ""), cleaned.get("title_en", ""), cleaned.get("code", "")
            )
        except ApplicationError as exc:
            raise forms.ValidationError(exc.messages) from None
        try:  # points and periods within the catalog's limits (the service checks again)
            record_type_check_numbers(**cleaned)
        except ApplicationError as exc:
            raise forms.ValidationError(exc.message_dict) from None
        return cleaned


@admin.register(RecordType)
class RecordTypeAdmin(admin.ModelAdmin):
    form = RecordTypeForm
    list_display = [
        "code",
        "title",
        "domain",
        "polarity",
        "severity",
        "points",
        "places_on_blacklist",
        "is_active",
    ]
    list_filter = ["domain", "polarity", "severity", "places_on_blacklist", "is_active"]
    search_fields = ["code", "title", "title_en", "legal_basis"]
    filter_horizontal = ["measures"]
    readonly_fields = ["attested_by", "attested_at"]
    fields = [
        "code", ("title", "title_en"),
        *[name for name in RecordTypeForm.Meta.fields if name not in ("code", "title", "title_en")],
        *readonly_fields,
    ]  # fmt: skip

    def save_model(self, request, obj, form, change):
        fields = {
            name: value
            for name, value in form.cleaned_data.items()
            if name != "measures" and name in {f.name for f in RecordType._meta.fields}
        }
        measures = list(form.cleaned_data.get("measures") or [])
        if change:
            fields = {name: fields[name] for name in form.changed_data if name in fields}
            saved = record_type_update(
                actor=request.user, record_type=obj, measures=measures, **fields
            )
        else:
            saved = record_type_create(actor=request.user, measures=measures, **fields)
        adopt_saved(obj, saved)

    def save_related(self, request, form, formsets, change):
        pass  # measures are set by the service, inside its audited transaction

    def get_search_results(self, request, queryset, search_term):
        # the record and case forms' pickers offer only the types the official may issue
        match = request.resolver_match
        autocomplete = match is not None and match.url_name == "autocomplete"
        if autocomplete and request.GET.get("field_name") == "record_type":
            model_name = request.GET.get("model_name")
            if model_name == "integrityrecord":
                queryset = queryset & record_types_offered_to(user=request.user)
            elif model_name == "case":
                queryset = queryset & case_record_types(request)
        return super().get_search_results(request, queryset, search_term)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # retire a type (is_active) instead: records refer to it


@admin.register(Subject)
class SubjectAdmin(PersonAccessLogMixin, IdentifierSearchMixin, admin.ModelAdmin):
    access_purpose = "admin: subject detail"
    list_display = ["display_name", "kind", "masked_identifier", "region_code", "name_pinyin"]
    list_filter = ["kind"]
    search_fields = ["display_name", "name_pinyin", "masked_identifier"]
    readonly_fields = [f.name for f in Subject._meta.fields]
    show_full_result_count = False

    def access_subject(self, obj):
        return obj

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # subjects come into being with a citizen or an enterprise

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
