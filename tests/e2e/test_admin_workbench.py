"""Issue 18, the officials' workbench, in Chromium: the work lists show state, subject,
deadline and "overdue" within 1280 px (long text cut, whole on hover); the change page's action
panel offers only the steps the state allows, each saying what it does to the person and
refused without its confirmation (nothing changes); the audit trail reads as labelled
old → new names and dates, inside the page; an objection's page shows the record and the
objection side by side, with no outcome chosen in advance. Screenshots of these screens in
both languages at 1280 and 390 px (into docs/ui/ when SCS_UI_SCREENSHOTS=docs/ui)."""

import datetime
import os
from pathlib import Path

import pytest
from django.utils import timezone

from sanctions.models import AuditEvent, Case, Objection, RecordType
from sanctions.registry.selectors import public_entries
from tests import services
from tests.e2e.conftest import ARTIFACTS, assert_accessible
from tests.e2e.test_casework_admin_actions import drafted, listed
from tests.e2e.test_casework_walk import act, login, step, steps_offered
from tests.factories import make_citizen, make_official

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CLERK = "bj-dongcheng-court.clerk"
REVIEWER = "bj-dongcheng-court.reviewer"
LONG_TITLE = "被执行人有履行能力而拒不履行生效法律文书确定的给付义务并隐匿转移财产规避执行"
LONG_NAME = "阿卜杜热依木·买买提艾力·吐尔逊"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def court(catalog):
    return {
        "clerk": make_official(role="clerk", authority_code="bj-dongcheng-court"),
        "reviewer": make_official(role="reviewer", authority_code="bj-dongcheng-court"),
    }


def browser_page(browser, live_server, *, width=1280):
    context = browser.new_context(locale="en-US", viewport={"width": width, "height": 900})
    page = context.new_page()
    page.base = live_server.url
    return page


def switch_language(page, language: str) -> None:
    """The admin header's language switch (a POST to set_language, as on the public pages):
    the choice stays for the session's later pages."""
    page.locator("#admin-language-select").select_option(language)
    page.locator("form.admin-language button").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang").lower() == language


def overflow(page, selector):
    """(scrollWidth, clientWidth) of the element: wider content scrolls sideways."""
    return page.evaluate(
        "s => { const e = document.querySelector(s); return [e.scrollWidth, e.clientWidth]; }",
        selector,
    )


def case_about(clerk, name, title, *, due=None):
    case = services.case_create(
        actor=clerk, subject=make_citizen(name=name).subject,
        record_type=RecordType.objects.get(code="judicial-dishonest-debtor"), title=title,
        facts="被执行人有履行能力而拒不履行。", judicial_ground=2, amount=86000,
        due_date=due,
    )  # fmt: skip
    return case


def test_the_work_lists_show_state_subject_deadline_and_overdue_within_1280_px(
    browser, live_server, court
):
    today = timezone.localdate()
    late = case_about(court["clerk"], "欧阳建国", LONG_TITLE,
                      due=today - datetime.timedelta(days=3))  # fmt: skip
    case_about(court["clerk"], "李四", "拒不履行", due=today + datetime.timedelta(days=9))
    _case, record = listed(court)
    services.objection_file(actor=court["clerk"], record=record,
                            grounds="已全额履行，附付款凭证。" * 20)  # fmt: skip
    page = browser_page(browser, live_server)
    login(page, page.base, CLERK)

    page.goto(page.base + "/admin/sanctions/case/")
    width = page.viewport_size["width"]
    for language in ("zh-hans", "en"):  # Chinese dates and states are the wider
        switch_language(page, language)
        scroll, client = overflow(page, "#changelist-form .results")
        assert scroll <= client, f"{language}: the case list is {scroll} px in {client} px"
        results = page.locator("#changelist-form .results").bounding_box()
        for column in ("title_shown", "subject_shown", "state", "due_date_shown", "overdue"):
            header = page.locator(f"#result_list thead th.column-{column}").bounding_box()
            right = min(width, results["x"] + results["width"]) + 1
            assert header["x"] + header["width"] <= right, (language, column)
    # the late case is marked, its long title cut to one line and whole on hover
    row = page.locator("#result_list tbody tr").filter(
        has=page.get_by_role("link", name=str(late.pk), exact=True)
    )
    assert row.locator("td.field-overdue").inner_text() == "Overdue"
    on_time = page.locator("#result_list tbody tr").filter(has_text="李四")
    assert on_time.locator("td.field-overdue .overdue-flag").count() == 0
    title = row.locator("td.field-title_shown .truncate")
    assert title.get_attribute("title") == LONG_TITLE
    assert title.inner_text() == LONG_TITLE  # whole in the page; the stylesheet cuts it
    assert title.evaluate("e => e.scrollWidth > e.clientWidth")  # cut, with an ellipsis
    assert row.bounding_box()["height"] < 60  # a line or two a row, not a character a line
    # the other work lists: nothing behind a horizontal scroll either, in both languages
    for language in ("en", "zh-hans"):
        switch_language(page, language)
        for name in ("integrityrecord", "objection"):
            page.goto(f"{page.base}/admin/sanctions/{name}/")
            scroll, client = overflow(page, "#changelist-form .results")
            assert scroll <= client, f"{name} ({language}): {scroll} px in {client} px"
    assert_accessible(page, "objection list")
    page.context.close()


def test_the_action_panel_offers_the_next_steps_and_refuses_without_confirmation(
    browser, live_server, court, screenshot
):
    draft = drafted(court["clerk"])
    _case, record = listed(court)
    page = browser_page(browser, live_server)
    login(page, page.base, REVIEWER)

    # a draft: submit or withdraw; under review: return, decide or withdraw
    page.goto(f"{page.base}/admin/sanctions/case/{draft.pk}/change/")
    assert steps_offered(page) == ["Submit for review", "Withdraw the case"]
    assert "Draft" in page.locator(".action-state").inner_text()
    services.case_submit(actor=court["clerk"], case=draft)
    page.reload()
    assert steps_offered(page) == ["Return to the drafter", "Decide (creates the record)",
                                   "Withdraw the case"]  # fmt: skip

    # a published listing: remove it, record a partial performance, extend it, object
    page.goto(f"{page.base}/admin/sanctions/integrityrecord/{record.pk}/change/")
    assert steps_offered(page) == [
        "Remove from the list", "Record a partial performance", "Extend the listing",
        "File an objection on the subject's behalf",
    ]  # fmt: skip
    assert page.locator("details.step[open]").count() == 0  # none opened for the official
    form = step(page, "Remove from the list")
    assert page.locator("details.step[open]").count() == 1
    reason = form.get_by_label("Reason")
    assert reason.input_value() == "" and reason.get_attribute("required") is not None
    consequence = form.locator(".step-consequence").inner_text()
    assert "王建军" in consequence and "removal notice" in consequence
    assert "leaves the public list at once" in consequence
    screenshot(page, "workbench-remove-step")
    events = AuditEvent.objects.count()

    def unchanged():
        record.refresh_from_db()
        assert record.status == "active" and list(public_entries()) == [record]
        assert AuditEvent.objects.count() == events

    # a reason but no confirmation: the browser does not send it ...
    reason.select_option("performed")
    form.get_by_role("button", name="Remove from the list").click()
    page.wait_for_timeout(500)
    assert form.locator("input[name=confirm]:invalid").count() == 1
    assert page.url.endswith(f"/integrityrecord/{record.pk}/change/")
    unchanged()
    # ... and the server refuses it too, with a message, changing nothing
    form.locator("input[name=confirm]").evaluate("box => box.removeAttribute('required')")
    form.get_by_role("button", name="Remove from the list").click()
    page.wait_for_load_state()
    message = page.locator(".messagelist .error").inner_text()
    assert "Tick the box to confirm" in message and "Nothing was changed" in message
    unchanged()
    # confirmed but no reason: refused as well (the empty choice is not a reason)
    form = step(page, "Remove from the list")
    form.get_by_label("Reason").evaluate("select => select.removeAttribute('required')")
    form.locator("input[name=confirm]").check()
    form.get_by_role("button", name="Remove from the list").click()
    page.wait_for_load_state()
    assert "Reason: This field is required" in page.locator(".messagelist .error").inner_text()
    unchanged()
    # with both, it is done
    step(page, "Remove from the list").get_by_label("Reason").select_option("performed")
    act(page, "Remove from the list")
    record.refresh_from_db()
    assert record.status == "removed" and not public_entries().exists()
    assert steps_offered(page) == []
    assert page.locator(".action-panel .no-steps").is_visible()
    page.context.close()


def test_the_audit_trail_shows_labelled_names_and_dates_inside_the_page(
    browser, live_server, court, screenshot
):
    case = drafted(court["clerk"])
    old_type = RecordType.objects.get(code="judicial-dishonest-debtor")
    new_type = RecordType.objects.get(code="judicial-false-litigation")
    services.case_update(actor=court["clerk"], case=case, record_type=new_type)
    assert AuditEvent.objects.get(action="case.update").old_values == {"record_type": old_type.pk}
    for width, locale in ((1280, "en-US"), (390, "zh-CN")):
        page = browser_page(browser, live_server, width=width)
        login(page, page.base, CLERK)
        page.goto(f"{page.base}/admin/sanctions/case/{case.pk}/change/")
        if locale == "zh-CN":
            switch_language(page, "zh-hans")
        trail = page.locator(".audit-trail")
        text = trail.inner_text()
        title = (new_type.title_en or new_type.title) if locale == "en-US" else new_type.title
        earlier = (old_type.title_en or old_type.title) if locale == "en-US" else old_type.title
        assert title in text and earlier in text
        assert "{" not in text and "'record_type'" not in text
        assert f": {old_type.pk}" not in text  # no ids
        row = trail.locator("tbody tr").filter(has_text="case.update")
        label = "Record type:" if locale == "en-US" else "记录类型:"
        assert row.locator(".audit-changes li").first.inner_text().startswith(label)
        assert CLERK in row.locator(".audit-actor").inner_text()
        scroll, client = overflow(page, ".audit-trail")
        assert scroll <= client, f"{width} px: the trail is {scroll} px in {client} px"
        box = trail.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= width
        screenshot(page, f"workbench-audit-{width}")
        if width == 1280:
            assert_accessible(page, "case page with its audit trail")
        page.context.close()


def test_the_objection_page_shows_the_record_beside_the_objection_and_no_outcome_chosen(
    browser, live_server, court, screenshot
):
    _case, record = listed(court)
    grounds = "本人已于上月与申请执行人达成和解并履行完毕，附和解协议及付款凭证。"
    objection = services.objection_file(actor=court["clerk"], record=record, grounds=grounds)
    page = browser_page(browser, live_server)
    login(page, page.base, REVIEWER)
    page.goto(f"{page.base}/admin/sanctions/objection/{objection.pk}/change/")
    facts = page.locator("#record-facts-heading + dl")
    filing = page.locator("#filing-facts-heading + dl")
    facts_text, filing_text = facts.inner_text(), filing.inner_text()
    assert "王建军" in facts_text and "(2025)京0101执555号" in facts_text
    assert "86,000.00" in facts_text  # the amount, with thousands separators
    assert "被执行人有履行能力而拒不履行" in facts_text  # the record's facts
    assert "王建军" in filing_text and grounds in filing_text
    assert "bj-dongcheng-court.clerk" in filing_text and "on the person's behalf" in filing_text
    # side by side at 1280 px
    left = page.locator("#record-facts-heading").bounding_box()
    right = page.locator("#filing-facts-heading").bounding_box()
    assert abs(left["y"] - right["y"]) < 2 and right["x"] >= left["x"] + left["width"]
    # the decision: no outcome chosen in advance, and it must be chosen
    form = step(page, "Decide the objection")
    outcome = form.get_by_label("Outcome")
    assert outcome.input_value() == ""
    assert outcome.locator("option").first.inner_text() == "—"
    assert outcome.get_attribute("required") is not None
    form.get_by_label("Reasons").fill("和解协议已履行。")
    form.locator("input[name=confirm]").check()
    form.get_by_role("button", name="Decide the objection").click()
    page.wait_for_timeout(500)
    assert form.locator("select:invalid").count() == 1  # the browser asks for an outcome
    outcome.evaluate("select => select.removeAttribute('required')")
    form.get_by_role("button", name="Decide the objection").click()
    page.wait_for_load_state()
    assert "Outcome: This field is required" in page.locator(".messagelist .error").inner_text()
    objection.refresh_from_db()
    assert objection.outcome == "pending" and objection.decided_on is None
    screenshot(page, "workbench-objection")
    assert_accessible(page, "objection page")
    page.context.close()

    # at 390 px the two stack, each as wide as the page allows
    page = browser_page(browser, live_server, width=390)
    login(page, page.base, REVIEWER)
    page.goto(f"{page.base}/admin/sanctions/objection/{objection.pk}/change/")
    switch_language(page, "zh-hans")
    left = page.locator("#record-facts-heading").bounding_box()
    right = page.locator("#filing-facts-heading").bounding_box()
    assert right["y"] > left["y"] + left["height"]
    assert "86,000.00" in page.locator("#record-facts-heading + dl").inner_text()
    page.context.close()


# --- screenshots of the officials' main screens ------------------------------------------


def shots_dir() -> Path:
    where = os.environ.get("SCS_UI_SCREENSHOTS")
    path = (ROOT / where) if where else ARTIFACTS / "ui"
    path.mkdir(parents=True, exist_ok=True)
    return path


def test_screenshots_of_the_workbench_in_both_languages_and_widths(browser, live_server, court):
    today = timezone.localdate()
    for n, (name, title, days) in enumerate([
        ("欧阳建国", LONG_TITLE, -3), ("李娜", "拒不履行给付义务", 5),
        (LONG_NAME, "以虚假诉讼规避执行", 12), ("张伟", "违反限制消费令", -1),
    ]):  # fmt: skip
        case_about(court["clerk"], name, title, due=today + datetime.timedelta(days=days))
        assert n < 4
    open_case = Case.objects.order_by("id").first()
    services.case_update(actor=court["clerk"], case=open_case, amount=90000)
    _case, record = listed(court)
    objection = services.objection_file(
        actor=court["clerk"], record=record,
        grounds="本人已于上月与申请执行人达成和解并履行完毕，附和解协议及付款凭证。",
    )  # fmt: skip
    screens = {
        "case-list": "/admin/sanctions/case/",
        "case-change": f"/admin/sanctions/case/{open_case.pk}/change/",
        "record-change": f"/admin/sanctions/integrityrecord/{record.pk}/change/",
        "objection": f"/admin/sanctions/objection/{objection.pk}/change/",
    }
    where = shots_dir()
    for width in (1280, 390):
        page = browser_page(browser, live_server, width=width)
        login(page, page.base, REVIEWER)
        for language in ("zh", "en"):
            page.goto(page.base + screens["case-list"])
            switch_language(page, "zh-hans" if language == "zh" else "en")
            for name, path in screens.items():
                page.goto(page.base + path)
                page.screenshot(path=str(where / f"{name}-{language}-{width}.png"),
                                full_page=True)  # fmt: skip
        page.context.close()
    assert Objection.objects.get().outcome == "pending"  # looking changed nothing
