"""Issue 18, the citizens' side: who viewed my data in words, letters by date with their
record, the repair line's real reason, the under-objection badge, one score reads as one."""

import datetime

import pytest
from django.urls import reverse

from sanctions.models import Notice, ScoreHistory
from tests import services
from tests.citizens.test_pages import page

pytestmark = pytest.mark.django_db


def test_who_viewed_my_data_reads_as_words_in_both_languages(client, world):
    court_clerk = world["court"][0]
    services.access_log_write(official_user=court_clerk, subject=world["b"].subject,
                              purpose=f"admin: record detail #{world['b_record'].pk}")  # fmt: skip
    client.force_login(world["b_user"])
    html = page(client, reverse("citizens:access_log"))
    assert "Opened one of your records" in html and "admin: record detail" not in html
    assert f"Clerk (official no. {court_clerk.pk})" in html
    assert court_clerk.username not in html
    zh = client.get(reverse("citizens:access_log"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    body = zh.content.decode()
    assert "查看了您的一条记录" in body and f"经办人员（工作人员编号 {court_clerk.pk}）" in body
    assert "北京市东城区人民法院" in body and "Beijing Dongcheng" not in body


def test_letters_are_ordered_by_date_and_name_their_record(client, world):
    client.force_login(world["b_user"])
    notices = list(Notice.objects.filter(subject=world["b"].subject))
    # an older letter created last must not come first
    oldest = min(notices, key=lambda n: n.served_on)
    Notice.objects.filter(pk=oldest.pk).update(served_on=oldest.served_on - datetime.timedelta(
        days=400))  # fmt: skip
    html = page(client, reverse("citizens:notices"))
    dates = [line.split("<td>")[1][:10] for line in html.split("<tr>")[2:]]
    assert dates == sorted(dates, reverse=True), dates
    # letters about a record say which one
    assert f"Record {world['b_record'].decision_number} (" in html


def test_the_repair_line_gives_the_real_reason_and_the_public_box_the_badge(client, world):
    client.force_login(world["a_user"])
    from sanctions.casework.eligibility import repair_refusal
    from sanctions.models import IntegrityRecord

    record = world["e_record"]  # repairable, eligible, the enterprise A represents
    services.objection_file(actor=world["a_user"], record=record, grounds="数量有误。")
    record = IntegrityRecord.objects.get(pk=record.pk)  # now under objection
    html = page(client, reverse("citizens:record", args=[record.pk])).replace("&#x27;", "'")
    assert "An application is pending, or the record is not in force." not in html
    reason = repair_refusal(record, today=datetime.date.today())
    assert reason is not None and " ".join(reason.messages) in html
    assert reverse("citizens:repair", args=[record.pk]) not in html
    # what the public sees carries the badge the public page shows
    client.force_login(world["b_user"])  # B's listing is under objection
    html = page(client, reverse("citizens:record", args=[world["b_record"].pk]))
    box = html[html.index('id="public-heading"') : html.index('id="actions-heading"')]
    assert "Under objection" in box


def test_a_single_score_reads_as_one_score_not_a_chart(client, world):
    client.force_login(world["b_user"])
    ScoreHistory.objects.filter(subject=world["b"].subject).exclude(
        pk=ScoreHistory.objects.filter(subject=world["b"].subject).order_by("-pk").first().pk
    ).delete()
    html = page(client, reverse("citizens:my_record"))
    assert "one score so far" in html and 'class="score-chart"' not in html
