"""Issue 6 in Chromium, JavaScript off: an official issues an activation code in the admin →
the citizen activates, logs in, reads "my record", objects with an attachment, sees the
status, the notices, who viewed the data and the printable report, switches to English,
logs out; then five wrong passwords lock the account. axe-core checks every page."""

import datetime
import re

import pytest
from django.utils import timezone

from sanctions.models import Objection, ScoreHistory
from sanctions.scoring.services import score_recompute_inline
from tests import services
from tests.citizens.conftest import PDF, decide
from tests.e2e.conftest import assert_accessible, pass_second_factor
from tests.factories import make_citizen, make_enterprise, make_official

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PASSWORD = "Browser-pass-2026"


def submit(page, selector="main form button[type=submit]"):
    page.locator(selector).last.click()
    page.wait_for_load_state()


def test_citizen_walk(browser, live_server, catalog, screenshot, tmp_path):
    base = live_server.url
    today = timezone.localdate()
    clerk = make_official(role="clerk", authority_code="bj-dongcheng-court")
    reviewer = make_official(role="reviewer", authority_code="bj-dongcheng-court")
    citizen = make_citizen(name="王小明", birth=datetime.date(1988, 3, 15))
    firm = make_enterprise(name="北京小明商贸有限公司", legal_rep=citizen)
    record = decide((clerk, reviewer), citizen.subject, code="judicial-dishonest-debtor",
                    number="(2026)京0101执21号", judicial_ground=2,
                    decision_date=today - datetime.timedelta(days=40))  # fmt: skip
    score_recompute_inline(kind="full", as_of=today - datetime.timedelta(days=60))
    # that night's history dated its day (a run stamps the time it ran): a chart of two days
    ScoreHistory.objects.update(computed_at=timezone.now() - datetime.timedelta(days=60))
    score_recompute_inline(kind="full")

    # the official issues the code in the admin (and opening the record is logged)
    admin = browser.new_context(locale="zh-CN").new_page()
    admin.goto(base + "/admin/login/")
    admin.locator("#id_username").fill(clerk.username)
    admin.locator("#id_password").fill("pw-for-tests-1")
    admin.locator("input[type=submit]").click()
    pass_second_factor(admin, clerk.username)
    admin.goto(f"{base}/admin/citizens/citizen/{citizen.pk}/change/")
    admin.locator("input[name='activation_code-submit']").click()
    admin.wait_for_load_state()
    message = admin.locator(".messagelist").inner_text()
    code = re.search(r"[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}", message).group(0)
    screenshot(admin, "citizen-admin-activation-code-zh")
    admin.context.close()

    context = browser.new_context(locale="zh-CN", java_script_enabled=False,
                                  viewport={"width": 1280, "height": 900})  # fmt: skip
    page = context.new_page()
    page.goto(base + "/")
    page.get_by_role("link", name="公民登录").click()
    page.get_by_role("link", name=re.compile("激活账户")).click()
    screenshot(page, "citizen-activate-zh")
    assert_accessible(page, "activate")
    # a wrong code: one message, nothing about which part was wrong
    page.get_by_label("公民身份号码").fill(citizen.resident_id)
    page.get_by_label("姓名（与告知书一致）").fill("王小明")
    page.get_by_label("激活码").fill("AAAA-AAAA-AAAA")
    page.get_by_label(re.compile("^新密码")).fill(PASSWORD)
    page.get_by_label("再次输入新密码").fill(PASSWORD)
    submit(page)
    assert page.get_by_text("所填信息与有效的激活码不符").is_visible()
    assert citizen.resident_id not in page.content()
    screenshot(page, "citizen-activate-refused-zh")
    page.get_by_label("公民身份号码").fill(citizen.resident_id)
    page.get_by_label("激活码").fill(code)
    page.get_by_label(re.compile("^新密码")).fill(PASSWORD)
    page.get_by_label("再次输入新密码").fill(PASSWORD)
    submit(page)
    assert page.get_by_text("账户已开通").is_visible()

    # log in
    screenshot(page, "citizen-login-zh")
    assert_accessible(page, "login")
    page.get_by_label("公民身份号码").fill(citizen.resident_id)
    page.get_by_label("密码").fill(PASSWORD)
    submit(page)
    assert page.get_by_role("heading", name="我的信用记录", level=1).is_visible()
    assert page.locator("svg[role=img]").count() == 1
    assert int(page.locator("#score-total").inner_text()) < 1000
    assert citizen.resident_id not in page.content()
    screenshot(page, "citizen-my-record-zh")
    assert_accessible(page, "my record")

    # the record, what the public sees, then an objection with an attachment
    page.get_by_role("link", name=re.compile("详情、异议与信用修复")).first.click()
    assert page.get_by_role("heading", name="公众可见的内容").is_visible()
    screenshot(page, "citizen-record-zh")
    assert_accessible(page, "record")
    page.get_by_role("link", name="对该记录提出异议").click()
    screenshot(page, "citizen-objection-form-zh")
    assert_accessible(page, "objection form")
    proof = tmp_path / "付款凭证.pdf"
    proof.write_bytes(PDF)
    page.get_by_label("该记录哪里有误？理由是什么？").fill("本人已于上月全额履行，附付款凭证。")
    page.get_by_label("附件").set_input_files(str(proof))
    submit(page)
    assert page.get_by_text("异议已提交").is_visible()
    assert page.locator(".objection-status").inner_text() == "待处理"
    assert page.get_by_role("link", name="付款凭证.pdf").is_visible()
    screenshot(page, "citizen-objection-status-zh")
    objection = Objection.objects.get(record=record)
    assert objection.attachments.count() == 1 and objection.filed_by.citizen == citizen

    # the court rejects it; the citizen appeals to the higher court and sees the appeal pending
    services.objection_decide(actor=reviewer, objection=objection, outcome="rejected",
                              reasons="未提交付款凭证原件。")  # fmt: skip
    page.reload()
    page.get_by_role("link", name="向上级机关申请复核").click()
    screenshot(page, "citizen-appeal-form-zh")
    assert_accessible(page, "appeal form")
    page.get_by_label("处理结果哪里有误？").fill("原件已于今日补交。")
    submit(page)
    assert page.get_by_text("复核申请已提交").is_visible()
    assert page.locator(".appeal-status").inner_text() == "待处理"
    assert objection.appeal.authority == record.authority.parent

    # letters, who viewed my data (the clerk opened the citizen in the admin), report
    page.get_by_role("link", name="通知书", exact=True).click()
    assert page.get_by_role("link", name="您的平台激活码").is_visible()
    screenshot(page, "citizen-notices-zh")
    assert_accessible(page, "notices")
    page.get_by_role("link", name="您的平台激活码").click()
    screenshot(page, "citizen-notice-zh")
    page.get_by_role("link", name="谁查看了我的信息", exact=True).click()
    # the clerk's role and number, the court's name and what they did, in Chinese
    assert page.get_by_role("cell", name=f"经办人员（工作人员编号 {clerk.pk}）").first.is_visible()
    assert page.get_by_role("cell", name="查看了您在登记册中的信息").first.is_visible()
    assert clerk.username not in page.content()
    screenshot(page, "citizen-access-log-zh")
    assert_accessible(page, "access log")
    page.get_by_role("link", name="可打印报告").click()
    assert page.get_by_role("heading", name="信用记录报告").is_visible()
    screenshot(page, "citizen-report-zh")
    page.emulate_media(media="print")
    screenshot(page, "citizen-report-print-zh")
    assert not page.locator(".site-header nav").is_visible()
    page.emulate_media(media="screen")
    assert_accessible(page, "report")

    # the enterprise the citizen represents has its own page
    page.goto(base + "/my/")
    page.get_by_role("link", name="北京小明商贸有限公司").click()
    assert page.get_by_role("heading", name="北京小明商贸有限公司", level=1).is_visible()
    assert f"/my/enterprises/{firm.subject_id}/" in page.url
    screenshot(page, "citizen-enterprise-zh")
    assert_accessible(page, "enterprise page")

    # English, every page again
    page.goto(base + "/my/")
    page.get_by_label("语言").select_option("en")
    page.get_by_role("button", name="切换").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="My record", level=1).is_visible()
    screenshot(page, "citizen-my-record-en")
    assert_accessible(page, "my record (en)")
    for url, name in (
        (f"/my/records/{record.pk}/", "citizen-record-en"),
        ("/my/notices/", "citizen-notices-en"),
        ("/my/access-log/", "citizen-access-log-en"),
        ("/my/report/", "citizen-report-en"),
        ("/account/password/", "citizen-password-change-en"),
    ):
        page.goto(base + url)
        screenshot(page, name)
        assert_accessible(page, name)

    # change the password: the form, the "done" page, the audit row
    from sanctions.models import AuditEvent

    page.goto(base + "/account/password/")
    page.locator("#id_old_password").fill(PASSWORD)
    page.locator("#id_new_password1").fill("Changed-" + PASSWORD)
    page.locator("#id_new_password2").fill("Changed-" + PASSWORD)
    page.get_by_role("button", name="Save").click()
    page.wait_for_load_state()
    assert page.url.endswith("/account/password/done/")
    screenshot(page, "citizen-password-changed-en")
    assert_accessible(page, "password changed")
    assert AuditEvent.objects.filter(action="citizen.password_change").count() == 1

    # log out
    page.get_by_role("button", name="Log out").click()
    page.wait_for_load_state()
    page.goto(base + "/my/")
    assert "/account/login/" in page.url
    screenshot(page, "citizen-login-en")
    page.get_by_role("link", name="Reset the password by e-mail").click()
    assert page.get_by_role("heading", level=1).is_visible()
    screenshot(page, "citizen-password-reset-en")
    assert_accessible(page, "password reset")
    context.close()


def test_lockout_after_five_failures(browser, live_server, catalog, screenshot):
    clerk = make_official(role="clerk", authority_code="bj-dongcheng-court")
    citizen = make_citizen(name="赵丽", male=False)
    from citizens import services as citizen_services
    from tests.citizens.conftest import put_on_file

    put_on_file(citizen, clerk)  # the court issues the code of a citizen it has a case about
    _row, code = citizen_services.activation_code_issue(actor=clerk, citizen=citizen)
    citizen_services.account_activate(resident_id=citizen.resident_id, name="赵丽", code=code,
                              password=PASSWORD)  # fmt: skip
    context = browser.new_context(locale="zh-CN", java_script_enabled=False)
    page = context.new_page()
    for attempt in range(5):
        page.goto(live_server.url + "/account/login/")
        page.get_by_label("公民身份号码").fill(citizen.resident_id)
        page.get_by_label("密码").fill(f"wrong-{attempt}")
        submit(page)
    assert page.get_by_role("heading", name="失败次数过多").is_visible()
    screenshot(page, "citizen-locked-out-zh")
    # now even the right password is refused
    page.goto(live_server.url + "/account/login/")
    page.get_by_label("公民身份号码").fill(citizen.resident_id)
    page.get_by_label("密码").fill(PASSWORD)
    submit(page)
    assert page.get_by_role("heading", name="失败次数过多").is_visible()
    assert_accessible(page, "locked out")
    context.close()
