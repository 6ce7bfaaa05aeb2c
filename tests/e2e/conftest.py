"""Real-browser tests: Playwright driving Debian's Chromium (never a downloaded browser)."""

import os
import shutil
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# around it are still synchronous.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM = os.environ.get("SCS_CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            pytest.fail(f"Chromium not found at {CHROMIUM}; `make browser` installs it")
        pytest.skip("Chromium is not installed (make browser)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def screenshot():
    ARTIFACTS.mkdir(exist_ok=True)

    def take(page, name: str) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


class _ThroughWhiteNoise:
    """No test-only static handler: static files come through WhiteNoise from the collected
    STATIC_ROOT with their hashed names, exactly as in production. Nor the live server's own
    handler of MEDIA_URL: uploads are never served by URL (docs/security.md)."""

    def __new__(cls, application):
        from django.test.testcases import _MediaFilesHandler

        if isinstance(application, _MediaFilesHandler):
            return application.application
        return application


@pytest.fixture(scope="session")
def live_server(request, _collected_static):
    from django.test.testcases import LiveServerThread
    from pytest_django.live_server_helper import LiveServer

    server = LiveServer("localhost", start=False)
    server.thread = LiveServerThread(
        "localhost", static_handler=_ThroughWhiteNoise, connections_override={}
    )
    server.thread.daemon = True
    server.start()
    request.addfinalizer(server.stop)
    return server


def assert_accessible(page, name: str) -> None:
    """axe-core (bundled with axe-playwright-python) finds no serious or critical violation.
    axe needs JavaScript, and the pages are driven with it off: check the same URL, with the
    same cookies (session, language), in a JS-enabled context of the same browser."""
    from axe_playwright_python.sync_playwright import Axe

    context = page.context.browser.new_context(locale="zh-CN")
    context.add_cookies(page.context.cookies())
    checked = context.new_page()
    checked.goto(page.url)
    results = Axe().run(checked)
    context.close()
    serious = [
        v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")
    ]
    assert not serious, f"{name}: " + "; ".join(
        f"{v['id']}: {v['help']} ({len(v['nodes'])})" for v in serious
    )


@pytest.fixture
def exam_board(catalog):
    """A clerk and a reviewer of the exam authority (records about persons, repairable)."""
    from tests.factories import make_official

    return (
        make_official(role="clerk", authority_code="bj-education"),
        make_official(role="reviewer", authority_code="bj-education"),
    )


@pytest.fixture
def media(settings, tmp_path):
    """Uploads land in a directory of this test's own, so "nothing stored" can be checked."""
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def totp_code(username: str) -> str:
    """The code of the official's TOTP device (tests.factories.totp_device) that the server
    accepts now. A code counts once, so a second login within the same 30 seconds takes the
    next step's code (inside the server's tolerance of one step), or waits for the next step."""
    import time

    from django_otp.oath import hotp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    while True:
        device = TOTPDevice.objects.get(user__username=username, confirmed=True)
        now = (int(time.time()) - device.t0) // device.step + device.drift
        for step in (now, now + 1):  # never now - 1: the server's clock may be a step ahead
            if step > device.last_t and step <= now + device.tolerance:
                return f"{hotp(device.bin_key, step, digits=device.digits):0{device.digits}d}"
        time.sleep(1)


def pass_second_factor(page, username: str) -> None:
    """The admin's step after the password: type the official's current code (any language;
    the browser tests that are about the second factor use the labels instead)."""
    page.wait_for_load_state()
    page.locator("#id_otp_token").fill(totp_code(username))
    page.locator("#otp-form [type=submit]").click()
    page.wait_for_load_state()


def citizen_page(browser, base, citizen):
    """A Chinese, JavaScript-off browser page logged in as the citizen (password PASSWORD of
    tests.citizens.conftest), on "my record"."""
    from tests.citizens.conftest import PASSWORD

    context = browser.new_context(locale="zh-CN", java_script_enabled=False,
                                  viewport={"width": 1280, "height": 900})  # fmt: skip
    page = context.new_page()
    page.goto(base + "/account/login/")
    page.get_by_label("公民身份号码").fill(citizen.resident_id)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="我的信用记录", level=1).is_visible()
    return page
