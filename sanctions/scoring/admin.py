"""Scoring in the officials' admin: rule-set drafts, four-eyes activation, what-if preview,
recompute runs with progress, scores."""

from __future__ import annotations

from django import forms
from django.contrib import admin
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from sanctions.kernel.admin import (
    PersonListAccessLogMixin,
    ReadOnlyAdmin,
    ServiceActionsMixin,
    adopt_saved,
    error_text,
)
from sanctions.kernel.errors import ApplicationError
from sanctions.models import RuleSet, Score, ScoreRun
from sanctions.scoring.selectors import ruleset_what_if
from sanctions.scoring.services import (
    ruleset_activate,
    ruleset_create_draft,
    ruleset_update_draft,
    validate_ruleset_fields,
)


class RuleSetForm(forms.ModelForm):
    class Meta:
        model = RuleSet
        fields = ["name", "base_score", "grade_bands", "points_overrides",
                  "default_effective_days"]  # fmt: skip

    def clean(self):
        cleaned = super().clean()
        if self.errors or "grade_bands" not in self.fields:
            return cleaned  # the add form has only the name: the draft copies the active rules
        try:
            validate_ruleset_fields(
                grade_bands=cleaned.get("grade_bands"),
                points_overrides=cleaned.get("points_overrides") or {},
                base_score=cleaned.get("base_score"),
                default_effective_days=cleaned.get("default_effective_days"),
            )
        except ApplicationError as exc:
            raise forms.ValidationError(exc.message_dict) from None
        return cleaned


@admin.register(RuleSet)
class RuleSetAdmin(ServiceActionsMixin, admin.ModelAdmin):
    form = RuleSetForm
    list_display = ["version", "name", "state", "created_by", "activated_by", "activated_at"]
    list_filter = ["state"]
    readonly_fields = ["version", "state", "created_by", "activated_by", "activated_at",
                       "what_if_link"]  # fmt: skip
    service_actions = {
        "activate": (_("Activate (second supervisor) and recompute everyone"), None,
                     lambda a, r, o, d: ruleset_activate(actor=r.user, ruleset=o),
                     lambda o: o.state == "draft"),
    }  # fmt: skip

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["name"]
        return ["version", "name", "state", "base_score", "grade_bands", "points_overrides",
                "default_effective_days", "created_by", "activated_by", "activated_at",
                "what_if_link"]  # fmt: skip

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.state != "draft":
            return [*self.readonly_fields, "name", "base_score", "grade_bands",
                    "points_overrides", "default_effective_days"]  # fmt: skip
        return self.readonly_fields

    @admin.display(description=_("what-if preview"))
    def what_if_link(self, obj):
        if obj is None or obj.state != "draft":
            return "—"
        url = reverse("admin:sanctions_ruleset_whatif", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Preview grade changes on real data"))

    def get_urls(self):
        return [
            path("<int:pk>/what-if/", self.admin_site.admin_view(self.what_if_view),
                 name="sanctions_ruleset_whatif"),
        ] + super().get_urls()  # fmt: skip

    def what_if_view(self, request, pk):
        ruleset = self.get_object(request, str(pk))
        if ruleset is None or not self.has_view_permission(request, ruleset):
            from django.http import Http404

            raise Http404
        preview = ruleset_what_if(ruleset=ruleset)
        context = {
            **self.admin_site.each_context(request),
            "ruleset": ruleset,
            "preview": preview,
            "title": _("What-if preview"),
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "admin/sanctions/ruleset_whatif.html", context)

    def save_model(self, request, obj, form, change):
        from django.contrib import messages

        try:
            if change:
                data = {k: form.cleaned_data[k] for k in form.changed_data}
                ruleset_update_draft(actor=request.user, ruleset=obj, **data)
            else:
                adopt_saved(obj, ruleset_create_draft(
                    actor=request.user, name=form.cleaned_data["name"]))  # fmt: skip
        except ApplicationError as exc:
            messages.error(request, error_text(exc))
            raise

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        from django.http import HttpResponseRedirect

        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ApplicationError:
            return HttpResponseRedirect(request.get_full_path())

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ScoreRun)
class ScoreRunAdmin(ReadOnlyAdmin):
    list_display = ["id", "kind", "rule_version", "as_of", "state", "progress",
                    "subjects_changed", "started_at", "took"]  # fmt: skip
    list_filter = ["kind", "state"]

    @admin.display(description=_("progress"))
    def progress(self, obj):
        return f"{obj.chunks_done}/{obj.chunks_total}"

    @admin.display(description=_("duration"))
    def took(self, obj):
        return f"{obj.duration.total_seconds():.1f}s" if obj.duration else "…"


@admin.register(Score)
class ScoreAdmin(PersonListAccessLogMixin, ReadOnlyAdmin):
    access_purpose = "admin: score"
    list_display = ["subject", "total", "grade", "government", "commercial", "societal",
                    "judicial", "rule_version", "computed_at"]  # fmt: skip
    list_filter = ["grade", "rule_version"]
    search_fields = ["subject__display_name", "subject__name_pinyin"]
    list_select_related = ["subject"]
    show_full_result_count = False
