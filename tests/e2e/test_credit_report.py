"""Issue 19 in Chromium: a citizen downloads verifiable credit reports (Chinese from the
printable report, English from the reports page), a landlord checks them at /verify/ by
typing the code (Chinese) and by the QR code's link (English), the record changes and the
check says so, the citizen sees the checks in "who viewed my data" and revokes a report,
after which the check says "revoked" and shows nothing. axe-core checks every page."""

import datetime
import re

import pytest
from django.utils import timezone

from citizens.models import CreditReport, CreditReportVerification
from sanctions.scoring.services import score_recompute_inline
from tests import services
from tests.citizens.conftest import activate, decide
from tests.citizens.test_credit_report import CODE, flat, pdf_text
from tests.e2e.conftest import assert_accessible, citizen_page
from tests.factories import make_citizen, make_enterprise, make_official

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def assert_accessible_as_shown(page, name: str) -> None:
    """axe-core on the page as it is now (a POST's answer, a page shown once): the context
    must run JavaScript; `assert_accessible` re-opens the URL instead."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    serious = [
        v for v in results.response["violations"] if v.get("impact") in ("serious", "critical")
    ]
    assert not serious, f"{name}: " + "; ".join(
        f"{v['id']}: {v['help']} ({len(v['nodes'])})" for v in serious
    )


def download_pdf(page, button, tmp_path, name: str) -> str:
    with page.expect_download() as info:
        button.click()
    download = info.value
    assert re.fullmatch(r"credit-report-\d+-\d{4}-\d{2}-\d{2}\.pdf", download.suggested_filename)
    path = tmp_path / f"{name}.pdf"
    download.save_as(path)
    return pdf_text(path.read_bytes())


def test_download_verify_and_revoke_in_both_languages(
    browser, live_server, catalog, screenshot, tmp_path
):
    base = live_server.url
    today = timezone.localdate()
    clerk = make_official(role="clerk", authority_code="bj-dongcheng-court")
    reviewer = make_official(role="reviewer", authority_code="bj-dongcheng-court")
    citizen = make_citizen(name="王小明", birth=datetime.date(1988, 3, 15))
    make_enterprise(name="北京小明商贸有限公司", legal_rep=citizen)
    record = decide((clerk, reviewer), citizen.subject, code="judicial-dishonest-debtor",
                    number="(2026)京0101执31号", judicial_ground=2,
                    decision_date=today - datetime.timedelta(days=40))  # fmt: skip
    score_recompute_inline(kind="full")
    user = activate(citizen, clerk)
    page = citizen_page(browser, base, citizen)

    # the printable report: one download button per subject; the Chinese PDF of "my" part
    page.get_by_role("link", name="可打印报告").click()
    buttons = page.get_by_role("button", name="下载带验证码的 PDF")
    assert buttons.count() == 2  # the citizen and the enterprise they represent
    screenshot(page, "credit-report-printable-zh")
    own = page.locator("section.report-section").filter(
        has=page.get_by_role("heading", name=re.compile("^王小明"))
    )
    text = download_pdf(page, own.get_by_role("button"), tmp_path, "zh")
    assert "信用报告" in text and "王小明" in text and "失信被执行人" in text
    assert flat(record.decision_number) in flat(text) and citizen.resident_id not in text
    code_zh = CODE.search(text).group(1)

    # the reports page (the nav's link): an English PDF by the language choice
    page.get_by_role("link", name="可核验报告").click()
    assert page.get_by_role("heading", name="可核验的信用报告", level=1).is_visible()
    page.get_by_label("报告对象").select_option(label="本人（王小明）")
    page.get_by_label("报告语言").select_option("en")
    text = download_pdf(page, page.get_by_role("button", name="下载带验证码的 PDF"), tmp_path, "en")
    assert "Credit report" in text and "Dishonest judgment debtor" in text
    code_en = CODE.search(text).group(1)
    assert code_en != code_zh
    page.reload()
    assert page.locator("table.credit-reports tbody tr").count() == 2
    assert page.locator(".report-status").all_inner_texts() == ["有效", "有效"]
    screenshot(page, "credit-report-list-zh")
    assert_accessible(page, "credit reports")
    zh_report, en_report = CreditReport.objects.order_by("pk")
    assert (zh_report.language, en_report.language) == ("zh-hans", "en")

    # a landlord types the Chinese report's code (Chinese page)
    landlord = browser.new_context(locale="zh-CN").new_page()
    landlord.goto(base + "/verify/")
    assert landlord.get_by_role("heading", name="核验信用报告", level=1).is_visible()
    screenshot(landlord, "credit-report-verify-form-zh")
    assert_accessible(landlord, "verify form")
    landlord.locator("#id_code").fill(code_zh.lower())
    landlord.get_by_role("button", name="验证", exact=True).click()
    landlord.wait_for_load_state()
    assert landlord.locator(".verify-outcome").inner_text().startswith("真实报告。")
    assert landlord.get_by_text("报告开具后，信用记录没有变化。").is_visible()
    snapshot = landlord.locator(".verify-snapshot")
    assert "王小明" in snapshot.inner_text() and record.decision_number in snapshot.inner_text()
    assert citizen.resident_id not in landlord.content() and code_zh not in landlord.content()
    screenshot(landlord, "credit-report-verify-genuine-zh")
    assert_accessible_as_shown(landlord, "verify genuine (zh)")

    # an English-speaking verifier scans the English report's QR code: the link redirects to
    # /verify/, the code is no longer in the address bar
    verifier = browser.new_context(locale="en-US").new_page()
    verifier.goto(f"{base}/verify/{code_en.replace('-', '')}/")
    assert verifier.url == base + "/verify/"
    assert verifier.locator(".verify-outcome").inner_text().startswith("Genuine.")
    assert "Dishonest judgment debtor" in verifier.locator(".verify-snapshot").inner_text()
    screenshot(verifier, "credit-report-verify-genuine-en")
    assert_accessible_as_shown(verifier, "verify genuine (en)")

    # the record changes (the citizen objects): the check says so, not what changed
    services.objection_file(actor=user, record=record, grounds="已履行。")
    verifier.goto(f"{base}/verify/{code_en.replace('-', '')}/")
    assert verifier.get_by_text(
        "The record has changed since the report was issued.", exact=False
    ).is_visible()
    assert "Under objection" not in verifier.content()
    screenshot(verifier, "credit-report-verify-changed-en")
    assert CreditReportVerification.objects.count() == 3

    # the citizen sees the checks among who viewed their data
    page.get_by_role("link", name="谁查看了我的信息", exact=True).click()
    assert page.get_by_role("cell", name="持有您信用报告的人").count() == 3
    assert page.get_by_role("cell", name=f"核验了您 {today.isoformat()} 开具的第 {en_report.pk} "
                            "号信用报告").count() == 2  # fmt: skip
    screenshot(page, "credit-report-access-log-zh")

    # and revokes the Chinese report
    page.get_by_role("link", name="可核验报告").click()
    page.get_by_role("button", name=f"撤销第 {zh_report.pk} 号报告").click()
    page.wait_for_load_state()
    assert page.get_by_text(f"第 {zh_report.pk} 号报告已撤销").is_visible()
    assert page.locator(".report-status").all_inner_texts() == [
        "有效",
        f"已于 {today.isoformat()} 撤销",
    ]
    screenshot(page, "credit-report-revoked-zh")

    # the landlord checks again: revoked, nothing of the person shown
    landlord.goto(base + "/verify/")
    landlord.locator("#id_code").fill(code_zh)
    landlord.get_by_role("button", name="验证", exact=True).click()
    landlord.wait_for_load_state()
    assert landlord.locator(".verify-outcome").inner_text().startswith("已撤销。")
    assert "王小明" not in landlord.content()
    screenshot(landlord, "credit-report-verify-revoked-zh")
    assert_accessible_as_shown(landlord, "verify revoked (zh)")

    # in English, the citizen's reports page and the verify form
    page.goto(base + "/my/reports/")
    page.get_by_label("语言", exact=True).select_option("en")
    page.get_by_role("button", name="切换").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Verifiable credit reports", level=1).is_visible()
    screenshot(page, "credit-report-list-en")
    assert_accessible(page, "credit reports (en)")
    verifier.goto(base + "/verify/")
    verifier.locator("#id_code").fill("NOT-A-CODE")
    verifier.get_by_role("button", name="Verify", exact=True).click()
    verifier.wait_for_load_state()
    assert verifier.locator(".verify-outcome").inner_text().startswith("Not genuine.")
    screenshot(verifier, "credit-report-verify-unknown-en")
    assert_accessible_as_shown(verifier, "verify unknown (en)")
    for context in (page.context, landlord.context, verifier.context):
        context.close()
