"""Issue 3's walk, in a real browser: clerk drafts with evidence → reviewer decides → notice →
(clock past the notice period) entry public → objection → partly upheld → correction →
credit repair granted → entry gone. Every step leaves its audit row."""

import datetime
from pathlib import Path

import pytest
import time_machine
from django.utils import timezone

from sanctions.models import AuditEvent, Case, IntegrityRecord, RecordType
from sanctions.publication.services import publication_sweep
from sanctions.registry.selectors import public_entries
from tests.e2e.conftest import pass_second_factor
from tests.factories import make_enterprise, make_official

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def login(page, base, username):
    page.context.clear_cookies()
    page.goto(base + "/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill("pw-for-tests-1")
    page.get_by_role("button", name="Log in").click()
    pass_second_factor(page, username)
    assert (
        page.get_by_role("link", name="Log out").count()
        or page.get_by_role("button", name="Log out").count()
    )


def step(page, label):
    """The form of the action panel's step `label`, opened (the panel shows one step at a
    time; a lone step is open already)."""
    details = page.locator("details.step").filter(
        has=page.locator("summary").get_by_text(label, exact=True)
    )
    if not details.evaluate("element => element.open"):
        details.locator("summary").click()
    return details.locator("form.service-action")


def steps_offered(page) -> list[str]:
    """The labels of the steps the action panel offers, in order."""
    return page.locator("details.step > summary").all_inner_texts()


def act(page, label):
    """Take the step: open it, tick its confirmation (it says what happens to the person),
    press its button; the page reports success."""
    form = step(page, label)
    confirmation = form.locator("input[name=confirm]")
    if confirmation.count():
        confirmation.check()
    form.get_by_role("button", name=label).click()
    page.wait_for_load_state()
    assert page.locator(".messagelist .success").count() == 1, page.locator(
        ".messagelist"
    ).inner_text()


def test_full_case_walk(browser, live_server, catalog, screenshot, tmp_path):
    clerk = make_official(role="clerk", authority_code="bj-dongcheng-tax")
    make_official(role="reviewer", authority_code="bj-dongcheng-tax")
    enterprise = make_enterprise(name="北京诚信示范贸易有限公司")
    tax_arrears = RecordType.objects.get(code="commercial-tax-arrears")
    evidence = Path(tmp_path) / "tax-decision.pdf"
    evidence.write_bytes(PDF)
    base = live_server.url
    start = timezone.localdate()

    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 1000})
    page = context.new_page()

    # 1. the clerk drafts the case with evidence and submits it
    login(page, base, clerk.username)
    page.goto(f"{base}/admin/sanctions/case/add/?subject={enterprise.subject_id}"
              f"&record_type={tax_arrears.pk}")  # fmt: skip
    page.get_by_label("Title").fill("欠缴增值税")
    page.get_by_label("Facts").fill("经查，该企业2024年度欠缴增值税120,000元，经催缴仍未缴纳。")
    page.get_by_label("Amount (CNY)").fill("120000")
    page.locator("input[type=file]").first.set_input_files(str(evidence))
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_load_state()
    case = Case.objects.get()
    assert case.evidence.count() == 1 and case.drafted_by == clerk
    page.goto(f"{base}/admin/sanctions/case/{case.pk}/change/")
    screenshot(page, "walk-1-clerk-draft")
    act(page, "Submit for review")

    # 2. the reviewer decides (four-eyes) and serves the notice
    login(page, base, "bj-dongcheng-tax.reviewer")
    page.goto(f"{base}/admin/sanctions/case/{case.pk}/change/")
    decide = step(page, "Decide (creates the record)")
    decide.get_by_label("Decision number").fill("京税罚〔2025〕88号")
    decide.get_by_label("Decision date").fill(start.isoformat())
    screenshot(page, "walk-2-reviewer-decide")
    act(page, "Decide (creates the record)")
    act(page, "Serve the notice")
    record = IntegrityRecord.objects.get()
    assert record.status == "pending_notice" and record.notice_served_on == start
    assert not public_entries(today=start).exists()

    # 3. the clock moves past the notice period; the nightly sweep publishes
    day11 = start + datetime.timedelta(days=11)
    with time_machine.travel(datetime.datetime.combine(day11, datetime.time(9)), tick=True):
        assert publication_sweep() == {"activated": 1, "expired": 0}
        assert list(public_entries()) == [record]

        # 4. an objection, entered on the subject's behalf, decided partly upheld
        login(page, base, "bj-dongcheng-tax.reviewer")
        page.goto(f"{base}/admin/sanctions/integrityrecord/{record.pk}/change/")
        step(page, "File an objection on the subject's behalf").get_by_label(
            "Grounds of the objection"
        ).fill("企业已于2025年补缴部分税款，金额有误。")
        act(page, "File an objection on the subject's behalf")
        screenshot(page, "walk-3-objection")
        decide = step(page, "Decide the objection")
        decide.get_by_label("Outcome").select_option("partly_upheld")
        decide.get_by_label("Reasons").fill("经核实，欠缴金额应为80,000元。")
        decide.get_by_label("Corrected amount (CNY)").fill("80000")
        act(page, "Decide the objection")
        record.refresh_from_db()
        assert record.status == "active" and record.amount == 80000
        assert public_entries().filter(pk=record.pk).exists()

    # 5. three months on: credit repair applied for and granted; the entry is gone
    day100 = start + datetime.timedelta(days=100)
    with time_machine.travel(datetime.datetime.combine(day100, datetime.time(9)), tick=True):
        login(page, base, "bj-dongcheng-tax.reviewer")
        page.goto(f"{base}/admin/sanctions/integrityrecord/{record.pk}/change/")
        step(page, "Enter a credit repair application").get_by_label(
            "Corrective action taken"
        ).fill("已全额补缴税款及滞纳金，并完成纳税信用修复培训。")
        act(page, "Enter a credit repair application")
        decide = step(page, "Decide the application")
        decide.get_by_label("Outcome").select_option("1")
        decide.get_by_label("Reasons").fill("整改到位，准予修复。")
        act(page, "Decide the application")
        screenshot(page, "walk-4-repair-granted")
        record.refresh_from_db()
        assert record.status == "repaired"
        assert not public_entries().exists()
        page.goto(f"{base}/admin/sanctions/case/{case.pk}/change/")
        screenshot(page, "walk-5-case-audit-trail")
        assert "record.repair" in page.locator("#audit-heading + table").inner_text()

    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
    for expected in ["case.create", "case.evidence_add", "case.submit", "case.decide",
                     "record.create", "record.notice_served", "case.notify", "record.activate",
                     "objection.file", "record.correct", "objection.decide", "repair.apply",
                     "record.repair", "repair.decide"]:  # fmt: skip
        assert expected in actions, expected
    context.close()
