"""Verifiable credit reports (issue 19): a citizen — or a legal representative, for the
enterprise — downloads a PDF of the record, score and measures with a verification code and
a QR code; anyone holding it checks it at /verify/.

- The code: 28 characters of the look-alike-free alphabet of the activation codes (25**28 ≈
  2**130), printed once on the PDF; only its keyed hash (HMAC-SHA256 with SCS_IDENTIFIER_KEY,
  which outlives DJANGO_SECRET_KEY rotations) is stored.
- The report keeps a snapshot of exactly what the PDF showed, in its language, and a digest of
  the subject's state (`selectors.subject_state_digest`); /verify/ shows the snapshot and
  whether the state has changed since, never what changed.
- Valid for SCS_REPORT_VERIFY_DAYS; the person may revoke it at any time (the snapshot is then
  erased). A check of a valid report is recorded and shown to the person like an access-log
  row; expired, revoked and unknown codes show nothing about anyone.
"""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import hmac
import secrets
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone, translation

from citizens import selectors
from citizens.models import CreditReport, CreditReportVerification
from citizens.services import CODE_ALPHABET, format_code, normalize_code
from sanctions.kernel.audit import audit_log

CODE_LENGTH = 28  # 25**28 ≈ 2**130: never guessed, even without the rate limit
LANGUAGES = tuple(code for code, _name in settings.LANGUAGES)


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))


def code_hash(code: str) -> str:
    """The keyed hash a report is found by; dashes, spaces and case do not matter."""
    key = settings.SCS_IDENTIFIER_KEY.encode()
    message = f"scs.credit-report:{normalize_code(code)}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def printed_code(code: str) -> str:
    """The code as printed: groups of four."""
    return format_code(normalize_code(code))


def report_snapshot(subject, *, language: str, today: datetime.date) -> dict[str, Any]:
    """What the PDF shows, in `language`, as plain JSON: the name and masked identifier, the
    score, grade and domains (the stored score, or the explanation's before the first nightly
    run, as on the printable report), the records in effect (at most
    `selectors.REPORT_RECORDS`, newest first, with how many more there are) and the measures
    in force. The PDF and /verify/ render only this."""
    with translation.override(language):  # the catalog's names too: their localized_*
        section = selectors.report_section(subject, today=today)
        explanation, score = section["explanation"], section["score"]
        records = [
            {
                "type": item["record"].record_type.localized_title,
                "authority": item["record"].authority.localized_name,
                "decision_number": item["record"].decision_number,
                "decision_date": item["record"].decision_date.isoformat(),
                "legal_basis": item["record"].legal_basis,
                "status": str(item["record"].get_status_display()),
            }
            for item in section["records"]
        ]
        measures = [
            {
                "title": m["measure"].localized_title,
                "kind": str(m["measure"].get_kind_display()),
                "enforced_by": m["measure"].localized_enforcing_agency,
                "legal_basis": m["measure"].legal_basis,
                "record": m["record"]["decision_number"],
                "more": m["more"],
                "ends_on": m["ends_on"].isoformat() if m["ends_on"] else None,
            }
            for m in section["measures"]
        ]
        return {
            "version": 1,
            "as_of": today.isoformat(),
            "kind": subject.kind,
            "kind_label": str(subject.get_kind_display()),
            "name": subject.display_name,
            "masked_id": subject.masked_identifier,
            "minor": bool(explanation["minor"]),
            "score": None
            if explanation["minor"]
            else {
                "total": score.total if score else explanation["total"],
                "grade": score.grade if score else explanation["grade"],
                "rule_version": explanation["rule_version"],
            },
            "domains": []
            if explanation["minor"]
            else [
                {
                    "label": str(d["label"]),
                    "points": d["stored"] if d["stored"] is not None else d["points"],
                }
                for d in section["domains"]
            ],
            "records_total": section["summary"]["total"],
            "records_in_effect": section["records_in_effect"],
            "records_not_listed": section["records_not_listed"],
            "records": records,
            "measures": measures,
        }


def credit_report_issue(
    *, actor, subject, language: str, verify_page: str, verify_url: Callable[[str], str]
) -> tuple[CreditReport, bytes]:
    """Issue a report about `subject` (one of `selectors.subjects_of(actor)`: the caller
    checks) in `language` and render its PDF; `verify_page` is the absolute URL of /verify/
    printed on it, `verify_url(code)` the absolute link the QR code carries. One transaction:
    a PDF that fails to render leaves no report behind. The code lives only in the returned
    PDF. Audited (without the code)."""
    if language not in LANGUAGES:
        raise ValueError(f"unknown language {language!r}")
    now = timezone.now()
    code = new_code()
    with transaction.atomic():
        report = CreditReport.objects.create(
            code_hash=code_hash(code),
            subject=subject,
            issued_by=actor,
            issued_at=now,
            expires_at=now + datetime.timedelta(days=settings.SCS_REPORT_VERIFY_DAYS),
            language=language,
            snapshot=report_snapshot(subject, language=language, today=timezone.localdate(now)),
            state_digest=selectors.subject_state_digest(subject),
        )
        audit_log(
            actor=actor, action="citizen.credit_report_issue", obj=report, subject=subject,
            new={"language": language, "expires_at": report.expires_at},
        )  # fmt: skip
        pdf = render_pdf(report, code=code, verify_page=verify_page, verify_url=verify_url(code))
    return report, pdf


def credit_report_revoke(*, actor, report: CreditReport) -> CreditReport:
    """Revoke a report (the caller found it through `selectors.credit_reports_of(actor)`):
    /verify/ then answers "revoked" and shows nothing of it; its snapshot is erased. Revoking
    a revoked report changes nothing. Audited."""
    with transaction.atomic():
        report = CreditReport.objects.select_for_update().get(pk=report.pk)
        if report.revoked_at is not None:
            return report
        report.revoked_at = timezone.now()
        report.snapshot = {}
        report.save(update_fields=["revoked_at", "snapshot"])
        audit_log(
            actor=actor, action="citizen.credit_report_revoke", obj=report,
            subject=report.subject, old={"revoked_at": None},
            new={"revoked_at": report.revoked_at},
        )  # fmt: skip
    return report


@dataclasses.dataclass(frozen=True)
class Verification:
    """What /verify/ may say about a code: `state` is "valid", "expired", "revoked" or
    "unknown"; `report` (all but unknown) for its dates; `changed` only for a valid one."""

    state: str
    report: CreditReport | None = None
    changed: bool | None = None

    @property
    def snapshot(self) -> dict[str, Any] | None:
        return self.report.snapshot if self.state == "valid" else None


def credit_report_verify(*, hashed: str) -> Verification:
    """Look a report up by the keyed hash of its code (`code_hash`). A valid one is compared
    with the subject's current state, and the check is recorded for the person to see."""
    report = CreditReport.objects.select_related("subject").filter(code_hash=hashed).first()
    if report is None:
        return Verification("unknown")
    if report.revoked_at is not None:
        return Verification("revoked", report)
    if report.expires_at <= timezone.now():
        return Verification("expired", report)
    changed = selectors.subject_state_digest(report.subject) != report.state_digest
    CreditReportVerification.objects.create(report=report)
    return Verification("valid", report, changed)


def render_pdf(report: CreditReport, *, code: str, verify_page: str, verify_url: str) -> bytes:
    """The report's PDF, rendered from its snapshot in its language (citizens.pdf)."""
    # WeasyPrint loads pango through cffi when imported: imported here, so the portal starts
    # (and all but this download works) on a machine without Debian's libraries
    from citizens import pdf

    with translation.override(report.language):
        return pdf.render(
            "citizens/credit_report_pdf.html",
            {
                "report": report,
                "snapshot": report.snapshot,
                "code": printed_code(code),
                "verify_url": verify_url,
                "verify_page": verify_page,
                "qr": pdf.qr_svg(verify_url),
                "valid_days": settings.SCS_REPORT_VERIFY_DAYS,
            },
        )
