"""Officials' second factor (issue 13): the password alone opens no staff page; a TOTP code or
a backup code does; an official without a device enrols after their password; a lost device
is reset by the operator or a supervisor of the official's authority, never by oneself.

These tests log in through the real forms (never `force_login`, which tests/conftest.py
makes stand for the whole login)."""

import base64
import datetime
import re
import time
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.oath import hotp
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from sanctions.kernel import second_factor
from sanctions.kernel.errors import ApplicationError
from sanctions.models import AuditEvent, RecordType
from tests import services
from tests.factories import UserFactory, make_citizen, make_official, totp_device

pytestmark = pytest.mark.django_db

PASSWORD = "pw-for-tests-1"
VERIFY = reverse("admin:otp_verify")
ENROL = reverse("admin:otp_enrol")
LOGIN = reverse("admin:login")


def code_at(key: bytes, when: float | None = None, step_offset: int = 0) -> str:
    """The six digits an authenticator app shows for `key` at `when` (default now)."""
    step = int(time.time() if when is None else when) // 30 + step_offset
    return f"{hotp(key, step):06d}"


def password_step(client, username, password=PASSWORD, next_url=None):
    url = LOGIN + (f"?next={next_url}" if next_url else "")
    return client.post(url, {"username": username, "password": password,
                             "next": next_url or reverse("admin:index")})  # fmt: skip


def code_step(client, code, next_url="/admin/"):
    return client.post(f"{VERIFY}?next={next_url}", {"otp_token": code, "next": next_url})


def location(response) -> str:
    return response["Location"]


@pytest.fixture
def clerk(catalog):
    return make_official(role="clerk", authority_code="bj-dongcheng-court")


@pytest.fixture
def draft_case(clerk, settings, tmp_path):
    """A draft case of the clerk's court with evidence, ready to submit."""
    from tests.sanctions.test_casework import pdf

    settings.MEDIA_ROOT = tmp_path / "media"
    case = services.case_create(
        actor=clerk, subject=make_citizen().subject,
        record_type=RecordType.objects.get(code="judicial-dishonest-debtor"),
        title="执行案件", facts="拒不履行", judicial_ground=2,
    )  # fmt: skip
    services.evidence_add(actor=clerk, case=case, uploaded=pdf())
    return case


def test_the_password_alone_opens_no_staff_page(client, clerk, draft_case):
    response = password_step(client, clerk.username)
    assert response.status_code == 302
    assert location(response) == f"{VERIFY}?next=%2Fadmin%2F"
    assert client.session.get("_auth_user_id") == str(clerk.pk)  # logged in, not verified

    change = reverse("admin:sanctions_case_change", args=[draft_case.pk])
    submit = reverse("admin:sanctions_case_act", args=[draft_case.pk, "submit"])
    for url in (reverse("admin:index"), reverse("admin:sanctions_case_changelist"), change):
        response = client.get(url)
        assert response.status_code == 302, url
        assert location(response).startswith(LOGIN), url
        # and the login page sends a password-authenticated official on to the code step
        again = client.get(location(response))
        assert again.status_code == 302 and location(again).startswith(VERIFY)
    response = client.post(submit, {"confirm": "yes"})  # a confirmed step, still refused
    assert response.status_code == 302 and location(response).startswith(LOGIN)
    draft_case.refresh_from_db()
    assert draft_case.state == "draft"
    assert not AuditEvent.objects.filter(action="case.submit").exists()

    # the code step shows a labelled field, no staff navigation
    page = client.get(VERIFY + "?next=" + change)
    body = page.content.decode()
    assert page.status_code == 200
    assert '<label for="id_otp_token">Verification code:</label>' in body
    assert 'autocomplete="one-time-code"' in body
    assert 'id="nav-sidebar"' not in body and "Dashboard" not in body

    # with the code the same session opens the page and the button works
    response = code_step(client, code_at(totp_device(clerk).bin_key), next_url=change)
    assert response.status_code == 302 and location(response) == change
    assert client.get(change).status_code == 200
    assert client.post(submit, {"confirm": "yes"}).status_code == 302  # the panel's confirmation
    draft_case.refresh_from_db()
    assert draft_case.state == "under_review"


def test_a_wrong_code_is_refused_and_slows_the_device_down(client, clerk):
    key = totp_device(clerk).bin_key
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        password_step(client, clerk.username)
        wrong = f"{(int(code_at(key)) + 1) % 1_000_000:06d}"
        response = code_step(client, wrong)
        assert response.status_code == 200
        assert "That code is not valid" in response.content.decode()
        assert client.get(reverse("admin:index")).status_code == 302
        # right after a wrong code even the right one waits (1 s, then 2, 4 …)
        response = code_step(client, code_at(key))
        assert "Too many wrong codes" in response.content.decode()
        assert client.get(reverse("admin:index")).status_code == 302
        assert code_step(client, "").status_code == 200  # an empty code: a field error
    later = start + datetime.timedelta(seconds=3)
    with time_machine.travel(later, tick=False):
        response = code_step(client, code_at(key, later.timestamp()))
        assert response.status_code == 302 and location(response) == "/admin/"
        assert client.get(reverse("admin:index")).status_code == 200
        # a code counts once: a second session cannot reuse it
        other = Client(HTTP_ACCEPT_LANGUAGE="en")
        password_step(other, clerk.username)
        response = code_step(other, code_at(key, later.timestamp()))
        assert response.status_code == 200 and "not valid" in response.content.decode()


def test_verification_gives_the_session_a_new_id(client, clerk):
    password_step(client, clerk.username)
    before = client.session.session_key
    code_step(client, code_at(totp_device(clerk).bin_key))
    assert client.session.session_key != before
    assert client.get(reverse("admin:index")).status_code == 200


def test_next_must_stay_on_the_site(client, clerk):
    password_step(client, clerk.username)
    response = code_step(client, code_at(totp_device(clerk).bin_key), "https://evil.example/")
    assert response.status_code == 302 and location(response) == "/admin/"


def enrol(client, user) -> tuple[bytes, list[str]]:
    """The enrolment flow through the pages: password, enrolment page (key read off the
    page), first code; returns the key and the backup codes shown."""
    response = password_step(client, user.username)
    assert location(response).startswith(VERIFY)
    response = client.get(location(response))
    assert response.status_code == 302 and location(response).startswith(ENROL)
    page = client.get(location(response))
    assert page.status_code == 200
    body = page.content.decode()
    uri = re.search(r'<code id="otp-uri" class="otp-uri">([^<]+)</code>', body).group(1)
    uri = uri.replace("&amp;", "&")
    assert uri.startswith("otpauth://totp/SCS%20Portal%3A" + user.username + "?")
    secret = parse_qs(urlsplit(uri).query)["secret"][0]
    typed = re.search(r'<code id="otp-secret">([^<]+)</code>', body).group(1)
    assert typed.replace(" ", "") == secret.rstrip("=")
    assert "<svg" in body and 'role="img"' in body  # the QR code, inline
    key = base64.b32decode(secret)
    response = client.post(ENROL + "?next=/admin/", {"otp_token": code_at(key), "next": "/admin/"})
    assert response.status_code == 200
    return key, response.context["codes"]


def test_enrolment_confirms_a_device_and_is_audited(client, catalog):
    official = make_official(role="reviewer", authority_code="bj-dongcheng-tax",
                             second_factor=False)  # fmt: skip
    password_step(client, official.username)
    client.get(VERIFY)
    # a wrong first code confirms nothing
    page = client.get(ENROL)
    response = client.post(ENROL, {"otp_token": "000000"})
    assert response.status_code == 200 and "not valid" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=official, confirmed=True).exists()
    assert client.get(reverse("admin:index")).status_code == 302
    assert page.status_code == 200
    client.logout()

    time.sleep(1.1)  # the wrong code's throttle (1 s)
    key, codes = enrol(client, official)
    device = TOTPDevice.objects.get(user=official)
    assert device.confirmed and device.bin_key == key
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(re.fullmatch(r"[a-z]{5}-[a-z]{5}", code) for code in codes)
    # backup codes are stored as keyed hashes only
    stored = set(StaticToken.objects.filter(device__user=official).values_list("token", flat=True))
    assert len(stored) == 10 and stored.isdisjoint({c.replace("-", "") for c in codes} | set(codes))
    event = AuditEvent.objects.get(action="otp.enrol")
    assert event.actor == official and event.object_id == str(official.pk)
    assert event.new_values == {"device": "totp", "backup_codes": 10}
    assert client.get(reverse("admin:index")).status_code == 200  # verified by enrolling
    # enrolled: the enrolment page never shows a key again
    response = client.get(ENROL)
    assert response.status_code == 302 and location(response).startswith(VERIFY)


def test_a_backup_code_works_once(client, catalog):
    official = make_official(role="clerk", authority_code="bj-dongcheng-tax", second_factor=False)
    _key, codes = enrol(client, official)
    client.logout()

    password_step(client, official.username)
    response = code_step(client, codes[3].upper().replace("-", " "))  # typed loosely
    assert response.status_code == 302 and location(response) == "/admin/"
    assert client.get(reverse("admin:index")).status_code == 200
    event = AuditEvent.objects.get(action="otp.backup_code_used")
    assert event.actor == official and event.new_values == {"backup_codes_left": 9}
    client.logout()

    password_step(client, official.username)
    response = code_step(client, codes[3])
    assert response.status_code == 200 and "not valid" in response.content.decode()
    assert client.get(reverse("admin:index")).status_code == 302
    assert second_factor.backup_codes_left(official) == 9


def test_enrolment_needs_the_password_typed_just_before(client, catalog, settings):
    official = make_official(role="clerk", authority_code="bj-dongcheng-tax", second_factor=False)
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        password_step(client, official.username)
        assert client.get(ENROL).status_code == 200
    with time_machine.travel(start + datetime.timedelta(minutes=11), tick=False):
        response = client.get(ENROL)
        assert response.status_code == 302 and location(response).startswith(LOGIN)
        assert "_auth_user_id" not in client.session  # logged out: type the password again
        response = client.get(location(response))
        assert "log in with your password again" in response.content.decode()


def test_an_unverified_session_cannot_reach_another_accounts_enrolment(client, clerk, catalog):
    newcomer = make_official(role="reviewer", authority_code="bj-dongcheng-court",
                             second_factor=False)  # fmt: skip
    theirs = Client(HTTP_ACCEPT_LANGUAGE="en")
    password_step(theirs, newcomer.username)
    their_page = theirs.get(ENROL).content.decode()
    their_secret = re.search(r'<code id="otp-secret">([^<]+)</code>', their_page).group(1)

    # the clerk (enrolled) with the password only: no enrolment page, whatever is asked for
    password_step(client, clerk.username)
    for url in (ENROL, f"{ENROL}?user={newcomer.pk}", f"{ENROL}?username={newcomer.username}"):
        response = client.get(url)
        assert response.status_code == 302 and location(response).startswith(VERIFY), url
    response = client.post(ENROL, {"otp_token": code_at(b"x" * 20), "user": newcomer.pk})
    assert response.status_code == 302 and location(response).startswith(VERIFY)
    page = client.get(VERIFY).content.decode()
    assert their_secret not in page and newcomer.username not in page
    # the clerk got no new device; the newcomer's waiting one is still only theirs
    assert TOTPDevice.objects.filter(user=clerk).count() == 1
    assert TOTPDevice.objects.filter(user=newcomer, confirmed=False).count() == 1
    # a citizen's or an anonymous session never reaches it either
    citizen_user = UserFactory(username="someone")
    citizen = Client(HTTP_ACCEPT_LANGUAGE="en")
    citizen.force_login(citizen_user)
    for session in (citizen, Client()):
        for url in (ENROL, VERIFY):
            response = session.get(url)
            assert response.status_code == 302 and location(response).startswith(LOGIN)


def test_the_password_step_is_still_locked_out_by_axes(client, clerk):
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        for _i in range(4):
            assert password_step(client, clerk.username, "wrong").status_code == 200
        assert password_step(client, clerk.username, "wrong").status_code == 429
        response = password_step(client, clerk.username)  # the right password, locked out
        assert response.status_code == 429
        assert "_auth_user_id" not in client.session
        assert client.get(VERIFY).status_code == 302
        assert AccessAttempt.objects.filter(username=clerk.username).exists()


def test_logging_out_needs_no_second_factor(client, clerk):
    password_step(client, clerk.username)
    page = client.get(VERIFY).content.decode()
    assert f'action="{reverse("admin:logout")}"' in page
    response = client.post(reverse("admin:logout"))
    assert response.status_code == 200  # Django's "logged out" page
    assert "_auth_user_id" not in client.session


def test_citizens_and_force_logged_in_tests_are_untouched(client, clerk, catalog):
    """The test-suite's `force_login` of staff is verified (tests/conftest.py); a citizen's
    login needs no second factor at all."""
    client.force_login(clerk)
    assert client.get(reverse("admin:index")).status_code == 200
    citizen = Client(HTTP_ACCEPT_LANGUAGE="en")
    person = make_citizen()
    citizen_user = UserFactory(username="citizen-a")
    type(person).objects.filter(pk=person.pk).update(user=citizen_user)
    response = citizen.post(reverse("citizens:login"),
                            {"resident_id": person.resident_id, "password": PASSWORD})  # fmt: skip
    assert response.status_code == 302
    assert citizen.get(reverse("citizens:my_record")).status_code == 200
    assert citizen.get(reverse("admin:index")).status_code == 302


def test_device_admin_pages_are_not_offered(client, superuser):
    client.force_login(superuser)
    assert client.get("/admin/otp_totp/totpdevice/").status_code == 404
    assert client.get("/admin/otp_static/staticdevice/").status_code == 404


# --- recovery: reset of a lost device ------------------------------------------------------


@pytest.fixture
def court(catalog):
    return {
        "clerk": make_official(role="clerk", authority_code="bj-dongcheng-court"),
        "supervisor": make_official(role="supervisor", authority_code="bj-dongcheng-court"),
        "other_supervisor": make_official(role="supervisor", authority_code="bj-xicheng-court"),
        "reviewer": make_official(role="reviewer", authority_code="bj-dongcheng-court"),
    }


def test_a_supervisor_resets_a_lost_device_and_the_official_enrols_again(court):
    clerk, supervisor = court["clerk"], court["supervisor"]
    session = Client(HTTP_ACCEPT_LANGUAGE="en")
    session.force_login(clerk)
    assert session.get(reverse("admin:index")).status_code == 200
    assert second_factor.otp_reset(actor=supervisor, user=clerk) == 1
    assert not TOTPDevice.objects.filter(user=clerk).exists()
    event = AuditEvent.objects.get(action="otp.reset")
    assert event.actor == supervisor and event.object_id == str(clerk.pk)
    assert event.old_values == {"devices": 1}
    # the verified session lost its second factor at once
    assert session.get(reverse("admin:index")).status_code == 302
    # the next login leads to enrolment
    fresh = Client(HTTP_ACCEPT_LANGUAGE="en")
    password_step(fresh, clerk.username)
    response = fresh.get(VERIFY)
    assert response.status_code == 302 and location(response).startswith(ENROL)


def test_who_may_reset(court, superuser):
    clerk, supervisor = court["clerk"], court["supervisor"]
    refusals = [
        (clerk, clerk, "Nobody resets their own"),
        (supervisor, supervisor, "Nobody resets their own"),
        (court["other_supervisor"], clerk, "Only the operator or a supervisor"),
        (court["reviewer"], clerk, "Only the operator or a supervisor"),
        (supervisor, superuser, "Only the operator or a supervisor"),
        (superuser, superuser, "Nobody resets their own"),
    ]
    totp_device(superuser)
    for actor, target, message in refusals:
        with pytest.raises(ApplicationError, match=message):
            second_factor.otp_reset(actor=actor, user=target)
    assert not AuditEvent.objects.filter(action="otp.reset").exists()
    assert TOTPDevice.objects.filter(user__in=[clerk, supervisor, superuser]).count() == 3
    # the operator resets anyone else's, also a supervisor's
    second_factor.otp_reset(actor=superuser, user=supervisor)
    assert not TOTPDevice.objects.filter(user=supervisor).exists()
    with pytest.raises(ApplicationError, match="has no second factor"):
        second_factor.otp_reset(actor=superuser, user=supervisor)


def test_reset_is_an_admin_action_for_supervisors_and_the_operator(client, court, superuser):
    clerk, supervisor = court["clerk"], court["supervisor"]
    url = reverse("admin:sanctions_official_changelist")
    client.force_login(supervisor)
    page = client.get(url).content.decode()
    assert "Reset second factor (lost phone)" in page
    response = client.post(url, {"action": "reset_second_factor",
                                 "_selected_action": [clerk.official.pk, supervisor.official.pk]},
                           follow=True)  # fmt: skip
    body = response.content.decode()
    assert f"Second factor reset for {clerk.username}" in body
    assert "Nobody resets their own second factor" in body
    assert not TOTPDevice.objects.filter(user=clerk).exists()
    assert TOTPDevice.objects.filter(user=supervisor).exists()
    assert AuditEvent.objects.filter(action="otp.reset").count() == 1
    # the operator, on the accounts page
    client.force_login(superuser)
    response = client.post(reverse("admin:auth_user_changelist"),
                           {"action": "reset_second_factor", "_selected_action": [supervisor.pk]},
                           follow=True)  # fmt: skip
    assert f"Second factor reset for {supervisor.username}" in response.content.decode()
    assert not TOTPDevice.objects.filter(user=supervisor).exists()


# --- the demo ------------------------------------------------------------------------------


def test_demo_officials_get_a_device_from_the_documented_value(catalog, settings, capsys):
    from scs_portal.demo import demo_otp_code, demo_otp_key, demo_otpauth_uri, main
    from scs_portal.management.commands.seed_demo import Command

    official = make_official(role="clerk", authority_code="bj-dongcheng-court",
                             username="court.clerk", second_factor=False)  # fmt: skip
    someone = make_official(role="clerk", authority_code="bj-xicheng-court", second_factor=False)
    settings.DEBUG = False
    Command()._second_factors()
    assert not TOTPDevice.objects.exists()  # never without DEBUG
    settings.DEBUG = True
    Command()._second_factors()
    Command()._second_factors()  # idempotent
    device = TOTPDevice.objects.get(user=official)
    assert device.confirmed and device.bin_key == demo_otp_key("court.clerk")
    assert not TOTPDevice.objects.filter(user=someone).exists()  # not a demo login
    assert device.config_url == demo_otpauth_uri("court.clerk")  # what the banner prints
    assert AuditEvent.objects.filter(action="otp.enrol", object_id=str(official.pk)).count() == 1
    # `python -m scs_portal.demo otp court.clerk` prints the code the login accepts
    assert main(["demo", "otp", "court.clerk"]) == 0
    printed = capsys.readouterr().out.strip()
    assert printed == demo_otp_code("court.clerk") and re.fullmatch(r"\d{6}", printed)
    assert main(["demo", "otp", "someone"]) == 2
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    password_step(client, "court.clerk")
    assert code_step(client, printed).status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


def test_the_admin_lists_no_staff_page_without_the_second_factor(client, superuser, catalog):
    """Every admin URL of every registered model (changelist, add) refuses a session that
    only typed the password, for the operator too."""
    from django.contrib import admin

    totp_device(superuser)
    password_step(client, superuser.username)
    for model in admin.site._registry:
        info = model._meta.app_label, model._meta.model_name
        for name in ("changelist", "add"):
            url = reverse("admin:{}_{}_{}".format(*info, name))
            response = client.get(url)
            assert response.status_code == 302 and location(response).startswith(LOGIN), url


def test_a_password_alone_cannot_change_the_password_on_the_citizens_pages(client, clerk):
    """Found by the access matrix: the citizens' password page took any logged-in session, so
    someone holding only an official's password (logged in, not verified) could change it and
    lock the official out. An official's account has no citizen pages."""
    password_step(client, clerk.username)
    assert client.session.get("_auth_user_id") == str(clerk.pk)  # logged in, not verified
    for url in ("/account/password/", "/account/password/done/", "/my/", "/my/notices/"):
        assert client.get(url).status_code == 404, url
    response = client.post("/account/password/", {
        "old_password": PASSWORD, "new_password1": "Taken-over-2026!", "new_password2":
        "Taken-over-2026!"})  # fmt: skip
    assert response.status_code == 404
    clerk.refresh_from_db()
    assert clerk.check_password(PASSWORD)
