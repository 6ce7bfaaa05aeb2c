"""The admin finds people by a full ID number / credit code only through the POST lookup
form; a full identifier in the GET search (`?q=`) is refused, finds nothing and is not
echoed."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from tests.factories import make_citizen, make_enterprise

pytestmark = pytest.mark.django_db

CHANGELISTS = [
    "sanctions_subject",
    "sanctions_integrityrecord",
    "sanctions_case",
    "citizens_citizen",
    "enterprises_enterprise",
]


@pytest.fixture
def admin_client(client, superuser, catalog):
    client.force_login(superuser)
    return client


@pytest.mark.parametrize("name", CHANGELISTS)
def test_changelist_offers_the_post_lookup_form(admin_client, name):
    page = admin_client.get(reverse(f"admin:{name}_changelist")).content.decode()
    action = reverse(f"admin:{name}_identifier_lookup")
    assert f'<form method="post" action="{action}" id="identifier-lookup"' in page
    assert "Find by full ID number or credit code" in page


@pytest.mark.parametrize("name", CHANGELISTS)
def test_full_identifier_in_get_q_is_refused_and_not_echoed(admin_client, name):
    citizen = make_citizen(name="王芳")
    number = citizen.resident_id
    response = admin_client.get(reverse(f"admin:{name}_changelist"), {"q": number})
    assert response.status_code == 200
    assert response.context["cl"].result_count == 0
    assert list(response.context["cl"].result_list) == []
    body = response.content.decode()
    assert number not in body
    assert "use the form" in body


def test_lookup_redirects_with_an_opaque_token_and_finds_the_subject(admin_client):
    target = make_citizen(name="王芳")
    make_citizen(name="王芳")
    url = reverse("admin:citizens_citizen_identifier_lookup")
    response = admin_client.post(url, {"identifier": target.resident_id})
    assert response.status_code == 302
    location = response["Location"]
    assert location.startswith(reverse("admin:citizens_citizen_changelist") + "?lookup=")
    assert target.resident_id not in location
    assert target.subject.identifier_hash not in location
    listing = admin_client.get(location)
    assert list(listing.context["cl"].result_list) == [target]
    assert target.resident_id not in listing.content.decode()


def test_lookup_finds_an_enterprise_by_credit_code(admin_client):
    enterprise = make_enterprise()
    make_enterprise()
    url = reverse("admin:enterprises_enterprise_identifier_lookup")
    response = admin_client.post(url, {"identifier": enterprise.credit_code}, follow=True)
    assert list(response.context["cl"].result_list) == [enterprise]


def test_lookup_token_is_bound_to_the_official_and_unknown_tokens_find_nothing(admin_client):
    target = make_citizen()
    url = reverse("admin:sanctions_subject_identifier_lookup")
    location = admin_client.post(url, {"identifier": target.resident_id})["Location"]
    other = get_user_model().objects.create_superuser("other-admin", "o@example.org", "x")
    other_client = Client(HTTP_ACCEPT_LANGUAGE="en")
    other_client.force_login(other)
    stolen = other_client.get(location)
    assert stolen.context["cl"].result_count == 0
    assert "This lookup has expired" in stolen.content.decode()
    bogus = admin_client.get(reverse("admin:sanctions_subject_changelist"), {"lookup": "nope"})
    assert bogus.context["cl"].result_count == 0


def test_lookup_rejects_a_partial_number_and_get_is_not_allowed(admin_client):
    url = reverse("admin:sanctions_subject_identifier_lookup")
    response = admin_client.post(url, {"identifier": "1101"})
    assert response.status_code == 302
    assert "lookup=" not in response["Location"]
    assert admin_client.get(url).status_code == 405


def test_name_search_by_get_still_works(admin_client):
    citizen = make_citizen(name="欧阳修")
    response = admin_client.get(reverse("admin:citizens_citizen_changelist"), {"q": "欧阳修"})
    assert citizen in list(response.context["cl"].result_list)
