from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _

from citizens import services
from citizens.models import ActivationCode, Citizen
from sanctions.admin_casework import (
    IdentifierSearchMixin,
    PersonAccessLogMixin,
    ServiceActionsMixin,
    adopt_saved,
)
from sanctions.errors import ApplicationError
from scs_portal.admin_site import LabelledTabularInline


def _issue_code(admin_, request, citizen, data):
    row, code = services.activation_code_issue(actor=request.user, citizen=citizen)
    messages.warning(
        request,
        _("Activation code for %(name)s: %(code)s — shown only now. Print the letter from the "
          "notice and add this code by hand, or read it to the citizen in person. It expires "
          "on %(date)s.") % {"name": citizen.name, "code": code,
                             "date": row.expires_at.date().isoformat()},
    )  # fmt: skip


class ActivationCodeInline(LabelledTabularInline):
    model = ActivationCode
    fields = ["hint", "issued_by", "issued_at", "expires_at", "used_at", "revoked_at"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class CitizenAddForm(forms.ModelForm):
    class Meta:
        model = Citizen
        fields = ["resident_id", "name", "email"]

    def validate_unique(self):
        pass  # citizen_validate_new says it in the citizen's own words

    def clean_resident_id(self):
        try:
            info = services.citizen_validate_new(resident_id=self.cleaned_data["resident_id"])
        except ApplicationError as exc:
            raise forms.ValidationError(exc.message_dict["resident_id"]) from None
        return info.number


class CitizenChangeForm(forms.ModelForm):
    class Meta:
        model = Citizen
        fields = ["name", "email", "user"]


@admin.register(Citizen)
class CitizenAdmin(
    PersonAccessLogMixin, ServiceActionsMixin, IdentifierSearchMixin, admin.ModelAdmin
):
    access_purpose = "admin: citizen detail"
    inlines = [ActivationCodeInline]
    service_actions = {
        "activation_code": (_("Issue an activation code (letter)"), None, _issue_code,
                            lambda o: True),
    }  # fmt: skip
    identifier_hash_lookup = "subject__identifier_hash"
    list_display = ["name", "masked_id", "sex", "birth_date", "region_code", "user"]
    list_filter = ["sex"]
    search_fields = ["name", "subject__name_pinyin"]
    list_select_related = ["subject", "user"]
    autocomplete_fields = ["user"]
    show_full_result_count = False

    @admin.display(description=_("ID number (masked)"))
    def masked_id(self, obj: Citizen) -> str:
        return obj.subject.masked_identifier

    def get_inlines(self, request, obj):
        return self.inlines if obj is not None else []  # codes exist only for a saved citizen

    def get_form(self, request, obj=None, change=False, **kwargs):
        kwargs["form"] = CitizenChangeForm if obj else CitizenAddForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["resident_id", "name", "email"]
        return ["resident_id", "name", "email", "user", "birth_date", "sex", "region_code"]

    def get_readonly_fields(self, request, obj=None):
        return ["resident_id", "birth_date", "sex", "region_code"] if obj else []

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            services.citizen_update(
                actor=request.user,
                citizen=obj,
                name=data["name"],
                email=data["email"],
                user=data.get("user"),
            )
            return
        citizen = services.citizen_create(
            actor=request.user,
            resident_id=data["resident_id"],
            name=data["name"],
            email=data.get("email", ""),
        )
        adopt_saved(obj, citizen)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
