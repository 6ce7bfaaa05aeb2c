"""Serializers of the agency API: input validation (also of import rows) and the schema."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from sanctions.kernel.identifiers import require_full_identifier, require_valid_identifier
from sanctions.models import JudicialGround, PerformanceStatus, RecordEventKind, SubjectKind


class LegalRepresentativeSerializer(serializers.Serializer):
    identifier = serializers.CharField(max_length=40, help_text=_("Full resident ID number."))
    name = serializers.CharField(max_length=100, allow_blank=True, default="")


class SubjectInputSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=SubjectKind.choices)
    identifier = serializers.CharField(
        max_length=40,
        help_text=_("Full resident ID number (person) or unified social credit code."),
    )
    name = serializers.CharField(
        max_length=200,
        allow_blank=True,
        default="",
        help_text=_("Required for a subject the portal does not know yet; checked otherwise."),
    )
    legal_representative = LegalRepresentativeSerializer(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("For an enterprise the portal does not know yet."),
    )

    def validate_identifier(self, value: str) -> str:
        return require_full_identifier(value)


class RecordSubmissionSerializer(serializers.Serializer):
    """One decision of the client's authority."""

    subject = SubjectInputSerializer()
    record_type = serializers.SlugField(max_length=64, help_text=_("Record-type code."))
    decision_number = serializers.CharField(max_length=80, trim_whitespace=True)
    decision_date = serializers.DateField()
    legal_basis = serializers.CharField(allow_blank=True, default="", max_length=2000)
    basis_document = serializers.CharField(allow_blank=True, default="", max_length=120)
    facts = serializers.CharField(allow_blank=True, default="", max_length=10000)
    amount = serializers.DecimalField(
        max_digits=16, decimal_places=2, min_value=0, allow_null=True, default=None
    )
    obligation = serializers.CharField(allow_blank=True, default="", max_length=2000)
    judicial_ground = serializers.ChoiceField(
        choices=JudicialGround.choices, allow_null=True, default=None
    )
    performance_status = serializers.ChoiceField(
        choices=PerformanceStatus.choices, default=PerformanceStatus.UNPERFORMED
    )
    publication_days = serializers.IntegerField(
        min_value=1, max_value=3650, allow_null=True, default=None
    )


class SubmissionResultSerializer(serializers.Serializer):
    decision_number = serializers.CharField()
    mode = serializers.ChoiceField(choices=[("record", "record"), ("case", "case")])
    record_id = serializers.IntegerField(allow_null=True)
    record_status = serializers.CharField(allow_null=True)
    case_id = serializers.IntegerField(allow_null=True)
    case_state = serializers.CharField(allow_null=True)
    created = serializers.BooleanField(help_text=_("False when this repeated a submission."))
    submitted_at = serializers.DateTimeField()


class RecordEventInputSerializer(serializers.Serializer):
    """What happened after the decision, reported by the authority that submitted it."""

    kind = serializers.ChoiceField(
        choices=RecordEventKind.choices,
        help_text=_("performed, settled, withdrawn_by_creditor and revoked end the listing."),
    )
    date = serializers.DateField(help_text=_("When it happened: not before the decision."))
    amount_performed = serializers.DecimalField(
        max_digits=16, decimal_places=2, min_value=0, allow_null=True, default=None,
        help_text=_("Partial performance only: the total performed so far (CNY)."),
    )  # fmt: skip
    note = serializers.CharField(allow_blank=True, default="", max_length=2000)


class RecordEventResultSerializer(serializers.Serializer):
    event_id = serializers.IntegerField()
    record_id = serializers.IntegerField()
    kind = serializers.CharField()
    date = serializers.DateField()
    amount_performed = serializers.DecimalField(max_digits=16, decimal_places=2, allow_null=True)
    record_status = serializers.CharField()
    performance_status = serializers.CharField()
    created = serializers.BooleanField(help_text=_("False when this repeated an event."))


class ImportUploadSerializer(serializers.Serializer):
    file = serializers.FileField(
        help_text=_("CSV (with a header row) or JSON lines (one submission object per line).")
    )


class ImportReportRowSerializer(serializers.Serializer):
    row = serializers.IntegerField()
    field = serializers.CharField()
    message = serializers.CharField()


class ImportBatchSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    file_name = serializers.CharField()
    file_sha256 = serializers.CharField()
    format = serializers.CharField()
    status = serializers.ChoiceField(
        choices=[("pending", "pending"), ("running", "running"), ("done", "done"),
                 ("failed", "failed")],
        help_text=_("failed: see failure_reason; uploading the same file again retries it."),
    )  # fmt: skip
    failure_reason = serializers.CharField(allow_blank=True)
    rows_done = serializers.IntegerField(help_text=_("Rows processed so far."))
    rows_total = serializers.IntegerField()
    rows_imported = serializers.IntegerField()
    rows_unchanged = serializers.IntegerField()
    rows_invalid = serializers.IntegerField()
    report = ImportReportRowSerializer(many=True)
    created_at = serializers.DateTimeField()
    finished_at = serializers.DateTimeField(allow_null=True)


class RestrictionCheckInputSerializer(serializers.Serializer):
    identifier = serializers.CharField(
        max_length=40, help_text=_("Full resident ID number or unified social credit code.")
    )
    measure = serializers.SlugField(max_length=64, required=False, allow_blank=True, default="")

    def validate_identifier(self, value: str) -> str:
        # a mistyped number must not answer "not restricted"
        return require_valid_identifier(value)


class RestrictionBasisSerializer(serializers.Serializer):
    authority = serializers.CharField()
    decision_number = serializers.CharField()
    decision_date = serializers.DateField()
    record_type = serializers.CharField()
    legal_basis = serializers.CharField()


class RestrictionSerializer(serializers.Serializer):
    measure = serializers.CharField()
    measure_title = serializers.CharField()
    enforcing_agency = serializers.CharField()
    until = serializers.DateField(
        allow_null=True, help_text=_("Null: until the obligation is performed.")
    )
    under_objection = serializers.BooleanField()
    basis = RestrictionBasisSerializer()


class RestrictionCheckSerializer(serializers.Serializer):
    subject_found = serializers.BooleanField()
    kind = serializers.CharField(required=False)
    masked_id = serializers.CharField(required=False)
    restricted = serializers.BooleanField()
    checked_on = serializers.DateField()
    restrictions = RestrictionSerializer(many=True)
