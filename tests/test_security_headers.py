"""Permissions-Policy, no-store on personal pages, the absolute session lifetime and the
open-data CSV's formula guard (docs/security.md)."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from sanctions.publication.views import spreadsheet_safe
from tests.citizens.conftest import world  # noqa: F401 - a citizen with records

pytestmark = pytest.mark.django_db


def test_permissions_policy_on_every_response(client):
    for url in ("/", "/healthz", "/no-such-page/", "/api/v1/public/entries/"):
        policy = client.get(url).headers.get("Permissions-Policy", "")
        for feature in ("camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"):
            assert feature in policy, (url, policy)


def test_personal_pages_and_answers_are_not_stored(client, world, superuser):  # noqa: F811
    client.force_login(world["a_user"])
    personal = [
        reverse("citizens:my_record"),
        reverse("citizens:report"),
        reverse("citizens:notices"),
        "/api/v1/me/record/",
        reverse("citizens:login"),
    ]
    for url in personal:
        response = client.get(url)
        assert "no-store" in response["Cache-Control"], (url, response.status_code)
        assert response["Pragma"] == "no-cache", url
    # the restriction check: no-store on the refusal too (no key here)
    response = client.get("/api/v1/restrictions/check")
    assert "no-store" in response["Cache-Control"] and response["Pragma"] == "no-cache"
    client.force_login(superuser)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert response["Pragma"] == "no-cache"
    # public pages stay cacheable: the rule is by path, not everywhere
    for url in ("/", "/how-to-object/"):
        assert "no-store" not in client.get(url).get("Cache-Control", ""), url


def _logged_in_after(client, user, seconds) -> bool:
    start = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
    with time_machine.travel(start, tick=False) as traveller:
        client.force_login(user)
        assert client.get(reverse("citizens:my_record")).status_code == 200 or user.is_staff
        # active every 20 minutes, inside the idle timeout, until `seconds` after the login
        elapsed = 0
        while elapsed + 1200 < seconds:
            elapsed += 1200
            traveller.shift(1200)
            client.get("/")
        traveller.shift(seconds - elapsed)
        url = reverse("admin:index") if user.is_staff else reverse("citizens:my_record")
        response = client.get(url)
        return response.status_code == 200


def test_a_citizen_session_ends_12_hours_after_login_however_active(client, world, settings):  # noqa: F811
    assert settings.SCS_SESSION_ABSOLUTE_SECONDS == 12 * 3600
    assert settings.SESSION_SAVE_EVERY_REQUEST  # the idle timeout alone would never end it
    assert _logged_in_after(client, world["a_user"], 12 * 3600 - 60)
    client.logout()
    assert not _logged_in_after(client, world["a_user"], 12 * 3600)


def test_a_staff_session_ends_8_hours_after_login(client, superuser, settings):
    assert settings.SCS_STAFF_SESSION_ABSOLUTE_SECONDS == 8 * 3600
    assert _logged_in_after(client, superuser, 8 * 3600 - 60)
    client.logout()
    assert not _logged_in_after(client, superuser, 8 * 3600)


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1+2", "'+1+2"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\t=1", "'\t=1"),
        ("\r=1", "'\r=1"),
        ("北京=公司", "北京=公司"),
        ("2026-01-01", "2026-01-01"),
        (-5, -5),
        (None, None),
    ],
)
def test_spreadsheet_safe(value, cell):
    assert spreadsheet_safe(value) == cell


def test_open_data_csv_neutralises_formulas(client, catalog):
    from tests.factories import make_enterprise
    from tests.sanctions.test_public import publish

    firm = make_enterprise(name='=HYPERLINK("http://evil.example","点击")贸易有限公司')
    publish(firm.subject, "commercial-product-quality", "bj-dongcheng-amr", "京市监罚〔2025〕9号")
    text = b"".join(client.get(reverse("open_data", args=["csv"])).streaming_content).decode(
        "utf-8-sig"
    )
    assert "'=HYPERLINK(" in text
    assert ",=HYPERLINK(" not in text and '"=HYPERLINK(' not in text
