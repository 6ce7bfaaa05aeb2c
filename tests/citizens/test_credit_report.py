"""Issue 19, verifiable credit report: the PDF (WeasyPrint, read back with poppler's
pdftotext) in both languages, for a person and for the enterprise they represent; /verify/
for genuine, unknown, expired, revoked and changed-since codes, showing only the snapshot;
the check in the person's access log; the rate limits; revocation and scope; the fetcher that
keeps rendering offline."""

import datetime
import json
import re
import shutil
import subprocess

import pytest
from django.urls import reverse
from django.utils import timezone

from citizens import pdf as report_pdf
from citizens import report as reports
from citizens.models import CreditReport, CreditReportVerification
from sanctions.kernel import ratelimit
from sanctions.models import AuditEvent
from tests import services
from tests.factories import make_official

pytestmark = pytest.mark.django_db

CODE = re.compile(r"\b([0-9A-Z]{4}(?:-[0-9A-Z]{4}){6})\b")


def pdf_text(data: bytes) -> str:
    """The PDF's text as poppler's pdftotext extracts it (Debian poppler-utils)."""
    assert data.startswith(b"%PDF-")
    if shutil.which("pdftotext") is None:
        pytest.fail("pdftotext is missing: `make pdf-libs` installs poppler-utils")
    done = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=data,
                          capture_output=True, check=True)  # fmt: skip
    return done.stdout.decode()


def flat(text: str) -> str:
    """Without white space: table cells wrap words over lines."""
    return re.sub(r"\s+", "", text)


def pdf_fonts(data: bytes, tmp_path) -> str:
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdffonts", str(path)], capture_output=True, check=True,
                          text=True).stdout  # fmt: skip


@pytest.fixture
def qr_links(monkeypatch):
    """What the QR code of each rendered PDF encodes (the real qr_svg still draws it)."""
    seen = []
    draw = report_pdf.qr_svg

    def recording(data):
        seen.append(data)
        return draw(data)

    monkeypatch.setattr(report_pdf, "qr_svg", recording)
    return seen


def download(client, subject, language):
    return client.post(reverse("citizens:credit_report_new"),
                       {"subject": subject.pk, "language": language})  # fmt: skip


def issue(world, subject=None, language="en"):
    """A report issued through the service, and its code (as printed on the PDF)."""
    report, data = reports.credit_report_issue(
        actor=world["a_user"], subject=subject or world["a"].subject, language=language,
        verify_page="http://testserver/verify/",
        verify_url=lambda code: f"http://testserver/verify/{code}/",
    )  # fmt: skip
    return report, CODE.search(pdf_text(data)).group(1)


def verify(client, code, **extra):
    return client.post(reverse("citizens:verify"), {"code": code}, **extra)


def test_the_pdf_in_chinese_carries_the_record_score_measures_code_and_qr_link(
    client, world, qr_links, tmp_path
):
    client.force_login(world["a_user"])
    response = download(client, world["a"].subject, "zh-hans")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith('attachment; filename="credit-report-')
    assert "no-store" in response["Cache-Control"]
    text = pdf_text(response.content)
    record, subject = world["a_record"], world["a"].subject
    # Chinese comes out as Chinese: the CJK font is embedded (and subset) in the PDF
    for words in ("信用报告", "王小明", "失信被执行人", "北京市东城区人民法院", "当前生效的记录",
                  "正在实施的措施", "验证码", subject.masked_identifier,
                  record.decision_number):  # fmt: skip
        assert flat(words) in flat(text), words
    fonts = pdf_fonts(response.content, tmp_path)
    assert re.search(r"\+Noto-Sans-CJK-SC\S*\s.*\byes yes yes\b", fonts), fonts
    # the score printed is the stored one
    assert str(subject.score.total) in text and subject.score.grade in text
    # the full ID number is never printed
    assert world["a"].resident_id not in text
    # the code printed, its keyed hash stored (never the code), the QR code links to it
    code = CODE.search(text).group(1)
    report = CreditReport.objects.get()
    assert report.code_hash == reports.code_hash(code) and report.language == "zh-hans"
    assert code.replace("-", "") not in json.dumps(
        [list(CreditReport.objects.values()), list(AuditEvent.objects.values())], default=str
    )
    assert qr_links == [f"http://testserver/verify/{code.replace('-', '')}/"]
    assert "http://testserver/verify/" in text
    # the snapshot is what the PDF showed
    snapshot = report.snapshot
    assert snapshot["name"] == "王小明" and snapshot["masked_id"] == subject.masked_identifier
    assert [r["decision_number"] for r in snapshot["records"]] == [record.decision_number]
    assert snapshot["records"][0]["type"] == "失信被执行人"
    assert snapshot["score"]["total"] == subject.score.total and snapshot["measures"]
    assert all(flat(m["title"]) in flat(text) for m in snapshot["measures"])
    assert report.expires_at - report.issued_at == datetime.timedelta(days=90)
    assert AuditEvent.objects.filter(action="citizen.credit_report_issue",
                                     subject=subject).count() == 1  # fmt: skip


def test_the_pdf_in_english_and_the_enterprise_report_of_its_legal_representative(
    client, world, settings
):
    settings.SCS_REPORT_VERIFY_DAYS = 30
    client.force_login(world["a_user"])
    text = pdf_text(download(client, world["a"].subject, "en").content)
    for words in ("Credit report", "Verification code", "Dishonest judgment debtor",
                  "Beijing Dongcheng District People's Court", "Records in effect",
                  "Measures in force", "王小明"):  # fmt: skip
        assert flat(words) in flat(text), words
    assert "信用报告" not in text
    # the enterprise A represents
    enterprise = world["enterprise"].subject
    text = pdf_text(download(client, enterprise, "zh-hans").content)
    assert "北京甲乙科技有限公司" in text and enterprise.masked_identifier in text
    assert flat(world["e_record"].decision_number) in flat(text)
    english, firm = CreditReport.objects.order_by("pk")
    assert english.language == "en" and firm.subject == enterprise
    assert firm.issued_by == world["a_user"]
    assert firm.expires_at - firm.issued_at == datetime.timedelta(days=30)


def test_nobody_downloads_a_report_about_someone_else(client, world):
    client.force_login(world["b_user"])
    for subject in (world["a"].subject, world["enterprise"].subject):
        assert download(client, subject, "en").status_code == 404
    assert client.post(reverse("citizens:credit_report_new"), {"subject": "x"}).status_code == 404
    assert client.get(reverse("citizens:credit_report_new")).status_code == 405
    official = make_official(role="clerk", authority_code="bj-dongcheng-court")
    client.force_login(official)  # officials have no citizen pages
    assert download(client, world["a"].subject, "en").status_code == 404
    client.logout()
    assert download(client, world["a"].subject, "en").status_code == 302  # to the login
    assert not CreditReport.objects.exists()


def test_a_genuine_unchanged_report_shows_only_its_snapshot_and_is_logged(client, world):
    report, code = issue(world)
    response = verify(client, code.lower().replace("-", " "))  # case and spacing don't matter
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("no-store")
    html = response.content.decode()
    assert "Genuine." in html and f"(no. {report.pk})" in html
    assert "The record has not changed since the report was issued." in html
    assert world["a_record"].decision_number in html and "王小明" in html
    assert world["a"].subject.masked_identifier in html
    # only the snapshot: not the facts, the amount, the ID number, the code, nor anyone else
    assert world["a_record"].facts not in html and "12,000" not in html
    assert world["a"].resident_id not in html and code not in html
    assert world["b_record"].decision_number not in html and "赵丽" not in html
    assert world["enterprise"].name not in html
    # the check is recorded and the person sees it among who viewed their data
    assert CreditReportVerification.objects.filter(report=report).count() == 1
    client.force_login(world["a_user"])
    html = client.get(reverse("citizens:access_log")).content.decode()
    assert "Someone holding your credit report" in html
    assert f"Verified credit report no. {report.pk} of " in html
    html = client.get(reverse("citizens:credit_reports")).content.decode()
    assert re.search(r'class="report-checks">1 ', html)
    # B's access log shows nothing of it
    client.force_login(world["b_user"])
    assert "Someone holding" not in client.get(reverse("citizens:access_log")).content.decode()


def test_the_check_of_an_enterprise_report_is_shown_to_its_legal_representative(client, world):
    _report, code = issue(world, subject=world["enterprise"].subject, language="zh-hans")
    html = verify(client, code, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    # the report is shown as printed, in Chinese, inside the English page
    assert "Genuine." in html and "The report is in Chinese" in html
    assert 'lang="zh-Hans"' in html and "当前生效的记录" in html
    client.force_login(world["a_user"])
    html = client.get(reverse("citizens:access_log")).content.decode()
    assert "Checks of the credit reports of 北京甲乙科技有限公司" in html


def test_an_unknown_code_is_not_genuine_and_logs_nothing(client, world):
    issue(world)
    html = verify(client, reports.printed_code(reports.new_code())).content.decode()
    assert "Not genuine." in html and "王小明" not in html
    assert not CreditReportVerification.objects.exists()
    assert verify(client, "").status_code == 400


def test_an_expired_report_shows_its_dates_and_nothing_of_the_person(client, world):
    report, code = issue(world)
    CreditReport.objects.filter(pk=report.pk).update(
        expires_at=timezone.now() - datetime.timedelta(minutes=1)
    )
    html = verify(client, code).content.decode()
    assert "Expired." in html and "王小明" not in html
    assert world["a_record"].decision_number not in html
    assert not CreditReportVerification.objects.exists()


def test_the_person_revokes_a_report_audited_and_nobody_else_can(client, world):
    report, code = issue(world)
    url = reverse("citizens:credit_report_revoke", args=[report.pk])
    # B, an official, anyone: 404 or the login, nothing revoked
    client.force_login(world["b_user"])
    assert client.post(url).status_code == 404
    client.force_login(make_official(role="supervisor", authority_code="bj-dongcheng-court"))
    assert client.post(url).status_code == 404
    client.logout()
    assert client.post(url).status_code == 302
    report.refresh_from_db()
    assert report.revoked_at is None
    # A revokes it
    client.force_login(world["a_user"])
    assert client.get(url).status_code == 405
    response = client.post(url, follow=True)
    assert f"Report no. {report.pk} is revoked" in response.content.decode()
    report.refresh_from_db()
    assert report.revoked_at is not None and report.snapshot == {}
    event = AuditEvent.objects.get(action="citizen.credit_report_revoke")
    assert event.actor == world["a_user"] and event.subject == world["a"].subject
    assert event.object_id == str(report.pk)
    client.post(url)  # twice: no second audit row
    assert AuditEvent.objects.filter(action="citizen.credit_report_revoke").count() == 1
    client.logout()
    html = verify(client, code).content.decode()
    assert "Revoked." in html and "王小明" not in html
    assert not CreditReportVerification.objects.exists()


def test_a_changed_record_is_reported_as_changed_without_saying_what(client, world):
    report, code = issue(world)
    # A objects to the record: its status changes
    services.objection_file(actor=world["a_user"], record=world["a_record"], grounds="已履行。")
    html = verify(client, code).content.decode()
    assert "Genuine." in html
    assert "The record has changed since the report was issued." in html
    # what the report showed, not today's status
    assert "Under objection" not in html and report.snapshot["records"][0]["status"] in html


def test_the_qr_link_keeps_the_code_out_of_the_address_bar(client, world):
    report, code = issue(world)
    link = reverse("citizens:verify_link", args=[code.replace("-", "")])
    response = client.get(link)
    assert response.status_code == 302 and response["Location"] == reverse("citizens:verify")
    assert response["Referrer-Policy"] == "no-referrer"
    assert code.replace("-", "") not in json.dumps(dict(client.session))  # only its hash
    shown = client.get(reverse("citizens:verify"))
    assert "Genuine." in shown.content.decode() and "王小明" in shown.content.decode()
    assert shown["Cache-Control"].startswith("no-store")
    # the page's own policy stays same-origin: under no-referrer Chromium POSTs its form with
    # `Origin: null`, which the CSRF check refuses (tests/e2e/test_credit_report.py)
    assert shown["Referrer-Policy"] == "same-origin"
    # shown once: the page again is the empty form
    html = client.get(reverse("citizens:verify")).content.decode()
    assert "Genuine." not in html and "王小明" not in html
    assert client.post(link).status_code == 405
    assert CreditReportVerification.objects.filter(report=report).count() == 1


@pytest.fixture
def fresh_limits():
    client = ratelimit._client()
    for pattern in ("*:rl:verify:*", "*:rl:credit-report*"):
        for key in client.scan_iter(pattern):
            client.delete(key)


def test_verify_is_rate_limited_per_address(client, world, settings, fresh_limits):
    settings.SCS_VERIFY_RATE_PER_MINUTE = 3
    _report, code = issue(world)
    ip = {"REMOTE_ADDR": "198.51.100.91"}
    assert verify(client, "WRONG", **ip).status_code == 200
    assert verify(client, "WRONG-AGAIN", **ip).status_code == 200
    assert client.get(reverse("citizens:verify_link", args=["GUESS"]), **ip).status_code == 302
    refused = verify(client, code, **ip)  # the fourth lookup, even with the right code
    assert refused.status_code == 429 and refused["Retry-After"] == "60"
    assert "report checks" in refused.content.decode()
    assert client.get(reverse("citizens:verify_link", args=[code]), **ip).status_code == 429
    assert not CreditReportVerification.objects.exists()
    # the form itself opens; another address is not held up
    assert client.get(reverse("citizens:verify"), **ip).status_code == 200
    assert "Genuine." in verify(client, code, REMOTE_ADDR="198.51.100.92").content.decode()


def test_downloads_are_limited_per_account(client, world, settings, fresh_limits):
    settings.SCS_REPORT_ISSUE_PER_HOUR = 2
    client.force_login(world["a_user"])
    for _i in range(2):
        assert download(client, world["a"].subject, "en").status_code == 200
    refused = download(client, world["enterprise"].subject, "en")
    assert refused.status_code == 429 and CreditReport.objects.count() == 2


def test_the_reports_page_lists_reports_with_status_and_offers_the_download(client, world):
    valid, _code = issue(world)
    expired, _code = issue(world, subject=world["enterprise"].subject)
    CreditReport.objects.filter(pk=expired.pk).update(
        expires_at=timezone.now() - datetime.timedelta(days=1)
    )
    client.force_login(world["a_user"])
    html = client.get(reverse("citizens:credit_reports")).content.decode()
    assert html.count('class="report-status">Valid<') == 1
    assert html.count('class="report-status">Expired<') == 1
    assert reverse("citizens:credit_report_revoke", args=[valid.pk]) in html
    assert reverse("citizens:credit_report_revoke", args=[expired.pk]) not in html
    assert "Download PDF with verification code" in html and "Myself (王小明)" in html
    # the printable report offers the download for each section, the nav links the list
    html = client.get(reverse("citizens:report")).content.decode()
    assert html.count("Download PDF with verification code") == 2
    assert reverse("citizens:credit_reports") in html
    # B sees none of A's reports
    client.force_login(world["b_user"])
    html = client.get(reverse("citizens:credit_reports")).content.decode()
    assert "No report has been issued yet." in html and "王小明" not in html


def test_the_verification_log_is_append_only(world):
    from django.db import IntegrityError, transaction
    from django.db.utils import DatabaseError

    report, _code = issue(world)
    check = CreditReportVerification.objects.create(report=report)
    for change in (lambda: CreditReportVerification.objects.filter(pk=check.pk).delete(),
                   lambda: CreditReportVerification.objects.filter(pk=check.pk).update(
                       created_at=timezone.now())):  # fmt: skip
        with pytest.raises((DatabaseError, IntegrityError)), transaction.atomic():
            change()
    assert CreditReportVerification.objects.filter(pk=check.pk).exists()


class Recording(report_pdf.LocalStaticFetcher):
    def __init__(self):
        super().__init__()
        self.asked = []

    def fetch(self, url, headers=None):
        self.asked.append(url)
        return super().fetch(url, headers)


def test_rendering_fetches_nothing_and_the_fetcher_refuses_all_but_static_files(world, settings):
    import weasyprint

    report, _code = issue(world)
    fetcher = Recording()
    data = report_pdf.render(
        "citizens/credit_report_pdf.html",
        {"report": report, "snapshot": report.snapshot, "code": "ABCD", "qr": "",
         "verify_page": "http://testserver/verify/", "valid_days": 90},
        fetcher=fetcher,
    )  # fmt: skip
    assert data.startswith(b"%PDF-") and fetcher.asked == []
    # anything but a file under the static directories is refused, never fetched
    fetcher = Recording()
    html = ('<link rel="stylesheet" href="https://cdn.example.com/x.css">'
            '<img src="http://192.0.2.1/tracker.png"><img src="file:///etc/passwd">'
            '<img src="data:image/png;base64,iVBORw0KGgo=">'
            '<link rel="stylesheet" href="css/portal.css">')  # fmt: skip
    base = (settings.BASE_DIR / "static").resolve().as_uri() + "/"
    weasyprint.HTML(string=html, base_url=base, url_fetcher=fetcher).write_pdf()
    assert set(fetcher.refused) == {
        "https://cdn.example.com/x.css",
        "http://192.0.2.1/tracker.png",
        "file:///etc/passwd",
        "data:image/png;base64,iVBORw0KGgo=",
    }
    assert base + "css/portal.css" in fetcher.asked
    assert base + "css/portal.css" not in fetcher.refused
