from __future__ import annotations

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError

from citizens.selectors import may_correct_register_entry
from enterprises import services
from enterprises.models import Enterprise
from sanctions.kernel.admin import IdentifierSearchMixin, adopt_saved
from sanctions.kernel.errors import ApplicationError
from sanctions.kernel.identifiers import clean_name


class EnterpriseForm(forms.ModelForm):
    class Meta:
        model = Enterprise
        fields = ["name", "legal_representative", "status", "address"]

    def clean_name(self):
        # the service's rule (visible letters), as a field error rather than a refused save
        try:
            return clean_name(self.cleaned_data["name"],
                              max_length=Enterprise._meta.get_field("name").max_length)  # fmt: skip
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from None


class EnterpriseAddForm(EnterpriseForm):
    class Meta(EnterpriseForm.Meta):
        fields = ["credit_code", "name", "legal_representative", "status", "address"]

    def validate_unique(self):
        pass

    def clean_credit_code(self):
        try:
            return services.enterprise_validate_new(credit_code=self.cleaned_data["credit_code"])
        except ApplicationError as exc:
            raise forms.ValidationError(exc.message_dict["credit_code"]) from None


@admin.register(Enterprise)
class EnterpriseAdmin(IdentifierSearchMixin, admin.ModelAdmin):
    identifier_hash_lookup = "subject__identifier_hash"
    list_display = ["name", "credit_code", "legal_representative", "status"]
    list_filter = ["status"]
    search_fields = ["name", "subject__name_pinyin", "legal_representative__name"]
    list_select_related = ["legal_representative"]
    autocomplete_fields = ["legal_representative"]
    show_full_result_count = False

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = EnterpriseForm if obj is not None else EnterpriseAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        return ["credit_code", "name", "legal_representative", "status", "address"]

    def get_readonly_fields(self, request, obj=None):
        return ["credit_code"] if obj else []

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            services.enterprise_update(
                actor=request.user,
                enterprise=obj,
                name=data["name"],
                legal_representative=data["legal_representative"],
                status=data["status"],
                address=data.get("address", ""),
            )
            return
        enterprise = services.enterprise_create(
            actor=request.user,
            credit_code=data["credit_code"],
            name=data["name"],
            legal_representative=data["legal_representative"],
            status=data["status"],
            address=data.get("address", ""),
        )
        adopt_saved(obj, enterprise)

    def has_change_permission(self, request, obj=None) -> bool:
        # corrected only where the authority has the enterprise on file (as for citizens)
        if obj is not None and not may_correct_register_entry(request.user, obj.subject_id):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
