"""Officials' reads of notices and scores in the admin write AccessLog rows the person sees
(people only; an enterprise's are not personal data)."""

import pytest
from django.urls import reverse

from sanctions.models import AccessLog, Score
from tests import services
from tests.factories import make_enterprise, make_official
from tests.sanctions.test_admin_casework import decided

pytestmark = pytest.mark.django_db


def test_opening_and_listing_a_persons_notice_is_logged(client, catalog):
    clerk = make_official(role="clerk", authority_code="bj-dongcheng-court")
    reviewer = make_official(role="reviewer", authority_code="bj-dongcheng-court")
    _case, record = decided(clerk, reviewer, "N-1")
    notice = services.notice_issue(
        subject=record.subject, record=record, kind="other", title="通知", body="正文"
    )
    client.force_login(clerk)
    AccessLog.objects.all().delete()
    url = reverse("admin:sanctions_notice_change", args=[notice.pk])
    assert client.get(url).status_code == 200
    entry = AccessLog.objects.get(subject=record.subject)
    assert entry.official == clerk and entry.authority.code == "bj-dongcheng-court"
    assert entry.purpose == f"admin: notice #{notice.pk}"
    assert client.get(reverse("admin:sanctions_notice_changelist")).status_code == 200
    assert AccessLog.objects.filter(subject=record.subject, purpose="admin: notice (list)").exists()


def test_opening_and_listing_a_persons_score_is_logged(client, superuser, catalog):
    clerk = make_official(role="clerk", authority_code="bj-dongcheng-court")
    reviewer = make_official(role="reviewer", authority_code="bj-dongcheng-court")
    _case, record = decided(clerk, reviewer, "S-1")
    enterprise = make_enterprise()
    services.score_recompute_inline(kind="full")
    person_score = Score.objects.get(subject=record.subject)
    client.force_login(superuser)
    AccessLog.objects.all().delete()
    url = reverse("admin:sanctions_score_change", args=[person_score.pk])
    assert client.get(url).status_code == 200
    assert AccessLog.objects.filter(
        subject=record.subject, official=superuser, purpose=f"admin: score #{person_score.pk}"
    ).exists()
    assert client.get(reverse("admin:sanctions_score_changelist")).status_code == 200
    assert AccessLog.objects.filter(subject=record.subject, purpose="admin: score (list)").exists()
    # an enterprise's score is not personal data: no row for it
    assert not AccessLog.objects.filter(subject=enterprise.subject).exists()
