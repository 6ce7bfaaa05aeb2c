"""django-filter FilterSet for the public list (pages and API share it)."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from sanctions.models import Authority, Domain, IntegrityRecord, JudicialGround, SubjectKind
from sanctions.public import filter_entries_by_name
from sanctions.regions import province_choices


class PublicEntryFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Name or pinyin"), method="filter_name", max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )  # fmt: skip
    legal_rep = django_filters.CharFilter(
        label=_("Legal representative"), method="filter_legal_rep", max_length=50
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), field_name="subject__kind", choices=SubjectKind.choices,
        empty_label=_("Persons and enterprises"),
    )  # fmt: skip
    domain = django_filters.ChoiceFilter(
        label=_("Domain"), field_name="record_type__domain", choices=Domain.choices,
        empty_label=_("All domains"),
    )  # fmt: skip
    ground = django_filters.ChoiceFilter(
        label=_("Listing ground"), field_name="judicial_ground",
        choices=[(str(value), label) for value, label in JudicialGround.choices],
        empty_label=_("Any ground"),
    )  # fmt: skip
    province = django_filters.ChoiceFilter(
        label=_("Province"), method="filter_province", choices=province_choices,
        empty_label=_("All provinces"),
    )  # fmt: skip
    city = django_filters.CharFilter(
        label=_("City code (4 digits)"), method="filter_city", max_length=4,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "pattern": "[0-9]{4}"}),
    )  # fmt: skip
    authority = django_filters.ModelChoiceFilter(
        label=_("Authority"), queryset=Authority.objects.filter(is_active=True).order_by("code"),
        empty_label=_("All authorities"),
    )  # fmt: skip
    published_from = django_filters.DateFilter(
        label=_("Published from"), field_name="publication_start", lookup_expr="gte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )  # fmt: skip
    published_to = django_filters.DateFilter(
        label=_("Published until"), field_name="publication_start", lookup_expr="lte",
        widget=forms.DateInput(attrs={"type": "date"}),
    )  # fmt: skip

    class Meta:
        model = IntegrityRecord
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.form.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def filter_name(self, queryset, name, value):
        return filter_entries_by_name(queryset, value)

    def filter_legal_rep(self, queryset, name, value):
        return filter_entries_by_name(queryset, value, "legal_rep_name")

    def filter_province(self, queryset, name, value):
        return queryset.filter(subject__region_code__startswith=value[:2])

    def filter_city(self, queryset, name, value):
        if not (value.isdigit() and len(value) == 4):
            return queryset.none()
        return queryset.filter(subject__region_code__startswith=value)

    def has_search(self) -> bool:
        return any(self.data.get(name) for name in self.filters)


class IdentifierForm(forms.Form):
    """Exact lookup by full ID number or credit code: POST only, never echoed back."""

    identifier = forms.CharField(
        label=_("Full resident ID number or unified social credit code"),
        max_length=40,
        widget=forms.PasswordInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def clean_identifier(self):
        from sanctions.identifiers import looks_like_identifier

        value = self.cleaned_data["identifier"]
        if not looks_like_identifier(value):
            raise forms.ValidationError(_("Enter all 18 characters of the number or code."))
        return value
