from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from citizens import selectors, services
from citizens.models import ActivationCode, ActivationCodeRequest, Citizen
from sanctions.kernel.admin import (
    IdentifierSearchMixin,
    PersonAccessLogMixin,
    PrefixedForm,
    ServiceActionsMixin,
    adopt_saved,
)
from sanctions.kernel.errors import ApplicationError
from sanctions.kernel.identifiers import clean_name
from scs_portal.admin_site import LabelledTabularInline


def _code_message(request, citizen, row, code) -> None:
    """Say how the code went out: e-mailed codes are never shown in the office."""
    if code is None:
        messages.success(
            request,
            _("Activation code for %(name)s sent by e-mail to the citizen's address for "
              "notices. It is not shown here; it expires on %(date)s.")
            % {"name": citizen.name, "date": row.expires_at.date().isoformat()},
        )  # fmt: skip
        return
    messages.warning(
        request,
        _("Activation code for %(name)s: %(code)s — shown only now. Print the letter from the "
          "notice and add this code by hand, or read it to the citizen in person. It expires "
          "on %(date)s.") % {"name": citizen.name, "code": code,
                             "date": row.expires_at.date().isoformat()},
    )  # fmt: skip


def _issue_code(admin_, request, citizen, data):
    row, code = services.activation_code_issue(actor=request.user, citizen=citizen)
    _code_message(request, citizen, row, code)


def _request_code(admin_, request, citizen, data):
    services.activation_code_request(actor=request.user, citizen=citizen, reason=data["reason"])


def _pending(citizen):
    pending = selectors.pending_activation_request(citizen)
    if pending is None:
        raise ApplicationError(_("No request is waiting for this citizen."))
    return pending


def _approve_request(admin_, request, citizen, data):
    row, code = services.activation_code_approve(actor=request.user, request=_pending(citizen))
    _code_message(request, citizen, row, code)


def _refuse_request(admin_, request, citizen, data):
    services.activation_code_request_refuse(actor=request.user, request=_pending(citizen))


class CodeRequestForm(PrefixedForm):
    reason = forms.CharField(
        label=_("why the citizen needs a new code"), max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )  # fmt: skip


class ActivationRequestInline(LabelledTabularInline):
    model = ActivationCodeRequest
    fk_name = "citizen"
    fields = ["requested_by", "authority", "requested_at", "reason", "email", "state",
              "decided_by", "decided_at"]  # fmt: skip
    readonly_fields = fields
    extra = 0
    can_delete = False
    verbose_name_plural = _("activation code requests (a second official approves)")

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


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


class CitizenNameMixin:
    def clean_name(self):
        # the service's rule (visible letters), as a field error rather than a refused save
        try:
            return clean_name(self.cleaned_data["name"],
                              max_length=Citizen._meta.get_field("name").max_length)  # fmt: skip
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages) from None


class CitizenAddForm(CitizenNameMixin, forms.ModelForm):
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


class CitizenChangeForm(CitizenNameMixin, forms.ModelForm):
    class Meta:
        model = Citizen
        fields = ["name", "email", "user"]


@admin.register(Citizen)
class CitizenAdmin(
    PersonAccessLogMixin, ServiceActionsMixin, IdentifierSearchMixin, admin.ModelAdmin
):
    access_purpose = "admin: citizen detail"
    inlines = [ActivationCodeInline, ActivationRequestInline]
    # a citizen with no account gets a code from one official; one with an account (the code
    # resets its password) from two: one asks, another of the same authority approves
    service_actions = {
        "activation_code": (_("Issue an activation code"), None, _issue_code,
                            lambda o: o.user_id is None),
        "activation_code_request": (
            _("Request an activation code (a second official approves)"), CodeRequestForm,
            _request_code,
            lambda o: o.user_id is not None and selectors.pending_activation_request(o) is None,
        ),
        "activation_code_approve": (
            _("Approve the requested activation code"), None, _approve_request,
            lambda o: selectors.pending_activation_request(o) is not None,
        ),
        "activation_code_refuse": (
            _("Refuse the requested activation code"), None, _refuse_request,
            lambda o: selectors.pending_activation_request(o) is not None,
        ),
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
        if obj is None:
            return []
        fixed = ["resident_id", "birth_date", "sex", "region_code"]
        # linking a portal account hands it the citizen's record: the operator's decision
        return fixed if request.user.is_superuser else [*fixed, "user"]

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            services.citizen_update(
                actor=request.user,
                citizen=obj,
                name=data["name"],
                email=data["email"],
                user=data.get("user", services.UNCHANGED),
            )
            return
        citizen = services.citizen_create(
            actor=request.user,
            resident_id=data["resident_id"],
            name=data["name"],
            email=data.get("email", ""),
        )
        adopt_saved(obj, citizen)

    def has_change_permission(self, request, obj=None) -> bool:
        # the register is read by every caseworker (each detail view is access-logged); its
        # entry is corrected only where the authority has the person on file (the service
        # checks it again)
        if obj is not None and not selectors.may_correct_register_entry(
            request.user, obj.subject_id
        ):
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
