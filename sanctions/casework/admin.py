"""Officials' casework admin: cases with transition buttons, records with removal, partial
performance, extension and filings on the subject's behalf, objections, appeals, repairs,
notices and the holiday calendar (the shared machinery: `sanctions.kernel.admin`).

Every write calls a service; rule violations come back as messages, never as a 500.
Objects of another authority answer 404.
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import localize, number_format
from django.utils.html import format_html, format_html_join
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from sanctions.casework.selectors import (
    appeals_visible_to,
    case_next_steps,
    cases_visible_to,
    filing_next_steps,
    is_overdue,
    notices_visible_to,
    objections_visible_to,
    overdue,
    record_next_steps,
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
    Step,
    adopt_saved,
    deadline_column,
    error_text,
    limit_record_type_field,
    truncated,
    truncated_column,
)
from sanctions.kernel.audit import access_log_write
from sanctions.kernel.audit_display import name_of
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
    record_event_report,
    record_register,
    record_remove,
    record_validate,
)
from scs_portal.admin_input import column_bounds
from scs_portal.admin_site import LabelledTabularInline


def overdue_column():
    """The lists' "overdue" column: a red word on the late rows, nothing on the others (a
    boolean icon put a green tick on the late ones)."""

    @admin.display(description=_("overdue"))
    def column(self, obj):
        if not is_overdue(obj=obj):
            return ""
        return format_html('<strong class="overdue-flag">{}</strong>', capfirst(_("overdue")))

    return column


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


def _subject_of(obj):
    """The person or enterprise a case, record or filing is about (None once erased)."""
    if isinstance(obj, Appeal):
        return obj.objection.record.subject
    return obj.record.subject if isinstance(obj, Objection | RepairApplication) else obj.subject


def _person(obj) -> str:
    """Who a step happens to, as its confirmation names them."""
    subject = _subject_of(obj)
    return subject.display_name if subject is not None else gettext("the person")


def _says(text):
    """A confirmation sentence naming the person, the notice period and the appeal period."""
    return lambda obj: (
        text
        % {
            "name": _person(obj),
            "notice_days": settings.SCS_NOTICE_PERIOD_DAYS,
            "objection_days": settings.SCS_OBJECTION_DECISION_DAYS,
            "appeal_days": settings.SCS_APPEAL_FILING_DAYS,
        }
    )


CASE_ACTIONS = {
    "submit": Step(
        _("Submit for review"), None, lambda a, r, o, d: case_submit(actor=r.user, case=o),
        confirm=_says(_("The case goes to a reviewer of your authority. %(name)s is not told "
                        "yet and nothing is published.")),
    ),
    "return": Step(
        _("Return to the drafter"), NoteForm,
        lambda a, r, o, d: case_return(actor=r.user, case=o, note=d["note"]),
        confirm=_says(_("The case goes back to its drafter with your note. Nothing is sent to "
                        "%(name)s and nothing is published.")),
    ),
    "decide": Step(
        _("Decide (creates the record)"), DecideForm, _decide,
        confirm=_says(_("A record of this decision is created about %(name)s. They are told "
                        "when the decision notice is served; the entry can be published only "
                        "%(notice_days)s days after that, unless they object.")),
    ),
    "conclude_review": Step(
        _("Conclude the review"), ReviewConcludeForm,
        lambda a, r, o, d: review_case_conclude(
            actor=r.user, case=o, outcome=d["outcome"], reasons=d["reasons"]),
        confirm=_says(_("%(name)s receives the outcome with your reasons. Continue: the listing "
                        "stays public until the next review in 2 years. Remove: the entry "
                        "leaves the public list at once and its points stop counting.")),
    ),
    "serve": Step(
        _("Serve the notice"), None,
        lambda a, r, o, d: case_serve_notice(actor=r.user, case=o),
        confirm=_says(_("The decision notice is sent to %(name)s now (in their portal, and by "
                        "e-mail where an address is known). Unless they object, the entry is "
                        "published after %(notice_days)s days.")),
    ),
    "close": Step(
        _("Close the case"), None, lambda a, r, o, d: case_close(actor=r.user, case=o),
        confirm=_says(_("The case file is closed. Nothing is sent to %(name)s; the record "
                        "itself is not changed and is still published after its notice "
                        "period.")),
    ),
    "withdraw": Step(
        _("Withdraw the case"), WithdrawForm,
        lambda a, r, o, d: case_withdraw(actor=r.user, case=o, reason=d["reason"]),
        confirm=_says(_("The case ends without a decision: no record about %(name)s is "
                        "created, nothing is sent to them and nothing is published.")),
    ),
}  # fmt: skip


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
    # what an official scans for, within 1280 px beside the filters: the case, whom it is
    # about, its state, its deadline and whether it is late (the type and the assignee are
    # on the case's page and in the filters)
    list_display = ["id", "title_shown", "subject_shown", "state", "due_date_shown", "overdue"]
    list_display_links = ["id", "title_shown"]
    title_shown = truncated_column("title", _("title"), width="wide")
    subject_shown = truncated_column("subject.display_name", _("subject"))
    due_date_shown = deadline_column("due_date", _("due date"))
    list_filter = [MyCasesFilter, OverdueFilter, CaseKindFilter, "state", "record_type__domain"]
    search_fields = ["title", "subject__display_name", "subject__name_pinyin", "decision_number"]
    list_select_related = ["subject", "record_type", "assignee"]
    # not "assignee": officials may not browse users; formfield_for_foreignkey limits the
    # choice to the authority's officials
    autocomplete_fields = ["subject", "record_type"]
    inlines = [EvidenceInline, NoteInline]
    show_full_result_count = False
    service_actions = CASE_ACTIONS

    def allowed_steps(self, request, obj):
        return case_next_steps(case=obj)

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

    overdue = overdue_column()

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
    # no length preselected: an extension is a decision
    years = forms.TypedChoiceField(
        label=_("years"), choices=[("", "—"), (1, 1), (2, 2), (3, 3)], coerce=int
    )
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
    "remove": Step(
        _("Remove from the list"), RemoveForm,
        lambda a, r, o, d: record_remove(actor=r.user, record=o, reason=d["reason"]),
        confirm=_says(_("The entry about %(name)s leaves the public list at once and its points "
                        "stop counting. They receive a removal notice giving the reason you "
                        "choose. This cannot be undone here.")),
    ),
    "partial": Step(
        _("Record a partial performance"), PartialPerformanceForm,
        lambda a, r, o, d: record_event_report(
            actor=r.user, record=o, kind="partially_performed", date=d["date"],
            amount_performed=d.get("amount_performed"), note=d.get("note") or "",
            source="admin")[0],
        confirm=_says(_("%(name)s receives a notice of the partial performance, and the public "
                        "entry shows it. The listing stays until the obligation is performed "
                        "in full.")),
    ),
    "extend": Step(
        _("Extend the listing"), ExtendForm,
        lambda a, r, o, d: record_extend_listing(
            actor=r.user, record=o, years=d["years"], reason=d["reason"]),
        confirm=_says(_("The listing of %(name)s stays public for the years you choose longer "
                        "(a listing is extended only once). They receive an extension notice "
                        "with your reason.")),
    ),
    "object": Step(
        _("File an objection on the subject's behalf"), GroundsForm,
        lambda a, r, o, d: _object_url(objection_file(
            actor=r.user, record=o, grounds=d["grounds"])),
        confirm=_says(_("An objection of %(name)s is filed, to be decided within "
                        "%(objection_days)s days; they receive an acknowledgement. A published "
                        "entry is marked “under objection” until then.")),
    ),
    "repair": Step(
        _("Enter a credit repair application"), RepairGroundsForm,
        lambda a, r, o, d: _object_url(repair_apply(
            actor=r.user, record=o, grounds=d["grounds"])),
        confirm=_says(_("A credit repair application of %(name)s is opened for a reviewer to "
                        "decide. The entry stays as it is until the repair is granted.")),
    ),
}  # fmt: skip


CORRECTION_HELP = _("Only with “partly upheld”; leave empty to keep the record's value.")


class ObjectionDecideForm(PrefixedForm):
    # no outcome preselected: the official chooses one
    outcome = forms.ChoiceField(
        label=_("outcome"),
        choices=[("", "—"), ("rejected", _("Rejected")),
                 ("partly_upheld", _("Partly upheld: correct")),
                 ("upheld", _("Upheld: revoke the record"))],
    )  # fmt: skip
    reasons = forms.CharField(label=_("reasons"), widget=forms.Textarea(attrs={"rows": 3}))
    amount = forms.DecimalField(
        label=_("corrected amount (CNY)"), required=False, min_value=0,
        # the record's column: a larger number is a field error, not a DataError
        max_digits=16, decimal_places=2, help_text=CORRECTION_HELP,
    )  # fmt: skip
    obligation = forms.CharField(
        label=_("corrected obligation"), required=False, help_text=CORRECTION_HELP
    )
    publication_end = forms.DateField(
        label=_("corrected end of publication"), required=False, help_text=CORRECTION_HELP,
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
    # no outcome preselected: the official chooses one
    granted = forms.TypedChoiceField(
        label=_("outcome"), choices=[("", "—"), ("0", _("Refuse")), ("1", _("Grant / uphold"))],
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


def _money(amount) -> str:
    if amount is None:
        return "—"
    return _("%(amount)s CNY") % {
        "amount": number_format(amount, 2, use_l10n=True, force_grouping=True)
    }


def _filer(filing) -> str:
    """Who entered a filing: the person themselves (self-service) or an official for them."""
    user = filing.filed_by
    if user is None:
        return "—"
    official = getattr(user, "official", None)
    if official is None:
        return gettext("the person, in the citizens' portal")
    return _("%(official)s of %(authority)s, on the person's behalf") % {
        "official": name_of(user),
        "authority": name_of(official.authority),
    }


class FilingFactsMixin:
    """An objection's or repair application's page: the record's facts beside what the
    person says, so the official decides with both in view."""

    change_form_template = "admin/sanctions/filing_change_form.html"
    filing_heading = _("The filing")

    def record_facts(self, record: IntegrityRecord) -> list[tuple]:
        url = reverse("admin:sanctions_integrityrecord_change", args=[record.pk])
        rows = [
            (_("subject"), str(record.subject) if record.subject_id else "—", ""),
            (_("decision"), format_html('<a href="{}">{}</a>', url, record.decision_number), ""),
            (_("record type"), name_of(record.record_type), ""),
            (_("authority"), name_of(record.authority), ""),
            (_("decision date"), localize(record.decision_date), ""),
            (_("status"), record.get_status_display(), ""),
            (_("amount (CNY)"), _money(record.amount), ""),
            (_("obligation"), record.obligation or "—", "fact-text"),
            (_("performance"), record.get_performance_status_display(), ""),
        ]
        if record.amount_performed is not None:
            rows.append((_("amount performed so far"), _money(record.amount_performed), ""))
        if record.publication_start or record.publication_end:
            window = f"{localize(record.publication_start) if record.publication_start else '—'}"
            window += f" – {localize(record.publication_end) if record.publication_end else '—'}"
            rows.append((_("public listing"), window, ""))
        rows.append((_("facts"), record.facts or "—", "fact-text"))
        return rows

    def filing_facts(self, obj) -> list[tuple]:
        deadline = localize(obj.due_on)
        if is_overdue(obj=obj):
            deadline = format_html('{} <strong class="overdue-flag">{}</strong>', deadline,
                                   _("overdue"))  # fmt: skip
        return [
            (_("filed for"), str(obj.record.subject) if obj.record.subject_id else "—", ""),
            (_("entered by"), _filer(obj), ""),
            (_("filed on"), localize(obj.filed_on), ""),
            (_("decision due"), deadline, ""),
            (_("grounds"), obj.grounds, "fact-text"),
            (_("attachments"), self.attachment_links(obj), "field-attachment_links"),
        ]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            context["record_facts"] = self.record_facts(obj.record)
            context["filing_facts"] = self.filing_facts(obj)
            context["filing_heading"] = self.filing_heading
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_fields(self, request, obj=None):
        # the filing itself is shown beside the record; below: its decision, once taken
        if obj is not None and obj.decided_on is None:
            return [self.decision_field]
        return [self.decision_field, "reasons", "decided_by", "decided_on", *self.decided_extra]

    decision_field = "state"
    decided_extra: list[str] = []


OBJECTION_ACTIONS = {
    "decide": Step(
        _("Decide the objection"), ObjectionDecideForm, _decide_objection,
        confirm=_says(_("%(name)s receives the decision with your reasons and may appeal within "
                        "%(appeal_days)s days. Upheld: the record is revoked and leaves the "
                        "public list. Partly upheld: your corrections are applied and published "
                        "now. Rejected: the record stays as it was.")),
    ),
    "appeal": Step(
        _("Enter an appeal to the higher authority"), AppealGroundsForm,
        lambda a, r, o, d: _object_url(appeal_file(
            actor=r.user, objection=o, grounds=d["grounds"])),
        confirm=_says(_("The appeal of %(name)s goes to the higher authority, which decides "
                        "it within %(objection_days)s days; the entry stays as it is "
                        "meanwhile.")),
    ),
}  # fmt: skip


@admin.register(Objection)
class ObjectionAdmin(
    FilingFactsMixin, FilingAttachmentsMixin, ScopedAdminMixin, PersonAccessLogMixin,
    ServiceActionsMixin, ReadOnlyAdmin,
):  # fmt: skip
    access_purpose = "objection handling: objection"
    filing_heading = _("The objection")
    decision_field = "outcome"
    decided_extra = ["correction_due_on", "corrected_on", "appeal_until"]
    list_display = ["id", "subject_shown", "record_shown", "due_on", "outcome", "overdue"]
    subject_shown = truncated_column("record.subject.display_name", _("subject"))
    record_shown = truncated_column("record.decision_number", _("record"))
    list_filter = ["outcome", OverdueFilter]
    search_fields = ["record__decision_number", "record__subject__display_name"]
    list_select_related = ["record__subject", "record__record_type"]
    service_actions = OBJECTION_ACTIONS

    def allowed_steps(self, request, obj):
        return filing_next_steps(filing=obj, today=timezone.localdate())

    def scoped_queryset(self, request):
        return objections_visible_to(user=request.user)

    def access_subject(self, obj):
        return obj.record.subject

    overdue = overdue_column()


@admin.register(Appeal)
class AppealAdmin(ScopedAdminMixin, PersonAccessLogMixin, ServiceActionsMixin, ReadOnlyAdmin):
    access_purpose = "appeal handling: appeal"
    list_display = ["id", "objection", "authority", "filed_on", "due_on", "state"]
    list_filter = ["state"]
    list_select_related = ["objection__record", "authority"]
    service_actions = {
        "decide": Step(
            _("Decide the appeal"), DecisionForm,
            lambda a, r, o, d: appeal_decide(
                actor=r.user, appeal=o, upheld=d["granted"], reasons=d["reasons"]),
            confirm=_says(_("%(name)s receives the decision with your reasons. Upheld: the "
                            "record is revoked and leaves the public list. Refused: nothing "
                            "changes.")),
        ),
    }  # fmt: skip

    def allowed_steps(self, request, obj):
        return filing_next_steps(filing=obj, today=timezone.localdate())

    def scoped_queryset(self, request):
        return appeals_visible_to(user=request.user)

    def access_subject(self, obj):
        return obj.objection.record.subject


@admin.register(RepairApplication)
class RepairApplicationAdmin(
    ProvisionalDeadlineMixin, FilingFactsMixin, FilingAttachmentsMixin, ScopedAdminMixin,
    PersonAccessLogMixin, ServiceActionsMixin, ReadOnlyAdmin,
):  # fmt: skip
    access_purpose = "credit repair: application"
    filing_heading = _("The repair application")
    list_display = ["id", "subject_shown", "record_shown", "due_on_shown", "state", "overdue"]
    subject_shown = truncated_column("record.subject.display_name", _("subject"))
    record_shown = truncated_column("record.decision_number", _("record"))
    due_on_shown = deadline_column("due_on", _("decision due"))
    list_filter = ["state", OverdueFilter]
    list_select_related = ["record__subject", "record__record_type"]
    search_fields = ["record__decision_number", "record__subject__display_name"]
    service_actions = {
        "decide": Step(
            _("Decide the application"), DecisionForm,
            lambda a, r, o, d: repair_decide(
                actor=r.user, application=o, granted=d["granted"], reasons=d["reasons"]),
            confirm=_says(_("%(name)s receives the decision with your reasons. Granted: the "
                            "entry leaves the public list at once and its points stop counting. "
                            "Refused: nothing changes.")),
        ),
    }  # fmt: skip

    def allowed_steps(self, request, obj):
        return filing_next_steps(filing=obj, today=timezone.localdate())

    def scoped_queryset(self, request):
        return repairs_visible_to(user=request.user)

    def access_subject(self, obj):
        return obj.record.subject

    overdue = overdue_column()


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
    # within 1280 px beside the filters: the decision, whom it is about, its type, where it
    # stands (a listing: and whether its obligation is performed) and until when it is public
    # (authority and decision date: filters and the date hierarchy above the list)
    list_display = ["number_shown", "subject_shown", "type_title", "status_shown",
                    "publication_end"]  # fmt: skip
    number_shown = truncated_column("decision_number", _("decision number"), width="narrow")
    subject_shown = truncated_column("subject.display_name", _("subject"))
    list_filter = [
        "status",
        "record_type__domain",
        "record_type__severity",
        ("authority", admin.RelatedOnlyFieldListFilter),
    ]
    search_fields = ["decision_number", "subject__display_name", "subject__name_pinyin"]

    @admin.display(description=_("type"), ordering="record_type__title")
    def type_title(self, obj: IntegrityRecord) -> str:
        return truncated(obj.record_type.title)

    @admin.display(description=_("status"), ordering="status")
    def status_shown(self, obj: IntegrityRecord) -> str:
        status = truncated(obj.get_status_display(), width="narrow")
        if not obj.record_type.places_on_blacklist:
            return status
        return format_html('{}<span class="list-note">{}</span>', status,
                           obj.get_performance_status_display())  # fmt: skip

    def allowed_steps(self, request, obj):
        return record_next_steps(record=obj, today=timezone.localdate())

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
