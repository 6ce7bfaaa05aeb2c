"""Officials' casework admin: cases with transition buttons, records with removal, partial
performance, extension and filings on the subject's behalf, objections, appeals, repairs,
notices and the holiday calendar (the shared machinery: `sanctions.kernel.admin`).

Every write calls a service; rule violations come back as messages, never as a 500.
Objects of another authority answer 404.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from sanctions.casework.selectors import (
    appeals_visible_to,
    cases_visible_to,
    is_overdue,
    may_appeal,
    may_extend_listing,
    may_object,
    may_repair,
    notices_visible_to,
    objections_visible_to,
    overdue,
    repairs_visible_to,
)
from sanctions.casework.services.cases import (
    CASE_EDITABLE,
    case_close,
    case_create,
    case_decide,
    case_note_add,
    case_return,
    case_serve_notice,
    case_submit,
    case_update,
    case_withdraw,
    evidence_add,
)
from sanctions.casework.services.filings import (
    appeal_decide,
    appeal_file,
    objection_decide,
    objection_file,
    repair_apply,
    repair_decide,
)
from sanctions.casework.services.listings import record_extend_listing, review_case_conclude
from sanctions.kernel.admin import (
    IdentifierSearchMixin,
    PersonAccessLogMixin,
    PersonListAccessLogMixin,
    PrefixedForm,
    ProvisionalDeadlineMixin,
    ReadOnlyAdmin,
    ScopedAdminMixin,
    ServiceActionsMixin,
    adopt_saved,
    deadline_column,
    error_text,
    limit_record_type_field,
)
from sanctions.kernel.audit import access_log_write
from sanctions.kernel.errors import ApplicationError
from sanctions.kernel.roles import authorities_visible_to
from sanctions.kernel.uploads import download
from sanctions.models import (
    Appeal,
    AuditEvent,
    Case,
    CaseNote,
    CaseState,
    EvidenceFile,
    Holiday,
    IntegrityRecord,
    Notice,
    Objection,
    RecordEvent,
    RepairApplication,
)
from sanctions.models.casework import OPEN_CASE_STATES
from sanctions.registry.admin import AuditedCatalogAdmin, case_record_types
from sanctions.registry.selectors import (
    record_types_offered_to,
    records_visible_to,
)
from sanctions.registry.services.records import (
    REMOVABLE,
    record_event_report,
    record_register,
    record_remove,
    record_validate,
)
from scs_portal.admin_input import column_bounds
from scs_portal.admin_site import LabelledTabularInline


class OverdueFilter(admin.SimpleListFilter):
    title = _("deadline")
    parameter_name = "overdue"

    def lookups(self, request, model_admin):
        return [("yes", _("Overdue"))]

    def queryset(self, request, queryset):
        return overdue(queryset=queryset) if self.value() == "yes" else queryset


class MyCasesFilter(admin.SimpleListFilter):
    title = _("whose")
    parameter_name = "mine"

    def lookups(self, request, model_admin):
        return [("yes", _("My cases"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            from django.db.models import Q

            return queryset.filter(Q(assignee=request.user) | Q(drafted_by=request.user))
        return queryset


class CaseKindFilter(admin.SimpleListFilter):
    """Decision cases (they produce a record) or reviews of ground-1 listings."""

    title = _("kind of case")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        return [("review_open", _("Open two-year reviews")), ("review", _("Two-year reviews")),
                ("decision", _("Decisions"))]  # fmt: skip

    def queryset(self, request, queryset):
        if self.value() == "review_open":
            return queryset.filter(review_of__isnull=False, state__in=OPEN_CASE_STATES)
        if self.value() == "review":
            return queryset.filter(review_of__isnull=False)
        if self.value() == "decision":
            return queryset.filter(review_of__isnull=True)
        return queryset


class ReviewConcludeForm(PrefixedForm):
    outcome = forms.ChoiceField(
        label=_("outcome"),
        choices=[("", "—"), ("continue", _("Continue the listing (next review in 2 years)")),
                 ("performed", _("Remove: obligation performed")),
                 ("settlement", _("Remove: settlement agreement performed")),
                 ("withdrawal", _("Remove: creditor withdrew the application")),
                 ("revocation", _("Remove: decision revoked"))],
    )  # fmt: skip
    reasons = forms.CharField(label=_("reasons"), widget=forms.Textarea(attrs={"rows": 3}))


class CaseForm(forms.ModelForm):
    class Meta:
        model = Case
        fields = list(CASE_EDITABLE) + ["subject"]

    def _post_clean(self):
        pass  # the service validates and builds the case


class EvidenceInlineForm(forms.ModelForm):
    """A new evidence file. The upload is a plain form field, not the model's FileField: the
    model field's widget and read-only display link to MEDIA_URL, which is never served."""

    upload = forms.FileField(
        label=_("file"),
        widget=forms.FileInput(attrs={"aria-label": _("file"), "accept": ".pdf,.png,.jpg,.jpeg"}),
    )

    class Meta:
        model = EvidenceFile
        fields = ["description"]


class EvidenceInline(LabelledTabularInline):
    model = EvidenceFile
    form = EvidenceInlineForm
    extra = 1
    # "upload": a file input on the new row, the scoped download link on stored rows
    fields = ["upload", "description", "content_type", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = ["content_type", "size", "uploaded_by", "uploaded_at"]
    can_delete = False

    @admin.display(description=_("file"))
    def upload(self, obj):
        url = reverse("admin:sanctions_case_evidence", args=[obj.case_id, obj.pk])
        return format_html('<a href="{}">{}</a>', url, obj.original_name)

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request, obj=None):
        return obj is None or obj.state in (CaseState.DRAFT, CaseState.UNDER_REVIEW)


class NoteInline(LabelledTabularInline):
    model = CaseNote
    extra = 1
    fields = ["text", "author", "created_at"]
    readonly_fields = ["author", "created_at"]
    can_delete = False

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request, obj=None):
        return True


class NoteForm(PrefixedForm):
    note = forms.CharField(label=_("What is missing"), widget=forms.Textarea(attrs={"rows": 2}))


class DecideForm(PrefixedForm):
    decision_number = forms.CharField(label=_("decision number"), max_length=80)
    decision_date = forms.DateField(
        label=_("decision date"), widget=forms.DateInput(attrs={"type": "date"})
    )


class WithdrawForm(PrefixedForm):
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}))


def _decide(admin_, request, case, data):
    record = case_decide(
        actor=request.user,
        case=case,
        decision_number=data["decision_number"],
        decision_date=data["decision_date"],
    )
    messages.info(request, _("Record %(n)s created.") % {"n": record.decision_number})


@admin.register(Case)
class CaseAdmin(
    ProvisionalDeadlineMixin,
    ScopedAdminMixin,
    PersonAccessLogMixin,
    ServiceActionsMixin,
    IdentifierSearchMixin,
    admin.ModelAdmin,
):
    access_purpose = "case work: case"
    identifier_hash_lookup = "subject__identifier_hash"
    form = CaseForm
    list_display = ["id", "title", "subject", "record_type_title", "state", "assignee",
                    "due_date_shown", "overdue"]  # fmt: skip
    due_date_shown = deadline_column("due_date", _("due date"))
    list_filter = [MyCasesFilter, OverdueFilter, CaseKindFilter, "state", "record_type__domain"]
    search_fields = ["title", "subject__display_name", "subject__name_pinyin", "decision_number"]
    list_select_related = ["subject", "record_type", "assignee"]
    # not "assignee": officials may not browse users; formfield_for_foreignkey limits the
    # choice to the authority's officials
    autocomplete_fields = ["subject", "record_type"]
    inlines = [EvidenceInline, NoteInline]
    show_full_result_count = False
    service_actions = {
        "submit": (_("Submit for review"), None,
                   lambda a, r, o, d: case_submit(actor=r.user, case=o),
                   lambda o: o.state == CaseState.DRAFT and o.review_of_id is None),
        "return": (_("Return to the drafter"), NoteForm,
                   lambda a, r, o, d: case_return(actor=r.user, case=o, note=d["note"]),
                   lambda o: o.state == CaseState.UNDER_REVIEW and o.review_of_id is None),
        "decide": (_("Decide (creates the record)"), DecideForm, _decide,
                   lambda o: o.state == CaseState.UNDER_REVIEW and o.review_of_id is None),
        "conclude_review": (
            _("Conclude the review"), ReviewConcludeForm,
            lambda a, r, o, d: review_case_conclude(
                actor=r.user, case=o, outcome=d["outcome"], reasons=d["reasons"]),
            lambda o: o.review_of_id is not None
            and o.state in (CaseState.DRAFT, CaseState.UNDER_REVIEW)),
        "serve": (_("Serve the notice"), None,
                  lambda a, r, o, d: case_serve_notice(actor=r.user, case=o),
                  lambda o: o.state == CaseState.DECIDED),
        "close": (_("Close the case"), None,
                  lambda a, r, o, d: case_close(actor=r.user, case=o),
                  lambda o: o.state == CaseState.NOTIFIED),
        "withdraw": (_("Withdraw the case"), WithdrawForm,
                     lambda a, r, o, d: case_withdraw(actor=r.user, case=o,
                                                               reason=d["reason"]),
                     lambda o: o.state in (CaseState.DRAFT, CaseState.UNDER_REVIEW)
                     and o.review_of_id is None),
    }  # fmt: skip

    def scoped_queryset(self, request):
        return cases_visible_to(user=request.user)

    def get_urls(self):
        custom = [
            path(
                "<path:object_id>/evidence/<int:evidence_id>/",
                self.admin_site.admin_view(self.evidence_view),
                name="sanctions_case_evidence",
            )
        ]
        return custom + super().get_urls()

    def evidence_view(self, request, object_id, evidence_id):
        """One evidence file of a case in the official's scope (else 404), as a download;
        for a person's case the read is logged where the person sees it."""
        case = self.get_object(request, object_id)
        if not self.has_view_permission(request, case):
            raise Http404
        evidence = get_object_or_404(case.evidence.all(), pk=evidence_id)
        if case.subject is not None:
            access_log_write(
                official_user=request.user, subject=case.subject,
                purpose=f"{self.access_purpose} #{case.pk}: evidence {evidence.original_name}",
            )  # fmt: skip
        return download(evidence)

    @admin.display(description=_("record type"))
    def record_type_title(self, obj):
        return obj.record_type.title

    @admin.display(description=_("overdue"), boolean=True)
    def overdue(self, obj):
        return is_overdue(obj=obj)

    def get_fields(self, request, obj=None):
        base = [
            "subject", "record_type", "title", "facts", "legal_basis", "basis_document",
            "amount", "obligation", "judicial_ground", "publication_days", "assignee",
            "due_date",
        ]  # fmt: skip
        if obj is None:
            return base
        review = ["review_of"] if obj.review_of_id is not None else []
        return [
            "state", "authority", *review, *base, "drafted_by", "decided_by", "decided_at",
            "decision_number", "decision_date", "linked_records", "withdrawal_reason",
        ]  # fmt: skip

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if "record_type" in form.base_fields:  # editable: a new case or a draft
            limit_record_type_field(
                form.base_fields["record_type"], case_record_types(request, obj)
            )
        return form

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        fixed = [
            "state", "authority", "subject", "drafted_by", "decided_by", "decided_at",
            "decision_number", "decision_date", "linked_records", "withdrawal_reason",
        ]  # fmt: skip
        if obj.state != CaseState.DRAFT or obj.review_of_id is not None:
            return fixed + list(CASE_EDITABLE) + ["review_of"]
        return fixed

    @admin.display(description=_("records"))
    def linked_records(self, obj):
        rows = [
            (reverse("admin:sanctions_integrityrecord_change", args=[r.pk]), r.decision_number)
            for r in obj.records.all()
        ]
        return format_html_join(", ", '<a href="{}">{}</a>', rows) if rows else "—"

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "assignee":
            from django.contrib.auth import get_user_model

            official = getattr(request.user, "official", None)
            if official:
                kwargs["queryset"] = get_user_model().objects.filter(
                    official__authority=official.authority
                )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def save_model(self, request, obj, form, change):
        data = {k: v for k, v in form.cleaned_data.items() if k in CASE_EDITABLE}
        if change:
            case_update(actor=request.user, case=obj, **data)
            return
        case = case_create(actor=request.user, subject=form.cleaned_data["subject"],
                                    **data)  # fmt: skip
        adopt_saved(obj, case)

    def save_formset(self, request, form, formset, change):
        # the admin's change message reads these; the services did the writing
        formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
        case = form.instance
        for inline_form in formset.forms:
            if not inline_form.has_changed() or not inline_form.cleaned_data:
                continue
            data = inline_form.cleaned_data
            if formset.model is EvidenceFile and data.get("upload"):
                evidence_add(actor=request.user, case=case, uploaded=data["upload"],
                                      description=data.get("description", ""))  # fmt: skip
            elif formset.model is CaseNote and data.get("text"):
                case_note_add(actor=request.user, case=case, text=data["text"])

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except ApplicationError as exc:
            # a rule refused the save: say so and change nothing (the service rolled back)
            messages.error(request, error_text(exc))
            return HttpResponseRedirect(request.get_full_path())

    def has_delete_permission(self, request, obj=None):
        return False

    def audit_events(self, obj):
        from django.db.models import Q

        record_ids = [str(pk) for pk in obj.records.values_list("pk", flat=True)]
        return (
            AuditEvent.objects.filter(
                Q(object_type="sanctions.Case", object_id=str(obj.pk))
                | Q(object_type="sanctions.IntegrityRecord", object_id__in=record_ids)
            )
            .select_related("actor")
            .order_by("created_at", "id")[:200]
        )


class RemoveForm(PrefixedForm):
    reason = forms.ChoiceField(
        label=_("reason"),
        # no reason preselected: removing a listing is a decision, not one click
        choices=[
            ("", "—"),
            ("performed", _("Obligation performed")),
            ("settlement", _("Settlement agreement performed")),
            ("withdrawal", _("Creditor withdrew the application")),
            ("revocation", _("Decision revoked")),
        ],
    )


class PartialPerformanceForm(PrefixedForm):
    date = forms.DateField(
        label=_("date of the event"), widget=forms.DateInput(attrs={"type": "date"})
    )
    amount_performed = forms.DecimalField(
        label=_("amount performed so far (CNY)"),
        required=False,
        min_value=0,
        max_digits=16,
        decimal_places=2,
    )
    note = forms.CharField(label=_("note"), required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))  # fmt: skip


class ExtendForm(PrefixedForm):
    years = forms.TypedChoiceField(label=_("years"), choices=[(1, 1), (2, 2), (3, 3)], coerce=int)
    reason = forms.CharField(label=_("reason"), widget=forms.Textarea(attrs={"rows": 2}))


class GroundsForm(PrefixedForm):
    grounds = forms.CharField(
        label=_("grounds of the objection"), widget=forms.Textarea(attrs={"rows": 3})
    )


class RepairGroundsForm(PrefixedForm):
    grounds = forms.CharField(
        label=_("corrective action taken"), widget=forms.Textarea(attrs={"rows": 3})
    )


class AppealGroundsForm(PrefixedForm):
    grounds = forms.CharField(
        label=_("grounds of the appeal"), widget=forms.Textarea(attrs={"rows": 3})
    )


def _object_url(obj) -> str:
    return reverse(f"admin:sanctions_{obj._meta.model_name}_change", args=[obj.pk])


RECORD_ACTIONS = {
    "remove": (_("Remove from the list"), RemoveForm,
               lambda a, r, o, d: record_remove(actor=r.user, record=o,
                                                         reason=d["reason"]),
               lambda o: o.status in REMOVABLE),
    "partial": (_("Record a partial performance"), PartialPerformanceForm,
                lambda a, r, o, d: record_event_report(
                    actor=r.user, record=o, kind="partially_performed", date=d["date"],
                    amount_performed=d.get("amount_performed"), note=d.get("note") or "",
                    source="admin")[0],
                lambda o: o.status in REMOVABLE and o.record_type.places_on_blacklist),
    "extend": (_("Extend the listing"), ExtendForm,
               lambda a, r, o, d: record_extend_listing(
                   actor=r.user, record=o, years=d["years"], reason=d["reason"]),
               lambda o: may_extend_listing(record=o)),
    "object": (_("File an objection on the subject's behalf"), GroundsForm,
               lambda a, r, o, d: _object_url(objection_file(
                   actor=r.user, record=o, grounds=d["grounds"])),
               lambda o: may_object(record=o)),
    "repair": (_("Enter a credit repair application"), RepairGroundsForm,
               lambda a, r, o, d: _object_url(repair_apply(
                   actor=r.user, record=o, grounds=d["grounds"])),
               lambda o: may_repair(record=o, today=timezone.localdate())),
}  # fmt: skip


class ObjectionDecideForm(PrefixedForm):
    outcome = forms.ChoiceField(
        label=_("outcome"),
        choices=[("rejected", _("Rejected")), ("partly_upheld", _("Partly upheld: correct")),
                 ("upheld", _("Upheld: revoke the record"))],
    )  # fmt: skip
    reasons = forms.CharField(label=_("reasons"), widget=forms.Textarea(attrs={"rows": 3}))
    amount = forms.DecimalField(
        label=_("corrected amount (CNY)"), required=False, min_value=0,
        # the record's column: a larger number is a field error, not a DataError
        max_digits=16, decimal_places=2,
    )  # fmt: skip
    obligation = forms.CharField(label=_("corrected obligation"), required=False)
    publication_end = forms.DateField(
        label=_("corrected end of publication"), required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )  # fmt: skip


def _decide_objection(admin_, request, objection, data):
    corrections = {
        name: data[name]
        for name in ("amount", "obligation", "publication_end")
        if data.get(name) not in (None, "")
    }
    objection_decide(
        actor=request.user,
        objection=objection,
        outcome=data["outcome"],
        reasons=data["reasons"],
        corrections=corrections if data["outcome"] == "partly_upheld" else None,
    )


class DecisionForm(PrefixedForm):
    granted = forms.TypedChoiceField(
        label=_("outcome"), choices=[("0", _("Refuse")), ("1", _("Grant / uphold"))],
        coerce=lambda v: v == "1",
    )  # fmt: skip
    reasons = forms.CharField(label=_("reasons"), widget=forms.Textarea(attrs={"rows": 3}))


class FilingAttachmentsMixin:
    """The subject's attachments on an objection or repair application: listed on the change
    page, downloaded through a scoped admin URL (never a public media URL)."""

    readonly_fields = ["attachment_links"]

    def get_urls(self):
        info = self.model._meta.app_label, self.model._meta.model_name
        custom = [
            path(
                "<path:object_id>/attachments/<int:attachment_id>/",
                self.admin_site.admin_view(self.attachment_view),
                name="{}_{}_attachment".format(*info),
            )
        ]
        return custom + super().get_urls()

    def attachment_view(self, request, object_id, attachment_id):
        obj = self.get_object(request, object_id)
        if obj is None or not self.has_view_permission(request, obj):
            raise Http404
        attachment = get_object_or_404(obj.attachments.all(), pk=attachment_id)
        # a person's own document, read by an official: the person sees it in "who viewed"
        access_log_write(
            official_user=request.user, subject=obj.record.subject,
            purpose=f"{self.access_purpose} #{obj.pk}: {attachment.original_name}",
        )  # fmt: skip
        return download(attachment)

    @admin.display(description=_("attachments"))
    def attachment_links(self, obj):
        info = self.model._meta.app_label, self.model._meta.model_name
        return format_html_join(
            ", ", '<a href="{}">{}</a>',
            ((reverse("admin:{}_{}_attachment".format(*info), args=[obj.pk, a.pk]),
              a.original_name) for a in obj.attachments.all()),
        ) or "—"  # fmt: skip


@admin.register(Objection)
class ObjectionAdmin(
    FilingAttachmentsMixin, ScopedAdminMixin, PersonAccessLogMixin, ServiceActionsMixin,
    ReadOnlyAdmin,
):  # fmt: skip
    access_purpose = "objection handling: objection"
    list_display = ["id", "record", "filed_on", "due_on", "outcome", "overdue"]
    list_filter = ["outcome", OverdueFilter]
    search_fields = ["record__decision_number", "record__subject__display_name"]
    list_select_related = ["record__subject", "record__record_type"]
    service_actions = {
        "decide": (_("Decide the objection"), ObjectionDecideForm, _decide_objection,
                   lambda o: o.outcome == "pending"),
        "appeal": (_("Enter an appeal to the higher authority"), AppealGroundsForm,
                   lambda a, r, o, d: _object_url(appeal_file(
                       actor=r.user, objection=o, grounds=d["grounds"])),
                   lambda o: may_appeal(objection=o, today=timezone.localdate())),
    }  # fmt: skip

    def scoped_queryset(self, request):
        return objections_visible_to(user=request.user)

    def access_subject(self, obj):
        return obj.record.subject

    @admin.display(description=_("overdue"), boolean=True)
    def overdue(self, obj):
        return is_overdue(obj=obj)


@admin.register(Appeal)
class AppealAdmin(ScopedAdminMixin, PersonAccessLogMixin, ServiceActionsMixin, ReadOnlyAdmin):
    access_purpose = "appeal handling: appeal"
    list_display = ["id", "objection", "authority", "filed_on", "due_on", "state"]
    list_filter = ["state"]
    list_select_related = ["objection__record", "authority"]
    service_actions = {
        "decide": (_("Decide the appeal"), DecisionForm,
                   lambda a, r, o, d: appeal_decide(
                       actor=r.user, appeal=o, upheld=d["granted"], reasons=d["reasons"]),
                   lambda o: o.state == "pending"),
    }  # fmt: skip

    def scoped_queryset(self, request):
        return appeals_visible_to(user=request.user)

    def access_subject(self, obj):
        return obj.objection.record.subject


@admin.register(RepairApplication)
class RepairApplicationAdmin(
    ProvisionalDeadlineMixin, FilingAttachmentsMixin, ScopedAdminMixin, PersonAccessLogMixin,
    ServiceActionsMixin, ReadOnlyAdmin,
):  # fmt: skip
    access_purpose = "credit repair: application"
    list_display = ["id", "record", "filed_on", "due_on_shown", "state", "overdue"]
    due_on_shown = deadline_column("due_on", _("decision due"))
    list_filter = ["state", OverdueFilter]
    list_select_related = ["record__subject", "record__record_type"]
    search_fields = ["record__decision_number", "record__subject__display_name"]
    service_actions = {
        "decide": (_("Decide the application"), DecisionForm,
                   lambda a, r, o, d: repair_decide(
                       actor=r.user, application=o, granted=d["granted"], reasons=d["reasons"]),
                   lambda o: o.state == "pending"),
    }  # fmt: skip

    def scoped_queryset(self, request):
        return repairs_visible_to(user=request.user)

    def access_subject(self, obj):
        return obj.record.subject

    @admin.display(description=_("overdue"), boolean=True)
    def overdue(self, obj):
        return is_overdue(obj=obj)


@admin.register(Notice)
class NoticeAdmin(ScopedAdminMixin, PersonListAccessLogMixin, ReadOnlyAdmin):
    access_purpose = "admin: notice"
    list_display = ["created_at", "subject", "kind", "title", "served_on", "emailed_to"]
    list_filter = ["kind"]
    search_fields = ["title", "subject__display_name"]
    list_select_related = ["subject"]

    def scoped_queryset(self, request):
        return notices_visible_to(user=request.user)


@admin.register(Holiday)
class HolidayAdmin(AuditedCatalogAdmin):
    list_display = ["date", "name", "is_working_day"]
    list_filter = ["is_working_day"]
    date_hierarchy = "date"


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
        return records_visible_to(user=request.user)

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
            kwargs["queryset"] = authorities_visible_to(user=request.user)
        field = super().formfield_for_foreignkey(db_field, request, **kwargs)
        if db_field.name == "record_type":
            limit_record_type_field(field, record_types_offered_to(user=request.user))
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
