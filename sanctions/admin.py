"""Officials' admin for the core. Writes go through services; the audit trail is read-only."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

# registers the scoring and the API clients' admin
from sanctions import admin_agency  # noqa: F401
from sanctions.admin_casework import RECORD_ACTIONS
from sanctions.kernel.admin import (
    IdentifierSearchMixin,
    PersonAccessLogMixin,
    ScopedAdminMixin,
    ServiceActionsMixin,
    adopt_saved,
    limit_record_type_field,
)
from sanctions.kernel.errors import ApplicationError
from sanctions.kernel.roles import authorities_visible_to
from sanctions.models import (
    Case,
    IntegrityRecord,
    RecordEvent,
)
from sanctions.registry import admin as registry_admin  # noqa: F401 - registers its models
from sanctions.registry.selectors import (
    record_types_offered_to,
    records_visible_to,
)
from sanctions.registry.services.records import record_register, record_validate
from sanctions.scoring import admin as scoring_admin  # noqa: F401
from scs_portal.admin_input import column_bounds
from scs_portal.admin_site import LabelledTabularInline


class IntegrityRecordAddForm(forms.ModelForm):
    publication_days = forms.IntegerField(
        label=_("publication period (days)"),
        required=False,
        min_value=1,
        # the bound of a case's period (its column): a larger number is a field error
        max_value=column_bounds(Case._meta.get_field("publication_days"))[1],
        help_text=_("Leave empty for the tier's maximum."),
    )

    class Meta:
        model = IntegrityRecord
        fields = [
            "subject",
            "record_type",
            "authority",
            "decision_number",
            "decision_date",
            "basis_document",
            "legal_basis",
            "facts",
            "amount",
            "obligation",
            "judicial_ground",
            "performance_status",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["legal_basis"].required = False
        self.fields["legal_basis"].help_text = _("Empty: the record type's legal basis.")

    def validate_unique(self):
        pass  # record_validate reports a duplicate decision number as a field error

    def _post_clean(self):
        # The model is built by the service, not by the form; skip ModelForm's instance checks.
        pass

    def clean(self):
        cleaned = super().clean()
        required = ["subject", "record_type", "authority", "decision_number", "decision_date"]
        if any(cleaned.get(name) in (None, "") for name in required) or self.errors:
            return cleaned
        try:
            record_validate(
                subject=cleaned["subject"],
                record_type=cleaned["record_type"],
                authority=cleaned["authority"],
                decision_number=cleaned["decision_number"],
                decision_date=cleaned["decision_date"],
                judicial_ground=cleaned.get("judicial_ground"),
                publication_days=cleaned.get("publication_days"),
                performance_status=cleaned.get("performance_status") or "unperformed",
            )
        except ApplicationError as exc:
            raise forms.ValidationError(
                exc.error_dict if hasattr(exc, "error_dict") else exc
            ) from None
        return cleaned


class RecordEventInline(LabelledTabularInline):
    """What happened after the decision (read-only: events are reported through the
    record's actions or by the agency's API)."""

    model = RecordEvent
    extra = 0
    fields = ["kind", "date", "amount_performed", "note", "source", "reported_by", "created_at"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(IntegrityRecord)
class IntegrityRecordAdmin(
    ScopedAdminMixin,
    PersonAccessLogMixin,
    ServiceActionsMixin,
    IdentifierSearchMixin,
    admin.ModelAdmin,
):
    access_purpose = "admin: record detail"
    service_actions = RECORD_ACTIONS
    inlines = [RecordEventInline]
    identifier_hash_lookup = "subject__identifier_hash"
    list_display = [
        "decision_number",
        "subject",
        "type_title",
        "authority",
        "decision_date",
        "status",
        "performance_status",
        "publication_end",
    ]
    list_filter = [
        "status",
        "record_type__domain",
        "record_type__severity",
        ("authority", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["decision_number", "subject__display_name", "subject__name_pinyin"]

    @admin.display(description=_("type"), ordering="record_type__title")
    def type_title(self, obj: IntegrityRecord) -> str:
        return obj.record_type.title

    list_select_related = ["subject", "record_type", "authority"]
    autocomplete_fields = ["subject", "record_type", "authority"]
    date_hierarchy = "decision_date"
    show_full_result_count = False

    def scoped_queryset(self, request: HttpRequest) -> QuerySet:
        return records_visible_to(request.user)

    def get_inline_instances(self, request, obj=None):
        return super().get_inline_instances(request, obj) if obj is not None else []

    def has_change_permission(self, request, obj=None) -> bool:
        # existing records change only through the actions below (services), never an edit
        return obj is None and super().has_change_permission(request, obj)

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = IntegrityRecordAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return [*IntegrityRecordAddForm.Meta.fields, "publication_days"]
        return super().get_fields(request, obj)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "authority" and not request.user.is_superuser:
            kwargs["queryset"] = authorities_visible_to(request.user)
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "record_type":
            limit_record_type_field(field, record_types_offered_to(request.user))
        return field

    def save_model(self, request, obj, form, change):
        if change:
            raise PermissionDenied
        data = form.cleaned_data
        # the record and its decision notice (published after the notice period)
        record = record_register(
            actor=request.user,
            subject=data["subject"],
            record_type=data["record_type"],
            authority=data["authority"],
            decision_number=data["decision_number"],
            decision_date=data["decision_date"],
            legal_basis=data.get("legal_basis") or "",
            basis_document=data.get("basis_document") or "",
            facts=data.get("facts") or "",
            amount=data.get("amount"),
            obligation=data.get("obligation") or "",
            judicial_ground=data.get("judicial_ground"),
            performance_status=data.get("performance_status") or "unperformed",
            publication_days=data.get("publication_days"),
        )
        adopt_saved(obj, record)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # records are revoked by a recorded decision, never deleted
