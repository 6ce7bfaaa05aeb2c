"""Activation codes can't be used to take over an account (issue 13): a code comes only from an
authority that holds a record or case about the citizen (or from the operator); for a citizen
who already has an account one official asks and another of the same authority approves;
an e-mailed code is never shown in the office. Also: one-time codes travel in no cookie, and
the password reset is rate-limited per address and per account."""

import datetime
import re

import pytest
import time_machine
from django.core import mail
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from citizens import services
from citizens.models import ActivationCode, ActivationCodeRequest, Citizen
from sanctions.kernel import ratelimit
from sanctions.kernel.errors import ApplicationError
from sanctions.models import AuditEvent
from tests.citizens.conftest import PASSWORD, activate, put_on_file
from tests.factories import make_citizen, make_official, the_event

pytestmark = pytest.mark.django_db

CODE = re.compile(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}")


@pytest.fixture
def court(catalog):
    """Two clerks of the Dongcheng court, and a clerk of the Dongcheng tax bureau."""
    return {
        "clerk": make_official(role="clerk", authority_code="bj-dongcheng-court"),
        "second": make_official(
            role="clerk", authority_code="bj-dongcheng-court", username="court.clerk2"
        ),
        "tax_clerk": make_official(role="clerk", authority_code="bj-dongcheng-tax"),
    }


@pytest.fixture
def citizen(court):
    """A citizen the court has a case about (and the tax bureau nothing)."""
    citizen = make_citizen(name="王小明")
    put_on_file(citizen, court["clerk"])
    return citizen


@pytest.fixture
def with_account(court, citizen):
    activate(citizen, court["clerk"])
    citizen.refresh_from_db()
    return citizen


def set_email(citizen, address):
    services.citizen_update(actor=None, citizen=citizen, name=citizen.name, email=address)
    citizen.refresh_from_db()


def codes(citizen):
    return ActivationCode.objects.filter(citizen=citizen)


# --- whose code it is


def test_only_an_authority_with_a_record_or_case_about_the_citizen_issues_a_code(
    court, citizen, superuser
):
    with pytest.raises(ApplicationError, match="record or a case") as refused:
        services.activation_code_issue(actor=court["tax_clerk"], citizen=citizen)
    assert refused.value.code == "forbidden"
    assert not codes(citizen).exists()
    assert not AuditEvent.objects.filter(action="citizen.activation_code_issue").exists()
    # a citizen nobody has anything about: the operator only
    stranger = make_citizen(name="李四")
    with pytest.raises(ApplicationError, match="record or a case"):
        services.activation_code_issue(actor=court["clerk"], citizen=stranger)
    _row, code = services.activation_code_issue(actor=superuser, citizen=stranger)
    assert CODE.fullmatch(code)
    # the court, which has a case about the citizen: yes
    row, code = services.activation_code_issue(actor=court["clerk"], citizen=citizen)
    assert row.issued_by == court["clerk"] and CODE.fullmatch(code)


def test_a_citizen_with_an_account_never_gets_a_code_from_one_official(court, with_account):
    before = codes(with_account).count()
    with pytest.raises(ApplicationError) as refused:
        services.activation_code_issue(actor=court["clerk"], citizen=with_account)
    assert refused.value.code == "second_official_required"
    assert codes(with_account).count() == before


def test_one_official_asks_another_of_the_same_authority_approves(court, with_account):
    clerk, second = court["clerk"], court["second"]
    request = services.activation_code_request(
        actor=clerk, citizen=with_account, reason="公民来电称遗失密码"
    )
    assert request.state == "pending" and request.authority.code == "bj-dongcheng-court"
    asked = the_event("citizen.activation_code_request", request)
    assert asked.actor == clerk and asked.subject == with_account.subject
    assert asked.new_values["delivery"] == "letter"
    unused_before = codes(with_account).filter(used_at=None, revoked_at=None).count()
    # not the one who asked, not another authority's official (even one with a case)
    with pytest.raises(ApplicationError) as refused:
        services.activation_code_approve(actor=clerk, request=request)
    assert refused.value.code == "four_eyes"
    put_on_file(with_account, court["tax_clerk"])
    with pytest.raises(ApplicationError, match="requesting authority"):
        services.activation_code_approve(actor=court["tax_clerk"], request=request)
    # one request at a time
    with pytest.raises(ApplicationError) as refused:
        services.activation_code_request(actor=second, citizen=with_account, reason="再次")
    assert refused.value.code == "pending"
    assert codes(with_account).filter(used_at=None, revoked_at=None).count() == unused_before
    row, code = services.activation_code_approve(actor=second, request=request)
    request.refresh_from_db()
    assert request.state == "approved" and request.decided_by == second and request.code == row
    assert row.issued_by == second and row.approved_by == second
    approved = the_event("citizen.activation_code_approve", request)
    assert approved.actor == second and approved.new_values["requested_by"] == clerk.pk
    issued = the_event("citizen.activation_code_issue", row)
    assert issued.new_values["existing_account"] is True
    assert issued.new_values["approved_by"] == second.pk
    # a letter: the approver has the code once; it resets the password
    user = services.account_activate(
        resident_id=with_account.resident_id,
        name=with_account.name,
        code=code,
        password="Brand-new-pass-77",
    )
    assert user.pk == with_account.user_id and user.check_password("Brand-new-pass-77")
    with pytest.raises(ApplicationError, match="already been decided"):
        services.activation_code_approve(actor=second, request=request)


def test_a_request_can_be_refused_and_then_issues_nothing(court, with_account):
    request = services.activation_code_request(
        actor=court["clerk"], citizen=with_account, reason="核实身份"
    )
    with pytest.raises(ApplicationError):
        services.activation_code_request_refuse(actor=court["tax_clerk"], request=request)
    services.activation_code_request_refuse(actor=court["second"], request=request)
    request.refresh_from_db()
    assert request.state == "refused" and request.code is None
    assert the_event("citizen.activation_code_refuse", request).actor == court["second"]
    with pytest.raises(ApplicationError):
        services.activation_code_approve(actor=court["second"], request=request)


def test_a_stale_request_or_a_changed_address_voids_the_approval(court, with_account):
    set_email(with_account, "wang@example.cn")
    request = services.activation_code_request(
        actor=court["clerk"], citizen=with_account, reason="核实身份"
    )
    assert request.email == "wang@example.cn"
    # the clerk who asked points the e-mail at an address of their own: refused
    set_email(with_account, "clerk-owned@example.cn")
    with pytest.raises(ApplicationError) as refused:
        services.activation_code_approve(actor=court["second"], request=request)
    assert refused.value.code == "address_changed"
    set_email(with_account, "wang@example.cn")
    later = timezone.now() + datetime.timedelta(days=services.ACTIVATION_REQUEST_DAYS + 1)
    with time_machine.travel(later), pytest.raises(ApplicationError) as refused:
        services.activation_code_approve(actor=court["second"], request=request)
    assert refused.value.code == "stale"
    assert ActivationCodeRequest.objects.get(pk=request.pk).state == "pending"


def test_a_code_issued_before_an_account_existed_never_resets_it(court, citizen, superuser):
    _row, code = services.activation_code_issue(actor=court["clerk"], citizen=citizen)
    # the operator links an account afterwards: the lone clerk's code must not open it
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.create_user("citizen-linked", password=PASSWORD)
    services.citizen_update(
        actor=superuser, citizen=citizen, name=citizen.name, email="", user=user
    )
    with pytest.raises(ApplicationError) as refused:
        services.account_activate(
            resident_id=citizen.resident_id,
            name=citizen.name,
            code=code,
            password="Taken-over-2026",
        )
    assert refused.value.code == "activation_refused"
    user.refresh_from_db()
    assert user.check_password(PASSWORD)


def test_only_the_operator_links_or_unlinks_a_portal_account(court, with_account, superuser):
    from django.contrib.auth import get_user_model

    other = get_user_model().objects.create_user("someone-else")
    for user in (other, None):
        with pytest.raises(ApplicationError) as refused:
            services.citizen_update(
                actor=court["clerk"],
                citizen=with_account,
                name=with_account.name,
                email="",
                user=user,
            )
        assert "user" in refused.value.message_dict
    assert Citizen.objects.get(pk=with_account.pk).user_id == with_account.user_id
    # unchanged is fine, and the operator may
    services.citizen_update(
        actor=court["clerk"], citizen=with_account, name="王小明", email="", user=with_account.user
    )
    services.citizen_update(
        actor=superuser, citizen=with_account, name="王小明", email="", user=None
    )
    assert Citizen.objects.get(pk=with_account.pk).user_id is None


# --- e-mail: the office never sees the code


def test_an_emailed_code_is_never_returned_to_the_official(court, citizen):
    set_email(citizen, "wang@example.cn")
    with TestCase.captureOnCommitCallbacks(execute=True):
        row, shown = services.activation_code_issue(actor=court["clerk"], citizen=citizen)
    assert shown is None
    (letter,) = mail.outbox
    sent = CODE.search(letter.body).group(0)
    assert letter.to == ["wang@example.cn"] and sent.endswith(row.hint)
    assert the_event("citizen.activation_code_issue", row).new_values["delivery"] == "email"
    services.account_activate(
        resident_id=citizen.resident_id, name=citizen.name, code=sent, password=PASSWORD
    )


def test_an_approved_code_for_an_existing_account_goes_by_email_unseen(court, with_account):
    set_email(with_account, "wang@example.cn")
    request = services.activation_code_request(
        actor=court["clerk"], citizen=with_account, reason="遗失密码"
    )
    with TestCase.captureOnCommitCallbacks(execute=True):
        row, shown = services.activation_code_approve(actor=court["second"], request=request)
    assert shown is None
    (letter,) = [m for m in mail.outbox if m.to == ["wang@example.cn"]]
    assert CODE.search(letter.body).group(0).endswith(row.hint)


# --- the admin


def act(client, citizen, action, data=None):
    url = reverse("admin:citizens_citizen_act", args=[citizen.pk, action])
    return client.post(url, data or {}, follow=True)


def test_admin_a_clerk_of_another_authority_gets_no_code(client, court, citizen):
    client.force_login(court["tax_clerk"])
    page = act(client, citizen, "activation_code").content.decode()
    assert "record or a case" in page and not CODE.search(page)
    assert not codes(citizen).exists()


def test_admin_an_emailed_code_is_reported_sent_and_never_shown(client, court, citizen):
    set_email(citizen, "wang@example.cn")
    client.force_login(court["clerk"])
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = act(client, citizen, "activation_code")
    page = response.content.decode()
    assert "sent by e-mail" in page and not CODE.search(page)
    (letter,) = mail.outbox
    assert CODE.search(letter.body).group(0).replace("-", "") not in page


def test_admin_an_existing_account_needs_a_request_and_a_second_official(
    client, court, with_account
):
    clerk, second = court["clerk"], court["second"]
    client.force_login(clerk)
    change = client.get(reverse("admin:citizens_citizen_change", args=[with_account.pk]))
    page = change.content.decode()
    # no button that issues a code at once; a request form instead
    assert 'name="activation_code-submit"' not in page
    assert 'name="activation_code_request-submit"' in page
    before = codes(with_account).count()
    page = act(client, with_account, "activation_code").content.decode()  # forged: refused
    assert "second official" in page and codes(with_account).count() == before
    page = act(
        client,
        with_account,
        "activation_code_request",
        {"activation_code_request-reason": "公民来电称遗失密码"},
    ).content.decode()
    assert ActivationCodeRequest.objects.get(citizen=with_account).state == "pending"
    # the one who asked cannot approve
    page = act(client, with_account, "activation_code_approve").content.decode()
    assert "second official must approve" in page and not CODE.search(page)
    assert codes(with_account).count() == before
    # the second official approves and sees the letter's code once; the asker never does
    client.force_login(second)
    page = act(client, with_account, "activation_code_approve").content.decode()
    shown = CODE.search(page).group(0)
    assert codes(with_account).latest("id").hint == shown.replace("-", "")[-4:]
    client.force_login(clerk)
    page = client.get(reverse("admin:citizens_citizen_change", args=[with_account.pk]))
    assert shown not in page.content.decode()


def test_admin_a_clerk_cannot_relink_the_portal_account(client, court, with_account):
    client.force_login(court["clerk"])
    url = reverse("admin:citizens_citizen_change", args=[with_account.pk])
    form = client.get(url).context["adminform"].form
    assert "user" not in form.fields  # shown read-only
    from django.contrib.auth import get_user_model

    other = get_user_model().objects.create_user("someone-else")
    inlines = {
        f"{prefix}-{name}": value
        for prefix in ("activation_codes", "activation_requests")
        for name, value in (("TOTAL_FORMS", "0"), ("INITIAL_FORMS", "0"))
    }
    response = client.post(
        url, {"name": with_account.name, "email": "", "user": other.pk, **inlines}
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Citizen.objects.get(pk=with_account.pk).user_id == with_account.user_id


def test_one_time_codes_travel_in_no_cookie(client, court, citizen):
    client.force_login(court["clerk"])
    url = reverse("admin:citizens_citizen_act", args=[citizen.pk, "activation_code"])
    response = client.post(url)
    assert response.status_code == 302
    assert "messages" not in response.cookies  # session storage: the message stays server-side
    page = client.get(response["Location"]).content.decode()
    code = CODE.search(page).group(0)
    cookies = " ".join(morsel.value for morsel in client.cookies.values())
    assert code not in cookies and code.replace("-", "") not in cookies


# --- password reset: rate-limited


@pytest.fixture
def fresh_limits():
    """The limiter counts in Redis across test runs: start this test's buckets at zero."""
    client = ratelimit._client()
    for pattern in ("*:rl:password-reset:*", "*:rl:password-reset-account*"):
        for key in client.scan_iter(pattern):
            client.delete(key)


def test_password_reset_is_limited_per_address(client, catalog, settings, fresh_limits):
    settings.SCS_PASSWORD_RESET_RATE_PER_MINUTE = 3
    url = reverse("citizens:password_reset")
    ip = {"REMOTE_ADDR": "198.51.100.77"}
    for _i in range(3):
        assert client.post(url, {"email": "nobody@example.cn"}, **ip).status_code == 302
    refused = client.post(url, {"email": "nobody@example.cn"}, **ip)
    assert refused.status_code == 429 and refused["Retry-After"] == "60"
    # another address is not held up; the form itself (GET) always opens
    assert (
        client.post(url, {"email": "x@example.cn"}, REMOTE_ADDR="198.51.100.78").status_code == 302
    )
    assert client.get(url, **ip).status_code == 200


def test_password_reset_is_limited_per_account_from_any_address(
    client, court, with_account, settings, fresh_limits
):
    settings.SCS_PASSWORD_RESET_PER_ACCOUNT_PER_HOUR = 2
    user = with_account.user
    user.email = "wang@example.cn"
    user.save(update_fields=["email"])
    url = reverse("citizens:password_reset")
    for i in range(4):
        response = client.post(url, {"email": "wang@example.cn"}, REMOTE_ADDR=f"192.0.2.{i + 1}")
        assert response.status_code == 302  # the same answer every time: it tells nothing
    assert len(mail.outbox) == 2
