"""Officials' second factor in Chromium, JavaScript off, in Chinese and in English: an official
without a device logs in, sets up a TOTP device from the key the page shows, gets backup
codes, logs out, and logs in with password + code; a password alone opens no staff page."""

import base64
import re
import time
from pathlib import Path

import pytest
from django_otp.oath import hotp

from sanctions.models import AuditEvent
from tests.e2e.conftest import assert_accessible, totp_code
from tests.factories import make_official

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

SHOTS = Path("/tmp/shots_otp")  # noqa: S108 - screenshots to look at, not secrets
PASSWORD = "pw-for-tests-1"

WORDS = {
    "zh-CN": {"username": "用户名", "password": "密码", "login": "登录",
              "code": "验证码", "confirm": "确认", "verify": "验证",
              "enrol": "设置第二重验证", "step": "第二步：输入验证码", "codes": "您的备用码",
              "continue": "进入工作台", "logout": "退出登录", "records": "信用记录",
              "invalid": "验证码无效", "qr": "供验证器应用扫描的密钥二维码"},
    "en-US": {"username": "Username", "password": "Password", "login": "Log in",
              "code": "Verification code", "confirm": "Confirm", "verify": "Verify",
              "enrol": "Set up your second factor", "step": "Second step: verification code",
              "codes": "Your backup codes", "continue": "Continue to the workspace",
              "logout": "Log out", "records": "Integrity records",
              "invalid": "That code is not valid",
              "qr": "QR code of the key for your authenticator app"},
}  # fmt: skip


def shot(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def code_from_secret(secret: str) -> str:
    """What an authenticator app shows now for the base32 key typed off the page."""
    key = base64.b32decode(secret.replace(" ", "") + "=" * (-len(secret.replace(" ", "")) % 8))
    return f"{hotp(key, int(time.time()) // 30):06d}"


def password_step(page, base, words, username, next_path="/admin/"):
    page.goto(base + next_path)
    page.get_by_label(words["username"]).fill(username)
    page.get_by_label(words["password"]).fill(PASSWORD)
    page.get_by_role("button", name=words["login"]).click()
    page.wait_for_load_state()


@pytest.mark.parametrize("locale", ["zh-CN", "en-US"])
def test_an_official_enrols_then_logs_in_with_password_and_code(browser, live_server, catalog,
                                                                locale):  # fmt: skip
    words = WORDS[locale]
    lang = locale[:2]
    official = make_official(role="clerk", authority_code="bj-dongcheng-court",
                             username=f"new.clerk.{lang}", second_factor=False)  # fmt: skip
    base = live_server.url
    context = browser.new_context(locale=locale, java_script_enabled=False,
                                  viewport={"width": 1280, "height": 900})  # fmt: skip
    page = context.new_page()

    # 1. the password, then the enrolment page (no device yet)
    password_step(page, base, words, official.username)
    assert page.url.startswith(base + "/admin/second-factor/enrol/")
    assert page.get_by_role("heading", name=words["enrol"], level=1).is_visible()
    secret = page.locator("#otp-secret").inner_text()
    uri = page.locator("#otp-uri").inner_text()
    assert uri.startswith(f"otpauth://totp/SCS%20Portal%3A{official.username}?secret=")
    assert secret.replace(" ", "") in uri
    assert page.get_by_role("img", name=words["qr"]).is_visible()  # inline SVG
    assert page.get_by_role("link", name=words["records"]).count() == 0  # no staff navigation
    shot(page, f"enrol-{lang}")
    assert_accessible(page, f"enrol-{lang}")

    # a wrong first code: a message, no device
    page.get_by_label(words["code"]).fill("000000" if code_from_secret(secret) != "000000" else "1")
    page.get_by_role("button", name=words["confirm"]).click()
    page.wait_for_load_state()
    assert page.get_by_text(words["invalid"]).is_visible()
    shot(page, f"enrol-wrong-code-{lang}")
    time.sleep(1.1)  # a wrong code makes the device wait a second

    # 2. the code the app shows confirms it; the backup codes are shown once
    page.get_by_label(words["code"]).fill(code_from_secret(secret))
    page.get_by_role("button", name=words["confirm"]).click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name=words["codes"], level=1).is_visible()
    codes = page.locator(".otp-codes li").all_inner_texts()
    assert len(codes) == 10 and all(re.fullmatch(r"[a-z]{5}-[a-z]{5}", c) for c in codes)
    shot(page, f"backup-codes-{lang}")
    assert AuditEvent.objects.filter(action="otp.enrol", actor=official).count() == 1
    page.get_by_role("link", name=words["continue"]).click()
    page.wait_for_load_state()
    assert page.get_by_role("link", name=words["records"]).first.is_visible()

    # 3. log out; the password alone opens nothing
    page.get_by_role("button", name=words["logout"]).click()
    page.wait_for_load_state()
    password_step(page, base, words, official.username, "/admin/sanctions/case/")
    assert page.url.startswith(base + "/admin/second-factor/?next=")
    assert page.get_by_role("heading", name=words["step"], level=1).is_visible()
    shot(page, f"verify-{lang}")
    assert_accessible(page, f"verify-{lang}")
    for path in ("/admin/", "/admin/sanctions/case/", "/admin/sanctions/integrityrecord/"):
        page.goto(base + path)
        assert page.url.startswith(base + "/admin/second-factor/"), path
        assert page.get_by_role("link", name=words["records"]).count() == 0

    # 4. password + the current code (a later step than the one used at enrolment)
    page.get_by_label(words["code"]).fill(totp_code(official.username))
    page.get_by_role("button", name=words["verify"]).click()
    page.wait_for_load_state()
    assert page.url.startswith(base + "/admin/sanctions/integrityrecord/")
    assert page.get_by_role("link", name=words["records"]).first.is_visible()
    shot(page, f"after-code-{lang}")

    # 5. and a backup code works once, in a fresh browser
    other = browser.new_context(locale=locale, java_script_enabled=False).new_page()
    password_step(other, base, words, official.username)
    other.get_by_label(words["code"]).fill(codes[0])
    other.get_by_role("button", name=words["verify"]).click()
    other.wait_for_load_state()
    assert other.get_by_role("link", name=words["records"]).first.is_visible()
    other.context.close()
    context.close()


def test_a_password_alone_is_refused(browser, live_server, catalog):
    """An enrolled official who knows only the password (a leaked password) reaches no staff
    page, and a wrong code keeps it that way."""
    official = make_official(role="supervisor", authority_code="bj-dongcheng-tax")
    words = WORDS["zh-CN"]
    base = live_server.url
    page = browser.new_context(locale="zh-CN", java_script_enabled=False).new_page()
    password_step(page, base, words, official.username, "/admin/sanctions/official/")
    assert page.get_by_role("heading", name=words["step"], level=1).is_visible()
    page.get_by_label(words["code"]).fill("123456" if totp_code(official.username) != "123456"
                                          else "654321")  # fmt: skip
    page.get_by_role("button", name=words["verify"]).click()
    page.wait_for_load_state()
    assert page.get_by_text(words["invalid"]).is_visible()
    shot(page, "verify-wrong-code-zh")
    page.goto(base + "/admin/sanctions/official/")
    assert page.url.startswith(base + "/admin/second-factor/")
    assert page.get_by_role("link", name=words["records"]).count() == 0
    page.context.close()
