import datetime

import pytest

from sanctions.models import Authority, RecordType
from sanctions.registry.services.records import record_create
from tests.e2e.conftest import pass_second_factor
from tests.factories import make_citizen, make_official

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_home_page_in_both_languages_without_javascript(browser, live_server, catalog,
                                                        screenshot):  # fmt: skip
    context = browser.new_context(java_script_enabled=False, locale="zh-CN")
    page = context.new_page()
    page.goto(live_server.url + "/")
    assert page.locator("html").get_attribute("lang") == "zh-Hans"
    assert page.get_by_role("heading", level=1).inner_text() == "公共信用信息门户"
    assert page.get_by_role("row", name="司法公信").is_visible()
    screenshot(page, "home-zh")
    page.get_by_label("语言").select_option("en")
    page.get_by_role("button", name="切换").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text() == "Public Credit Information Portal"
    assert page.locator("html").get_attribute("lang") == "en"
    screenshot(page, "home-en")
    context.close()


def test_official_logs_in_and_sees_own_authoritys_records(page, live_server, catalog,
                                                          screenshot):  # fmt: skip
    clerk = make_official(role="clerk", authority_code="bj-dongcheng-court")
    subject = make_citizen(name="张伟").subject
    record_create(
        actor=None,
        subject=subject,
        record_type=RecordType.objects.get(code="judicial-dishonest-debtor"),
        authority=Authority.objects.get(code="bj-dongcheng-court"),
        decision_number="(2025)京0101执77号",
        decision_date=datetime.date(2025, 5, 6),
        judicial_ground=1,
    )
    # The Content-Security-Policy blocks an inline style or script silently (the page still
    # renders, only unstyled): collect Chromium's "Refused to …" console errors and every
    # securitypolicyviolation event (the listener is an init script, which CSP does not block).
    violations = []
    page.on("console", lambda message: violations.append(message.text)
            if "Content Security Policy" in message.text or "CSP violation" in message.text
            else None)  # fmt: skip
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => console.error("
        "'CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI + ' ' + e.sourceFile))"
    )
    page.goto(live_server.url + "/admin/")
    page.get_by_label("用户名").fill(clerk.username)
    page.get_by_label("密码").fill("pw-for-tests-1")
    page.get_by_role("button", name="登录").click()
    pass_second_factor(page, clerk.username)
    assert page.get_by_role("link", name="信用记录").first.is_visible()
    screenshot(page, "admin-index-clerk")
    page.goto(live_server.url + "/admin/sanctions/integrityrecord/")
    assert page.get_by_text("(2025)京0101执77号").is_visible()
    screenshot(page, "admin-records-clerk")

    page.goto(live_server.url + "/admin/citizens/citizen/add/")
    page.get_by_label("公民身份号码").fill("110101199003071234")
    page.get_by_label("名称").fill("李四")
    page.get_by_role("button", name="保存", exact=True).click()
    page.wait_for_load_state()
    assert page.get_by_text("公民身份号码校验位错误").is_visible()
    screenshot(page, "admin-citizen-bad-id")
    # the dashboard (admin index) and the public pages, styled from static/css/ only
    page.goto(live_server.url + "/admin/")
    page.goto(live_server.url + "/")
    page.goto(live_server.url + "/how-to-object/")
    assert violations == [], violations
