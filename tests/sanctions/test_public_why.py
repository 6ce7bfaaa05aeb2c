"""Issue 12, items 7 and 8: the exact lookup refuses a number that fails its own check (a
field error, never "no entry"), on the page and in the API, in both languages; the public
entry says why it is listed (legal basis, obligation) and nothing else was added; the home
and "how to object" pages explain every kind of list the catalog has, with its way off."""

import html
import re

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from sanctions.kernel.identifiers import (
    USCC_ALPHABET,
    require_valid_identifier,
    ric_check_digit,
    uscc_check_character,
)
from sanctions.models import AccessLog, RecordType
from sanctions.publication.selectors import (
    ENTERPRISE_FIELDS,
    PERSON_FIELDS,
    public_entry,
    public_list_kinds,
)
from sanctions.publication.serializers import PublicEntrySerializer
from sanctions.registry.catalog_data import JUDGMENT_DEBTOR_RULES
from scs_portal.demo import DemoGenerator
from tests.sanctions.test_public import listed  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db

INVALID = {
    "en": "This is not a valid ID number or credit code: check it.",
    "zh-hans": "这不是有效的公民身份号码或统一社会信用代码，请核对。",
}
ID_REASON = {
    "en": "The check digit of this resident ID number is wrong; please check the number.",
    "zh-hans": "公民身份号码校验位错误，请核对号码。",
}
CODE_REASON = {
    "en": "The check character of this unified social credit code is wrong.",
    "zh-hans": "统一社会信用代码校验码错误。",
}
NO_ENTRY = {"en": "No public entry matches.", "zh-hans": "没有符合条件的公示条目。"}
NOT_LOOKED_UP = {
    "en": "Nothing was looked up: correct the number in the exact lookup above.",
    "zh-hans": "未进行查询：请更正上方精确查询中的号码。",
}
LANGUAGES = ["en", "zh-hans"]


def wrong_check_digit(number: str) -> str:
    """The same 17 characters with another check digit (GB 11643: 0-9 or X)."""
    right = ric_check_digit(number[:17])
    return number[:17] + next(c for c in "0123456789X" if c != right)


def wrong_check_character(code: str) -> str:
    right = uscc_check_character(code[:17])
    return code[:17] + next(c for c in USCC_ALPHABET if c != right)


@pytest.fixture(autouse=True)
def _uncached_search_pages(settings):
    settings.SCS_SEARCH_PAGE_CACHE_SECONDS = 0


# --- item 7: the check, as a function ---------------------------------------------------------

_gen = DemoGenerator(2026)


@settings(max_examples=200, deadline=None)
@given(index=st.integers(min_value=0, max_value=10**9))
def test_every_valid_number_passes_and_every_other_check_character_fails(index):
    number, code = _gen.resident_id(index), _gen.credit_code(index)
    assert require_valid_identifier(number.lower()) == number
    assert require_valid_identifier(f" {code[:6]}-{code[6:]} ") == code
    for check in "0123456789X":
        if check != number[17]:
            with pytest.raises(ValidationError) as refused:
                require_valid_identifier(number[:17] + check)
            assert refused.value.messages == [INVALID["en"], ID_REASON["en"]]
    for check in USCC_ALPHABET:
        if check != code[17]:
            with pytest.raises(ValidationError) as refused:
                require_valid_identifier(code[:17] + check)
            assert refused.value.messages == [INVALID["en"], CODE_REASON["en"]]


def test_a_mistyped_id_number_never_passes_as_a_credit_code():
    """One check character in 31 makes 18 digits a valid credit code: an ID number whose check
    digit is wrong would then have answered "no entry" (found with the property test above)."""
    first17 = "11010119900307000"  # born 1990-03-07 in Dongcheng; check digit 3
    as_credit_code = uscc_check_character(first17)
    assert as_credit_code.isdigit() and as_credit_code != ric_check_digit(first17)
    with pytest.raises(ValidationError) as refused:
        require_valid_identifier(first17 + as_credit_code)
    assert refused.value.messages == [INVALID["en"], ID_REASON["en"]]


def test_the_reason_never_repeats_the_number():
    unknown_region = "990101199001011"  # 99: no such province
    first17 = unknown_region + "23"
    with pytest.raises(ValidationError) as refused:
        require_valid_identifier(first17 + ric_check_digit(first17))
    assert refused.value.messages == [
        INVALID["en"], "The region code in this resident ID number is unknown."]  # fmt: skip
    assert "990101" not in " ".join(refused.value.messages)
    # a bad shape keeps the one shape message everywhere
    with pytest.raises(ValidationError) as refused:
        require_valid_identifier("12345")
    assert refused.value.messages == ["Enter all 18 characters of the ID number or credit code."]


# --- item 7: the search page ------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_search_page_refuses_a_wrong_check_character_never_no_entry(client, listed, language):  # noqa: F811
    headers = {"HTTP_ACCEPT_LANGUAGE": language}
    person = listed["people"]["zhang"].resident_id
    firm = listed["enterprise"].credit_code
    for bad, reason in ((wrong_check_digit(person), ID_REASON),
                        (wrong_check_character(firm), CODE_REASON),
                        (wrong_check_digit(person).lower(), ID_REASON)):  # fmt: skip
        response = client.post(reverse("search"), {"identifier": bad}, **headers)
        body = response.content.decode()
        assert response.status_code == 400, bad
        assert response.context["page"] is None and not response.context["searched"]
        assert response.context["id_errors"] == [INVALID[language], reason[language]]
        errors = re.search(r'<div id="id-errors"[^>]*role="alert">(.*?)</div>', body, re.S)
        assert errors and INVALID[language] in errors.group(1)
        assert reason[language] in errors.group(1)
        assert NOT_LOOKED_UP[language] in body
        assert NO_ENTRY[language] not in body
        assert 'aria-invalid="true"' in body
        for echoed in (bad, bad.upper(), bad[:17]):
            assert echoed not in body
    # the right numbers still find their entries; a valid number not listed says so
    found = client.post(reverse("search"), {"identifier": person}, **headers)
    assert [e["name"] for e in found.context["page"].object_list] == ["张伟"]
    unlisted_number = "11010119900307004" + ric_check_digit("11010119900307004")
    unlisted = client.post(reverse("search"), {"identifier": unlisted_number}, **headers)
    assert unlisted.status_code == 200 and NO_ENTRY[language] in unlisted.content.decode()
    assert INVALID[language] not in unlisted.content.decode()


# --- item 7: the API --------------------------------------------------------------------------


@pytest.mark.parametrize("language", LANGUAGES)
def test_api_lookups_answer_400_with_the_field(listed, language):  # noqa: F811
    from tests.api.conftest import make_agency

    api = APIClient(HTTP_ACCEPT_LANGUAGE=language)
    _client, key = make_agency("bj-dongcheng-court", name=f"court {language}")
    zhang = listed["people"]["zhang"]
    bad_id = wrong_check_digit(zhang.resident_id)
    bad_code = wrong_check_character(listed["enterprise"].credit_code)
    for bad, reason in ((bad_id, ID_REASON), (bad_code, CODE_REASON)):
        answers = {
            "public lookup": api.post(reverse("api_public_entries_lookup"),
                                      {"identifier": bad}, format="json"),
            "restriction check (body)": api.post(
                reverse("api_restrictions_check"), {"identifier": bad}, format="json",
                HTTP_AUTHORIZATION=f"Api-Key {key}"),
            "restriction check (header)": api.get(
                reverse("api_restrictions_check"), HTTP_X_SUBJECT_IDENTIFIER=bad,
                HTTP_AUTHORIZATION=f"Api-Key {key}"),
        }  # fmt: skip
        for name, response in answers.items():
            assert response.status_code == 400, (name, response.content)
            data = response.json()
            assert data["errors"] == {"identifier": [INVALID[language], reason[language]]}, name
            assert data["detail"] == INVALID[language]
            assert bad not in response.content.decode()
    assert not AccessLog.objects.filter(subject=zhang.subject).exists()
    found = api.post(reverse("api_public_entries_lookup"), {"identifier": zhang.resident_id},
                     format="json")  # fmt: skip
    assert found.status_code == 200 and found.json()["count"] == 1


# --- item 8: the public entry says why -----------------------------------------------------------

EXPECTED_PERSON_FIELDS = {
    "id", "kind", "name", "sex", "age", "region", "masked_id", "authority", "case_number",
    "basis_document", "legal_basis", "obligation", "amount", "amount_performed",
    "performance_status", "ground", "publication_date", "publication_end", "under_objection",
    "record_type", "domain", "how_to_object",
}  # fmt: skip
EXPECTED_ENTERPRISE_FIELDS = (EXPECTED_PERSON_FIELDS - {"sex", "age", "masked_id"}) | {
    "credit_code", "legal_representative"}  # fmt: skip


def test_allow_list_gains_legal_basis_and_amount_performed_only(client, listed):  # noqa: F811
    assert set(PERSON_FIELDS) == EXPECTED_PERSON_FIELDS
    assert set(ENTERPRISE_FIELDS) == EXPECTED_ENTERPRISE_FIELDS
    person, firm = public_entry(record=listed["zhang"]), public_entry(record=listed["firm"])
    assert set(person) == EXPECTED_PERSON_FIELDS and set(firm) == EXPECTED_ENTERPRISE_FIELDS
    # the record's own legal basis (the type's, as none was given on the case)
    assert person["legal_basis"] == listed["zhang"].legal_basis
    assert person["legal_basis"].startswith(JUDGMENT_DEBTOR_RULES)
    assert firm["legal_basis"] == RecordType.objects.get(
        code="commercial-product-quality").legal_basis  # fmt: skip
    # the API documents exactly the allow-list, and answers it
    documented = set(PublicEntrySerializer().fields)
    assert documented == EXPECTED_PERSON_FIELDS | EXPECTED_ENTERPRISE_FIELDS
    detail = APIClient().get(reverse("api_public_entry_detail", args=[listed["zhang"].public_id]))
    assert detail.json()["legal_basis"] == person["legal_basis"]
    assert detail.json()["obligation"] == "支付欠款"
    # the open data carries it as a column
    csv_body = b"".join(client.get(reverse("open_data", args=["csv"])).streaming_content)
    header = csv_body.decode("utf-8-sig").splitlines()[0].split(",")
    assert "legal_basis" in header and "facts" not in header


@pytest.mark.parametrize(
    ("language", "labels"),
    [("en", ("Legal basis", "Obligation", "Basis document number")),
     ("zh-hans", ("法律依据", "义务", "执行依据文号"))],
)  # fmt: skip
def test_entry_page_shows_basis_and_obligation(client, listed, language, labels):  # noqa: F811
    record = listed["zhang"]
    body = client.get(reverse("entry_detail", args=[record.public_id]),
                      HTTP_ACCEPT_LANGUAGE=language).content.decode()  # fmt: skip
    rows = dict(re.findall(r'<dt class="col-sm-4">(.*?)</dt><dd class="col-sm-8[^"]*">(.*?)</dd>',
                           body))  # fmt: skip
    basis_label, obligation_label, document_label = labels
    assert html.unescape(rows[basis_label]) == record.legal_basis
    assert rows[obligation_label] == "支付欠款"
    assert rows[document_label] == "(2024)京0101民初1号"


# --- item 8: every kind of list and its way off ------------------------------------------------

# The seeded catalog's publishable types by the kind of authority that issues them: minor-tier
# types, individuals' administrative penalties and positive records are never published.
EXPECTED_LISTS = {
    "court": {"judicial-dishonest-debtor", "judicial-consumption-order-breach",
              "judicial-contempt-enforcement", "judicial-false-litigation",
              "government-contract-breach"},
    "tax": {"commercial-major-tax-violation", "commercial-tax-arrears"},
    "market": {"commercial-contract-fraud", "commercial-food-safety",
               "commercial-product-quality", "commercial-abnormal-operation",
               "commercial-serious-illegal-list", "commercial-false-advertising"},
    "environment": {"societal-environmental-penalty", "societal-serious-pollution"},
    "transport": {"societal-transport-operator-violation"},
    "education": {"societal-academic-fraud", "societal-exam-cheating"},
    "emergency": {"societal-work-safety", "societal-work-safety-serious"},
    "government": {"government-sme-payment-arrears", "government-broken-commitment",
                   "government-official-dishonest-debtor"},
}  # fmt: skip
NEVER_LISTED = {"commercial-late-tax-filing", "societal-drunk-driving",
                "societal-traffic-penalty", "societal-commendation", "societal-blood-donation",
                "commercial-a-grade-taxpayer", "judicial-performed-voluntarily"}  # fmt: skip


def test_list_kinds_come_from_the_catalog(catalog):
    kinds = public_list_kinds()
    assert [g["kind"] for g in kinds] == list(EXPECTED_LISTS)
    assert {g["kind"]: {t["code"] for t in g["types"]} for g in kinds} == EXPECTED_LISTS
    types = {t["code"]: t for g in kinds for t in g["types"]}
    debtor = types["judicial-dishonest-debtor"]
    assert debtor["court_listing"] and debtor["period"] is None and debtor["repair_after"] is None
    assert debtor["subject_kinds"] == ["person", "enterprise"]
    # tiers narrowed by the type's own bounds; repair by tier
    assert types["commercial-tax-arrears"]["period"] == (91, 365)
    assert types["commercial-tax-arrears"]["repair_after"] == 91
    assert types["commercial-major-tax-violation"]["period"] == (365, 1095)
    assert types["commercial-major-tax-violation"]["repair_after"] == 365
    # an individual's administrative penalty is never published: enterprises only
    assert types["commercial-major-tax-violation"]["subject_kinds"] == ["enterprise"]
    assert types["societal-exam-cheating"]["subject_kinds"] == ["person"]
    court = kinds[0]
    assert court["court_listing"] and court["period"] == (365, 1095)
    assert court["repair_after"] == [365]
    assert not any(g["court_listing"] for g in kinds[1:])


@pytest.mark.parametrize("language", LANGUAGES)
def test_how_to_object_explains_each_list_with_its_way_off(client, catalog, language):
    body = client.get(reverse("how_to_object"), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    english = language == "en"
    rows = dict(re.findall(r'<tr data-record-type="([a-z-]+)">(.*?)</tr>', body, re.S))
    assert set(rows) == set().union(*EXPECTED_LISTS.values())
    assert not NEVER_LISTED & set(rows)
    for record_type in RecordType.objects.filter(code__in=rows):
        title = record_type.title_en if english else record_type.title
        assert html.escape(title) in rows[record_type.code], record_type.code
    court_way_off = ("the court takes the listing down within 3 working days" if english
                     else "法院在3个工作日内删除失信信息")  # fmt: skip
    assert court_way_off in rows["judicial-dishonest-debtor"]
    assert court_way_off not in rows["commercial-tax-arrears"]
    if english:
        assert "3 months to 1 year from the decision date" in rows["commercial-tax-arrears"]
        assert "applied for 3 months after the decision" in rows["commercial-tax-arrears"]
        assert "1 year to 3 years from the decision date" in rows["commercial-food-safety"]
        assert "applied for 1 year after the decision" in rows["commercial-food-safety"]
    else:
        assert "自决定之日起3个月至1年" in rows["commercial-tax-arrears"]
        assert "决定作出满3个月后可申请信用修复" in rows["commercial-tax-arrears"]
        assert "自决定之日起1年至3年" in rows["commercial-food-safety"]
    # one section per kind of authority, each naming it for the objection
    sections = re.findall(r'<section class="list-kind[^"]*"[^>]*data-issuer-kind="([a-z_]+)"',
                          body)  # fmt: skip
    assert sections == list(EXPECTED_LISTS)
    objection = "Object to the authority that decided (Tax bureau)" if english else (
        "请向作出决定的机关（税务机关）提出异议")  # fmt: skip
    assert objection in body


@pytest.mark.parametrize("language", LANGUAGES)
def test_home_page_names_every_list_and_its_way_off(client, catalog, language):
    body = client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE=language).content.decode()
    english = language == "en"
    items = dict(re.findall(r'<li class="list-kind[^"]*" data-issuer-kind="([a-z_]+)">(.*?)</li>',
                            body, re.S))  # fmt: skip
    assert list(items) == list(EXPECTED_LISTS)
    for kind, codes in EXPECTED_LISTS.items():
        for record_type in RecordType.objects.filter(code__in=codes):
            title = record_type.title_en if english else record_type.title
            assert html.escape(title) in items[kind], (kind, record_type.code)
    court_text = "the court takes it down within 3 working days" if english else "法院在3个工作日内"
    assert court_text in items["court"] and court_text not in items["tax"]
    if english:
        assert "Entries are public for 3 months to 3 years" in items["market"]
        assert "credit repair can be applied for after 3 months or 1 year" in items["market"]
        assert "Its other entries are public for 1 year to 3 years" in items["court"]
    else:
        assert "条目自决定之日起公示3个月至3年" in items["market"]
        assert "满3个月或1年后可申请信用修复" in items["market"]


def test_a_new_record_type_appears_without_a_template_change(client, catalog, superuser):
    from sanctions.registry.services.catalog import record_type_create

    record_type_create(
        actor=superuser, code="commercial-customs-violation", title="海关行政处罚",
        title_en="Customs penalty", domain="commercial", polarity="negative",
        severity="general", points=-20, subject_kinds=["enterprise"],
        issuer_kinds=["tax"], legal_basis="《中华人民共和国海关行政处罚实施条例》",
        is_administrative_penalty=True, places_on_blacklist=False,
        publication_min_days=120, publication_max_days=300,
        attestation="Rests on a customs penalty decision; none of the prohibited grounds.",
    )  # fmt: skip
    body = client.get(reverse("how_to_object")).content.decode()
    row = re.search(r'<tr data-record-type="commercial-customs-violation">(.*?)</tr>', body, re.S)
    assert row and "Customs penalty" in row.group(1)
    assert "4 months to 10 months from the decision date" in row.group(1)
    RecordType.objects.filter(code="commercial-customs-violation").update(is_active=False)
    page = client.get(reverse("how_to_object")).content.decode()
    assert "commercial-customs-violation" not in page and "Customs penalty" not in page
