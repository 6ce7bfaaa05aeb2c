"""My record and everything under it: content, filings through the real services, and that
citizen A can reach nothing of citizen B's."""

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from sanctions.models import AuditEvent, FilingAttachment, Notice, Objection, RepairApplication
from tests.citizens.conftest import pdf

pytestmark = pytest.mark.django_db


def page(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.content.decode()


def test_my_record_shows_score_domains_chart_records_measures_and_public_view(client, world):
    client.force_login(world["a_user"])
    html = page(client, reverse("citizens:my_record"))
    record = world["a_record"]
    for text in ("Grade", "Judicial credibility", "Commercial integrity", "Rule version",
                 record.decision_number, "Published since", "See the public entry",
                 "Measures in force", "How the score is made up"):  # fmt: skip
        assert text in html, text
    assert "<svg" in html and "Score history" in html
    score = world["a"].subject.score
    assert f'id="score-total">{score.total}<' in html and score.total < 1000
    # the explanation's rows: each record with the points it takes off, as the recompute
    # counts them, and they add up to the score shown
    from sanctions.scoring.selectors import score_explain

    rows = score_explain(subject=world["a"].subject)["records"]
    listed = [row for row in rows if row["record_id"] == record.pk]
    assert len(listed) == 1 and listed[0]["points"] < 0
    for row in rows:
        cell = (f"{row['decision_number']}</a></th>"
                f'<td class="text-end">{row["points"]:+d}</td>')  # fmt: skip
        assert cell in html, cell
    assert 1000 + sum(row["points"] for row in rows) == score.total
    # the enterprise A represents is offered, its page shows its record
    enterprise = world["enterprise"].subject
    assert reverse("citizens:my_enterprise", args=[enterprise.pk]) in html
    html = page(client, reverse("citizens:my_enterprise", args=[enterprise.pk]))
    assert world["e_record"].decision_number in html
    # never a full ID number on any page
    assert world["a"].resident_id not in html


def test_record_detail_shows_basis_points_window_and_exactly_the_public_entry(client, world):
    client.force_login(world["a_user"])
    record = world["a_record"]
    html = page(client, reverse("citizens:record", args=[record.pk]))
    assert record.legal_basis in html and "What the public sees" in html
    assert "Unified social credit code" not in html and "ID number (masked)" in html
    assert world["a"].subject.masked_identifier in html and world["a"].resident_id not in html
    assert reverse("citizens:object", args=[record.pk]) in html
    # judicial listings are removed by performance, not repaired
    assert "Credit repair does not apply" in html


def test_objection_through_the_page_with_attachment(client, world):
    client.force_login(world["a_user"])
    record = world["a_record"]
    url = reverse("citizens:object", args=[record.pk])
    html = page(client, url)
    assert "The authority decides within 15 days" in html
    response = client.post(url, {"grounds": "我已履行全部义务。", "attachments": [pdf("paid.pdf")]})
    assert response.status_code == 302
    objection = Objection.objects.get(record=record)
    assert objection.filed_by == world["a_user"] and objection.outcome == "pending"
    assert [a.original_name for a in objection.attachments.all()] == ["paid.pdf"]
    record.refresh_from_db()
    assert record.status == "under_objection"
    event = AuditEvent.objects.get(action="objection.file", object_id=str(objection.pk))
    assert event.actor_id == world["a_user"].pk and event.new_values["attachments"] == ["paid.pdf"]
    # the audit row proves which document was filed: the stored file's digest
    (attachment,) = objection.attachments.all()
    with attachment.file.open("rb") as stored:
        assert event.new_values["attachment_sha256"] == [hashlib.sha256(stored.read()).hexdigest()]
    assert Notice.objects.filter(record=record, kind="objection_received").exists()
    html = page(client, reverse("citizens:record", args=[record.pk]))
    assert "Pending" in html and "paid.pdf" in html
    attachment = objection.attachments.get()
    response = client.get(reverse("citizens:attachment", args=[attachment.pk]))
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    # a second objection while one is pending: no form
    assert "An objection is not possible now" in page(client, url)


@pytest.mark.parametrize(
    "upload, message",
    [
        (SimpleUploadedFile("virus.exe", b"MZ\x90\x00", content_type="application/pdf"),
         "Only PDF, PNG and JPEG"),
        (SimpleUploadedFile("fake.pdf", b"<html>not a pdf", content_type="application/pdf"),
         "Only PDF, PNG and JPEG"),
    ],
)  # fmt: skip
def test_bad_attachment_refuses_the_whole_objection(client, world, upload, message):
    client.force_login(world["a_user"])
    record = world["a_record"]
    response = client.post(reverse("citizens:object", args=[record.pk]),
                           {"grounds": "理由", "attachments": [pdf("ok.pdf"), upload]})  # fmt: skip
    assert response.status_code == 400 and message in response.content.decode()
    assert not Objection.objects.filter(record=record).exists()
    assert not FilingAttachment.objects.filter(original_name="ok.pdf").exists()
    record.refresh_from_db()
    assert record.status == "active"


def test_objection_needs_grounds(client, world):
    client.force_login(world["a_user"])
    response = client.post(reverse("citizens:object", args=[world["a_record"].pk]),
                           {"grounds": "   "})  # fmt: skip
    assert response.status_code == 400
    assert not Objection.objects.filter(record=world["a_record"]).exists()


def test_repair_application_for_the_represented_enterprise(client, world, settings):
    client.force_login(world["a_user"])
    record = world["e_record"]  # general tier, decided 120 days ago: eligible after 91
    url = reverse("citizens:repair", args=[record.pk])
    html = page(client, url)
    assert "working days" in html and "Repair is free" in html
    response = client.post(url, {"grounds": "已召回全部批次并整改。"})
    assert response.status_code == 302
    application = RepairApplication.objects.get(record=record)
    assert application.filed_by == world["a_user"] and application.state == "pending"
    assert "An application is pending" in page(client, url)


def test_record_page_links_to_repair_and_objection_only_when_the_services_accept_them(
    client, world
):
    """The links follow may_repair / may_object: not before the repair date (the page says
    from when), not with an application pending, not while an objection is decided."""
    import datetime

    from django.utils import timezone

    from tests.citizens.conftest import decide

    client.force_login(world["a_user"])
    eligible = world["e_record"]  # general tier, decided 120 days ago: eligible after 91
    recent = decide(world["amr"], world["enterprise"].subject, code="commercial-product-quality",
                    number="京东市监罚〔2026〕8号",
                    decision_date=timezone.localdate() - datetime.timedelta(days=30))  # fmt: skip
    repair_url = reverse("citizens:repair", args=[recent.pk])
    html = page(client, reverse("citizens:record", args=[recent.pk]))
    assert recent.status == "active" and repair_url not in html
    eligible_from = recent.decision_date + datetime.timedelta(days=91)
    assert f"You can apply from {eligible_from:%Y-%m-%d}." in html
    assert reverse("citizens:object", args=[recent.pk]) in html
    # the service agrees: the application is refused, nothing is written
    response = client.post(repair_url, {"grounds": "已整改。"})
    assert response.status_code == 400
    assert f"You can apply from {eligible_from:%Y-%m-%d}." in response.content.decode()
    assert not RepairApplication.objects.filter(record=recent).exists()

    record_url = reverse("citizens:record", args=[eligible.pk])
    repair_url = reverse("citizens:repair", args=[eligible.pk])
    assert repair_url in page(client, record_url)
    assert client.post(repair_url, {"grounds": "已召回全部批次并整改。"}).status_code == 302
    html = page(client, record_url)
    # issue 18: the service's own reason, not "pending, or not in force"
    assert (
        repair_url not in html
        and "A repair application for this record is already pending." in html
    )

    client.force_login(world["b_user"])  # B's listing is under objection
    html = page(client, reverse("citizens:record", args=[world["b_record"].pk]))
    assert reverse("citizens:object", args=[world["b_record"].pk]) not in html
    assert "An objection is not possible now" in html


def test_notices_access_log_and_report(client, world):
    client.force_login(world["b_user"])
    html = page(client, reverse("citizens:notices"))
    # letters are written in the portal's language (Simplified Chinese), whoever's screen in
    # whatever language caused them: 异议受理 = "Objection received"; an English page names
    # each letter by its kind in English (issue 18), the Chinese page by its title as sent
    titles = set(Notice.objects.filter(subject=world["b"].subject).values_list("title", flat=True))
    assert {"异议受理", "您的平台激活码"} <= titles
    assert "Objection received" in html and "Portal account" in html
    zh = client.get(reverse("citizens:notices"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "异议受理" in zh and "您的平台激活码" in zh
    notice = Notice.objects.filter(subject=world["b"].subject, kind="account").first()
    html = page(client, reverse("citizens:notice", args=[notice.pk]))
    assert "••••-••••-" in html
    html = page(client, reverse("citizens:access_log"))
    # issue 18: the role, the official's number and the authority in the page's language, and
    # a purpose the person reads (technical ones in words); never the official's login name
    reviewer = world["court"][1]
    assert "enforcement review" in html and f"Reviewer (official no. {reviewer.pk})" in html
    assert "Beijing Dongcheng District People&#x27;s Court" in html
    assert reviewer.username not in html
    html = page(client, reverse("citizens:report"))
    for text in ("Credit record report", world["b_record"].decision_number, "enforcement review",
                 "Objection received"):  # fmt: skip
        assert text in html
    assert world["b"].resident_id not in html


def _b_urls(world):
    b = world
    attachment = b["b_objection"].attachments.get()
    notice = Notice.objects.filter(subject=b["b"].subject).first()
    return [
        reverse("citizens:record", args=[b["b_record"].pk]),
        reverse("citizens:object", args=[b["b_record"].pk]),
        reverse("citizens:repair", args=[b["b_record"].pk]),
        reverse("citizens:notice", args=[notice.pk]),
        reverse("citizens:attachment", args=[attachment.pk]),
    ]


def test_citizen_a_reaches_nothing_of_citizen_b(client, world):
    client.force_login(world["a_user"])
    for url in _b_urls(world):
        assert client.get(url).status_code == 404, url
    # B's enterprise-less record page and A's enterprise under B's login
    response = client.post(reverse("citizens:object", args=[world["b_record"].pk]),
                           {"grounds": "x"})  # fmt: skip
    assert response.status_code == 404
    client.force_login(world["b_user"])
    enterprise = world["enterprise"].subject
    for url in (
        reverse("citizens:my_enterprise", args=[enterprise.pk]),
        reverse("citizens:record", args=[world["e_record"].pk]),
        reverse("citizens:repair", args=[world["e_record"].pk]),
        reverse(
            "citizens:my_enterprise", args=[world["b"].subject.pk]
        ),  # a person, not an enterprise
    ):
        assert client.get(url).status_code == 404, url
    # A's own lists never include B's things
    client.force_login(world["a_user"])
    for url in (reverse("citizens:notices"), reverse("citizens:report"),
                reverse("citizens:access_log"), reverse("citizens:my_record")):  # fmt: skip
        html = page(client, url)
        assert world["b_record"].decision_number not in html and "赵丽" not in html, url


def test_anonymous_users_are_sent_to_login(client, world):
    urls = _b_urls(world) + [
        reverse("citizens:my_record"), reverse("citizens:notices"),
        reverse("citizens:access_log"), reverse("citizens:report"),
        reverse("citizens:my_enterprise", args=[world["enterprise"].subject.pk]),
    ]  # fmt: skip
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("citizens:login") + "?next="), url


def test_officials_have_no_citizen_pages(client, world):
    client.force_login(world["court"][0])
    assert client.get(reverse("citizens:my_record")).status_code == 404
    assert client.get(reverse("citizens:record", args=[world["b_record"].pk])).status_code == 404


def test_officials_see_the_attachments_in_the_admin_within_scope(client, world):
    objection = world["b_objection"]
    attachment = objection.attachments.get()
    url = reverse("admin:sanctions_objection_attachment", args=[objection.pk, attachment.pk])
    client.force_login(world["court"][1])
    html = page(client, reverse("admin:sanctions_objection_change", args=[objection.pk]))
    assert "receipt.pdf" in html and url in html
    from sanctions.models import AccessLog

    before = AccessLog.objects.filter(subject=objection.record.subject).count()
    assert client.get(url).status_code == 200
    # the download is a viewing the person sees in "who viewed my data"
    (logged,) = AccessLog.objects.filter(subject=objection.record.subject).order_by("-id")[:1]
    assert AccessLog.objects.filter(subject=objection.record.subject).count() == before + 1
    assert logged.official == world["court"][1] and "receipt.pdf" in logged.purpose
    client.force_login(world["amr"][1])  # another authority
    assert client.get(url).status_code == 404


def test_appeal_after_a_rejected_objection(client, world):
    from sanctions.models import Appeal
    from tests import services

    objection = world["b_objection"]
    url = reverse("citizens:appeal", args=[objection.pk])
    client.force_login(world["b_user"])
    assert "An appeal is not possible" in page(client, url)  # still pending
    services.objection_decide(actor=world["court"][1], objection=objection, outcome="rejected",
                              reasons="未提供履行凭证原件。")  # fmt: skip
    html = page(client, reverse("citizens:record", args=[world["b_record"].pk]))
    assert url in html
    client.force_login(world["a_user"])
    assert client.get(url).status_code == 404
    assert client.post(url, {"grounds": "x"}).status_code == 404
    client.force_login(world["b_user"])
    assert client.post(url, {"grounds": ""}).status_code == 400
    response = client.post(url, {"grounds": "凭证原件已补交。"})
    assert response.status_code == 302
    appeal = Appeal.objects.get(objection=objection)
    assert appeal.filed_by == world["b_user"]
    assert appeal.authority == world["b_record"].authority.parent
    html = page(client, reverse("citizens:record", args=[world["b_record"].pk]))
    assert "Appeal to" in html and url not in html
    assert "An appeal is not possible" in page(client, url)
