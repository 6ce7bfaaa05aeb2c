"""Case evidence in a real browser: the clerk attaches it on the case form, an official of the
case's authority downloads it through the case page (the person then reads that under "who
viewed my data"), while the stored file's media URL and another court's official get 404."""

import datetime
from pathlib import Path

import pytest
from django.utils import timezone, translation

from citizens.selectors import access_purpose_label
from sanctions.models import AccessLog, Case, RecordType
from tests.citizens.conftest import PDF, activate
from tests.e2e.conftest import citizen_page
from tests.e2e.test_casework_walk import login
from tests.factories import make_citizen, make_official

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

EVIDENCE = "执行裁定书.pdf"


def test_evidence_is_downloaded_through_the_case_page_and_the_read_is_shown_to_the_person(
    browser, live_server, catalog, media, screenshot, tmp_path
):
    clerk = make_official(role="clerk", authority_code="bj-dongcheng-court")
    reviewer = make_official(role="reviewer", authority_code="bj-dongcheng-court")
    other = make_official(role="reviewer", authority_code="bj-xicheng-court")
    citizen = make_citizen(name="钱伟", birth=datetime.date(1985, 7, 9))
    debtor_type = RecordType.objects.get(code="judicial-dishonest-debtor")
    upload = Path(tmp_path) / EVIDENCE
    upload.write_bytes(PDF)
    base = live_server.url
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 1000})
    page = context.new_page()

    # the clerk drafts the case with the evidence attached on the form
    login(page, base, clerk.username)
    page.goto(f"{base}/admin/sanctions/case/add/?subject={citizen.subject_id}"
              f"&record_type={debtor_type.pk}")  # fmt: skip
    page.get_by_label("Title").fill("执行案件")
    page.get_by_label("Facts").fill("被执行人有履行能力而拒不履行。")
    page.get_by_label("Listing ground").select_option("2")
    page.locator("input[type=file]").first.set_input_files(str(upload))
    page.get_by_role("button", name="Save", exact=True).click()
    page.wait_for_load_state()
    case = Case.objects.get()
    evidence = case.evidence.get()
    assert evidence.original_name == EVIDENCE and EVIDENCE not in evidence.file.name
    url = f"/admin/sanctions/case/{case.pk}/evidence/{evidence.pk}/"

    # the reviewer opens the case and downloads it from the evidence row
    login(page, base, reviewer.username)
    page.goto(f"{base}/admin/sanctions/case/{case.pk}/change/")
    link = page.get_by_role("link", name=EVIDENCE)
    assert link.get_attribute("href") == url
    assert "/media/" not in page.content()
    screenshot(page, "admin-case-evidence-link")
    with page.expect_download() as download:
        link.click()
    assert download.value.suggested_filename == EVIDENCE
    assert download.value.path().read_bytes() == PDF
    # the stored file has no URL of its own
    response = page.request.get(f"{base}/media/{evidence.file.name}")
    assert response.status == 404 and PDF not in response.body()
    # an official of another court: 404
    login(page, base, other.username)
    response = page.request.get(base + url)
    assert response.status == 404 and PDF not in response.body()
    context.close()

    read = AccessLog.objects.get(subject=citizen.subject, official=reviewer,
                                 purpose__endswith=f"evidence {EVIDENCE}")  # fmt: skip
    assert not AccessLog.objects.filter(subject=citizen.subject, official=other).exists()

    # the person sees the download under "who viewed my data"
    activate(citizen, clerk)
    page = citizen_page(browser, base, citizen)
    page.get_by_role("link", name="谁查看了我的信息", exact=True).click()
    page.wait_for_load_state()
    rows = [
        [cell.inner_text() for cell in row.locator("td").all()]
        for row in page.locator("main table tbody tr").all()
    ]
    # issue 18: the role and number of the official and what they did in words
    with translation.override("zh-hans"):
        did = access_purpose_label(read.purpose)
    when = timezone.localtime(read.created_at).strftime("%Y-%m-%d %H:%M")
    who = f"审核人员（工作人员编号 {reviewer.pk}）"
    assert [when, who, "北京市东城区人民法院", did] in rows
    assert did == "查看了与您有关案件中的证据材料"
    screenshot(page, "citizen-access-log-after-evidence-download-zh")
    page.context.close()
