"""The public list: search over public entries and the allow-list of what reaches HTML/JSON.

Only `public_entry` turns a record into something the public sees; templates, open data and
the API render its dict, never the model, so no other field can leak (tests check this).
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from typing import Any

from django.db.models import BooleanField, QuerySet
from django.db.models.expressions import RawSQL
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from sanctions.identifiers import identifier_hash, region_name
from sanctions.models import IntegrityRecord, JudicialGround, Subject
from sanctions.rules import age_on
from sanctions.selectors import public_entries

PERSON_FIELDS = (
    "id", "kind", "name", "sex", "age", "region", "masked_id", "authority", "case_number",
    "basis_document", "obligation", "amount", "performance_status", "ground",
    "publication_date", "publication_end", "under_objection", "record_type", "domain",
    "how_to_object",
)  # fmt: skip
ENTERPRISE_FIELDS = (
    "id", "kind", "name", "credit_code", "legal_representative", "region", "authority",
    "case_number", "basis_document", "obligation", "amount", "performance_status", "ground",
    "publication_date", "publication_end", "under_objection", "record_type", "domain",
    "how_to_object",
)  # fmt: skip

_TONES = str.maketrans("", "", "012345")


def normalize_pinyin(text: str) -> str:
    """'Zhāng Wěi', 'zhang3 wei3', 'zhang wei' → 'zhangwei'."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    letters = letters.replace("ü", "v").translate(_TONES)
    return re.sub(r"[^a-z]", "", letters)


def is_pinyin(text: str) -> bool:
    """Latin letters, optionally with tone marks or tone digits (no CJK)."""
    decomposed = unicodedata.normalize("NFKD", text.replace("ü", "v").replace("Ü", "V"))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return bool(re.search(r"[A-Za-z]", plain)) and all(c.isascii() for c in plain)


def _like_escape(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


# field -> (column SQL, gram index expression); the SQL matches the expression indexes of
# migration 0009 exactly, so the planner can use them.
# Unqualified on purpose: the condition lives in a subquery over sanctions_subject alone, which
# Django may alias (U0); no other table in scope has these columns.
_NAME_COLUMNS = {
    "display_name": "display_name",
    "legal_rep_name": "legal_rep_name",
}


def name_condition(term: str, field: str = "display_name") -> RawSQL | None:
    """An indexed condition on Subject for a name or pinyin term:
    1–2 characters → gram GIN; 3+ → trigram GIN (ILIKE); pinyin → compact-pinyin prefix."""
    term = " ".join((term or "").split())
    if not term:
        return None
    column = _NAME_COLUMNS[field]
    if field == "display_name" and is_pinyin(term) and normalize_pinyin(term):
        compact = normalize_pinyin(term)
        if len(compact) >= 2 or not any(c.isalpha() for c in term):
            return RawSQL(
                "replace(name_pinyin, ' ', '') LIKE %s",
                [_like_escape(compact) + "%"],
                output_field=BooleanField(),
            )
    # RawSQL so the SQL matches the expression indexes exactly; `column` comes from the fixed
    # _NAME_COLUMNS table and every user value is a bound parameter.
    if len(term) <= 2:
        return RawSQL(  # noqa: S611
            f"scs_name_grams({column}) @> ARRAY[%s]::text[]",
            [term.lower()],
            output_field=BooleanField(),
        )
    return RawSQL(  # noqa: S611
        f"{column} ILIKE %s", ["%" + _like_escape(term) + "%"], output_field=BooleanField()
    )


def filter_entries_by_name(entries, term: str, field: str = "display_name"):
    """Apply a name condition to public entries directly (joined subject), so the planner can
    choose: walk the newest-first index and test the name (common terms, stops after a page),
    or find the subjects by their name index first (rare terms)."""
    condition = name_condition(term, field)
    if condition is None:
        return entries
    kinds = ["enterprise"] if field == "legal_rep_name" else ["person", "enterprise"]
    # the subject__kind filter makes the join to sanctions_subject that the condition reads
    return entries.filter(subject__kind__in=kinds).filter(condition)


def _subjects_matching(term: str, field: str = "display_name") -> QuerySet[Subject] | None:
    condition = name_condition(term, field)
    if condition is None:
        return None
    subjects = Subject.objects.filter(condition)
    if field == "legal_rep_name":
        subjects = subjects.filter(kind="enterprise")
    return subjects.values("pk")


def search(
    *,
    q: str = "",
    identifier: str = "",
    legal_rep: str = "",
    kind: str = "",
    domain: str = "",
    ground: int | None = None,
    province: str = "",
    city: str = "",
    authority: int | None = None,
    published_from: datetime.date | None = None,
    published_to: datetime.date | None = None,
    today: datetime.date | None = None,
) -> QuerySet[IntegrityRecord]:
    """Public entries matching the search, newest first."""
    entries = public_entries(today=today).select_related("subject", "record_type", "authority")
    if identifier:
        entries = entries.filter(subject__identifier_hash=identifier_hash(identifier))
    entries = filter_entries_by_name(entries, q)
    entries = filter_entries_by_name(entries, legal_rep, "legal_rep_name")
    if kind:
        entries = entries.filter(subject__kind=kind)
    if domain:
        entries = entries.filter(record_type__domain=domain)
    if ground:
        entries = entries.filter(judicial_ground=ground)
    if city:
        entries = entries.filter(subject__region_code__startswith=city[:4])
    elif province:
        entries = entries.filter(subject__region_code__startswith=province[:2])
    if authority:
        entries = entries.filter(authority_id=authority)
    if published_from:
        entries = entries.filter(publication_start__gte=published_from)
    if published_to:
        entries = entries.filter(publication_start__lte=published_to)
    return entries.order_by("-publication_start", "-id")


def _localized(obj, field: str) -> str:
    """The English name where the catalog has one and the page is in English."""
    if (get_language() or "").startswith("en"):
        return getattr(obj, f"{field}_en", "") or getattr(obj, field)
    return getattr(obj, field)


def public_entry(record: IntegrityRecord, *, today: datetime.date | None = None) -> dict[str, Any]:
    """The allow-listed public view of one entry (DESIGN.md §6)."""
    today = today or timezone.localdate()
    subject = record.subject
    ground = JudicialGround(record.judicial_ground).label if record.judicial_ground else ""
    common = {
        "id": record.pk,
        "kind": subject.kind,
        "name": subject.display_name,
        "region": region_name(subject.region_code) or subject.region_code,
        "authority": _localized(record.authority, "name"),
        "case_number": record.decision_number,
        "basis_document": record.basis_document,
        "obligation": record.obligation,
        "amount": str(record.amount) if record.amount is not None else "",
        "performance_status": record.get_performance_status_display(),
        "ground": str(ground),
        "publication_date": record.publication_start.isoformat(),
        "publication_end": record.publication_end.isoformat() if record.publication_end else "",
        "under_objection": record.status == "under_objection",
        "record_type": _localized(record.record_type, "title"),
        "domain": record.record_type.get_domain_display(),
        "how_to_object": reverse("how_to_object"),
    }
    if subject.kind == "person":
        common.update(
            {
                "sex": {"M": _("Male"), "F": _("Female")}.get(subject.sex, ""),
                "age": age_on(subject.birth_date, today) if subject.birth_date else "",
                "masked_id": subject.masked_identifier,
            }
        )
        fields = PERSON_FIELDS
    else:
        common.update(
            {"credit_code": subject.public_code, "legal_representative": subject.legal_rep_name}
        )
        fields = ENTERPRISE_FIELDS
    return {key: common[key] for key in fields}
