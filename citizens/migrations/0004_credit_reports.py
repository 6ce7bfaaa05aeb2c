# Issue 19 (verifiable credit report): reports issued as PDF with a verification code (only
# its keyed hash stored) and the checks made at /verify/, which the person sees like the access
# log. The checks are append-only like sanctions_accesslog (the trigger functions of
# sanctions 0026: UPDATE/DELETE refused, TRUNCATE only by the owner who asked for it).

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


APPEND_ONLY = """
CREATE TRIGGER citizens_creditreportverification_append_only
    BEFORE UPDATE OR DELETE ON citizens_creditreportverification
    FOR EACH ROW EXECUTE FUNCTION sanctions_refuse_change();

CREATE TRIGGER citizens_creditreportverification_no_truncate
    BEFORE TRUNCATE ON citizens_creditreportverification
    FOR EACH STATEMENT EXECUTE FUNCTION sanctions_refuse_truncate();
"""

DROP_TRIGGERS = """
DROP TRIGGER IF EXISTS citizens_creditreportverification_no_truncate
    ON citizens_creditreportverification;
DROP TRIGGER IF EXISTS citizens_creditreportverification_append_only
    ON citizens_creditreportverification;
"""


class Migration(migrations.Migration):

    dependencies = [
        ('citizens', '0003_accounts_security'),
        ('sanctions', '0032_audit_chain_at_commit'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='CreditReport',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('code_hash', models.CharField(editable=False, max_length=64, unique=True)),
                ('issued_at', models.DateTimeField(default=django.utils.timezone.now, verbose_name='issued at')),
                ('expires_at', models.DateTimeField(verbose_name='valid until')),
                ('revoked_at', models.DateTimeField(blank=True, null=True, verbose_name='revoked at')),
                ('language', models.CharField(choices=[('zh-hans', 'Simplified Chinese'), ('en', 'English')], max_length=8, verbose_name='language')),
                ('snapshot', models.JSONField(editable=False)),
                ('state_digest', models.CharField(editable=False, max_length=64)),
                ('issued_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='requested by')),
                ('subject', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='credit_reports', to='sanctions.subject', verbose_name='subject')),
            ],
            options={
                'verbose_name': 'credit report',
                'verbose_name_plural': 'credit reports',
                'ordering': ['-issued_at', '-id'],
            },
        ),
        migrations.CreateModel(
            name='CreditReportVerification',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('created_at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='time')),
                ('report', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='verifications', to='citizens.creditreport', verbose_name='credit report')),
            ],
            options={
                'verbose_name': 'credit report verification',
                'verbose_name_plural': 'credit report verifications',
                'ordering': ['-created_at', '-id'],
            },
        ),
        migrations.RunSQL(APPEND_ONLY, DROP_TRIGGERS),
    ]
