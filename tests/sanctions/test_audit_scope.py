"""The audit trail and the access log in the admin: scoped to the authorities an official
sees, everything for the auditor role (read-only), and every read of them logged."""

import datetime

import pytest
from django.core.management import call_command
from django.urls import reverse

from sanctions.kernel.audit import access_log_visible_to, audit_events_visible_to
from sanctions.models import AccessLog, AuditEvent, RecordType
from tests import services
from tests.factories import make_citizen, make_official
from tests.sanctions.test_casework import D, pdf

pytestmark = pytest.mark.django_db


def _case(clerk, subject):
    case = services.case_create(
        actor=clerk, subject=subject,
        record_type=RecordType.objects.get(code="judicial-dishonest-debtor"),
        title="执行案件", facts="拒不履行", judicial_ground=2,
    )  # fmt: skip
    services.evidence_add(actor=clerk, case=case, uploaded=pdf())
    return case


@pytest.fixture
def trail(court):
    """A decided, published case at the Dongcheng court (its activation written by the
    nightly sweep, no actor), a draft at the Xicheng court, one read by each court."""
    person_a = make_citizen(name="王小明").subject
    person_b = make_citizen(name="赵丽").subject
    case_a = _case(court["clerk"], person_a)
    services.case_submit(actor=court["clerk"], case=case_a)
    record_a = services.case_decide(actor=court["reviewer"], case=case_a, decision_number="A-1",
                                    decision_date=D, today=D)  # fmt: skip
    services.case_serve_notice(actor=court["clerk"], case=case_a, today=D)
    assert services.publication_sweep(today=D + datetime.timedelta(days=11))["activated"] == 1
    xicheng = {role: make_official(role=role, authority_code="bj-xicheng-court")
               for role in ("clerk", "supervisor")}  # fmt: skip
    case_b = _case(xicheng["clerk"], person_b)
    services.access_log_write(official_user=court["clerk"], subject=person_a, purpose="work A")
    services.access_log_write(official_user=xicheng["clerk"], subject=person_b, purpose="work B")
    return {
        "court": court, "xicheng": xicheng, "person_a": person_a, "person_b": person_b,
        "case_a": case_a, "record_a": record_a, "case_b": case_b,
        "higher": make_official(role="supervisor", authority_code="bj-2nd-intermediate-court"),
        # an auditor placed at another kind of authority still reads everything
        "auditor": make_official(role="auditor", authority_code="bj-dongcheng-tax"),
    }  # fmt: skip


def _about(obj):
    return set(AuditEvent.objects.filter(object_type=obj._meta.label, object_id=str(obj.pk))
               .values_list("pk", flat=True))  # fmt: skip


def test_officials_read_the_trail_of_their_authorities_only(trail):
    rows_a = _about(trail["case_a"]) | _about(trail["record_a"])
    rows_b = _about(trail["case_b"])
    system_row = AuditEvent.objects.get(action="record.activate")
    assert system_row.actor is None and system_row.pk in rows_a
    registry_rows = set(AuditEvent.objects.filter(action="citizen.create")
                        .values_list("pk", flat=True))  # fmt: skip
    assert rows_a and rows_b and registry_rows

    def visible(user):
        return set(audit_events_visible_to(user=user).values_list("pk", flat=True))

    for role in ("clerk", "reviewer", "supervisor"):
        seen = visible(trail["court"][role])
        assert rows_a <= seen and not rows_b & seen, role
        assert not registry_rows & seen  # created by nobody of theirs
    seen = visible(trail["xicheng"]["clerk"])
    assert rows_b <= seen and not rows_a & seen
    # the supervisor of the court above sees both district courts; the auditor everything
    assert rows_a | rows_b <= visible(trail["higher"])
    assert visible(trail["auditor"]) == set(AuditEvent.objects.values_list("pk", flat=True))
    # a row written by an official of the court about something else (a person's
    # registration) is the court's too
    make_citizen(name="孙悦", actor=trail["court"]["clerk"])
    by_clerk = AuditEvent.objects.filter(action="citizen.create", actor=trail["court"]["clerk"])
    assert by_clerk.get().pk in visible(trail["court"]["reviewer"])
    assert by_clerk.get().pk not in visible(trail["xicheng"]["supervisor"])


def test_audit_admin_is_scoped_and_every_read_is_logged(client, trail):
    clerk = trail["court"]["clerk"]
    client.force_login(clerk)
    response = client.get(reverse("admin:sanctions_auditevent_changelist"))
    assert response.status_code == 200
    shown = {row.pk for row in response.context["cl"].result_list}
    assert _about(trail["case_a"]) <= shown and not _about(trail["case_b"]) & shown
    # the list showed person A's rows: A sees the read, B (not shown) does not
    (read,) = AccessLog.objects.filter(subject=trail["person_a"], purpose="admin: audit trail")
    assert read.official == clerk and read.authority.code == "bj-dongcheng-court"
    assert not AccessLog.objects.filter(subject=trail["person_b"], official=clerk).exists()
    # a row about person A: its page, logged; another court's row: 404, not logged
    row_a = AuditEvent.objects.get(action="case.create", object_id=str(trail["case_a"].pk))
    row_b = AuditEvent.objects.get(action="case.create", object_id=str(trail["case_b"].pk))
    assert client.get(reverse("admin:sanctions_auditevent_change", args=[row_a.pk])).status_code \
        == 200  # fmt: skip
    assert AccessLog.objects.filter(subject=trail["person_a"], official=clerk,
                                    purpose=f"admin: audit trail #{row_a.pk}").exists()  # fmt: skip
    url_b = reverse("admin:sanctions_auditevent_change", args=[row_b.pk])
    assert client.get(url_b).status_code == 404
    assert not AccessLog.objects.filter(subject=trail["person_b"], official=clerk).exists()
    # the auditor opens it
    client.force_login(trail["auditor"])
    assert client.get(url_b).status_code == 200
    assert AccessLog.objects.filter(subject=trail["person_b"], official=trail["auditor"],
                                    purpose=f"admin: audit trail #{row_b.pk}").exists()  # fmt: skip


def test_access_log_admin_is_scoped_to_supervisors_authorities(client, trail):
    def shown(user):
        client.force_login(user)
        response = client.get(reverse("admin:sanctions_accesslog_changelist"))
        assert response.status_code == 200, user
        return {row.subject_id for row in response.context["cl"].result_list}

    a, b = trail["person_a"].pk, trail["person_b"].pk
    assert shown(trail["court"]["supervisor"]) == {a}
    assert shown(trail["xicheng"]["supervisor"]) == {b}
    assert shown(trail["higher"]) >= {a, b}
    assert shown(trail["auditor"]) >= {a, b}
    # reading the log is itself logged, for each person shown
    assert AccessLog.objects.filter(subject_id=a, official=trail["court"]["supervisor"],
                                    purpose="admin: access log").count() == 1  # fmt: skip
    assert not AccessLog.objects.filter(
        subject_id=b, official=trail["court"]["supervisor"]
    ).exists()
    assert set(access_log_visible_to(user=trail["auditor"])) == set(AccessLog.objects.all())
    # another court's entry answers 404; clerks have no access log at all
    entry_b = AccessLog.objects.get(subject_id=b, purpose="work B")
    client.force_login(trail["court"]["supervisor"])
    assert client.get(reverse("admin:sanctions_accesslog_change", args=[entry_b.pk])) \
        .status_code == 404  # fmt: skip
    client.force_login(trail["court"]["clerk"])
    assert client.get(reverse("admin:sanctions_accesslog_changelist")).status_code == 403


def test_the_auditor_reads_and_nothing_else(client, trail):
    client.force_login(trail["auditor"])
    row = AuditEvent.objects.filter(action="case.create").first()
    for name, args in (("sanctions_case_changelist", []), ("sanctions_auditevent_add", []),
                       ("sanctions_accesslog_add", []),
                       ("sanctions_case_change", [trail["case_b"].pk]),
                       ("sanctions_integrityrecord_changelist", [])):  # fmt: skip
        # no permission (403), or for an object, not in scope either (404)
        assert client.get(reverse(f"admin:{name}", args=args)).status_code in (403, 404), name
    change = reverse("admin:sanctions_auditevent_change", args=[row.pk])
    assert client.post(change, {"action": "forged"}).status_code == 403
    row.refresh_from_db()
    assert row.action == "case.create"


def test_seed_demo_has_an_auditor(settings, catalog, client):
    settings.DEBUG = True
    call_command("seed_demo", "--citizens", "0", "--enterprises", "0", "--records", "0")
    from django.contrib.auth import get_user_model

    auditor = get_user_model().objects.get(username="court.auditor")
    assert list(auditor.groups.values_list("name", flat=True)) == ["auditor"]
    client.force_login(auditor)
    assert client.get(reverse("admin:sanctions_auditevent_changelist")).status_code == 200
    assert client.get(reverse("admin:sanctions_case_changelist")).status_code == 403
