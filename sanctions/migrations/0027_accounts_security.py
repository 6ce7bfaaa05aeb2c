from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("sanctions", "0026_audit_chain")]

    operations = []
