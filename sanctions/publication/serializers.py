"""Serializers of the public API (for the schema: the bodies are `public_entry` dicts)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from sanctions.kernel.identifiers import require_valid_identifier
from sanctions.models import SubjectKind
from sanctions.models.core import PUBLIC_ID_PATTERN


class PublicEntrySerializer(serializers.Serializer):
    """Documents `selectors.public_entry()`'s allow-listed dict; responses render that dict as
    it is, so no other field can appear."""

    id = serializers.RegexField(
        f"^{PUBLIC_ID_PATTERN}$", help_text=_("The entry's random public id (its detail address).")
    )
    kind = serializers.ChoiceField(choices=SubjectKind.choices)
    name = serializers.CharField()
    sex = serializers.CharField(required=False, help_text=_("Persons only."))
    age = serializers.JSONField(required=False, help_text=_("Persons only: integer or empty."))
    masked_id = serializers.CharField(required=False, help_text=_("Persons only."))
    credit_code = serializers.CharField(required=False, help_text=_("Enterprises only."))
    legal_representative = serializers.CharField(required=False, help_text=_("Enterprises only."))
    region = serializers.CharField()
    authority = serializers.CharField()
    case_number = serializers.CharField()
    basis_document = serializers.CharField(allow_blank=True)
    legal_basis = serializers.CharField(
        allow_blank=True, help_text=_("The law or regulation the decision rests on.")
    )
    obligation = serializers.CharField(allow_blank=True)
    amount = serializers.CharField(allow_blank=True)
    amount_performed = serializers.CharField(
        allow_blank=True, help_text=_("Performed so far (partial performance), CNY.")
    )
    performance_status = serializers.CharField()
    ground = serializers.CharField(allow_blank=True)
    publication_date = serializers.CharField()
    publication_end = serializers.CharField(allow_blank=True)
    under_objection = serializers.BooleanField()
    record_type = serializers.CharField()
    domain = serializers.CharField()
    how_to_object = serializers.CharField()


class PublicEntryPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    capped = serializers.BooleanField(
        help_text=_("True when more entries match than are ever listed: refine the search.")
    )
    next = serializers.CharField(allow_null=True)
    previous = serializers.CharField(allow_null=True)
    results = PublicEntrySerializer(many=True)


class IdentifierLookupSerializer(serializers.Serializer):
    identifier = serializers.CharField(
        max_length=40, help_text=_("Full resident ID number or unified social credit code.")
    )

    def validate_identifier(self, value: str) -> str:
        # the check character too: a mistyped number must not answer "no entry"
        return require_valid_identifier(value)
