"""`manage.py import_holidays` and the service under it (sanctions.services.holidays): from the
chinesecalendar package or a CSV file, audited, idempotent, nothing written on bad input."""

import datetime
from io import StringIO

import pytest
import time_machine
from django.core.management import CommandError, call_command

from sanctions.kernel.workdays import add_working_days, calendar_ends_on, calendar_warning
from sanctions.models import AuditEvent, Holiday

pytestmark = pytest.mark.django_db

# Test data in the file format, not a calendar: the State Council's notice for 2027 is what an
# operator imports.
CSV_2027 = """date,is_working_day,name
2027-01-01,0,元旦
2027-01-02,0,元旦
2027-01-03,0,元旦
2027-02-06,1,春节调休上班
2027-02-07,0,春节
"""


def run(*args) -> str:
    out = StringIO()
    call_command("import_holidays", *args, stdout=out)
    return out.getvalue()


def holiday_audits():
    return AuditEvent.objects.filter(action__startswith="holiday.")


def test_chinesecalendar_2026_agrees_with_the_seeded_calendar_and_changes_nothing(catalog):
    before = list(Holiday.objects.order_by("date").values_list("date", "name", "is_working_day"))
    out = run("--year", "2026")
    assert "39 days (33 holidays, 6 exchanged working days)" in out
    assert "0 created, 0 updated, 39 unchanged" in out
    after = list(Holiday.objects.order_by("date").values_list("date", "name", "is_working_day"))
    assert after == before and not holiday_audits().exists()


def test_chinesecalendar_import_creates_audited_days_once_then_changes_nothing(catalog):
    Holiday.objects.filter(date__year=2026).delete()
    assert "39 created, 0 updated, 0 unchanged" in run("--year", "2026")
    assert Holiday.objects.filter(date__year=2026, is_working_day=False).count() == 33
    spring = Holiday.objects.get(date=datetime.date(2026, 2, 14))
    assert spring.is_working_day and spring.name == "春节调休上班"
    assert holiday_audits().filter(action="holiday.create").count() == 39
    event = holiday_audits().get(object_id=str(spring.pk))
    assert event.actor is None and event.actor_repr == "system"
    assert event.new_values == {"date": "2026-02-14", "name": "春节调休上班",
                                "is_working_day": True}  # fmt: skip
    # twice: nothing changes, nothing more is audited
    assert "0 created, 0 updated, 39 unchanged" in run("--year", "2026")
    assert holiday_audits().count() == 39
    # and the deadlines count with it again: 2026-02-13 (Fri) + 1 working day = 2026-02-14
    assert add_working_days(datetime.date(2026, 2, 13), 1) == datetime.date(2026, 2, 14)


def test_a_year_the_package_does_not_know_exits_non_zero_and_writes_nothing(catalog):
    with pytest.raises(CommandError, match="does not know the holidays of 2199") as refused:
        run("--year", "2199")
    assert "import the notice from a CSV file" in str(refused.value)
    assert not Holiday.objects.filter(date__year=2199).exists() and not holiday_audits().exists()


def test_csv_import_extends_the_calendar_is_idempotent_and_audits_changes(catalog, tmp_path):
    path = tmp_path / "2027.csv"
    path.write_text(CSV_2027, encoding="utf-8")
    with time_machine.travel(datetime.datetime(2026, 11, 30, 4, tzinfo=datetime.UTC)):
        assert calendar_warning() is not None
        out = run("--csv", str(path), "--year", "2027")
        assert calendar_warning() is None  # the check and the dashboard are quiet again
    assert "5 days (4 holidays, 1 exchanged working days): 5 created" in out
    assert "The calendar now ends on 2027-12-31" in out
    assert calendar_ends_on() == datetime.date(2027, 12, 31)
    # 2026-12-31 (Thu) + 1 working day skips the 2027 New Year holiday and the weekend
    assert add_working_days(datetime.date(2026, 12, 31), 1) == datetime.date(2027, 1, 4)
    assert "0 created, 0 updated, 5 unchanged" in run("--csv", str(path))
    assert holiday_audits().count() == 5
    # a corrected file: the one changed day is updated, with the old value in its audit row
    path.write_text(CSV_2027.replace("2027-01-03,0,元旦", "2027-01-03,0,元旦假期"), "utf-8")
    assert "0 created, 1 updated, 4 unchanged" in run("--csv", str(path))
    event = holiday_audits().get(action="holiday.update")
    assert event.old_values["name"] == "元旦" and event.new_values["name"] == "元旦假期"


def test_csv_without_names_gets_default_names(catalog, tmp_path):
    path = tmp_path / "days.csv"
    path.write_text("date,is_working_day\n2027-05-03,0\n2027-04-25,1\n", encoding="utf-8")
    assert "2 created" in run("--csv", str(path))
    assert Holiday.objects.get(date=datetime.date(2027, 5, 3)).name == "节假日"
    assert Holiday.objects.get(date=datetime.date(2027, 4, 25)).name == "调休上班"


@pytest.mark.parametrize(
    ("content", "messages"),
    [
        ("day,holiday\n2027-01-01,0\n", ["The first line must be the header"]),
        (
            "date,is_working_day,name\n2027-01-01,0,元旦\n2027-13-01,0,x\n2027-01-02,maybe,x\n"
            "2026-10-01,0,国庆节\n2027-01-01,0,元旦\n",
            [
                "line 3: “2027-13-01” is not a date like 2027-01-01.",
                "line 4: is_working_day must be 1 or 0, not “maybe”.",
                "line 5: 2026-10-01 is not in 2027.",
                "line 6: 2027-01-01 is listed twice.",
            ],
        ),
        ("date,is_working_day,name\n", ["The file lists no days."]),
    ],
)
def test_a_bad_csv_is_refused_with_every_error_and_nothing_is_written(
    catalog, tmp_path, content, messages
):
    path = tmp_path / "bad.csv"
    path.write_text(content, encoding="utf-8")
    count = Holiday.objects.count()
    with pytest.raises(CommandError) as refused:
        run("--csv", str(path), "--year", "2027")
    for message in messages:
        assert message in str(refused.value)
    assert Holiday.objects.count() == count and not holiday_audits().exists()


def test_the_command_needs_a_source_and_a_readable_file(catalog, tmp_path):
    with pytest.raises(CommandError, match="--year YEAR"):
        run()
    with pytest.raises(CommandError, match="Cannot read"):
        run("--csv", str(tmp_path / "missing.csv"))
