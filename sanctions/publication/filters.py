"""django-filter FilterSet for the public list (pages and API share it)."""

from __future__ import annotations

import django_filters
import redis
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from sanctions.db.search import FACET_COLUMNS
from sanctions.kernel.identifiers import require_valid_identifier
from sanctions.kernel.regions import city_codes, province_choices
from sanctions.models import Authority, Domain, IntegrityRecord, JudicialGround, SubjectKind
from sanctions.publication.page_cache import public_list_version
from sanctions.publication.search import filter_entries_by_name, newest_entries, newest_first
from sanctions.publication.selectors import public_records


class _PythonInputMixin:
    def render(self, name, value, attrs=None, renderer=None):
        final = self.build_attrs(self.attrs, attrs)
        value = self.format_value(value)
        if value is not None:
            final["value"] = value
        return format_html('<input type="{}" name="{}"{}>', self.input_type, name, flatatt(final))


class TextInput(_PythonInputMixin, forms.TextInput):
    pass


class DateInput(_PythonInputMixin, forms.DateInput):
    pass


_options_html: dict[tuple, list[tuple[str, str, str]]] = {}


def _options(choices: tuple[tuple[str, str], ...]) -> list[tuple[str, str, str]]:
    """(value, <option>, <option selected>) per choice, escaped once per list of choices."""
    if choices not in _options_html:
        if len(_options_html) > 100:  # languages × fields × authority-list versions
            _options_html.clear()
        _options_html[choices] = [
            (key,
             format_html('<option value="{}">{}</option>', key, label),
             format_html('<option value="{}" selected>{}</option>', key, label))
            for key, label in choices
        ]  # fmt: skip
    return _options_html[choices]


class Select(forms.Select):
    def render(self, name, value, attrs=None, renderer=None):
        final = self.build_attrs(self.attrs, attrs)
        selected = set(self.format_value(value))
        choices = tuple((str(key), str(label)) for key, label in self.choices)
        options = "".join(
            chosen if key in selected else plain for key, plain, chosen in _options(choices)
        )
        # every piece was escaped by format_html above
        return format_html(
            '<select name="{}"{}>{}</select>',
            name,
            flatatt(final),
            mark_safe(options),  # noqa: S308
        )


_authority_choices: dict[tuple[str, int], list[tuple[str, str]]] = {}


def authority_choices() -> list[tuple[str, str]]:
    """Active authorities for the filter, per process and language, until the public list's
    version changes (an authority's save changes it)."""
    try:
        key = (get_language() or "", public_list_version())
    except redis.RedisError:  # no cache: read them
        key = None
    if key is None or key not in _authority_choices:
        choices = [
            (str(authority.pk), authority.localized_name)
            for authority in Authority.objects.filter(is_active=True)
            .order_by("code")
            .only("pk", "name", "name_en")
        ]
        if key is None:
            return choices
        _authority_choices.clear()
        _authority_choices[key] = choices
    return _authority_choices[key]


def validate_city_code(value: str) -> None:
    """A city filter is a known prefecture-level code (GB/T 2260), e.g. 1101: anything else
    is a form error, not an empty list that looks like "nobody is listed there"."""
    if value not in city_codes():
        raise ValidationError(
            _("Unknown city code: enter the 4 digits of a prefecture-level city, e.g. 1101."),
            code="city",
        )


class PublicEntryFilterForm(forms.Form):
    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("published_from"), cleaned.get("published_to")
        if start and end and start > end:
            self.add_error("published_to", _("The end of the period comes before its beginning."))
        return cleaned


class PublicEntryFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(
        label=_("Name or pinyin"), method="filter_name", max_length=100,
        widget=TextInput(attrs={"type": "search", "autocomplete": "off"}),
    )  # fmt: skip
    legal_rep = django_filters.CharFilter(
        label=_("Legal representative"),
        method="filter_legal_rep",
        max_length=50,
        widget=TextInput,
    )
    kind = django_filters.ChoiceFilter(
        label=_("Kind"), field_name="subject__kind", choices=SubjectKind.choices,
        empty_label=_("Persons and enterprises"), widget=Select,
    )  # fmt: skip
    domain = django_filters.ChoiceFilter(
        label=_("Domain"), field_name="record_type__domain", choices=Domain.choices,
        empty_label=_("All domains"), widget=Select,
    )  # fmt: skip
    ground = django_filters.ChoiceFilter(
        label=_("Listing ground"), field_name="judicial_ground",
        choices=[(str(value), label) for value, label in JudicialGround.choices],
        empty_label=_("Any ground"), widget=Select,
    )  # fmt: skip
    province = django_filters.ChoiceFilter(
        label=_("Province"), method="filter_province", choices=province_choices,
        empty_label=_("All provinces"), widget=Select,
    )  # fmt: skip
    city = django_filters.CharFilter(
        label=_("City code (4 digits)"), method="filter_city", max_length=4,
        validators=[validate_city_code],
        widget=TextInput(attrs={"inputmode": "numeric", "pattern": "[0-9]{4}"}),
    )  # fmt: skip
    authority = django_filters.ChoiceFilter(
        label=_("Authority"), field_name="authority_id", choices=authority_choices,
        empty_label=_("All authorities"), widget=Select,
    )  # fmt: skip
    published_from = django_filters.DateFilter(
        label=_("Published from"), field_name="publication_start", lookup_expr="gte",
        widget=DateInput(attrs={"type": "date"}),
    )  # fmt: skip
    published_to = django_filters.DateFilter(
        label=_("Published until"), field_name="publication_start", lookup_expr="lte",
        widget=DateInput(attrs={"type": "date"}),
    )  # fmt: skip

    class Meta:
        model = IntegrityRecord
        fields: list[str] = []
        form = PublicEntryFilterForm

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
        return queryset.filter(subject__region_code__startswith=value)  # a known code

    def has_search(self) -> bool:
        return any(self.data.get(name) for name in self.filters)


def _facet_value(name: str, value: str) -> str | int:
    """A cleaned filter value as the entry-name table holds it."""
    return int(value) if name in ("authority", "ground") else value


def filtered_entries(data, *, today=None) -> tuple[PublicEntryFilter, QuerySet | None]:
    """The public list filtered as the search page and the API filter it, newest first; None
    when the filters do not validate (the FilterSet carries the errors).

    Filters, with or without a name, pick their newest entries in the search tables first
    (search.newest_entries); same entries, fewer joins. A name of 1–2 characters alone reads
    the char table's key in order, a legal representative the subjects (FilterSet.qs)."""
    today = today or timezone.localdate()
    filterset = PublicEntryFilter(data, queryset=public_records(today=today))
    if not filterset.is_valid():
        return filterset, None
    chosen = {name: value for name, value in filterset.form.cleaned_data.items() if value}
    if chosen and "legal_rep" not in chosen:
        newest = newest_entries(
            today=today, term=chosen.get("q"),
            facets={name: _facet_value(name, chosen[name]) for name in FACET_COLUMNS
                    if name in chosen},
            published_from=chosen.get("published_from"), published_to=chosen.get("published_to"),
        )  # fmt: skip
        if newest is not None:
            # the filters again, on the ≤ 200 records chosen: the table is a copy kept by
            # triggers, and an entry is never shown under a filter its record does not match
            chosen_records = public_records(today=today).filter(id__in=newest)
            refiltered = PublicEntryFilter(_without_name(data), queryset=chosen_records)
            return filterset, newest_first(refiltered.qs)
    return filterset, newest_first(filterset.qs)


def _without_name(data) -> dict:
    return {key: value for key, value in data.items() if key != "q"}


class IdentifierForm(forms.Form):
    """Exact lookup by full ID number or credit code: POST only, never echoed back."""

    identifier = forms.CharField(
        label=_("Full resident ID number or unified social credit code"),
        max_length=40,
        widget=forms.PasswordInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )

    def clean_identifier(self):
        # the check character too: a mistyped number must not answer "no entry"
        return require_valid_identifier(self.cleaned_data["identifier"])
