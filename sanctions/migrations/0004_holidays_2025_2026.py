"""Public holidays and exchanged working days (调休) for 2025 and 2026, from the State
Council General Office's annual notices. Supervisors maintain later years in the admin."""

import datetime

from django.db import migrations

RANGES = [
    # (first, last, name)
    ("2025-01-01", "2025-01-01", "元旦"),
    ("2025-01-28", "2025-02-04", "春节"),
    ("2025-04-04", "2025-04-06", "清明节"),
    ("2025-05-01", "2025-05-05", "劳动节"),
    ("2025-05-31", "2025-06-02", "端午节"),
    ("2025-10-01", "2025-10-08", "国庆节、中秋节"),
    ("2026-01-01", "2026-01-03", "元旦"),
    ("2026-02-15", "2026-02-23", "春节"),
    ("2026-04-04", "2026-04-06", "清明节"),
    ("2026-05-01", "2026-05-05", "劳动节"),
    ("2026-06-19", "2026-06-21", "端午节"),
    ("2026-09-25", "2026-09-27", "中秋节"),
    ("2026-10-01", "2026-10-07", "国庆节"),
]
WORKED_WEEKENDS = [
    ("2025-01-26", "春节调休上班"), ("2025-02-08", "春节调休上班"),
    ("2025-04-27", "劳动节调休上班"), ("2025-09-28", "国庆节调休上班"),
    ("2025-10-11", "国庆节调休上班"), ("2026-01-04", "元旦调休上班"),
    ("2026-02-14", "春节调休上班"), ("2026-02-28", "春节调休上班"),
    ("2026-05-09", "劳动节调休上班"), ("2026-09-20", "国庆节调休上班"),
    ("2026-10-10", "国庆节调休上班"),
]  # fmt: skip


def seed(apps, schema_editor):
    Holiday = apps.get_model("sanctions", "Holiday")
    for first, last, name in RANGES:
        day = datetime.date.fromisoformat(first)
        end = datetime.date.fromisoformat(last)
        while day <= end:
            Holiday.objects.update_or_create(
                date=day, defaults={"name": name, "is_working_day": False}
            )
            day += datetime.timedelta(days=1)
    for date, name in WORKED_WEEKENDS:
        Holiday.objects.update_or_create(
            date=datetime.date.fromisoformat(date), defaults={"name": name, "is_working_day": True}
        )


class Migration(migrations.Migration):
    dependencies = [("sanctions", "0003_casework")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
