"""Officials handling citizens' filings in the admin, in a real browser: downloading a
person's objection or repair attachment writes an AccessLog row that the person then reads
under "who viewed my data"; the "overdue" list filter shows exactly the overdue objections
and repair applications of the official's authority, as the dashboard counts them."""

import datetime
import re

import pytest
from django.utils import timezone, translation

from citizens.selectors import access_purpose_label
from sanctions.casework.selectors import objections_visible_to, overdue, repairs_visible_to
from sanctions.kernel.workdays import objection_due_on
from sanctions.models import AccessLog, Authority, Objection, RepairApplication
from tests import services
from tests.citizens.conftest import PDF, activate, decide, pdf
from tests.e2e.conftest import assert_accessible, citizen_page
from tests.e2e.test_casework_walk import login
from tests.factories import make_citizen, make_enterprise, make_official

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

ATTACHMENT = "情况说明.pdf"


def days_ago(days):
    return timezone.localdate() - datetime.timedelta(days=days)


def cheating_record(officials, subject, number, *, decided=200):
    return decide(officials, subject, code="societal-exam-cheating", number=number,
                  decision_date=days_ago(decided))  # fmt: skip


def admin_context(browser):
    return browser.new_context(locale="en-US", viewport={"width": 1280, "height": 1000})


def listed_ids(page):
    """The ids in the change list, in page order."""
    return [int(t) for t in page.locator("#result_list tbody th.field-id a").all_inner_texts()]


def overdue_flags(page):
    """{id: whether the "overdue" column marks the row} for every row of the change list
    ("True"/"False"; the column shows the word "Overdue" on the late rows only)."""
    rows = page.locator("#result_list tbody tr")
    return {
        int(row.locator("th.field-id a").inner_text()): str(
            row.locator("td.field-overdue .overdue-flag").count() == 1
        )
        for row in rows.all()
    }


FILINGS = {
    # kind: (admin URL name, the service that files it, the purpose the AccessLog gives)
    "objection": ("objection", services.objection_file, "objection handling: objection"),
    "repair": ("repairapplication", services.repair_apply, "credit repair: application"),
}


@pytest.mark.parametrize("kind", ["objection", "repair"])
def test_downloading_a_filing_attachment_is_logged_and_the_person_sees_it(
    kind, browser, live_server, exam_board, media, screenshot
):
    clerk, reviewer = exam_board
    model_name, file_it, purpose = FILINGS[kind]
    citizen = make_citizen(name="周晓梅", birth=datetime.date(1991, 2, 14), male=False)
    record = cheating_record(exam_board, citizen.subject, "京教考处〔2026〕57号", decided=120)
    user = activate(citizen, clerk)
    filing = file_it(actor=user, record=record, grounds="考试当日本人在外地，附行程证明。",
                     attachments=[pdf(ATTACHMENT)])  # fmt: skip
    attachment = filing.attachments.get()
    assert not AccessLog.objects.exists()
    base = live_server.url

    # the reviewer opens the filing from the list, then downloads the attachment
    context = admin_context(browser)
    page = context.new_page()
    login(page, base, reviewer.username)
    page.goto(f"{base}/admin/sanctions/{model_name}/")
    page.locator("#result_list th.field-id a", has_text=str(filing.pk)).click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/admin/sanctions/{model_name}/{filing.pk}/change/")
    link = page.locator(".field-attachment_links").get_by_role("link", name=ATTACHMENT)
    assert link.get_attribute("href") == (
        f"/admin/sanctions/{model_name}/{filing.pk}/attachments/{attachment.pk}/"
    )
    screenshot(page, f"admin-{kind}-attachment-1-change")
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == ATTACHMENT
    assert download.value.path().read_bytes() == PDF
    context.close()

    # two reads of the person's data: the filing page, then the file (named in the purpose)
    authority = Authority.objects.get(code="bj-education")
    rows = list(AccessLog.objects.filter(subject=citizen.subject).order_by("id"))
    assert [(r.official, r.authority, r.purpose) for r in rows] == [
        (reviewer, authority, f"{purpose} #{filing.pk}"),
        (reviewer, authority, f"{purpose} #{filing.pk}: {ATTACHMENT}"),
    ]
    assert AccessLog.objects.count() == 2

    # the citizen reads both under "who viewed my data", newest first
    page = citizen_page(browser, base, citizen)
    page.get_by_role("link", name="谁查看了我的信息", exact=True).click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="谁查看了我的信息", level=1).is_visible()
    table = [
        [cell.inner_text() for cell in row.locator("td").all()]
        for row in page.locator("main table tbody tr").all()
    ]
    # issue 18: the role and number of the official and what they did in words
    with translation.override("zh-hans"):
        shown = [access_purpose_label(r.purpose) for r in reversed(rows)]
    assert table == [
        [timezone.localtime(r.created_at).strftime("%Y-%m-%d %H:%M"),
         f"审核人员（工作人员编号 {reviewer.pk}）", "北京市教育委员会", did]
        for r, did in zip(reversed(rows), shown, strict=True)
    ]  # fmt: skip
    assert set(shown) <= {"处理了您的异议", "处理了您的信用修复申请"}
    screenshot(page, f"citizen-access-log-after-{kind}-download-zh")
    assert_accessible(page, f"access log after the {kind} attachment was read")
    page.context.close()


def test_the_overdue_filter_lists_exactly_the_overdue_filings(
    browser, live_server, exam_board, media, screenshot
):
    clerk, reviewer = exam_board
    first, second = make_citizen(name="吴磊"), make_citizen(name="郑敏", male=False)
    records = [
        cheating_record(exam_board, (first if n % 2 else second).subject, f"京教考处〔2026〕{n}号")
        for n in range(101, 108)
    ]

    def object_to(record, filed):
        return services.objection_file(actor=clerk, record=record, grounds="事实认定有误。",
                                       today=days_ago(filed))  # fmt: skip

    # objections are due 15 calendar days after filing
    assert objection_due_on(days_ago(15)) == days_ago(0)
    o_late = object_to(records[0], 30)
    o_due_yesterday = object_to(records[1], 16)
    o_due_today = object_to(records[2], 15)  # not late yet: due today
    o_decided = object_to(records[3], 30)
    services.objection_decide(actor=reviewer, objection=o_decided, outcome="rejected",
                              reasons="理由不成立。", today=days_ago(20))  # fmt: skip
    assert o_late.due_on == days_ago(15) and o_due_yesterday.due_on == days_ago(1)

    def apply_for_repair(record, filed):
        return services.repair_apply(actor=clerk, record=record, grounds="已整改。",
                                     today=days_ago(filed))  # fmt: skip

    # repairs are due 15 working days after filing
    p_late = apply_for_repair(records[4], 40)
    p_fresh = apply_for_repair(records[5], 0)
    p_decided = apply_for_repair(records[6], 40)
    services.repair_decide(actor=reviewer, application=p_decided, granted=False,
                           reasons="整改材料不足。", today=days_ago(10))  # fmt: skip
    assert p_late.due_on < timezone.localdate() < p_fresh.due_on

    # another authority's late filings: overdue, but not this official's work
    court = (make_official(role="clerk", authority_code="bj-dongcheng-court"),
             make_official(role="reviewer", authority_code="bj-dongcheng-court"))  # fmt: skip
    amr = (make_official(role="clerk", authority_code="bj-dongcheng-amr"),
           make_official(role="reviewer", authority_code="bj-dongcheng-amr"))  # fmt: skip
    debtor = decide(court, make_citizen(name="冯刚").subject, code="judicial-dishonest-debtor",
                    number="(2026)京0101执88号", judicial_ground=2,
                    decision_date=days_ago(60))  # fmt: skip
    o_elsewhere = services.objection_file(actor=court[0], record=debtor, grounds="已履行。",
                                          today=days_ago(30))  # fmt: skip
    product = decide(amr, make_enterprise(name="北京某某食品有限公司").subject,
                     code="commercial-product-quality", number="京东市监罚〔2026〕88号",
                     decision_date=days_ago(200))  # fmt: skip
    p_elsewhere = services.repair_apply(actor=amr[0], record=product, grounds="已召回。",
                                        today=days_ago(40))  # fmt: skip
    assert set(overdue(queryset=Objection.objects.all())) == {o_late, o_due_yesterday, o_elsewhere}
    assert set(overdue(queryset=RepairApplication.objects.all())) == {p_late, p_elsewhere}

    context = admin_context(browser)
    page = context.new_page()
    base = live_server.url
    login(page, base, clerk.username)

    # the dashboard counts them ...
    page.goto(base + "/admin/")
    objections_row = page.get_by_role("row").filter(
        has=page.get_by_role("link", name="Objections pending")
    )
    repairs_row = page.get_by_role("row").filter(
        has=page.get_by_role("link", name="Repair applications pending")
    )
    assert re.sub(r"\s+", " ", objections_row.locator("td").inner_text()).strip() == (
        "3 (2 overdue)"
    )
    assert re.sub(r"\s+", " ", repairs_row.locator("td").inner_text()).strip() == "2 (1 overdue)"

    # ... the lists mark them, and the filter keeps exactly them
    for name, late, not_late in (
        ("objection", [o_late, o_due_yesterday], [o_due_today, o_decided]),
        ("repairapplication", [p_late], [p_fresh, p_decided]),
    ):  # fmt: skip
        page.goto(f"{base}/admin/sanctions/{name}/")
        assert overdue_flags(page) == {
            **{o.pk: "True" for o in late},
            **{o.pk: "False" for o in not_late},
        }
        page.locator("#changelist-filter").get_by_role("link", name="Overdue").click()
        page.wait_for_load_state()
        assert "overdue=yes" in page.url
        assert sorted(listed_ids(page)) == sorted(o.pk for o in late)
        assert set(overdue_flags(page).values()) == {"True"}
        # every column in view at 1280 px, the "overdue" one too: no horizontal scroll
        assert page.evaluate(
            "() => { const r = document.querySelector('#changelist-form .results');"
            " return r.scrollWidth <= r.clientWidth; }"
        )
        screenshot(page, f"admin-{name}-overdue-filter")
        assert_accessible(page, f"{name} list, overdue only")
        visible = objections_visible_to if name == "objection" else repairs_visible_to
        selected = overdue(queryset=visible(user=clerk)).values_list("pk", flat=True)
        assert sorted(listed_ids(page)) == sorted(selected)
    context.close()
