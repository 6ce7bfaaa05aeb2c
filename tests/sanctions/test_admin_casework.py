"""The officials' admin for casework: scoping (role × object matrix), buttons, access log."""

import datetime

import pytest
from django.urls import reverse

from sanctions.models import AccessLog, Case, RecordType
from tests import services
from tests.factories import make_citizen, make_official
from tests.sanctions.test_casework import D, pdf

pytestmark = pytest.mark.django_db

ROLES = ("clerk", "reviewer", "supervisor")


def decided(clerk, reviewer, number):
    """A dishonest-debtor case drafted with evidence, submitted and decided on D."""
    case = services.case_create(
        actor=clerk, subject=make_citizen().subject,
        record_type=RecordType.objects.get(code="judicial-dishonest-debtor"),
        title="执行案件", facts="拒不履行", judicial_ground=2,
    )  # fmt: skip
    services.evidence_add(actor=clerk, case=case, uploaded=pdf())
    services.case_submit(actor=clerk, case=case)
    record = services.case_decide(actor=reviewer, case=case, decision_number=number,
                                  decision_date=D, today=D)  # fmt: skip
    return case, record


@pytest.fixture
def world(catalog):
    """One case of each kind of object at 北京市东城区人民法院 (court A)."""
    people = {
        (code, role): make_official(role=role, authority_code=code)
        for code in ("bj-dongcheng-court", "bj-xicheng-court", "bj-dongcheng-tax",
                     "bj-2nd-intermediate-court")
        for role in ROLES
    }  # fmt: skip
    clerk = people[("bj-dongcheng-court", "clerk")]
    reviewer = people[("bj-dongcheng-court", "reviewer")]
    case, record = decided(clerk, reviewer, "A-1")
    objection = services.objection_file(actor=clerk, record=record, grounds="g", today=D)
    services.objection_decide(actor=reviewer, objection=objection, outcome="rejected",
                              reasons="r", today=D)  # fmt: skip
    appeal = services.appeal_file(actor=clerk, objection=objection, grounds="g", today=D)
    objects = {"case": case, "integrityrecord": record, "objection": objection,
               "appeal": appeal}  # fmt: skip
    return people, objects


EXPECTED_VISIBLE = {
    "bj-dongcheng-court": {r: True for r in ROLES},
    "bj-xicheng-court": {r: False for r in ROLES},
    "bj-dongcheng-tax": {r: False for r in ROLES},
    # the higher court: its supervisor oversees the lower courts; appeals reach its reviewers
    "bj-2nd-intermediate-court": {"clerk": False, "reviewer": False, "supervisor": True},
}


def test_role_by_object_matrix_other_authorities_get_404(client, world):
    people, objects = world
    for (code, role), user in people.items():
        client.force_login(user)
        for model, obj in objects.items():
            url = reverse(f"admin:sanctions_{model}_change", args=[obj.pk])
            status = client.get(url).status_code
            visible = EXPECTED_VISIBLE[code][role] or (
                model == "appeal" and code == "bj-2nd-intermediate-court"
            )
            assert status == (200 if visible else 404), (code, role, model, status)
            listing = client.get(reverse(f"admin:sanctions_{model}_changelist"))
            shown = {o.pk for o in listing.context["cl"].result_list}
            assert (obj.pk in shown) == visible, (code, role, model)


def test_actions_of_another_authority_answer_404_and_change_nothing(client, world):
    people, objects = world
    client.force_login(people[("bj-xicheng-court", "reviewer")])
    record = objects["integrityrecord"]
    url = reverse("admin:sanctions_integrityrecord_act", args=[record.pk, "remove"])
    assert client.post(url, {"remove-reason": "revocation"}).status_code == 404
    record.refresh_from_db()
    assert record.status == "pending_notice"


def test_buttons_walk_a_case_and_four_eyes_is_refused_with_a_message(client, catalog):
    clerk = make_official(role="clerk", authority_code="bj-dongcheng-court")
    reviewer = make_official(role="reviewer", authority_code="bj-dongcheng-court")
    subject = make_citizen().subject
    client.force_login(clerk)
    response = client.post(reverse("admin:sanctions_case_add"), {
        "subject": subject.pk,
        "record_type": RecordType.objects.get(code="judicial-dishonest-debtor").pk,
        "title": "执行案件", "facts": "拒不履行", "judicial_ground": 2,
        "evidence-TOTAL_FORMS": 0, "evidence-INITIAL_FORMS": 0,
        "notes-TOTAL_FORMS": 0, "notes-INITIAL_FORMS": 0,
    })  # fmt: skip
    assert response.status_code == 302
    case = Case.objects.get()
    assert case.drafted_by == clerk and case.state == "draft"
    change = reverse("admin:sanctions_case_change", args=[case.pk])
    page = client.get(change).content.decode()
    assert "Submit for review" in page and "Audit trail" in page
    act = lambda name: reverse("admin:sanctions_case_act", args=[case.pk, name])  # noqa: E731
    # every step is confirmed (the panel says what it does to the person)
    response = client.post(act("submit"), follow=True)
    assert "Tick the box to confirm" in response.content.decode()
    response = client.post(act("submit"), {"confirm": "yes"}, follow=True)
    assert "Attach the evidence" in response.content.decode()
    services.evidence_add(actor=clerk, case=case, uploaded=pdf())
    client.post(act("submit"), {"confirm": "yes"})
    case.refresh_from_db()
    assert case.state == "under_review"
    # the clerk cannot decide (role), the reviewer can
    decision = {"decide-decision_number": "N1", "decide-decision_date": "2025-03-03",
                "confirm": "yes"}  # fmt: skip
    response = client.post(act("decide"), decision, follow=True)
    assert "This needs the role" in response.content.decode()
    client.force_login(reviewer)
    client.post(act("decide"), decision)
    case.refresh_from_db()
    assert case.state == "decided" and case.records.get().decision_number == "N1"


def test_four_eyes_in_the_admin(client, catalog):
    supervisor = make_official(role="supervisor", authority_code="bj-dongcheng-court")
    case = services.case_create(
        actor=supervisor, subject=make_citizen().subject,
        record_type=RecordType.objects.get(code="judicial-dishonest-debtor"),
        title="t", facts="f", judicial_ground=2,
    )  # fmt: skip
    services.evidence_add(actor=supervisor, case=case, uploaded=pdf())
    services.case_submit(actor=supervisor, case=case)
    client.force_login(supervisor)
    url = reverse("admin:sanctions_case_act", args=[case.pk, "decide"])
    response = client.post(url, {"decide-decision_number": "N2",
                                 "decide-decision_date": "2025-03-03", "confirm": "yes"},
                           follow=True)  # fmt: skip
    assert "Four-eyes rule" in response.content.decode()
    case.refresh_from_db()
    assert case.state == "under_review"


def test_opening_a_persons_record_writes_the_access_log(client, catalog):
    official = make_official(role="clerk", authority_code="bj-dongcheng-court")
    citizen = make_citizen()
    client.force_login(official)
    url = reverse("admin:citizens_citizen_change", args=[citizen.pk])
    assert client.get(url).status_code == 200
    entry = AccessLog.objects.get(subject=citizen.subject)
    assert entry.official == official and entry.authority.code == "bj-dongcheng-court"
    assert "citizen detail" in entry.purpose
    client.get(reverse("admin:sanctions_subject_change", args=[citizen.subject.pk]))
    assert AccessLog.objects.filter(subject=citizen.subject).count() == 2


def test_dashboard_counts_open_cases_and_overdue_items(client, catalog):
    clerk = make_official(role="clerk", authority_code="bj-dongcheng-court")
    case = services.case_create(
        actor=clerk, subject=make_citizen().subject,
        record_type=RecordType.objects.get(code="judicial-dishonest-debtor"),
        title="t", facts="f", judicial_ground=2, due_date=datetime.date(2020, 1, 1),
    )  # fmt: skip
    client.force_login(clerk)
    response = client.get(reverse("admin:index"))
    dash = response.context["dashboard"]
    assert dash["overdue_cases"] == 1
    assert {"state": "Draft", "count": 1} in [
        {"state": str(r["state"]), "count": r["count"]} for r in dash["cases_by_state"]
    ]
    assert "Listings published per month" in response.content.decode()
    overdue = client.get(reverse("admin:sanctions_case_changelist"), {"overdue": "yes"})
    assert [c.pk for c in overdue.context["cl"].result_list] == [case.pk]


def test_appeal_is_decided_through_the_admin_by_the_parent_authority(client, world):
    people, objects = world
    appeal = objects["appeal"]
    url = reverse("admin:sanctions_appeal_act", args=[appeal.pk, "decide"])
    decision = {"decide-granted": "1", "decide-reasons": "原决定认定事实不清", "confirm": "yes"}
    client.force_login(people[("bj-dongcheng-court", "reviewer")])
    response = client.post(url, decision, follow=True)
    assert "Only officials of" in response.content.decode()
    appeal.refresh_from_db()
    assert appeal.state == "pending"
    client.force_login(people[("bj-2nd-intermediate-court", "reviewer")])
    client.post(url, decision)
    appeal.refresh_from_db()
    record = objects["integrityrecord"]
    record.refresh_from_db()
    assert appeal.state == "upheld" and record.status == "revoked"


def test_one_overdue_rule_for_the_dashboard_the_column_and_the_filter(client, catalog):
    from sanctions.casework.selectors import is_overdue, overdue
    from sanctions.models import Objection, RepairApplication

    clerk = make_official(role="clerk", authority_code="bj-dongcheng-court")
    reviewer = make_official(role="reviewer", authority_code="bj-dongcheng-court")
    _case, record = decided(clerk, reviewer, "A-9")
    objection = services.objection_file(actor=clerk, record=record, grounds="g", today=D)
    assert objection.due_on < datetime.date.today()  # filed long ago, still pending
    client.force_login(reviewer)
    changelist = reverse("admin:sanctions_objection_changelist")

    def listed_overdue():
        response = client.get(changelist, {"overdue": "yes"})
        return [o.pk for o in response.context["cl"].result_list]

    assert is_overdue(obj=objection) and list(overdue(queryset=Objection.objects.all())) == [
        objection
    ]
    assert client.get(reverse("admin:index")).context["dashboard"]["objections_overdue"] == 1
    assert listed_overdue() == [objection.pk]
    services.objection_decide(actor=reviewer, objection=objection, outcome="rejected",
                              reasons="r", today=D)  # fmt: skip
    objection.refresh_from_db()
    assert not is_overdue(obj=objection) and not overdue(queryset=Objection.objects.all()).exists()
    assert client.get(reverse("admin:index")).context["dashboard"]["objections_overdue"] == 0
    assert listed_overdue() == []
    # repair applications: open while pending, by their due date (rows stored directly: the
    # rule is what is tested, not the filing)
    late = RepairApplication.objects.create(record=record, grounds="g", filed_on=D, due_on=D,
                                            state="pending")  # fmt: skip
    RepairApplication.objects.create(record=record, grounds="g", filed_on=D, due_on=D,
                                     state="granted")  # fmt: skip
    assert is_overdue(obj=late) and not is_overdue(obj=late, today=D)
    assert list(overdue(queryset=RepairApplication.objects.all())) == [late]
    response = client.get(reverse("admin:sanctions_repairapplication_changelist"),
                          {"overdue": "yes"})  # fmt: skip
    assert [r.pk for r in response.context["cl"].result_list] == [late.pk]
    assert client.get(reverse("admin:index")).context["dashboard"]["repairs_overdue"] == 1


def test_record_page_offers_objection_and_repair_exactly_when_the_services_accept_them(
    client, catalog
):
    """The admin's buttons come from the selectors: a tax-arrears penalty (general tier,
    repair after 91 days) decided 30 days ago is not offered repair, and entering it anyway
    is refused for the same reason; one decided 200 days ago is, until an application is
    pending. Objection: offered while active, not while one is being decided."""
    from sanctions.models import IntegrityRecord, RepairApplication

    reviewer = make_official(role="reviewer", authority_code="bj-dongcheng-tax")
    today = datetime.date.today()

    def penalty(days_ago, number):
        record = services.record_create(
            actor=None, subject=make_citizen().subject,
            record_type=RecordType.objects.get(code="commercial-tax-arrears"),
            authority=reviewer.official.authority, decision_number=number,
            decision_date=today - datetime.timedelta(days=days_ago),
        )  # fmt: skip
        IntegrityRecord.objects.filter(pk=record.pk).update(status="active")
        return record

    def offered(record):
        response = client.get(reverse("admin:sanctions_integrityrecord_change", args=[record.pk]))
        return {action["name"] for action in response.context["service_actions"]}

    def act(record, action, grounds):
        url = reverse("admin:sanctions_integrityrecord_act", args=[record.pk, action])
        data = {f"{action}-grounds": grounds, "confirm": "yes"}  # the step, confirmed
        return client.post(url, data, follow=True).content.decode()

    client.force_login(reviewer)
    recent, older = penalty(30, "京东税罚〔2026〕1号"), penalty(200, "京东税罚〔2026〕2号")
    assert {"object", "repair"} & offered(recent) == {"object"}
    assert "Credit repair can be applied for from" in act(recent, "repair", "已缴清")
    assert not RepairApplication.objects.filter(record=recent).exists()

    assert {"object", "repair"} <= offered(older)
    act(older, "repair", "已缴清税款及滞纳金")
    assert RepairApplication.objects.get(record=older).state == "pending"
    assert "repair" not in offered(older)  # one application at a time
    assert "A repair application for this record is already pending" in act(older, "repair", "再")

    act(older, "object", "金额有误")
    assert IntegrityRecord.objects.get(pk=older.pk).status == "under_objection"
    assert "object" not in offered(older)
    assert "Not possible in state" in act(older, "object", "再次异议")
