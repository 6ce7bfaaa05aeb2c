"""Issue 13: login hardening — axes sees the client (not the proxy) and never stores an ID
number; the per-account slow-down slows guessing from many addresses without locking the owner
out; the officials' login has a per-address limit."""

import datetime
import hashlib
import random
import time

import pytest
from axes.models import AccessAttempt
from django.test import Client
from django.urls import reverse

from citizens import lockout, services
from tests.citizens.conftest import PASSWORD
from tests.citizens.test_accounts import citizen_with_account
from tests.factories import make_official

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk(catalog):
    return make_official(role="clerk", authority_code="bj-dongcheng-court")


def address() -> str:
    """A fresh documentation address, so counts in Redis from earlier runs don't matter."""
    return f"203.0.{random.randrange(114, 250)}.{random.randrange(1, 250)}"


def login(client, number, password, ip):
    return client.post(
        reverse("citizens:login"),
        {"resident_id": number, "password": password},
        REMOTE_ADDR="10.0.0.2",  # the proxy
        HTTP_X_FORWARDED_FOR=ip,
    )


@pytest.fixture
def behind_proxy(settings):
    settings.SCS_TRUSTED_PROXY_HOPS = 1


def test_axes_records_the_client_address_and_no_id_number(client, clerk, behind_proxy):
    citizen = citizen_with_account(clerk)
    ip = address()
    assert login(client, citizen.resident_id, "wrong-password", ip).status_code == 400
    attempt = AccessAttempt.objects.get()
    assert attempt.ip_address == ip  # not the proxy's 10.0.0.2
    assert citizen.resident_id not in attempt.post_data
    assert "wrong-password" not in attempt.post_data
    assert citizen.resident_id not in attempt.username


def test_unknown_numbers_get_a_keyed_stand_in(client, catalog, settings, behind_proxy):
    number = "110101199003077777"
    assert login(client, number, "guess", address()).status_code == 400
    attempt = AccessAttempt.objects.get()
    assert number not in attempt.post_data and number not in attempt.username
    # not an unkeyed hash anyone can compute (and reverse: ID numbers are few)
    assert hashlib.sha256(number.encode()).hexdigest()[:16] not in attempt.username
    assert attempt.username == services.login_username_for(number)
    settings.SCS_IDENTIFIER_KEY = "another-key-for-this-test"
    assert services.login_username_for(number) != attempt.username


def test_many_addresses_are_slowed_per_account_but_the_owner_gets_in(clerk, settings,
                                                                     behind_proxy):  # fmt: skip
    settings.SCS_LOGIN_SLOWDOWN_AFTER = 3
    settings.SCS_LOGIN_SLOWDOWN_MAX_SECONDS = 2
    citizen = citizen_with_account(clerk)
    number = citizen.resident_id
    username = services.login_username_for(number)
    lockout.account_succeeded(username)  # (a username an earlier run may have used)
    owner = Client()
    assert login(owner, number, PASSWORD, address()).status_code == 302  # the owner's browser
    owner.post(reverse("citizens:logout"))

    attacker = Client()
    for _i in range(3):  # from three addresses: axes (account + address) never locks
        assert login(attacker, number, "guess", address()).status_code == 400
    # the account now waits 1 s, for everyone without the owner's browser, right password too
    waiting = login(Client(), number, PASSWORD, address())
    assert waiting.status_code == 429 and waiting["Retry-After"] == "1"
    assert "请1秒后再试" in waiting.content.decode()  # (the site's default language)
    assert "_auth_user_id" not in Client().session
    time.sleep(1.1)
    assert login(attacker, number, "guess", address()).status_code == 400
    # the wait grows (2 s, the configured maximum) …
    assert login(attacker, number, "guess", address())["Retry-After"] == "2"
    # … but the browser the owner used before is not made to wait
    assert login(owner, number, PASSWORD, address()).status_code == 302
    owner.post(reverse("citizens:logout"))
    assert login(owner, number, "guess", address()).status_code == 400
    time.sleep(2.1)
    # and it is never a lock: once the short wait is over, the right password works anywhere
    assert login(Client(), number, PASSWORD, address()).status_code == 302
    # a success starts the count again
    assert login(attacker, number, "guess", address()).status_code == 400
    assert login(attacker, number, "guess", address()).status_code == 400


def test_the_admin_login_has_a_per_address_limit(client, settings, behind_proxy):
    settings.SCS_ADMIN_LOGIN_RATE_PER_MINUTE = 3
    ip = address()
    url = reverse("admin:login")

    def attempt(name, ip):
        return client.post(url, {"username": name, "password": "x"}, REMOTE_ADDR="10.0.0.2",
                           HTTP_X_FORWARDED_FOR=ip)  # fmt: skip

    assert [attempt(f"name{i}", ip).status_code for i in range(3)] == [200, 200, 200]
    refused = attempt("name4", ip)
    assert refused.status_code == 429 and refused["Retry-After"] == "60"
    assert "more than 3 log-in attempts" in refused.content.decode().lower()
    assert attempt("name5", address()).status_code == 200  # another address is not affected
    # the page itself still opens (only attempts are counted)
    assert client.get(url, HTTP_X_FORWARDED_FOR=ip).status_code == 200


def test_slow_down_waits_are_short_and_grow(settings):
    settings.SCS_LOGIN_SLOWDOWN_AFTER = 2
    settings.SCS_LOGIN_SLOWDOWN_MAX_SECONDS = 60
    name = f"slow-{datetime.datetime.now().timestamp()}"
    request = Client().get("/").wsgi_request
    waits = []
    for _i in range(9):
        lockout.account_failed(name)
        waits.append(lockout.account_wait_seconds(request, name))
    assert waits == [0, 1, 2, 4, 8, 16, 32, 60, 60]
    lockout.account_succeeded(name)
    assert lockout.account_wait_seconds(request, name) == 0
