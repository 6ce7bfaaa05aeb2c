"""Deadline reminders (sanctions.services.reminders, the daily task, the dashboard's list):
who is told, about what, once."""

import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail
from django.urls import reverse

from sanctions.casework.services.reminders import deadline_reminders_send
from sanctions.casework.tasks import deadline_reminders_send_task
from sanctions.models import DeadlineReminder, RecordType
from tests import services
from tests.factories import make_citizen
from tests.sanctions.test_calendar import amr_record
from tests.sanctions.test_casework import pdf

pytestmark = pytest.mark.django_db

T = datetime.date(2026, 12, 9)  # a Wednesday: 2 working days ahead is Friday 2026-12-11


def at(day: datetime.date):
    """The clock at 07:00 in Beijing on `day`, when the beat entry runs the task."""
    moment = datetime.datetime.combine(day, datetime.time(7), tzinfo=ZoneInfo("Asia/Shanghai"))
    return time_machine.travel(moment, tick=False)


def case_due(clerk, title: str, due: datetime.date):
    return services.case_create(
        actor=clerk, subject=make_citizen().subject,
        record_type=RecordType.objects.get(code="judicial-dishonest-debtor"),
        title=title, facts="拒不履行", judicial_ground=2, due_date=due,
    )  # fmt: skip


def court_record(court, number: str, decided_on: datetime.date):
    case = case_due(court["clerk"], "执行案件", decided_on + datetime.timedelta(days=30))
    services.evidence_add(actor=court["clerk"], case=case, uploaded=pdf())
    services.case_submit(actor=court["clerk"], case=case)
    record = services.case_decide(actor=court["reviewer"], case=case, decision_number=number,
                                  decision_date=decided_on, today=decided_on)  # fmt: skip
    services.case_serve_notice(actor=court["clerk"], case=case, today=decided_on)
    services.publication_sweep(today=decided_on + datetime.timedelta(days=11))
    return record


@pytest.fixture
def due_soon(court):
    """At the district court: a case due Friday (its clerk assigned), one due Monday (after
    the 2 working days), one due Friday nobody is assigned to, one withdrawn; an objection due
    Thursday. At the market regulator: a repair application due Wednesday."""
    for user in court.values():
        user.email = f"{user.username}@court.example.gov.cn"
        user.save(update_fields=["email"])
    clerk = court["clerk"]
    assigned = case_due(clerk, "到期案件", datetime.date(2026, 12, 11))
    later = case_due(clerk, "下周案件", datetime.date(2026, 12, 14))
    unassigned = case_due(clerk, "无人承办", datetime.date(2026, 12, 11))
    services.case_update(actor=clerk, case=unassigned, assignee=None)
    withdrawn = case_due(clerk, "已撤回", datetime.date(2026, 12, 10))
    services.case_withdraw(actor=clerk, case=withdrawn, reason="误立")
    record = court_record(court, "(2026)京0101执21号", datetime.date(2026, 6, 1))
    objection = services.objection_file(actor=clerk, record=record, grounds="已履行",
                                        today=datetime.date(2026, 11, 25))  # fmt: skip
    amr_clerk, amr_reviewer, amr = amr_record("京东市监罚〔2026〕21号")
    amr_reviewer.email = "amr.reviewer@amr.example.gov.cn"
    amr_reviewer.save(update_fields=["email"])
    repair = services.repair_apply(actor=amr_clerk, record=amr, grounds="已整改",
                                   today=datetime.date(2026, 11, 18))  # fmt: skip
    assert (objection.due_on, repair.due_on) == (datetime.date(2026, 12, 10), T)
    return {"assigned": assigned, "later": later, "unassigned": unassigned,
            "objection": objection, "repair": repair, "amr_reviewer": amr_reviewer,
            "amr_clerk": amr_clerk, **court}  # fmt: skip


def told(user) -> set:
    return {
        (r.case_id and f"case:{r.case_id}") or (r.objection_id and f"objection:{r.objection_id}")
        or f"repair:{r.repair_id}"
        for r in DeadlineReminder.objects.filter(recipient=user)
    }  # fmt: skip


def test_the_responsible_officials_are_told_once_in_the_admin_and_by_email(
    due_soon, django_capture_on_commit_callbacks
):
    w = due_soon
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        counts = deadline_reminders_send(today=T)
    assert counts == {"due": 4, "created": 6, "already_sent": 0, "emails": 4}
    assert len(callbacks) == 4 and len(mail.outbox) == 4  # e-mails only after the commit
    # the assignee; nobody assigned: the court's reviewers and supervisors (not its clerk);
    # objections and repairs: those who may decide them, of the record's authority
    assert told(w["clerk"]) == {f"case:{w['assigned'].pk}"}
    for decider in (w["reviewer"], w["supervisor"]):
        assert told(decider) == {f"case:{w['unassigned'].pk}", f"objection:{w['objection'].pk}"}
    assert told(w["amr_reviewer"]) == {f"repair:{w['repair'].pk}"}
    assert told(w["other_reviewer"]) == told(w["appeal_reviewer"]) == told(w["amr_clerk"]) == set()
    reminder = DeadlineReminder.objects.get(recipient=w["clerk"])
    assert (reminder.due_on, reminder.sent_on) == (datetime.date(2026, 12, 11), T)
    assert reminder.emailed_to == w["clerk"].email
    by_address = {message.to[0]: message for message in mail.outbox}
    to_reviewer = by_address[w["reviewer"].email]
    assert to_reviewer.subject == "SCS Portal: 2 deadlines within 2 working days"
    objection_line = f"Objection #{w['objection'].pk} to decision (2026)京0101执21号"
    assert f"{objection_line}: due on 2026-12-10" in to_reviewer.body
    assert reverse("admin:sanctions_case_change", args=[w["unassigned"].pk]) in to_reviewer.body
    to_clerk = by_address[w["clerk"].email]
    assert to_clerk.subject == "SCS Portal: 1 deadline within 2 working days"
    assert f"Case #{w['assigned'].pk} “到期案件”: due on 2026-12-11" in to_clerk.body
    assert "下周案件" not in to_clerk.body and "已撤回" not in to_clerk.body

    # the same day again: nothing new is stored or sent
    with django_capture_on_commit_callbacks(execute=True):
        again = deadline_reminders_send(today=T)
    assert again == {"due": 4, "created": 0, "already_sent": 6, "emails": 0}
    assert DeadlineReminder.objects.count() == 6 and len(mail.outbox) == 4

    # the next day: only what newly came within 2 working days (Monday's case)
    with django_capture_on_commit_callbacks(execute=True):
        next_day = deadline_reminders_send(today=T + datetime.timedelta(days=1))
    assert next_day["created"] == 1 and len(mail.outbox) == 5
    assert told(w["clerk"]) == {f"case:{w['assigned'].pk}", f"case:{w['later'].pk}"}


def test_a_changed_due_date_is_a_new_reminder(due_soon, django_capture_on_commit_callbacks):
    w = due_soon
    deadline_reminders_send(today=T)
    services.case_update(actor=w["clerk"], case=w["assigned"], due_date=datetime.date(2026, 12, 10))
    with django_capture_on_commit_callbacks(execute=True):
        counts = deadline_reminders_send(today=T)
    assert counts["created"] == 1 and mail.outbox[-1].to == [w["clerk"].email]
    assert "due on 2026-12-10" in mail.outbox[-1].body


def test_an_official_without_an_address_is_told_on_the_dashboard_only(
    due_soon, django_capture_on_commit_callbacks
):
    w = due_soon
    w["clerk"].email = ""
    w["clerk"].save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        counts = deadline_reminders_send(today=T)
    assert counts["emails"] == 3 and w["clerk"].email not in {m.to[0] for m in mail.outbox}
    assert DeadlineReminder.objects.get(recipient=w["clerk"]).emailed_to == ""


def test_the_daily_task_with_a_moved_clock_twice_same_result(
    due_soon, django_capture_on_commit_callbacks
):
    with at(T), django_capture_on_commit_callbacks(execute=True):
        first = deadline_reminders_send_task.delay().get()
        second = deadline_reminders_send_task.delay().get()
    assert first["created"] == 6 and second["created"] == 0
    assert len(mail.outbox) == 4 and DeadlineReminder.objects.count() == 6
    # a week earlier nothing was due yet
    DeadlineReminder.objects.all().delete()
    with at(T - datetime.timedelta(days=7)):
        assert deadline_reminders_send_task.delay().get()["created"] == 0


def test_the_beat_schedule_runs_the_task_daily(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["deadline-reminders"]
    assert entry["task"] == deadline_reminders_send_task.name
    assert entry["schedule"].hour == {7} and entry["schedule"].minute == {0}


def test_the_dashboard_lists_the_officials_open_reminders_until_decided(client, due_soon):
    w = due_soon
    deadline_reminders_send(today=T)
    with at(T):
        client.force_login(w["reviewer"])
        html = client.get(reverse("admin:index")).content.decode()
        listed = client.get(reverse("admin:index")).context["dashboard"]["reminders"]
    # soonest first: the objection (Thursday), then the case (Friday)
    assert [r.objection_id or r.case_id for r in listed] == [w["objection"].pk, w["unassigned"].pk]
    assert 'id="deadline-reminders"' in html
    assert reverse("admin:sanctions_objection_change", args=[w["objection"].pk]) in html
    assert f"Case #{w['unassigned'].pk} “无人承办”" in html
    services.objection_decide(actor=w["reviewer"], objection=w["objection"], outcome="rejected",
                              reasons="理由不成立", today=T)  # fmt: skip
    with at(T):
        client.force_login(w["reviewer"])
        listed = client.get(reverse("admin:index")).context["dashboard"]["reminders"]
    assert [r.case_id for r in listed] == [w["unassigned"].pk]
    # another official's reminders are not shown
    with at(T):
        client.force_login(w["other_reviewer"])
        html = client.get(reverse("admin:index")).content.decode()
    assert 'id="deadline-reminders"' not in html
