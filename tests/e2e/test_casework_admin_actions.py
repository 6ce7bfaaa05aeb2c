"""The officials' admin actions the walk does not reach, in a real browser: a reviewer removes
a listing and extends another, returns a case to the clerk; a clerk withdraws a draft, closes
a notified case and enters an appeal against an objection outcome. Each test checks what the
action changed in the database, the public list, and the audit row it left."""

import datetime

import pytest
from django.utils import timezone

from sanctions.models import Appeal, CaseNote, IntegrityRecord, Notice, RecordType
from sanctions.registry.selectors import public_entries
from tests import services
from tests.e2e.test_casework_walk import PDF, act, login, step, steps_offered
from tests.factories import make_citizen, make_official, the_event

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

CLERK = "bj-dongcheng-court.clerk"
REVIEWER = "bj-dongcheng-court.reviewer"


@pytest.fixture
def court(catalog):
    return {
        "clerk": make_official(role="clerk", authority_code="bj-dongcheng-court"),
        "reviewer": make_official(role="reviewer", authority_code="bj-dongcheng-court"),
    }


@pytest.fixture
def admin_page(browser, live_server):
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 1000})
    page = context.new_page()
    page.base = live_server.url
    yield page
    context.close()


def the_day_of_decision():
    return timezone.localdate() - datetime.timedelta(days=20)


def drafted(clerk, *, ground=2):
    from django.core.files.uploadedfile import SimpleUploadedFile

    case = services.case_create(
        actor=clerk,
        subject=make_citizen(name="王建军").subject,
        record_type=RecordType.objects.get(code="judicial-dishonest-debtor"),
        title="拒不履行生效判决",
        facts="被执行人有履行能力而拒不履行（2025）京0101民初100号判决。",
        judicial_ground=ground,
        amount=86000,
    )
    services.evidence_add(
        actor=clerk,
        case=case,
        uploaded=SimpleUploadedFile("judgment.pdf", PDF, content_type="application/pdf"),
    )
    return case


def notified(court, *, ground=2):
    """A case decided 20 days ago and its notice served that day: the record is still pending
    notice until the sweep runs."""
    day = the_day_of_decision()
    case = drafted(court["clerk"], ground=ground)
    services.case_submit(actor=court["clerk"], case=case)
    record = services.case_decide(actor=court["reviewer"], case=case,
                                  decision_number="(2025)京0101执555号", decision_date=day,
                                  today=day)  # fmt: skip
    services.case_serve_notice(actor=court["clerk"], case=case, today=day)
    return case, record


def listed(court, *, ground=2):
    """A record the nightly sweep has published: on the public list today."""
    case, record = notified(court, ground=ground)
    assert services.publication_sweep() == {"activated": 1, "expired": 0}
    record.refresh_from_db()
    assert record.status == "active" and list(public_entries()) == [record]
    return case, record


def action_form(page, label):
    """The form of the action panel's step `label`, opened."""
    return step(page, label)


def test_reviewer_removes_a_listing_on_performance(court, admin_page, screenshot):
    _case, record = listed(court)
    page = admin_page
    login(page, page.base, REVIEWER)
    page.goto(f"{page.base}/admin/sanctions/integrityrecord/{record.pk}/change/")
    form = action_form(page, "Remove from the list")
    form.get_by_label("Reason").select_option("performed")
    screenshot(page, "admin-remove-1-record")
    act(page, "Remove from the list")
    screenshot(page, "admin-remove-2-removed")

    record.refresh_from_db()
    assert record.status == "removed"
    assert record.removal_reason == "performed" and record.performance_status == "performed"
    assert record.removed_at is not None
    assert not public_entries().exists()
    event = the_event("record.remove", record)
    assert event.actor == court["reviewer"] and event.actor_repr == REVIEWER
    assert event.old_values == {"status": "active", "removed_at": None, "removal_reason": "",
                                "performance_status": "unperformed"}  # fmt: skip
    assert event.new_values["status"] == "removed"
    assert event.new_values["removal_reason"] == "performed"
    assert event.new_values["performance_status"] == "performed"
    assert Notice.objects.filter(record=record, kind="removal").count() == 1
    # the button is gone and the removal is in the record's audit trail on the page
    assert "Remove from the list" not in steps_offered(page)
    assert "record.remove" in page.locator("#audit-heading + table").inner_text()


def test_reviewer_extends_a_listing_once(court, admin_page, screenshot):
    _case, record = listed(court, ground=2)
    old_end, old_until = record.publication_end, record.effective_until
    page = admin_page
    login(page, page.base, REVIEWER)
    page.goto(f"{page.base}/admin/sanctions/integrityrecord/{record.pk}/change/")
    form = action_form(page, "Extend the listing")
    form.get_by_label("Years").select_option("2")
    form.get_by_label("Reason").fill("被执行人仍有能力履行而拒不履行，延长公布期限。")
    screenshot(page, "admin-extend-1-record")
    act(page, "Extend the listing")
    screenshot(page, "admin-extend-2-extended")

    record.refresh_from_db()
    new_end = old_end + datetime.timedelta(days=730)
    assert record.publication_end == new_end and record.effective_until >= new_end
    assert record.listing_extended_at is not None
    assert record.extension_reason == "被执行人仍有能力履行而拒不履行，延长公布期限。"
    assert record.status == "active"
    # still listed today, and now also past the old end
    assert list(public_entries()) == [record]
    assert list(public_entries(today=old_end + datetime.timedelta(days=1))) == [record]
    assert not public_entries(today=new_end + datetime.timedelta(days=1)).exists()
    event = the_event("record.extend", record)
    assert event.actor == court["reviewer"]
    assert event.old_values == {
        "publication_end": old_end.isoformat(),
        "effective_until": old_until.isoformat(),
    }
    assert event.new_values == {
        "publication_end": new_end.isoformat(),
        "effective_until": record.effective_until.isoformat(),
        "reason": "被执行人仍有能力履行而拒不履行，延长公布期限。",
    }
    assert Notice.objects.filter(record=record, kind="extension").count() == 1
    assert "Extend the listing" not in steps_offered(page)  # only once


def test_reviewer_returns_a_case_to_the_clerk(court, admin_page, screenshot):
    case = drafted(court["clerk"])
    services.case_submit(actor=court["clerk"], case=case)
    page = admin_page
    login(page, page.base, REVIEWER)
    page.goto(f"{page.base}/admin/sanctions/case/{case.pk}/change/")
    note = "缺少被执行人财产调查报告，请补充后再提交。"
    action_form(page, "Return to the drafter").get_by_label("What is missing").fill(note)
    screenshot(page, "admin-return-1-under-review")
    act(page, "Return to the drafter")

    case.refresh_from_db()
    assert case.state == "draft" and case.decided_by is None
    assert not IntegrityRecord.objects.exists() and not public_entries().exists()
    assert CaseNote.objects.get(case=case).author == court["reviewer"]
    event = the_event("case.return", case)
    assert event.actor == court["reviewer"]
    assert event.old_values == {"state": "under_review"} and event.new_values == {"state": "draft"}

    # the clerk finds the case back in draft, with the note, and can submit it again
    login(page, page.base, CLERK)
    page.goto(f"{page.base}/admin/sanctions/case/{case.pk}/change/")
    screenshot(page, "admin-return-2-clerk-sees-draft")
    assert note in page.content()
    assert steps_offered(page) == ["Submit for review", "Withdraw the case"]


def test_clerk_withdraws_a_draft(court, admin_page, screenshot):
    case = drafted(court["clerk"])
    page = admin_page
    login(page, page.base, CLERK)
    page.goto(f"{page.base}/admin/sanctions/case/{case.pk}/change/")
    reason = "申请执行人已撤回执行申请。"
    action_form(page, "Withdraw the case").get_by_label("Reason").fill(reason)
    screenshot(page, "admin-withdraw-1-draft")
    act(page, "Withdraw the case")
    screenshot(page, "admin-withdraw-2-withdrawn")

    case.refresh_from_db()
    assert case.state == "withdrawn" and case.withdrawal_reason == reason
    assert not IntegrityRecord.objects.exists() and not public_entries().exists()
    event = the_event("case.withdraw", case)
    assert event.actor == court["clerk"]
    assert event.old_values == {"state": "draft"}
    assert event.new_values == {"state": "withdrawn", "withdrawal_reason": reason}
    assert page.locator("form.service-action").count() == 0  # nothing left to do


def test_clerk_closes_a_notified_case_and_the_record_still_publishes(court, admin_page,
                                                                      screenshot):  # fmt: skip
    case, record = notified(court)
    page = admin_page
    login(page, page.base, CLERK)
    page.goto(f"{page.base}/admin/sanctions/case/{case.pk}/change/")
    screenshot(page, "admin-close-1-notified")
    act(page, "Close the case")
    screenshot(page, "admin-close-2-closed")

    case.refresh_from_db()
    assert case.state == "closed"
    event = the_event("case.close", case)
    assert event.actor == court["clerk"]
    assert event.old_values == {"state": "notified"} and event.new_values == {"state": "closed"}
    # closing the file does not touch the record: the sweep still publishes it
    record.refresh_from_db()
    assert record.status == "pending_notice" and not public_entries().exists()
    assert services.publication_sweep() == {"activated": 1, "expired": 0}
    assert list(public_entries()) == [record]
    assert page.locator("form.service-action").count() == 0


def test_clerk_enters_an_appeal_against_a_rejected_objection(court, admin_page, screenshot):
    _case, record = listed(court)
    objection = services.objection_file(actor=court["clerk"], record=record,
                                        grounds="已与申请执行人达成和解。")  # fmt: skip
    services.objection_decide(actor=court["reviewer"], objection=objection, outcome="rejected",
                              reasons="和解协议未履行。")  # fmt: skip
    page = admin_page
    login(page, page.base, CLERK)
    page.goto(f"{page.base}/admin/sanctions/objection/{objection.pk}/change/")
    grounds = "和解协议已部分履行，原异议决定认定事实有误。"
    action_form(page, "Enter an appeal to the higher authority").get_by_label(
        "Grounds of the appeal"
    ).fill(grounds)
    screenshot(page, "admin-appeal-1-objection")
    act(page, "Enter an appeal to the higher authority")
    screenshot(page, "admin-appeal-2-appeal")

    appeal = Appeal.objects.get(objection=objection)
    assert page.url.endswith(f"/admin/sanctions/appeal/{appeal.pk}/change/")
    assert appeal.state == "pending" and appeal.grounds == grounds
    assert appeal.authority.code == "bj-2nd-intermediate-court"
    assert appeal.filed_by == court["clerk"] and appeal.filed_on == timezone.localdate()
    event = the_event("appeal.file", appeal)
    assert event.actor == court["clerk"] and event.subject_id == record.subject_id
    assert event.new_values == {"authority": "bj-2nd-intermediate-court",
                                "due_on": appeal.due_on.isoformat()}  # fmt: skip
    # the entry stays listed while the appeal is heard; the outcome can be appealed only once
    record.refresh_from_db()
    assert record.status == "active" and list(public_entries()) == [record]
    page.goto(f"{page.base}/admin/sanctions/objection/{objection.pk}/change/")
    assert "Enter an appeal to the higher authority" not in steps_offered(page)


def test_the_officials_case_and_record_pages_pass_the_accessibility_check(court, admin_page):
    """axe on the pages officials work in: the case (with its evidence and notes rows), the
    record, the case list and the dashboard — no serious or critical violation."""
    from tests.e2e.conftest import assert_accessible

    case, record = listed(court)
    page = admin_page
    login(page, page.base, CLERK)
    for name, path in [
        ("dashboard", "/admin/"),
        ("case list", "/admin/sanctions/case/"),
        ("case", f"/admin/sanctions/case/{case.pk}/change/"),
        ("record", f"/admin/sanctions/integrityrecord/{record.pk}/change/"),
    ]:
        page.goto(page.base + path)
        assert_accessible(page, name)
