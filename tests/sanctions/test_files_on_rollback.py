"""A refused or rolled-back save leaves no file behind: uploads outlive only a committed row
(sanctions/uploads.py)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.signals import request_finished
from django.db import close_old_connections, transaction
from django.urls import reverse

from sanctions.kernel.errors import ApplicationError
from sanctions.kernel.uploads import discard_rolled_back_files
from sanctions.models import Case, EvidenceFile, FilingAttachment, Objection, RecordType
from tests import services
from tests.factories import make_citizen, make_official
from tests.sanctions.test_casework import PDF, pdf

pytestmark = pytest.mark.django_db

ZIP = b"PK\x03\x04\x14\x00\x00\x00\x08\x00" + b"\x00" * 40


def zip_named_pdf(name="scan.pdf"):
    return SimpleUploadedFile(name, ZIP, content_type="application/pdf")


class BrokenUpload(SimpleUploadedFile):
    """Passes the type check (its head is a PDF's), then its stream breaks while it is being
    stored, as when the client's connection drops or the disk fills."""

    def chunks(self, chunk_size=None):
        yield PDF[:8]
        raise OSError("stream broke")


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def end_of_request() -> None:
    """What the handler sends when a response is done (as the test client does, without
    closing the test's database connection)."""
    request_finished.disconnect(close_old_connections)
    try:
        request_finished.send(sender=None)
    finally:
        request_finished.connect(close_old_connections)


def stored_files(media) -> list:
    return sorted(str(p.relative_to(media)) for p in media.rglob("*") if p.is_file())


def _admin_case_add(client, clerk, *uploads):
    client.force_login(clerk)
    data = {
        "subject": make_citizen().subject.pk,
        "record_type": RecordType.objects.get(code="judicial-dishonest-debtor").pk,
        "title": "执行案件", "facts": "拒不履行", "judicial_ground": 2,
        "evidence-TOTAL_FORMS": len(uploads), "evidence-INITIAL_FORMS": 0,
        "notes-TOTAL_FORMS": 0, "notes-INITIAL_FORMS": 0,
    }  # fmt: skip
    for index, upload in enumerate(uploads):
        data[f"evidence-{index}-upload"] = upload
        data[f"evidence-{index}-description"] = f"file {index}"
    return client.post(reverse("admin:sanctions_case_add"), data, follow=True)


def _refused_admin_add_leaves_nothing(client, media):
    clerk = make_official(role="clerk", authority_code="bj-dongcheng-court")
    response = _admin_case_add(client, clerk, pdf("judgment.pdf"), zip_named_pdf())
    assert response.status_code == 200
    assert "Only PDF, PNG and JPEG files are accepted." in response.content.decode()
    assert not Case.objects.exists() and not EvidenceFile.objects.exists()
    assert stored_files(media) == []
    # the same form with two good files keeps both, under the rows that name them
    response = _admin_case_add(client, clerk, pdf("judgment.pdf"), pdf("receipt.pdf"))
    case = Case.objects.get()
    assert sorted(case.evidence.values_list("original_name", flat=True)) == [
        "judgment.pdf", "receipt.pdf"]  # fmt: skip
    assert stored_files(media) == sorted(case.evidence.values_list("file", flat=True))


def test_admin_case_add_with_a_valid_pdf_and_a_zip_leaves_no_file_and_no_row(client, catalog,
                                                                            media):  # fmt: skip
    _refused_admin_add_leaves_nothing(client, media)


@pytest.mark.django_db(transaction=True)
def test_same_with_real_commits_and_rollbacks(client, catalog, media):
    """As in production: the admin's transaction really rolls back (or commits)."""
    _refused_admin_add_leaves_nothing(client, media)


@pytest.fixture
def record(court, media):
    case = services.case_create(
        actor=court["clerk"], subject=make_citizen().subject,
        record_type=RecordType.objects.get(code="judicial-dishonest-debtor"),
        title="执行案件", facts="拒不履行", judicial_ground=2,
    )  # fmt: skip
    services.evidence_add(actor=court["clerk"], case=case, uploaded=pdf())
    services.case_submit(actor=court["clerk"], case=case)
    record = services.case_decide(actor=court["reviewer"], case=case, decision_number="N-1",
                                  decision_date=case.created_at.date())  # fmt: skip
    return record


@pytest.mark.parametrize(
    "second",
    [lambda: zip_named_pdf(), lambda: BrokenUpload("proof.pdf", PDF, "application/pdf")],
    ids=["invalid", "broken-stream"],
)
def test_a_filing_whose_second_file_fails_stores_no_file(court, record, media, second):
    before = stored_files(media)  # the case's evidence
    with pytest.raises((ApplicationError, OSError)):
        services.objection_file(actor=court["clerk"], record=record, grounds="已履行",
                                attachments=[pdf("receipt.pdf"), second()])  # fmt: skip
    assert not Objection.objects.exists() and not FilingAttachment.objects.exists()
    assert stored_files(media) == before


def test_files_of_a_transaction_rolled_back_after_the_service_are_deleted(court, record, media):
    """The service succeeded inside an outer transaction that then rolled back (the admin's
    add form): the file goes when the request ends; a sibling that committed stays."""
    before = stored_files(media)
    kept = services.objection_file(actor=court["clerk"], record=record, grounds="第一次",
                                   attachments=[pdf("kept.pdf")])  # fmt: skip
    draft = services.case_create(
        actor=court["clerk"], subject=record.subject, record_type=record.record_type,
        title="另案", facts="拒不履行", judicial_ground=2,
    )  # fmt: skip
    with pytest.raises(RuntimeError), transaction.atomic():
        services.evidence_add(actor=court["clerk"], case=draft, uploaded=pdf("gone.pdf"))
        assert len(stored_files(media)) == len(before) + 2  # written, not yet committed
        raise RuntimeError("a later step of the same save failed")
    end_of_request()
    (attachment,) = FilingAttachment.objects.all()
    assert attachment.objection == kept and not draft.evidence.exists()
    assert stored_files(media) == sorted([*before, attachment.file.name])


@pytest.mark.django_db(transaction=True)
def test_committed_files_stay_and_rolled_back_ones_go(catalog, media):
    clerk = make_official(role="clerk", authority_code="bj-dongcheng-court")
    case = services.case_create(
        actor=clerk, subject=make_citizen().subject,
        record_type=RecordType.objects.get(code="judicial-dishonest-debtor"),
        title="执行案件", facts="拒不履行", judicial_ground=2,
    )  # fmt: skip
    kept = services.evidence_add(actor=clerk, case=case, uploaded=pdf("kept.pdf"))
    assert discard_rolled_back_files() == 0
    with pytest.raises(RuntimeError), transaction.atomic():
        services.evidence_add(actor=clerk, case=case, uploaded=pdf("gone.pdf"))
        raise RuntimeError("rolled back")
    assert discard_rolled_back_files() == 1
    assert stored_files(media) == [kept.file.name]
    assert (media / kept.file.name).read_bytes() == PDF
