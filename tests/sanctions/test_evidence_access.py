"""Case evidence and filing attachments: read only through scoped, logged views; stored under
random names; MEDIA_ROOT never served by URL (DEBUG on or off)."""

import importlib
import re

import pytest
from django.urls import clear_url_caches, reverse

from sanctions.models import AccessLog, RecordType
from tests import services
from tests.factories import UserFactory, make_citizen, make_enterprise, make_official
from tests.sanctions.test_casework import PDF, pdf

pytestmark = pytest.mark.django_db

EVIDENCE_NAME = "张伟-判决书-(2025)京0101执1号.pdf"


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def _case(clerk, subject, name=EVIDENCE_NAME):
    case = services.case_create(
        actor=clerk, subject=subject,
        record_type=RecordType.objects.get(code="judicial-dishonest-debtor"),
        title="执行案件", facts="拒不履行", judicial_ground=2,
    )  # fmt: skip
    evidence = services.evidence_add(actor=clerk, case=case, uploaded=pdf(name))
    return case, evidence


@pytest.fixture
def evidence_world(court, media):
    person = make_citizen(name="王小明").subject
    case, evidence = _case(court["clerk"], person)
    url = reverse("admin:sanctions_case_evidence", args=[case.pk, evidence.pk])
    return {"case": case, "evidence": evidence, "url": url, "person": person}


def _not_given(response) -> None:
    """Neither the file's bytes nor a success."""
    assert response.status_code != 200
    assert PDF not in b"".join(getattr(response, "streaming_content", [response.content]))


def test_evidence_is_refused_to_anyone_outside_the_case_authority(client, court, evidence_world):
    url = evidence_world["url"]
    # anonymous and a citizen's portal account: the admin's login, no file
    response = client.get(url)
    _not_given(response)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    client.force_login(UserFactory(username="citizen-account"))
    response = client.get(url)
    _not_given(response)
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    # an official of a sibling court, and an auditor (audit trail only): 404
    for user in (court["other_reviewer"],
                 make_official(role="auditor", authority_code="bj-dongcheng-court")):  # fmt: skip
        client.force_login(user)
        response = client.get(url)
        _not_given(response)
        assert response.status_code == 404, user
    # the evidence of one case is not reachable through another case of the same authority
    other_case, _other = _case(court["clerk"], make_citizen(name="赵丽").subject, "other.pdf")
    client.force_login(court["clerk"])
    wrong = reverse("admin:sanctions_case_evidence",
                    args=[other_case.pk, evidence_world["evidence"].pk])  # fmt: skip
    assert client.get(wrong).status_code == 404
    assert not AccessLog.objects.filter(subject=evidence_world["person"]).exists()


def test_own_official_downloads_the_evidence_and_the_read_is_logged(client, court, evidence_world):
    client.force_login(court["clerk"])
    response = client.get(evidence_world["url"])
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PDF
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    (row,) = AccessLog.objects.filter(subject=evidence_world["person"])
    assert row.official == court["clerk"] and row.authority.code == "bj-dongcheng-court"
    assert f"#{evidence_world['case'].pk}" in row.purpose and EVIDENCE_NAME in row.purpose
    # the supervisor of the court above oversees it
    client.force_login(make_official(role="supervisor", authority_code="bj-2nd-intermediate-court"))
    assert client.get(evidence_world["url"]).status_code == 200
    assert AccessLog.objects.filter(subject=evidence_world["person"]).count() == 2


def test_an_enterprise_case_evidence_is_given_without_an_access_log_row(client, court, media):
    case, evidence = _case(court["clerk"], make_enterprise().subject, "decision.pdf")
    client.force_login(court["reviewer"])
    url = reverse("admin:sanctions_case_evidence", args=[case.pk, evidence.pk])
    assert client.get(url).status_code == 200
    assert not AccessLog.objects.exists()


def test_a_lost_file_is_a_404_not_a_500(client, court, evidence_world):
    evidence = evidence_world["evidence"]
    evidence.file.storage.delete(evidence.file.name)
    client.force_login(court["clerk"])
    assert client.get(evidence_world["url"]).status_code == 404


def test_case_page_links_evidence_through_the_view_never_media(client, court, evidence_world):
    client.force_login(court["clerk"])
    case = evidence_world["case"]
    html = client.get(reverse("admin:sanctions_case_change", args=[case.pk])).content.decode()
    assert f'href="{evidence_world["url"]}"' in html and EVIDENCE_NAME in html
    assert "/media/" not in html and evidence_world["evidence"].file.name not in html


@pytest.mark.parametrize("debug", [False, True])
def test_media_root_is_never_served(client, settings, court, evidence_world, debug):
    evidence = evidence_world["evidence"]
    assert (settings.MEDIA_ROOT / evidence.file.name).read_bytes() == PDF  # it is there
    settings.DEBUG = debug
    import scs_portal.urls

    try:
        importlib.reload(scs_portal.urls)  # urls.py decides its patterns on import
        clear_url_caches()
        client.force_login(court["clerk"])
        for url in (f"/media/{evidence.file.name}", f"/{settings.MEDIA_URL}{evidence.file.name}"):
            response = client.get(url)
            assert response.status_code == 404, url
            assert PDF not in response.content
    finally:
        settings.DEBUG = False
        importlib.reload(scs_portal.urls)
        clear_url_caches()


def test_stored_names_are_random_and_keep_only_the_checked_extension(court, media):
    person = make_citizen().subject
    _case1, first = _case(court["clerk"], person)
    _case2, second = _case(court["clerk"], person)
    random_name = re.compile(r"^evidence/\d{4}/\d{2}/[0-9a-f]{32}\.pdf$")
    for evidence in (first, second):
        assert random_name.match(evidence.file.name), evidence.file.name
        assert evidence.original_name == EVIDENCE_NAME
        assert "张伟" not in evidence.file.name and "京0101" not in evidence.file.name
        assert (media / evidence.file.name).read_bytes() == PDF
    assert first.file.name != second.file.name
    # a subject's attachments likewise (an upper-case extension is stored lower-case)
    reviewer = court["reviewer"]
    case, _e = _case(court["clerk"], person)
    services.case_submit(actor=court["clerk"], case=case)
    record = services.case_decide(actor=reviewer, case=case, decision_number="(2025)京0101执5号",
                                  decision_date=case.created_at.date())  # fmt: skip
    objection = services.objection_file(actor=court["clerk"], record=record, grounds="已履行",
                                        attachments=[pdf("王小明 收据.PDF")])  # fmt: skip
    (attachment,) = objection.attachments.all()
    assert re.match(r"^filings/\d{4}/\d{2}/[0-9a-f]{32}\.pdf$", attachment.file.name)
    assert attachment.original_name == "王小明 收据.PDF"
    assert (media / attachment.file.name).read_bytes() == PDF
    # the admin download of the attachment is not cached either
    url = reverse("admin:sanctions_objection_attachment", args=[objection.pk, attachment.pk])
    from django.test import Client

    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(reviewer)
    response = client.get(url)
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
