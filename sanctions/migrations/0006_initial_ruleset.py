from django.db import migrations


def seed(apps, schema_editor):
    RuleSet = apps.get_model("sanctions", "RuleSet")
    if not RuleSet.objects.exists():
        RuleSet.objects.create(
            version=1,
            name="Base 1000, Rongcheng-style bands",
            base_score=1000,
            grade_bands=[["AAA", 1050], ["AA", 1030], ["A", 960], ["B", 850], ["C", 600],
                         ["D", None]],
            points_overrides={},
            default_effective_days=365,
            state="active",
        )


class Migration(migrations.Migration):
    dependencies = [("sanctions", "0005_scoring")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
