"""The password reset pages in Chromium, JavaScript off: "reset" form → "sent" page → the
link from the e-mail → "confirm" (set a new password) → "complete", then a log-in with the
new password; in Chinese and in English. The letter comes from Django's locmem outbox (the
live server runs in the test process); the audit row `citizen.password_reset` is checked."""

import re

import pytest
from django.core import mail
from django.utils import translation

from sanctions.models import AuditEvent
from tests.citizens.conftest import PASSWORD, activate
from tests.e2e.conftest import assert_accessible
from tests.factories import make_citizen, make_official

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

NEW_PASSWORD = "Reset-by-mail-2026"
LINK = re.compile(r"^(http://localhost:\d+)(/account/reset/[^/\s]+/[^/\s]+/)$", re.M)


@pytest.fixture
def account(catalog):
    clerk = make_official(role="clerk", authority_code="bj-dongcheng-court")
    citizen = make_citizen(name="孙丽娟", male=False)
    user = activate(citizen, clerk)
    user.email = "sun.lijuan@example.cn"
    user.save(update_fields=["email"])
    return citizen, user, clerk


def subject_in(language):
    with translation.override(language):
        return translation.gettext("Set a new password for the citizen portal")


# the set-password form's labels: new password, its confirmation, the button
ZH = ("新密码", "新密码确认", "保存")
EN = ("New password", "New password confirmation", "Save")


def set_password(page, password, confirmation, labels):
    """Fill in and send the set-password form (the page the link from the letter opens)."""
    new, again, button = labels
    page.get_by_role("textbox", name=new, exact=True).fill(password)
    page.get_by_label(again).fill(confirmation)
    page.get_by_role("button", name=button).click()


def the_link(base, address, language):
    (letter,) = mail.outbox
    assert letter.to == [address] and letter.subject == subject_in(language)
    found = LINK.search(letter.body)
    assert found and found.group(1) == base, letter.body
    return base + found.group(2)


def one_reset_event(citizen, user):
    event = AuditEvent.objects.get(action="citizen.password_reset")
    assert event.actor == user and event.subject_id == citizen.subject_id
    assert (event.object_type, event.object_id) == ("citizens.Citizen", str(citizen.pk))
    assert event.new_values == {"user": user.pk}
    return event


def test_password_reset_by_email_in_chinese(browser, live_server, account, screenshot):
    citizen, user, _clerk = account
    base = live_server.url
    context = browser.new_context(locale="zh-CN", java_script_enabled=False,
                                  viewport={"width": 1280, "height": 900})  # fmt: skip
    page = context.new_page()

    page.goto(base + "/account/login/")
    page.get_by_role("link", name="通过电子邮件重设密码").click()
    page.wait_for_load_state()
    assert page.url == base + "/account/reset/"
    assert page.get_by_role("heading", name="密码重设", level=1).is_visible()
    screenshot(page, "citizen-password-reset-zh")
    assert_accessible(page, "password reset (zh)")
    page.get_by_label("电子邮件").fill("Sun.LiJuan@example.cn")  # any case of the address
    page.get_by_role("button", name="发送重设链接").click()
    page.wait_for_load_state()

    assert page.url == base + "/account/reset/sent/"
    assert page.get_by_text("如有账户使用该电子邮箱，重设密码的链接已发出。").is_visible()
    screenshot(page, "citizen-password-reset-sent-zh")
    assert_accessible(page, "password reset sent (zh)")
    link = the_link(base, "sun.lijuan@example.cn", "zh-hans")
    assert not AuditEvent.objects.filter(action="citizen.password_reset").exists()

    # the link: Django moves the token into the session and shows the form without it
    page.goto(link)
    assert re.fullmatch(re.escape(base) + r"/account/reset/[^/]+/set-password/", page.url)
    assert page.get_by_role("heading", name="输入新密码", level=1).is_visible()
    screenshot(page, "citizen-password-reset-confirm-zh")
    assert_accessible(page, "password reset confirm (zh)")
    set_password(page, NEW_PASSWORD, NEW_PASSWORD, ZH)
    page.wait_for_load_state()

    assert page.url == base + "/account/reset/complete/"
    assert page.get_by_role("heading", name="密码重置完成", level=1).is_visible()
    assert page.get_by_text("密码已设置，现在可以登录。").is_visible()
    screenshot(page, "citizen-password-reset-complete-zh")
    assert_accessible(page, "password reset complete (zh)")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD) and not user.check_password(PASSWORD)
    one_reset_event(citizen, user)

    # "continue" leads to the log-in, where the new password works
    page.get_by_role("link", name="继续").click()
    page.wait_for_load_state()
    assert page.url == base + "/account/login/"
    page.get_by_label("公民身份号码").fill(citizen.resident_id)
    page.get_by_label("密码").fill(NEW_PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="我的信用记录", level=1).is_visible()
    assert page.url == base + "/my/"

    # the link works once
    page.goto(link)
    assert page.get_by_text("该链接无效或已被使用，请重新申请。").is_visible()
    assert page.locator("main form").count() == 0
    screenshot(page, "citizen-password-reset-used-link-zh")
    assert AuditEvent.objects.filter(action="citizen.password_reset").count() == 1
    context.close()


def test_password_reset_by_email_in_english(browser, live_server, account, screenshot):
    citizen, user, clerk = account
    clerk.email = "clerk@court.example.cn"
    clerk.save(update_fields=["email"])
    base = live_server.url
    context = browser.new_context(locale="en-US", java_script_enabled=False,
                                  viewport={"width": 1280, "height": 900})  # fmt: skip
    page = context.new_page()

    # an unknown address and an official's address: the same answer, and no letter
    for address in ("nobody@example.cn", "clerk@court.example.cn"):
        page.goto(base + "/account/reset/")
        page.get_by_label("Email").fill(address)
        page.get_by_role("button", name="Send me the link").click()
        page.wait_for_load_state()
        assert page.url == base + "/account/reset/sent/"
        assert page.get_by_text(
            "If an account has this e-mail address, a link to set a new password is on its way."
        ).is_visible()
    assert mail.outbox == []
    screenshot(page, "citizen-password-reset-sent-en")

    page.goto(base + "/account/reset/")
    assert page.get_by_role("heading", name="Password reset", level=1).is_visible()
    screenshot(page, "citizen-password-reset-form-en")
    assert_accessible(page, "password reset (en)")
    page.get_by_label("Email").fill("sun.lijuan@example.cn")
    page.get_by_role("button", name="Send me the link").click()
    page.wait_for_load_state()
    page.goto(the_link(base, "sun.lijuan@example.cn", "en"))
    assert page.get_by_role("heading", name="Enter new password", level=1).is_visible()
    screenshot(page, "citizen-password-reset-confirm-en")
    assert_accessible(page, "password reset confirm (en)")

    # two different passwords: refused with the reason, nothing changed, nothing audited
    set_password(page, NEW_PASSWORD, NEW_PASSWORD + "x", EN)
    page.wait_for_load_state()
    assert page.get_by_text("The two password fields didn’t match.").is_visible()
    screenshot(page, "citizen-password-reset-mismatch-en")
    assert_accessible(page, "password reset mismatch (en)")
    user.refresh_from_db()
    assert user.check_password(PASSWORD)
    assert not AuditEvent.objects.filter(action="citizen.password_reset").exists()

    set_password(page, NEW_PASSWORD, NEW_PASSWORD, EN)
    page.wait_for_load_state()
    assert page.url == base + "/account/reset/complete/"
    assert page.get_by_role("heading", name="Password reset complete", level=1).is_visible()
    assert page.get_by_text("Your password was set. You can log in now.").is_visible()
    screenshot(page, "citizen-password-reset-complete-en")
    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    one_reset_event(citizen, user)

    # the old password no longer opens the account; the new one does
    page.get_by_role("link", name="Continue").click()
    page.wait_for_load_state()
    for password, heading in ((PASSWORD, "Citizen log in"), (NEW_PASSWORD, "My record")):
        page.goto(base + "/account/login/")
        page.get_by_label("Resident ID number").fill(citizen.resident_id)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_load_state()
        assert page.get_by_role("heading", name=heading, level=1).is_visible()
    assert page.url == base + "/my/"
    context.close()
