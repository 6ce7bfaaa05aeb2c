"""Credit repair through the citizen portal, in Chromium with JavaScript off: the citizen
applies with an attachment and sees the application on the record page; the stored row, the
attachment's SHA-256 and the `repair.apply` audit row are checked. Before the record is
eligible the page refuses — also when a form opened earlier is sent too early — and nothing
is stored, neither a row nor a file."""

import datetime
import hashlib

import pytest
import time_machine
from django.utils import timezone

from sanctions.casework.eligibility import repair_eligible_from
from sanctions.kernel.workdays import repair_due_on
from sanctions.models import AccessLog, AuditEvent, FilingAttachment, RepairApplication
from tests.citizens.conftest import PDF, activate, decide
from tests.e2e.conftest import assert_accessible, citizen_page
from tests.factories import make_citizen

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

GROUNDS = "已按要求参加诚信教育培训，并提交书面整改报告。"


def cheating_record(officials, citizen, *, days_ago, number):
    """A general-tier record about a person (repair possible 91 days after the decision)."""
    day = timezone.localdate() - datetime.timedelta(days=days_ago)
    return decide(officials, citizen.subject, code="societal-exam-cheating", number=number,
                  decision_date=day)  # fmt: skip


def test_citizen_applies_for_credit_repair_with_an_attachment(
    browser, live_server, exam_board, media, screenshot, tmp_path
):
    today = timezone.localdate()
    citizen = make_citizen(name="刘洋", birth=datetime.date(1995, 9, 1))
    record = cheating_record(exam_board, citizen, days_ago=120, number="京教考处〔2026〕12号")
    assert record.status == "active" and repair_eligible_from(record) < today
    user = activate(citizen, exam_board[0])
    page = citizen_page(browser, live_server.url, citizen)

    page.goto(f"{live_server.url}/my/records/{record.pk}/")
    page.get_by_role("link", name="申请信用修复").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="申请信用修复", level=1).is_visible()
    # the decision date is announced before anything is filed
    due = repair_due_on(today)
    assert f"（今日申请的，于 {due:%Y-%m-%d} 前）" in page.locator("main .alert-info").inner_text()
    screenshot(page, "citizen-repair-form-zh")
    assert_accessible(page, "repair form")

    report = tmp_path / "整改报告.pdf"
    report.write_bytes(PDF)
    page.get_by_label("您采取了哪些纠正措施？").fill(GROUNDS)
    page.get_by_label("附件").set_input_files(str(report))
    page.get_by_role("button", name="申请", exact=True).click()
    page.wait_for_load_state()

    # back on the record page: the message, the application, its status and its file
    assert page.url.endswith(f"/my/records/{record.pk}/")
    assert page.get_by_text("信用修复申请已提交。").is_visible()
    assert page.locator(".repair-status").inner_text() == "待处理"
    card = page.locator("article").filter(has=page.locator(".repair-status"))
    assert GROUNDS in card.inner_text()
    assert f"应于 {due:%Y-%m-%d} 前作出决定。" in card.inner_text()
    assert card.get_by_role("link", name="整改报告.pdf").is_visible()
    screenshot(page, "citizen-repair-filed-zh")
    assert_accessible(page, "record with a repair application")

    application = RepairApplication.objects.get(record=record)
    assert application.state == "pending" and application.grounds == GROUNDS
    assert application.filed_by == user
    assert application.filed_on == today and application.due_on == due
    (attachment,) = application.attachments.all()
    digest = hashlib.sha256(PDF).hexdigest()
    assert attachment.original_name == "整改报告.pdf"
    assert attachment.content_type == "application/pdf" and attachment.size == len(PDF)
    assert attachment.sha256 == digest and attachment.uploaded_by == user
    assert attachment.objection_id is None
    with attachment.file.open("rb") as stored:
        assert stored.read() == PDF
    event = AuditEvent.objects.get(action="repair.apply")
    assert event.actor == user and event.subject_id == citizen.subject_id
    assert (event.object_type, event.object_id) == ("sanctions.RepairApplication",
                                                    str(application.pk))  # fmt: skip
    assert event.new_values == {
        "record": record.pk,
        "due_on": due.isoformat(),
        "attachments": ["整改报告.pdf"],
        "attachment_sha256": [digest],
    }

    # the citizen downloads the own file: the same bytes, and no "official read" is logged
    with page.expect_download() as download:
        card.get_by_role("link", name="整改报告.pdf").click()
    assert download.value.suggested_filename == "整改报告.pdf"
    assert download.value.path().read_bytes() == PDF
    assert not AccessLog.objects.filter(subject=citizen.subject).exists()

    # a second application while this one is pending is not offered: the record page says
    # why instead of linking, and the repair page itself has no form
    actions = page.locator("#actions-heading + ul")
    assert actions.get_by_role("link", name="申请信用修复").count() == 0
    assert "申请信用修复: 该记录已有待处理的信用修复申请。" in actions.inner_text()
    page.goto(f"{live_server.url}/my/records/{record.pk}/repair/")
    assert page.get_by_text("已有申请在处理中，或该记录不在有效期内。").is_visible()
    assert page.locator("main form").count() == 0
    page.context.close()


def test_repair_before_the_record_is_eligible_is_refused_and_nothing_is_stored(
    browser, live_server, exam_board, media, screenshot, tmp_path
):
    today = timezone.localdate()
    citizen = make_citizen(name="陈静", birth=datetime.date(1993, 4, 20), male=False)
    record = cheating_record(exam_board, citizen, days_ago=85, number="京教考处〔2026〕31号")
    eligible_from = repair_eligible_from(record)
    assert record.status == "active" and eligible_from > today
    activate(citizen, exam_board[0])
    not_yet = f"自 {eligible_from:%Y-%m-%d} 起可以申请。"

    # today: the record page says from when, and the repair page has no form
    page = citizen_page(browser, live_server.url, citizen)
    page.goto(f"{live_server.url}/my/records/{record.pk}/")
    actions = page.locator("#actions-heading + ul")
    assert f"申请信用修复: {not_yet}" in actions.inner_text()
    assert actions.get_by_role("link", name="申请信用修复").count() == 0  # not offered yet
    page.goto(f"{live_server.url}/my/records/{record.pk}/repair/")  # typed or bookmarked
    assert page.get_by_text(not_yet).is_visible()
    assert page.locator("main form").count() == 0
    screenshot(page, "citizen-repair-not-yet-zh")
    assert_accessible(page, "repair not yet possible")
    page.context.close()

    # a form opened on a day the record was eligible, sent today (a clock running ahead, a
    # tab left open the other way round): the service refuses it
    future = datetime.datetime.combine(eligible_from, datetime.time(9))
    with time_machine.travel(timezone.make_aware(future), tick=True):
        page = citizen_page(browser, live_server.url, citizen)
        page.goto(f"{live_server.url}/my/records/{record.pk}/repair/")
        early = tmp_path / "提前提交的材料.pdf"
        early.write_bytes(PDF)
        page.get_by_label("您采取了哪些纠正措施？").fill(GROUNDS)
        page.get_by_label("附件").set_input_files(str(early))
    with page.expect_response(lambda r: r.request.method == "POST") as response:
        page.get_by_role("button", name="申请", exact=True).click()
    page.wait_for_load_state()
    assert response.value.status == 400
    assert page.get_by_text(not_yet).is_visible()
    assert page.get_by_text("信用修复申请已提交。").count() == 0
    screenshot(page, "citizen-repair-refused-zh")

    assert not RepairApplication.objects.exists()
    assert not FilingAttachment.objects.exists()
    assert not AuditEvent.objects.filter(action="repair.apply").exists()
    assert not [p for p in (media / "filings").rglob("*") if p.is_file()]  # no file either
    record.refresh_from_db()
    assert record.status == "active"
    page.goto(f"{live_server.url}/my/records/{record.pk}/")
    assert page.locator(".repair-status").count() == 0
    assert f"申请信用修复: {not_yet}" in page.locator("#actions-heading + ul").inner_text()
    page.context.close()
