"""The buttons and the services agree: for every relevant state of a record (or objection),
the selector offers the filing exactly when the service accepts it, and when it does not,
the service refuses for the reason the shared rule (sanctions.eligibility) gives.

Each state is built inside a savepoint that is rolled back, the service runs inside a
savepoint of its own, and the selector is asked both on a plain row and on one whose related
rows were prefetched (as the pages load them). The accepted states are also compared with
the rule as DESIGN.md §6 states it, so the test fails if both sides drift together."""

from __future__ import annotations

import datetime
import itertools

import pytest
from django.db import transaction
from django.utils import timezone

from sanctions.casework.eligibility import (
    appeal_refusal,
    extension_refusal,
    objection_refusal,
    repair_refusal,
)
from sanctions.casework.selectors import may_appeal, may_extend_listing, may_object, may_repair
from sanctions.kernel.errors import ApplicationError
from sanctions.models import (
    Appeal,
    Authority,
    IntegrityRecord,
    Objection,
    RecordStatus,
    RecordType,
    RepairApplication,
)
from tests import services
from tests.factories import make_citizen, make_enterprise

pytestmark = pytest.mark.django_db

D = datetime.date(2025, 3, 3)  # decision date of every record here
STATUSES = RecordStatus.values  # all seven, including the unusual ones
_numbers = itertools.count(1)


class _Rollback(Exception):
    pass


def rolled_back(build):
    """Run build() in a savepoint and undo everything it wrote; return its result."""
    result = None

    try:
        with transaction.atomic():
            result = build()
            raise _Rollback
    except _Rollback:
        pass
    return result


def service_outcome(call, created_query) -> ApplicationError | None:
    """Run a service in a savepoint that is rolled back. None if it succeeded (and then its
    row exists), else its refusal."""

    def attempt():
        try:
            call()
        except ApplicationError as refusal:
            return refusal
        assert created_query().exists(), "the service returned without writing its row"
        return None

    return rolled_back(attempt)


def same_reason(refusal: ApplicationError, rule_refusal: ApplicationError | None) -> bool:
    return (
        rule_refusal is not None
        and refusal.messages == rule_refusal.messages
        and getattr(refusal, "code", None) == getattr(rule_refusal, "code", None)
    )


def record(subject, code, authority_code, *, ground=None) -> IntegrityRecord:
    return services.record_create(
        actor=None, subject=subject, record_type=RecordType.objects.get(code=code),
        authority=Authority.objects.get(code=authority_code),
        decision_number=f"(2025)资格{next(_numbers)}号", decision_date=D,
        judicial_ground=ground, today=D,
    )  # fmt: skip


def set_status(rec: IntegrityRecord, status: str) -> None:
    IntegrityRecord.objects.filter(pk=rec.pk).update(status=status)


def record_rows(rec: IntegrityRecord) -> list[IntegrityRecord]:
    """The record as a service gets it, and as a page gets it (related rows prefetched)."""
    base = IntegrityRecord.objects.select_related("record_type", "authority")
    return [
        base.get(pk=rec.pk),
        base.prefetch_related("objections", "repairs").get(pk=rec.pk),
    ]


def pending_objection(rec, **decided) -> Objection:
    return Objection.objects.create(
        record=rec, grounds="有误", filed_on=D, due_on=D + datetime.timedelta(days=15),
        status_before=RecordStatus.ACTIVE, **decided,
    )  # fmt: skip


def repair_application(rec, state) -> RepairApplication:
    return RepairApplication.objects.create(
        record=rec, grounds="已整改", filed_on=D, due_on=D + datetime.timedelta(days=21),
        state=state,
    )  # fmt: skip


# --- objection ------------------------------------------------------------------------------


def test_object_button_is_offered_exactly_when_the_service_allows_it(court):
    rec = record(make_citizen().subject, "judicial-dishonest-debtor", "bj-dongcheng-court",
                 ground=2)  # fmt: skip
    objections = {
        "none": lambda: None,
        "pending": lambda: pending_objection(rec),
        "rejected": lambda: pending_objection(
            rec, outcome="rejected", decided_on=D, appeal_until=D + datetime.timedelta(days=10)
        ),
    }
    allowed = set()
    for status, earlier in itertools.product(STATUSES, objections):

        def check(status=status, earlier=earlier):
            set_status(rec, status)
            objections[earlier]()
            answers = {may_object(record=row) for row in record_rows(rec)}
            assert len(answers) == 1, "prefetched and plain rows must give the same answer"
            refusal = service_outcome(
                lambda: services.objection_file(
                    actor=court["clerk"], record=rec, grounds="金额有误", today=D
                ),
                lambda: Objection.objects.filter(record=rec, outcome="pending", grounds="金额有误"),
            )
            offered = answers.pop()
            assert offered == (refusal is None), (status, earlier, refusal)
            if refusal is not None:
                assert same_reason(refusal, objection_refusal(record_rows(rec)[0]))
            return offered

        if rolled_back(check):
            allowed.add((status, earlier))
    # DESIGN.md §6: pending notice or active, one objection at a time
    assert allowed == {
        (status, earlier)
        for status in (RecordStatus.PENDING_NOTICE, RecordStatus.ACTIVE)
        for earlier in ("none", "rejected")
    }


# --- credit repair ----------------------------------------------------------------------------


def test_repair_button_is_offered_exactly_when_the_service_allows_it(court):
    enterprise = make_enterprise().subject
    records = {  # record type code: days after the decision from which repair may be sought
        "commercial-tax-arrears": 91,  # general tier
        "commercial-major-tax-violation": 365,  # serious tier
        "commercial-late-tax-filing": None,  # minor tier: never published, nothing to repair
        "commercial-a-grade-taxpayer": None,  # positive
        "judicial-dishonest-debtor": None,  # a listing ends on performance instead
    }
    made = {
        code: record(enterprise, code, "bj-dongcheng-court", ground=2)
        if code.startswith("judicial")
        else record(enterprise, code, "bj-dongcheng-tax")
        for code in records
    }
    earlier_repairs = ("none", "pending", "refused", "granted")
    allowed = set()
    for code, after in records.items():
        rec = made[code]
        days = (after - 1, after, after + 200) if after else (90, 400, 2000)
        for day, status, earlier in itertools.product(days, STATUSES, earlier_repairs):
            today = D + datetime.timedelta(days=day)

            def check(rec=rec, today=today, status=status, earlier=earlier):
                set_status(rec, status)
                if earlier != "none":
                    repair_application(rec, earlier)
                answers = {may_repair(record=row, today=today) for row in record_rows(rec)}
                assert len(answers) == 1
                refusal = service_outcome(
                    lambda: services.repair_apply(
                        actor=court["clerk"], record=rec, grounds="已缴清税款", today=today
                    ),
                    lambda: RepairApplication.objects.filter(
                        record=rec, state="pending", grounds="已缴清税款"
                    ),
                )
                offered = answers.pop()
                assert offered == (refusal is None), (rec.record_type.code, today, status,
                                                      earlier, refusal)  # fmt: skip
                if refusal is not None:
                    assert same_reason(refusal, repair_refusal(record_rows(rec)[0], today=today))
                return offered

            if rolled_back(check):
                allowed.add((code, day, status, earlier))
    # DESIGN.md §6: general tier after 3 months, serious after a year; active; one at a time
    assert allowed == {
        (code, day, RecordStatus.ACTIVE, earlier)
        for code, after in records.items()
        if after
        for day in (after, after + 200)
        for earlier in ("none", "refused", "granted")
    }


# --- appeal -----------------------------------------------------------------------------------


def test_appeal_button_is_offered_exactly_when_the_service_allows_it(court):
    subject = make_citizen().subject
    records = {  # the district court answers to the intermediate court; the SAT to no one
        "higher authority": record(subject, "commercial-tax-arrears", "bj-dongcheng-tax"),
        "no higher authority": record(subject, "commercial-tax-arrears", "sat"),
    }
    appeal_until = D + datetime.timedelta(days=10)
    outcomes = ("pending", "rejected", "partly_upheld", "upheld", "decided, no appeal date")
    days = {"before": appeal_until - datetime.timedelta(days=3), "last day": appeal_until,
            "after": appeal_until + datetime.timedelta(days=1)}  # fmt: skip
    allowed = set()
    for where, outcome, when, appealed in itertools.product(
        records, outcomes, days, ("not appealed", "appealed")
    ):
        rec, today = records[where], days[when]

        def check(rec=rec, today=today, where=where, outcome=outcome, appealed=appealed):
            set_status(rec, RecordStatus.ACTIVE)
            if outcome == "pending":
                objection = pending_objection(rec)
            elif outcome == "decided, no appeal date":
                objection = pending_objection(rec, outcome="rejected", decided_on=D)
            else:
                objection = pending_objection(rec, outcome=outcome, decided_on=D,
                                              appeal_until=appeal_until)  # fmt: skip
            if appealed == "appealed":
                Appeal.objects.create(
                    objection=objection, authority=rec.authority.parent or rec.authority,
                    grounds="不服", filed_on=D, due_on=D + datetime.timedelta(days=15),
                )  # fmt: skip
            rows = [
                Objection.objects.get(pk=objection.pk),
                Objection.objects.select_related("appeal", "record__authority").get(
                    pk=objection.pk
                ),
            ]
            answers = {may_appeal(objection=row, today=today) for row in rows}
            assert len(answers) == 1
            before = Appeal.objects.filter(objection=objection).exists()
            refusal = service_outcome(
                lambda: services.appeal_file(
                    actor=court["clerk"], objection=objection, grounds="处理不当", today=today
                ),
                lambda: Appeal.objects.filter(objection=objection, grounds="处理不当"),
            )
            offered = answers.pop()
            assert offered == (refusal is None), (where, outcome, today, appealed, refusal)
            if refusal is not None:
                assert same_reason(
                    refusal, appeal_refusal(Objection.objects.get(pk=objection.pk), today=today)
                )
            else:
                assert not before
            return offered

        if rolled_back(check):
            allowed.add((where, outcome, when, appealed))
    # DESIGN.md §6: an outcome not upheld, within 10 days, once, to the parent authority
    assert allowed == {
        ("higher authority", outcome, when, "not appealed")
        for outcome in ("rejected", "partly_upheld")
        for when in ("before", "last day")
    }


# --- extension of a listing ------------------------------------------------------------------


def test_extend_button_is_offered_exactly_when_the_service_allows_it(court):
    subject = make_citizen().subject
    listings = {
        f"ground {ground}": record(subject, "judicial-dishonest-debtor", "bj-dongcheng-court",
                                   ground=ground)
        for ground in range(1, 7)
    }  # fmt: skip
    listings["not a listing"] = record(
        subject, "judicial-contempt-enforcement", "bj-dongcheng-court"
    )
    assert not listings["not a listing"].record_type.places_on_blacklist
    allowed = set()
    for kind, status, extended in itertools.product(
        listings, STATUSES, ("never extended", "extended before")
    ):
        rec = listings[kind]

        def check(rec=rec, status=status, extended=extended):
            set_status(rec, status)
            if extended == "extended before":
                IntegrityRecord.objects.filter(pk=rec.pk).update(
                    listing_extended_at=timezone.now(), extension_reason="前次延长"
                )
            answers = {may_extend_listing(record=row) for row in record_rows(rec)}
            assert len(answers) == 1
            refusal = service_outcome(
                lambda: services.record_extend_listing(
                    actor=court["reviewer"], record=rec, years=1, reason="拒不履行", today=D
                ),
                lambda: IntegrityRecord.objects.filter(pk=rec.pk, extension_reason="拒不履行"),
            )
            offered = answers.pop()
            assert offered == (refusal is None), (rec.judicial_ground, status, extended, refusal)
            if refusal is not None:
                assert same_reason(refusal, extension_refusal(record_rows(rec)[0]))
            return offered

        if rolled_back(check):
            allowed.add((kind, status, extended))
    # DESIGN.md §6: grounds 2-6, extendable once, while the listing is in force
    assert allowed == {
        (f"ground {ground}", status, "never extended")
        for ground in range(2, 7)
        for status in (RecordStatus.ACTIVE, RecordStatus.UNDER_OBJECTION)
    }


# --- the services judge the row they lock -----------------------------------------------------


def test_the_services_judge_their_locked_row_not_the_callers_stale_copy(court):
    """A page loaded the record (related rows prefetched) and offered the buttons; someone
    filed meanwhile. The service re-reads the row under select_for_update and refuses, even
    though the caller's copy still says yes."""
    subject = make_enterprise().subject
    today = D + datetime.timedelta(days=100)
    penalty = record(subject, "commercial-tax-arrears", "bj-dongcheng-tax")
    listing = record(subject, "judicial-dishonest-debtor", "bj-dongcheng-court", ground=3)
    for rec in (penalty, listing):
        set_status(rec, RecordStatus.ACTIVE)
    stale_penalty, stale_listing = (
        IntegrityRecord.objects.prefetch_related("objections", "repairs").get(pk=rec.pk)
        for rec in (penalty, listing)
    )
    assert may_repair(record=stale_penalty, today=today) and may_object(record=stale_penalty)
    assert may_extend_listing(record=stale_listing)

    services.repair_apply(actor=court["clerk"], record=penalty, grounds="已缴清", today=today)
    services.objection_file(actor=court["clerk"], record=penalty, grounds="有误", today=today)
    services.record_extend_listing(actor=court["reviewer"], record=listing, years=2,
                                   reason="拒不履行", today=today)  # fmt: skip
    # the copies still say yes; the services, reading the locked rows, say no
    assert may_repair(record=stale_penalty, today=today) and may_object(record=stale_penalty)
    assert may_extend_listing(record=stale_listing)
    with pytest.raises(ApplicationError, match="Not possible in state"):
        services.repair_apply(actor=court["clerk"], record=stale_penalty, grounds="再",
                              today=today)  # fmt: skip
    with pytest.raises(ApplicationError, match="Not possible in state"):
        services.objection_file(actor=court["clerk"], record=stale_penalty, grounds="再",
                                today=today)  # fmt: skip
    with pytest.raises(ApplicationError, match="only once"):
        services.record_extend_listing(actor=court["reviewer"], record=stale_listing, years=1,
                                       reason="再", today=today)  # fmt: skip
    assert RepairApplication.objects.filter(record=penalty).count() == 1
    assert Objection.objects.filter(record=penalty).count() == 1
    listing.refresh_from_db()
    assert listing.extension_reason == "拒不履行"

    # with the record active again, a second repair is refused for the pending one: the
    # related rows are read anew on the locked row, not from the caller's prefetched copy
    set_status(penalty, RecordStatus.ACTIVE)
    Objection.objects.filter(record=penalty).update(outcome="rejected")
    with pytest.raises(ApplicationError, match="already pending"):
        services.repair_apply(actor=court["clerk"], record=stale_penalty, grounds="再",
                              today=today)  # fmt: skip
    assert RepairApplication.objects.filter(record=penalty).count() == 1
