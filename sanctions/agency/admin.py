"""Admin for API clients (create: the key is shown once; revoke: a button), authority API
policies, submissions and bulk imports with their validation reports."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from sanctions.agency.selectors import (
    api_clients_visible_to,
    api_submissions_visible_to,
    import_batches_visible_to,
)
from sanctions.agency.services.clients import (
    api_client_create,
    api_client_revoke,
    require_key_manager,
)
from sanctions.kernel.admin import (
    ReadOnlyAdmin,
    ScopedAdminMixin,
    ServiceActionsMixin,
    adopt_saved,
    error_text,
)
from sanctions.kernel.errors import ApplicationError
from sanctions.kernel.roles import authorities_visible_to
from sanctions.models import ApiClient, ApiScope, ApiSubmission, AuthorityApiPolicy, ImportBatch
from sanctions.registry.admin import AuditedCatalogAdmin


class ApiClientForm(forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        label=_("scopes"), choices=ApiScope.choices, widget=forms.CheckboxSelectMultiple
    )

    class Meta:
        model = ApiClient
        fields = ["name", "authority", "scopes"]

    def clean(self):
        cleaned = super().clean()
        authority = cleaned.get("authority")
        if authority is not None:
            try:
                require_key_manager(getattr(self, "request_user", None), authority)
            except ApplicationError as exc:
                raise forms.ValidationError(error_text(exc)) from None
        return cleaned


@admin.register(ApiClient)
class ApiClientAdmin(ScopedAdminMixin, ServiceActionsMixin, admin.ModelAdmin):
    form = ApiClientForm
    list_display = ["name", "authority", "key_prefix", "scopes", "is_active", "last_used_at"]
    list_filter = ["is_active", "authority"]
    search_fields = ["name", "key_prefix"]
    list_select_related = ["authority"]
    readonly_fields = ["key_prefix", "user", "is_active", "created_by", "created_at",
                       "revoked_at", "revoked_by", "last_used_at"]  # fmt: skip
    service_actions = {
        "revoke": (_("Revoke this key"), None,
                   lambda a, r, o, d: api_client_revoke(actor=r.user, client=o),
                   lambda o: o.is_active),
    }  # fmt: skip

    def scoped_queryset(self, request):
        return api_clients_visible_to(user=request.user)

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return ["name", "authority", "scopes", *self.readonly_fields]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "authority" and not request.user.is_superuser:
            kwargs["queryset"] = authorities_visible_to(user=request.user)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def has_change_permission(self, request, obj=None):
        # nothing is edited in place: a key is created or revoked (the revoke button needs
        # only the view permission)
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        form.request_user = request.user
        return form

    def save_model(self, request, obj, form, change):
        client, key = api_client_create(
            actor=request.user,
            name=form.cleaned_data["name"],
            authority=form.cleaned_data["authority"],
            scopes=form.cleaned_data["scopes"],
        )
        adopt_saved(obj, client)
        messages.warning(
            request,
            format_html(
                "{} <code>{}</code>",
                _("The key of this client, shown only now — copy it to the agency system:"),
                key,
            ),
        )


@admin.register(AuthorityApiPolicy)
class AuthorityApiPolicyAdmin(AuditedCatalogAdmin):
    list_display = ["authority", "submission_mode"]
    autocomplete_fields = ["authority"]


@admin.register(ApiSubmission)
class ApiSubmissionAdmin(ScopedAdminMixin, ReadOnlyAdmin):
    list_display = ["created_at", "authority", "decision_number", "client", "record", "case",
                    "import_batch"]  # fmt: skip
    search_fields = ["decision_number"]
    list_select_related = ["authority", "client", "record__record_type", "case", "import_batch"]
    exclude = ["payload"]

    def scoped_queryset(self, request):
        return api_submissions_visible_to(user=request.user)


@admin.register(ImportBatch)
class ImportBatchAdmin(ScopedAdminMixin, ReadOnlyAdmin):
    list_display = ["created_at", "file_name", "client", "status", "rows_total",
                    "rows_imported", "rows_unchanged", "rows_invalid"]  # fmt: skip
    list_filter = ["status", "authority"]
    list_select_related = ["client"]
    exclude = ["report"]
    readonly_fields = ["validation_report"]

    def scoped_queryset(self, request):
        return import_batches_visible_to(user=request.user)

    @admin.display(description=_("validation report"))
    def validation_report(self, obj: ImportBatch):
        if not obj.report:
            return "—"
        rows = format_html_join(
            "", "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            ((item.get("row"), item.get("field"), item.get("message")) for item in obj.report),
        )  # fmt: skip
        return format_html(
            "<table><thead><tr><th>{}</th><th>{}</th><th>{}</th></tr></thead>"
            "<tbody>{}</tbody></table>",
            _("row"), _("field"), _("message"), rows,
        )  # fmt: skip
