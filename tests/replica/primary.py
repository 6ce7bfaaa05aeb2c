"""Writes on the replica test's primary through the project's own services, run by
tests/replica/test_streaming_replica.py as `manage.py shell -c` against DATABASE_URL (the
primary; DATABASE_REPLICA_URLS is set too: a management command reads the primary anyway,
so each function reads back its own write at once). Each prints one `RESULT {json}` line."""

from __future__ import annotations

import datetime
import json
import time

from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.utils import timezone

from citizens.services import citizen_create
from enterprises.services import enterprise_create
from sanctions.models import IntegrityRecord, RecordType
from sanctions.registry.selectors import is_public
from scs_portal.demo import DemoGenerator
from tests import services
from tests.factories import make_official, totp_device

AUTHORITY = "bj-dongcheng-amr"  # a market regulator: decides product-quality penalties
RECORD_TYPE = "commercial-product-quality"  # an enterprise's entry: public and in open data
CLERK, REVIEWER = "amr.replica.clerk", "amr.replica.reviewer"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _result(**values) -> None:
    print("RESULT " + json.dumps(values, ensure_ascii=False), flush=True)


def officials(*, password: str) -> None:
    """A clerk and a reviewer of the authority; the reviewer logs in to the admin over HTTP
    (password, then a TOTP code from the key printed here)."""
    make_official(role="clerk", authority_code=AUTHORITY, username=CLERK)
    reviewer = make_official(role="reviewer", authority_code=AUTHORITY, username=REVIEWER)
    reviewer.set_password(password)
    reviewer.save(update_fields=["password"])
    _result(username=reviewer.username, otp_key=totp_device(reviewer).key)


def publish(*, number: int, name: str) -> None:
    """An enterprise listing published the real way: case, evidence, four-eyes decision,
    notice served 40 days ago, publication sweep after the notice period."""
    users = get_user_model().objects
    clerk, reviewer = users.get(username=CLERK), users.get(username=REVIEWER)
    demo = DemoGenerator(seed=16)
    legal_rep = citizen_create(
        actor=None, resident_id=demo.adult_resident_id(number, datetime.date(2024, 1, 1)),
        name="王复制",
    )  # fmt: skip
    firm = enterprise_create(actor=None, credit_code=demo.credit_code(5_000_000 + number),
                             name=name, legal_representative=legal_rep)  # fmt: skip
    decided = timezone.localdate() - datetime.timedelta(days=40)
    case = services.case_create(
        actor=clerk, subject=firm.subject, record_type=RecordType.objects.get(code=RECORD_TYPE),
        title="产品质量抽检不合格", facts="抽检批次不合格", amount=1000, obligation="缴纳罚款",
    )  # fmt: skip
    services.evidence_add(actor=clerk, case=case, uploaded=SimpleUploadedFile(
        "decision.pdf", PDF, content_type="application/pdf"))  # fmt: skip
    services.case_submit(actor=clerk, case=case)
    record = services.case_decide(
        actor=reviewer, case=case, decision_number=f"京市监罚〔2025〕{900 + number}号",
        decision_date=decided,
    )  # fmt: skip
    services.case_serve_notice(actor=clerk, case=case, today=decided)
    services.publication_sweep()
    record = IntegrityRecord.objects.get(pk=record.pk)
    assert is_public(record=record), record.status  # read back on the primary
    _result(pk=record.pk, public_id=record.public_id, decision_number=record.decision_number)


def remove(*, pk: int) -> None:
    """The reviewer takes the listing down (revocation), as the admin's "remove" does."""
    reviewer = get_user_model().objects.get(username=REVIEWER)
    record = services.record_remove(
        actor=reviewer, record=IntegrityRecord.objects.get(pk=pk), reason="revocation"
    )
    committed_at = time.time()  # record_remove's transaction has committed
    assert not is_public(record=IntegrityRecord.objects.get(pk=pk))
    with connection.cursor() as cursor:  # the primary's WAL position, past that commit
        cursor.execute("SELECT pg_current_wal_lsn()::text")
        lsn = cursor.fetchone()[0]
    _result(pk=record.pk, status=record.status, committed_at=committed_at, lsn=lsn)
