"""The audit row of services whose other tests check only the state they leave: extending and
removing a listing, filing and deciding an appeal, activating a rule set. Each row: who acted,
what, on which object and subject, and the old and new values."""

import datetime

import pytest

from sanctions.kernel.errors import ApplicationError
from sanctions.models import AuditEvent, RuleSet
from sanctions.registry.selectors import public_entries
from tests import services
from tests.factories import make_citizen, make_official, the_event
from tests.sanctions.test_casework import D, decided

pytestmark = pytest.mark.django_db

DAY10 = D + datetime.timedelta(days=10)


def listed(court, **kw):
    case, record = decided(court, make_citizen().subject, **kw)
    services.case_serve_notice(actor=court["clerk"], case=case, today=D)
    services.publication_sweep(today=DAY10)
    record.refresh_from_db()
    assert record.status == "active" and public_entries(today=DAY10).filter(pk=record.pk).exists()
    return record


def test_extending_a_listing_audits_the_old_and_new_end_and_the_reason(court):
    record = listed(court, ground=3)
    old_end, old_until = record.publication_end, record.effective_until
    services.record_extend_listing(actor=court["reviewer"], record=record, years=3,
                                   reason="  仍以虚假诉讼规避执行。 ", today=DAY10)  # fmt: skip
    record.refresh_from_db()
    new_end = old_end + datetime.timedelta(days=3 * 365)
    assert record.publication_end == new_end

    event = the_event("record.extend", record)
    assert event.actor == court["reviewer"] and event.actor_repr == court["reviewer"].username
    assert event.subject_id == record.subject_id
    assert event.old_values == {
        "publication_end": old_end.isoformat(),
        "effective_until": old_until.isoformat(),
    }
    assert event.new_values == {
        "publication_end": new_end.isoformat(),
        "effective_until": record.effective_until.isoformat(),
        "reason": "仍以虚假诉讼规避执行。",  # as recorded on the record, not the raw input
    }
    assert record.extension_reason == event.new_values["reason"]

    with pytest.raises(ApplicationError):  # a second extension is refused and leaves no row
        services.record_extend_listing(actor=court["reviewer"], record=record, years=1,
                                       reason="again", today=DAY10)  # fmt: skip
    assert AuditEvent.objects.filter(action="record.extend").count() == 1


def test_a_refused_extension_leaves_no_audit_row(court):
    record = listed(court, ground=1)  # ground 1 lasts until performance: nothing to extend
    with pytest.raises(ApplicationError):
        services.record_extend_listing(actor=court["reviewer"], record=record, years=1,
                                       reason="r", today=DAY10)  # fmt: skip
    with pytest.raises(ApplicationError):  # a clerk may not extend
        services.record_extend_listing(actor=court["clerk"], record=listed(court, number="X2"),
                                       years=1, reason="r", today=DAY10)  # fmt: skip
    assert not AuditEvent.objects.filter(action="record.extend").exists()


def test_removal_on_performance_audits_status_reason_and_performance(court):
    record = listed(court)
    services.record_remove(actor=court["reviewer"], record=record, reason="performed",
                           today=DAY10)  # fmt: skip
    record.refresh_from_db()
    assert record.status == "removed"
    assert not public_entries(today=DAY10).exists()

    event = the_event("record.remove", record)
    assert event.actor == court["reviewer"] and event.subject_id == record.subject_id
    assert event.old_values == {
        "status": "active",
        "removed_at": None,
        "removal_reason": "",
        "performance_status": "unperformed",
    }
    assert event.new_values == {
        "status": "removed",
        "removed_at": record.removed_at.isoformat(),
        "removal_reason": "performed",
        "performance_status": "performed",
    }


def test_removal_by_revocation_audits_the_revoked_status(court):
    record = listed(court)
    services.record_remove(actor=court["supervisor"], record=record, reason="revocation")
    record.refresh_from_db()
    event = the_event("record.remove", record)
    assert event.actor == court["supervisor"]
    assert event.old_values["status"] == "active"
    assert event.new_values["status"] == "revoked" == record.status
    assert event.new_values["removal_reason"] == "revocation"
    assert "performance_status" not in event.new_values  # revocation says nothing about it
    with pytest.raises(ApplicationError):  # removed once; a second removal leaves no row
        services.record_remove(actor=court["supervisor"], record=record, reason="revocation")
    assert AuditEvent.objects.filter(action="record.remove").count() == 1


def rejected_objection(court, record):
    objection = services.objection_file(actor=court["clerk"], record=record, grounds="金额有误",
                                        today=DAY10)  # fmt: skip
    return services.objection_decide(actor=court["reviewer"], objection=objection,
                                      outcome="rejected", reasons="无理由",
                                      today=DAY10)  # fmt: skip


def test_filing_an_appeal_audits_the_appeal_body_and_due_date(court):
    record = listed(court)
    objection = rejected_objection(court, record)
    appeal = services.appeal_file(actor=court["clerk"], objection=objection, grounds="不服",
                                  today=DAY10)  # fmt: skip

    event = the_event("appeal.file", appeal)
    assert event.actor == court["clerk"] and event.subject_id == record.subject_id
    assert event.object_type == "sanctions.Appeal"
    assert event.old_values == {}
    assert event.new_values == {
        "authority": "bj-2nd-intermediate-court",
        "due_on": (DAY10 + datetime.timedelta(days=15)).isoformat(),
    }
    with pytest.raises(ApplicationError):  # appealed once
        services.appeal_file(actor=court["clerk"], objection=objection, grounds="g", today=DAY10)
    assert AuditEvent.objects.filter(action="appeal.file").count() == 1


def test_an_upheld_appeal_audits_the_decision_and_the_revocation(court):
    record = listed(court)
    appeal = services.appeal_file(actor=court["clerk"], objection=rejected_objection(court, record),
                                  grounds="不服", today=DAY10)  # fmt: skip
    services.appeal_decide(actor=court["appeal_reviewer"], appeal=appeal, upheld=True,
                           reasons="原决定认定事实不清。", today=DAY10)  # fmt: skip
    record.refresh_from_db()
    assert record.status == "revoked" and not public_entries(today=DAY10).exists()

    decision = the_event("appeal.decide", appeal)
    assert decision.actor == court["appeal_reviewer"] and decision.subject_id == record.subject_id
    assert decision.old_values == {"state": "pending"}
    assert decision.new_values == {"state": "upheld"}
    revocation = the_event("record.revoke", record)
    assert revocation.actor == court["appeal_reviewer"]
    assert revocation.old_values["status"] == "active"
    assert revocation.new_values["status"] == "revoked"
    assert revocation.new_values["removal_reason"] == "objection_upheld"


def test_a_rejected_appeal_audits_the_decision_and_leaves_the_record(court):
    record = listed(court)
    appeal = services.appeal_file(actor=court["clerk"], objection=rejected_objection(court, record),
                                  grounds="不服", today=DAY10)  # fmt: skip
    services.appeal_decide(actor=court["appeal_reviewer"], appeal=appeal, upheld=False,
                           reasons="维持原异议决定。", today=DAY10)  # fmt: skip
    decision = the_event("appeal.decide", appeal)
    assert decision.actor == court["appeal_reviewer"]
    assert decision.old_values == {"state": "pending"}
    assert decision.new_values == {"state": "rejected"}
    assert not AuditEvent.objects.filter(action="record.revoke").exists()
    record.refresh_from_db()
    assert record.status == "active" and public_entries(today=DAY10).filter(pk=record.pk).exists()


def test_rule_set_activation_audits_the_second_supervisor_and_both_versions(catalog):
    first = make_official(role="supervisor", authority_code="bj-dongcheng-court",
                          username="sup.one")  # fmt: skip
    second = make_official(role="supervisor", authority_code="bj-dongcheng-tax",
                           username="sup.two")  # fmt: skip
    previous = RuleSet.objects.get(state="active")
    draft = services.ruleset_create_draft(actor=first, name="tougher on debtors")
    with pytest.raises(ApplicationError):  # four-eyes: refused, and no row
        services.ruleset_activate(actor=first, ruleset=draft)
    assert not AuditEvent.objects.filter(action="ruleset.activate").exists()

    services.ruleset_activate(actor=second, ruleset=draft)
    event = the_event("ruleset.activate", draft)
    assert event.actor == second and event.actor_repr == "sup.two"
    assert event.object_type == "sanctions.RuleSet" and event.subject_id is None
    assert event.old_values == {"active_version": previous.version}
    assert event.new_values == {"active_version": draft.version}
    assert draft.version == previous.version + 1
    previous.refresh_from_db()
    assert previous.state == "retired"
    with pytest.raises(ApplicationError):  # only a draft can be activated
        services.ruleset_activate(actor=second, ruleset=draft)
    assert AuditEvent.objects.filter(action="ruleset.activate").count() == 1
