"""How far the holiday calendar reaches (sanctions.workdays), the system check that warns
before it runs out (sanctions.checks), the dashboard's copy of that warning, and deadlines
beyond it shown as provisional in the officials' lists."""

import datetime

import pytest
import time_machine
from django.core import checks
from django.db import connection
from django.urls import reverse

from sanctions.kernel.checks import holiday_calendar_check
from sanctions.kernel.workdays import (
    calendar_ends_on,
    calendar_warning,
    is_beyond_calendar,
    repair_due_on,
)
from sanctions.models import Holiday, RecordType
from tests import services
from tests.factories import make_citizen, make_enterprise, make_official
from tests.sanctions.test_casework import pdf

pytestmark = pytest.mark.django_db

SEEDED_END = datetime.date(2026, 12, 31)  # migration 0004 stores 2025 and 2026


def at(day: datetime.date):
    """Move the clock to noon of `day` in Beijing (the portal's TIME_ZONE)."""
    return time_machine.travel(
        datetime.datetime.combine(day, datetime.time(4, 0), tzinfo=datetime.UTC), tick=False
    )


def w001(messages):
    return [m for m in messages if m.id == "sanctions.W001"]


# --- the calendar's end -----------------------------------------------------------------------


def test_calendar_ends_with_the_last_stored_year(catalog):
    assert calendar_ends_on() == SEEDED_END
    # one day of the State Council's 2027 notice makes 2027 a stored year
    Holiday.objects.create(date=datetime.date(2027, 1, 1), name="元旦")
    assert calendar_ends_on() == datetime.date(2027, 12, 31)
    Holiday.objects.all().delete()
    assert calendar_ends_on() is None


def test_a_date_after_the_calendar_is_beyond_it_and_without_a_calendar_every_date_is():
    assert not is_beyond_calendar(SEEDED_END, ends_on=SEEDED_END)
    assert is_beyond_calendar(datetime.date(2027, 1, 1), ends_on=SEEDED_END)
    assert not is_beyond_calendar(None, ends_on=SEEDED_END)
    assert is_beyond_calendar(datetime.date(2025, 1, 1), ends_on=None)


def test_warning_starts_120_days_before_the_calendar_ends(catalog, settings):
    assert settings.SCS_HOLIDAY_CALENDAR_DAYS_AHEAD == 120
    last_quiet_day = SEEDED_END - datetime.timedelta(days=120)  # 2026-09-02
    with at(last_quiet_day):
        assert calendar_warning() is None
    with at(last_quiet_day + datetime.timedelta(days=1)):
        text = calendar_warning()
    assert "2026-12-31" in text and "import_holidays --year 2027" in text
    settings.SCS_HOLIDAY_CALENDAR_DAYS_AHEAD = 30
    assert calendar_warning(today=datetime.date(2026, 11, 30)) is None


def test_without_any_calendar_the_warning_says_so(catalog):
    Holiday.objects.all().delete()
    assert "No holiday calendar is stored" in calendar_warning(today=datetime.date(2026, 1, 5))


# --- the system check -------------------------------------------------------------------------


def test_system_check_warns_w001_today_and_not_while_the_calendar_reaches_far_enough(catalog):
    with at(datetime.date(2026, 11, 30)):
        found = w001(checks.run_checks())
    assert len(found) == 1 and found[0].level == checks.WARNING
    assert "2026-12-31" in found[0].msg
    with at(datetime.date(2026, 8, 1)):
        assert w001(checks.run_checks()) == []
    # the 2027 calendar imported: quiet again until September 2027
    Holiday.objects.create(date=datetime.date(2027, 1, 1), name="元旦")
    with at(datetime.date(2026, 11, 30)):
        assert w001(checks.run_checks()) == []
    with at(datetime.date(2027, 9, 3)):
        assert len(w001(checks.run_checks())) == 1


def test_system_check_says_nothing_when_the_table_is_missing_and_leaves_the_transaction_usable(
    catalog,
):
    """Before `migrate` has created the table (DDL is transactional in PostgreSQL: the test's
    transaction undoes the rename)."""
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE sanctions_holiday RENAME TO sanctions_holiday_away")
    assert holiday_calendar_check() == []
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE sanctions_holiday_away RENAME TO sanctions_holiday")
    assert Holiday.objects.exists()  # the failed read did not abort the transaction


def test_system_check_runs_only_for_the_sanctions_app(catalog):
    from django.apps import apps

    with at(datetime.date(2026, 11, 30)):
        assert holiday_calendar_check(app_configs=[apps.get_app_config("citizens")]) == []
        assert holiday_calendar_check(app_configs=[apps.get_app_config("sanctions")])


# --- the officials' dashboard -----------------------------------------------------------------


def test_dashboard_shows_the_same_warning_while_the_calendar_runs_short(client, catalog):
    reviewer = make_official(role="reviewer", authority_code="bj-dongcheng-court")

    def dashboard_on(day, language="en"):
        with at(day):  # log in at that moment: the session's idle timeout follows the clock
            client.force_login(reviewer)
            response = client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE=language)
            return response.content.decode(), calendar_warning()

    html, expected = dashboard_on(datetime.date(2026, 11, 30))
    assert 'id="calendar-warning"' in html and expected in html
    assert "The holiday calendar ends on 2026-12-31" in html
    html, _expected = dashboard_on(datetime.date(2026, 11, 30), language="zh-hans")
    assert "节假日安排止于2026-12-31" in html and "import_holidays --year 2027" in html
    html, expected = dashboard_on(datetime.date(2026, 8, 1))
    assert expected is None and 'id="calendar-warning"' not in html
    assert "Work at a glance" in html


# --- provisional deadlines in the officials' lists --------------------------------------------

DECIDED = datetime.date(2026, 8, 3)


def amr_record(number: str):
    """A general-tier market-regulation penalty, published, eligible for repair after 91
    days."""
    clerk = make_official(role="clerk", authority_code="bj-dongcheng-amr")
    reviewer = make_official(role="reviewer", authority_code="bj-dongcheng-amr")
    case = services.case_create(
        actor=clerk, subject=make_enterprise().subject,
        record_type=RecordType.objects.get(code="commercial-product-quality"),
        title="产品抽检不合格", facts="抽检不合格。",
    )  # fmt: skip
    services.evidence_add(actor=clerk, case=case, uploaded=pdf())
    services.case_submit(actor=clerk, case=case)
    record = services.case_decide(actor=reviewer, case=case, decision_number=number,
                                  decision_date=DECIDED, today=DECIDED)  # fmt: skip
    services.case_serve_notice(actor=clerk, case=case, today=DECIDED)
    services.publication_sweep(today=DECIDED + datetime.timedelta(days=11))
    return clerk, reviewer, record


def test_repair_list_marks_a_due_date_beyond_the_calendar_as_provisional(client, catalog):
    clerk, reviewer, early = amr_record("京东市监罚〔2026〕11号")
    _clerk, _reviewer, late = amr_record("京东市监罚〔2026〕12号")
    inside = services.repair_apply(actor=clerk, record=early, grounds="已整改",
                                   today=datetime.date(2026, 11, 18))  # fmt: skip
    beyond = services.repair_apply(actor=clerk, record=late, grounds="已整改",
                                   today=datetime.date(2026, 12, 21))  # fmt: skip
    assert inside.due_on <= SEEDED_END < beyond.due_on
    client.force_login(reviewer)
    url = reverse("admin:sanctions_repairapplication_changelist")
    response = client.get(url)
    html = response.content.decode()
    rows = {obj.pk: obj for obj in response.context["cl"].result_list}
    admin_ = response.context["cl"].model_admin
    assert "provisional" not in str(admin_.due_on_shown(rows[inside.pk]))
    assert str(admin_.due_on_shown(rows[beyond.pk])).endswith(
        '<span class="provisional-deadline">'
        "(provisional: the holiday calendar ends on 2026-12-31)</span>"
    )
    assert html.count("(provisional: the holiday calendar ends on 2026-12-31)") == 1
    # the calendar's last stored day came with each row (a subquery, not a query per row)
    assert rows[beyond.pk].calendar_last_stored_day == datetime.date(2026, 10, 10)
    # the 2027 calendar imported: nothing is provisional any more
    Holiday.objects.create(date=datetime.date(2027, 1, 1), name="元旦")
    assert "provisional" not in client.get(url).content.decode()


def test_case_list_marks_a_due_date_beyond_the_calendar_as_provisional(client, catalog):
    clerk = make_official(role="clerk", authority_code="bj-dongcheng-court")
    for title, due in (("年内", datetime.date(2026, 12, 15)), ("明年", datetime.date(2027, 1, 15))):
        services.case_create(
            actor=clerk, subject=make_citizen().subject,
            record_type=RecordType.objects.get(code="judicial-dishonest-debtor"),
            title=title, facts="拒不履行", judicial_ground=2, due_date=due,
        )  # fmt: skip
    client.force_login(clerk)
    response = client.get(reverse("admin:sanctions_case_changelist"))
    admin_ = response.context["cl"].model_admin
    shown = {
        obj.title: str(admin_.due_date_shown(obj)) for obj in response.context["cl"].result_list
    }
    assert "provisional" not in shown["年内"]
    assert "(provisional: the holiday calendar ends on 2026-12-31)" in shown["明年"]


def test_repair_due_dates_past_the_calendar_count_weekends_only(catalog):
    """What "provisional" means: past the calendar no holiday is known, so only weekends are
    skipped (2027's New Year holiday is counted as a working day)."""
    assert repair_due_on(datetime.date(2026, 12, 21)) == datetime.date(2027, 1, 11)
