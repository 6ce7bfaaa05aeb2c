"""The audit trail as a change page shows it (sanctions.kernel.audit_display): labelled old →
new values with the field's verbose name, related rows by name (never their id), choices by
label, dates and amounts in the page's language, the actor by name."""

import datetime

import pytest
from django.utils import timezone, translation

from sanctions.kernel.audit_display import audit_rows, format_value
from sanctions.models import AuditEvent, Case, IntegrityRecord, Objection, RecordType
from tests import services
from tests.factories import UserFactory, make_citizen, make_official

pytestmark = pytest.mark.django_db

AT = timezone.make_aware(datetime.datetime(2025, 6, 3, 9, 30))


def event(obj_type: str, action: str, old=None, new=None, actor=None, object_id="1"):
    """An audit row as `audit_log` stores it (unsaved: only its reading is tested here)."""
    return AuditEvent(
        actor=actor, actor_repr=actor.get_username() if actor else "system", action=action,
        object_type=obj_type, object_id=object_id, old_values=old or {}, new_values=new or {},
        created_at=AT,
    )  # fmt: skip


def changes(row):
    return [(c.label, c.old, c.new, c.only_new) for c in row.changes]


def rt(code):
    return RecordType.objects.get(code=code)


def test_a_changed_record_type_reads_as_its_titles_not_its_ids(catalog):
    clerk = make_official(role="clerk", authority_code="bj-dongcheng-court")
    case = services.case_create(
        actor=clerk, subject=make_citizen(name="王建军").subject,
        record_type=rt("judicial-dishonest-debtor"), title="执行案件", facts="拒不履行",
        judicial_ground=2,
    )  # fmt: skip
    services.case_update(actor=clerk, case=case, record_type=rt("judicial-false-litigation"))
    stored = AuditEvent.objects.get(action="case.update")
    ids = (rt("judicial-dishonest-debtor").pk, rt("judicial-false-litigation").pk)
    assert stored.old_values == {"record_type": ids[0]}  # what the chain holds: ids
    assert stored.new_values == {"record_type": ids[1]}

    created, updated = audit_rows(AuditEvent.objects.filter(object_type="sanctions.Case")
                                  .select_related("actor").order_by("id"))  # fmt: skip
    old_title = rt("judicial-dishonest-debtor").title_en or rt("judicial-dishonest-debtor").title
    new_title = rt("judicial-false-litigation").title_en or rt("judicial-false-litigation").title
    assert changes(updated) == [("record type", old_title, new_title, False)]
    assert updated.action == "Draft edited" and updated.actor == clerk.get_username()
    # case.create names the type by its code: read as the title too
    assert ("record type", "—", old_title, True) in changes(created)
    assert ("state", "—", "Draft", True) in changes(created)
    with translation.override("zh-hans"):
        (zh,) = audit_rows([stored])
    assert changes(zh) == [("记录类型", rt("judicial-dishonest-debtor").title,
                            rt("judicial-false-litigation").title, False)]  # fmt: skip
    assert zh.action != "Draft edited"  # translated


def test_states_dates_amounts_and_people_are_formatted(catalog):
    reviewer = UserFactory(username="bj.reviewer", first_name="敏", last_name="李")
    removal = event(
        "sanctions.IntegrityRecord", "record.remove", actor=reviewer,
        old={"status": "active", "removed_at": None, "removal_reason": "",
             "performance_status": "unperformed"},
        new={"status": "removed", "removed_at": "2025-06-03T01:30:00+00:00",
             "removal_reason": "performed", "performance_status": "performed"},
    )  # fmt: skip
    extension = event(
        "sanctions.IntegrityRecord", "record.extend",
        old={"publication_end": "2027-01-05", "effective_until": "2027-01-05"},
        new={"publication_end": "2029-01-04", "effective_until": "2029-01-04",
             "reason": "仍拒不履行"},
    )  # fmt: skip
    correction = event("sanctions.IntegrityRecord", "record.correct",
                       old={"amount": "120000.00"}, new={"amount": "80000.00"})  # fmt: skip
    with translation.override("en"):
        removed, extended, corrected = audit_rows([removal, extension, correction])
    assert removed.actor == f"{reviewer.get_full_name()} (bj.reviewer)"
    assert removed.action == "Removed from the list" and removed.time == "2025-06-03 09:30"
    assert changes(removed) == [
        ("status", "Active", "Removed (performed, settled or withdrawn)", False),
        ("removed at", "—", "June 3, 2025, 9:30 a.m.", False),
        ("removal reason", "—", "Obligation performed", False),
        ("performance", "Not performed", "Performed", False),
    ]
    assert changes(extended) == [
        ("published until", "Jan. 5, 2027", "Jan. 4, 2029", False),
        ("counts until", "Jan. 5, 2027", "Jan. 4, 2029", False),
        ("reason", "—", "仍拒不履行", True),
    ]
    assert changes(corrected) == [("amount (CNY)", "120,000.00", "80,000.00", False)]
    assert extended.actor == "system"
    with translation.override("zh-hans"):
        (extended,) = audit_rows([extension])
    assert changes(extended)[0][1:3] == ("2027年1月5日", "2029年1月4日")


def test_rows_named_by_id_read_as_names_with_one_query_per_model(
    catalog, django_assert_max_num_queries
):
    court = (make_official(role="clerk", authority_code="bj-dongcheng-court"),
             make_official(role="reviewer", authority_code="bj-dongcheng-court"))  # fmt: skip
    record = services.record_register(
        actor=court[1], subject=make_citizen(name="赵磊").subject,
        record_type=rt("judicial-dishonest-debtor"), authority=court[1].official.authority,
        decision_number="(2025)京0101执9号", decision_date=timezone.localdate(),
        judicial_ground=2, amount=5000,
    )  # fmt: skip
    filings = [
        event("sanctions.Objection", "objection.file", object_id=str(n),
              new={"record": record.pk, "due_on": "2025-06-18", "attachments": ["a.pdf", "b.pdf"]})
        for n in range(5)
    ]  # fmt: skip
    gone = event("sanctions.Objection", "objection.file", new={"record": 999999})
    corrections = {"amount": "3000.00", "obligation": "支付3000元"}
    decided = event("sanctions.Objection", "objection.decide", old={"outcome": "pending"},
                    new={"outcome": "partly_upheld", "corrections": corrections})  # fmt: skip
    with django_assert_max_num_queries(2):  # the records, read once for all the rows
        rows = audit_rows([*filings, gone, decided])
    assert changes(rows[0]) == [
        ("record", "—", "(2025)京0101执9号", True),
        ("decision due", "—", "June 18, 2025", True),
        ("attachments", "—", "a.pdf, b.pdf", True),
    ]
    assert changes(rows[5])[0] == ("record", "—", "#999999", True)  # no longer there
    assert changes(rows[6]) == [
        ("outcome", "Pending", "Partly upheld: record corrected", False),
        ("corrections", "—", "amount (CNY): 3,000.00; obligation: 支付3000元", True),
    ]
    assert rows[6].action == "Objection decided"


def test_an_unknown_action_or_key_is_shown_plainly():
    (row,) = audit_rows([event("sanctions.Case", "case.mystery", new={"some_key": 3})])
    assert row.action == "case.mystery"
    assert changes(row) == [("some key", "—", "3", True)]
    (row,) = audit_rows([event("no.Model", "x.y", old={"flag": True}, new={"flag": False})])
    assert changes(row) == [("flag", "yes", "no", False)]


def test_format_value_of_each_kind_of_field(catalog):
    with translation.override("en"):
        assert format_value(Case, "state", "under_review") == "Under review"
        assert format_value(Case, "judicial_ground", 2) != "2"  # the ground's label
        assert format_value(IntegrityRecord, "decision_date", "2025-03-03") == "March 3, 2025"
        assert format_value(Objection, "outcome", "upheld") == "Upheld: record revoked"
        assert format_value(Case, "amount", "1234567.5") == "1,234,567.50"
        assert format_value(Case, "publication_days", 365) == "365"
        assert format_value(Case, "title", "") == "—"
        assert format_value(Case, "title", None) == "—"
