"""Names need visible letters; public search filters with invalid values are form errors
(the page: 400 with the error in the page's language; the API: 400 with field errors)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st
from rest_framework.test import APIClient

from citizens.models import Citizen
from enterprises.models import Enterprise
from enterprises.services import enterprise_create, enterprise_update
from sanctions.kernel.errors import ApplicationError
from sanctions.kernel.identifiers import clean_name, normalize_name
from sanctions.kernel.regions import city_codes
from sanctions.models import Subject
from tests.factories import credit_code, make_citizen, resident_id

pytestmark = pytest.mark.django_db

INVISIBLE_NAMES = [
    "\u200b\u200b\u200b",  # zero-width spaces
    "\u200d\u200c\u2060\ufeff",  # joiners, word joiner, byte-order mark
    "\u202e\u202d\u2066",  # bidirectional overrides and isolates
    "\u3164\u3164",  # Hangul filler: a "letter" (Lo) that shows nothing
    "\x00\x01\x7f",  # control characters
    "\u3000 \u00a0",  # ideographic space, space, no-break space
    "...",
    "123 456",
    "\u0301\u034f",  # combining marks alone
    "★☆",
]
NO_LETTER = "A name needs at least one visible letter (Chinese characters or letters)."


@pytest.mark.parametrize("name", INVISIBLE_NAMES)
def test_a_name_without_a_visible_letter_is_refused(name):
    with pytest.raises(ValidationError):
        clean_name(name, max_length=200)


def test_invisible_characters_are_dropped_from_a_real_name():
    assert clean_name("\u200b张\u200d伟\ufeff", max_length=100) == "张伟"
    assert clean_name("  Wang\u3000\u3000Fang\t", max_length=100) == "Wang Fang"
    assert clean_name("北京\u202e示例科技有限公司", max_length=200) == "北京示例科技有限公司"
    assert clean_name("O'Brien-Li 3", max_length=100) == "O'Brien-Li 3"
    with pytest.raises(ValidationError):
        clean_name("张" * 101, max_length=100)


@given(st.text(alphabet=st.characters(categories=["Cf", "Cc", "Zs", "Mn", "P", "N", "S"])))
def test_no_name_of_only_invisible_marks_digits_or_symbols_passes(text):
    with pytest.raises(ValidationError):
        clean_name(text, max_length=10_000)


@given(st.text())
def test_a_cleaned_name_has_a_letter_and_no_invisible_character(text):
    try:
        name = clean_name(text, max_length=10_000)
    except ValidationError:
        return
    assert name == normalize_name(name) == name.strip()
    assert any(char.isalpha() for char in name)
    assert not any(char in name for char in "\u200b\u200d\ufeff\u202e\x00\u3164")


def test_services_refuse_invisible_enterprise_and_citizen_names(catalog):
    rep = make_citizen(name="李建国")
    for name in INVISIBLE_NAMES:
        with pytest.raises(ApplicationError) as refused:
            enterprise_create(actor=None, credit_code=credit_code(), name=name,
                              legal_representative=rep)  # fmt: skip
        assert "name" in refused.value.message_dict, repr(name)
        with pytest.raises(ApplicationError) as refused:
            make_citizen(name=name)
        assert "name" in refused.value.message_dict, repr(name)
    assert Enterprise.objects.count() == 0 and Citizen.objects.count() == 1
    assert Subject.objects.count() == 1
    firm = enterprise_create(
        actor=None, credit_code=credit_code(), name="\u200b北京示例科技有限公司\u200b",
        legal_representative=rep,
    )  # fmt: skip
    assert firm.name == firm.subject.display_name == "北京示例科技有限公司"
    with pytest.raises(ApplicationError):
        enterprise_update(actor=None, enterprise=firm, name="\u200b\u200b",
                          legal_representative=rep, status=firm.status, address="")  # fmt: skip
    firm.refresh_from_db()
    assert firm.name == "北京示例科技有限公司"


def test_the_admin_shows_an_invisible_name_as_a_field_error(client, superuser, catalog):
    client.force_login(superuser)
    rep = make_citizen(name="李建国")
    url = reverse("admin:enterprises_enterprise_add")
    data = {"credit_code": credit_code(), "name": "\u200b\u200b\u200b",
            "legal_representative": rep.pk, "status": "active", "address": ""}  # fmt: skip
    response = client.post(url, data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["name"] == [NO_LETTER]
    assert not Enterprise.objects.exists()
    response = client.post(
        reverse("admin:citizens_citizen_add"),
        {"resident_id": resident_id(), "name": "\u3164", "email": ""},
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["name"] == [NO_LETTER]
    assert Citizen.objects.count() == 1
    # a real name goes through (the test can fail)
    assert client.post(url, {**data, "name": "北京示例科技有限公司"}).status_code == 302
    assert Enterprise.objects.get().name == "北京示例科技有限公司"


# --- public search filters -------------------------------------------------------------------

BAD_FILTERS = [
    {"city": "abcd"}, {"city": "9999"}, {"city": "1100"}, {"city": "11"}, {"city": "11010"},
    {"province": "99"}, {"province": "abc"}, {"kind": "robot"}, {"domain": "x"},
    {"ground": "7"}, {"ground": "abc"}, {"authority": "abc"}, {"authority": "99999999"},
    {"authority": "9" * 40}, {"published_from": "2025-13-01"}, {"published_to": "abc"},
    {"published_from": "99999-01-01"},
    {"published_from": "2025-06-01", "published_to": "2025-01-01"},
    {"q": "张\x00伟"}, {"q": "x" * 101}, {"legal_rep": "x" * 51},
]  # fmt: skip
MESSAGES = {
    "en": "Unknown city code: enter the 4 digits of a prefecture-level city, e.g. 1101.",
    "zh-hans": "未知的城市代码：请输入地级市的4位代码，例如1101。",
}
PERIOD = {"en": "The end of the period comes before its beginning.",
          "zh-hans": "时间段的结束日期早于开始日期。"}  # fmt: skip


def test_every_known_city_is_accepted_and_finds_its_people(client, catalog):
    assert {"1101", "4403", "6501"} <= city_codes() and "abcd" not in city_codes()
    response = client.get(reverse("search"), {"city": "1101"})
    assert response.status_code == 200 and response.context["searched"]


@pytest.mark.parametrize("params", BAD_FILTERS, ids=lambda p: "&".join(p))
def test_an_invalid_filter_is_a_form_error_on_the_page_and_in_the_api(client, catalog, params):
    field = list(params)[-1]
    response = client.get(reverse("search"), params)
    assert response.status_code == 400, params
    assert not response.context["searched"]
    assert field in response.context["filter"].errors, params
    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    answer = api.get(reverse("api_public_entries"), params)
    assert answer.status_code == 400, params
    assert field in answer.json()["errors"], (params, answer.json())


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_city_and_period_errors_in_both_languages(client, catalog, language):
    headers = {"HTTP_ACCEPT_LANGUAGE": language}
    response = client.get(reverse("search"), {"city": "abcd"}, **headers)
    assert response.status_code == 400
    assert MESSAGES[language] in response.content.decode()
    answer = APIClient(**headers).get(reverse("api_public_entries"), {"city": "abcd"})
    assert answer.status_code == 400 and answer.json()["errors"]["city"] == [MESSAGES[language]]
    period = {"published_from": "2025-06-01", "published_to": "2025-01-01"}
    response = client.get(reverse("search"), period, **headers)
    assert response.status_code == 400 and PERIOD[language] in response.content.decode()
