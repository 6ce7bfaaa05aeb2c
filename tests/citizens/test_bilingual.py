"""Issue 18, the citizens' pages in English: the measures' names and enforcing agencies, the
authorities, the letters' titles and the public box's region in English, none of them mixed
with Chinese; the credit report's snapshot in its language; the score history one point a day."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from citizens import report as reports
from citizens.selectors import overview
from sanctions.models import ScoreHistory
from tests.citizens.test_pages import page

pytestmark = pytest.mark.django_db

HAN = re.compile(r"[\u3400-\u9fff]")


def between(html, start, end):
    part = html[html.index(start) :]
    return part[: part.index(end)]


def test_measures_authorities_and_public_box_in_english(client, world):
    client.force_login(world["a_user"])
    html = page(client, reverse("citizens:my_record"))
    measures = between(html, 'id="measures-heading"', "</table>")
    cells = re.findall(r'<td data-label="(Measure|Enforced by)">([^<]*)</td>', measures)
    assert ("Enforced by", "Civil Aviation Administration of China and the airlines") in cells
    assert ("Measure", "No air travel") in cells
    assert not [text for _label, text in cells if HAN.search(text)], cells
    record = page(client, reverse("citizens:record", args=[world["a_record"].pk]))
    record = record.replace("&#x27;", "'")
    assert "Beijing Dongcheng District People's Court" in record
    public_box = between(record, 'id="public-heading"', 'id="actions-heading"')
    assert "Dongcheng District, Beijing" in public_box and "北京市 东城区" not in public_box
    # the same pages in Chinese: the Chinese names
    zh = client.get(reverse("citizens:my_record"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert "中国民用航空局及各航空公司" in zh.content.decode()


def test_letters_titles_in_the_readers_language(client, world):
    client.force_login(world["b_user"])
    html = page(client, reverse("citizens:notices"))
    titles = re.findall(r'href="/my/notices/\d+/">([^<]*)</a>', html)
    assert "Objection received" in titles
    assert titles and not [title for title in titles if HAN.search(title)], titles
    zh = client.get(reverse("citizens:notices"), HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "异议受理" in re.findall(r'href="/my/notices/\d+/">([^<]*)</a>', zh)
    # the letter itself stays as it was sent, marked as Chinese
    notice = world["b"].subject.notices.filter(kind="objection_received").first()
    letter = page(client, reverse("citizens:notice", args=[notice.pk]))
    assert '<h1 class="h3">Objection received</h1>' in letter
    assert 'lang="zh-hans"' in letter and "The letter as it was sent, in Chinese:" in letter


def test_the_english_credit_report_names_the_catalog_in_english(world):
    subject = world["a"].subject
    snapshot = reports.report_snapshot(subject, language="en", today=timezone.localdate())
    names = [r["authority"] for r in snapshot["records"]] + [r["type"] for r in snapshot["records"]]
    names += [m["title"] for m in snapshot["measures"]] + [
        m["enforced_by"] for m in snapshot["measures"]
    ]
    assert "Beijing Dongcheng District People's Court" in names
    assert names and not [name for name in names if HAN.search(name)], names
    chinese = reports.report_snapshot(subject, language="zh-hans", today=timezone.localdate())
    assert "中国民用航空局及各航空公司" in [m["enforced_by"] for m in chinese["measures"]]


def test_the_score_history_is_one_point_a_day(world):
    subject = world["a"].subject
    # the fixture's two nightly runs, 100 days apart: a chart of two points
    history = ScoreHistory.objects.filter(subject=subject).order_by("computed_at", "id")
    assert history.count() == 2
    chart = overview(subject)["chart"]
    assert len(chart["dots"]) == 2 and chart["first"] < chart["last"]
    # two recomputes that changed the score the same day: one point (the day's last score),
    # stated in words, not a chart with both ends of its time axis on one day
    first, last = history
    ScoreHistory.objects.filter(pk=first.pk).update(computed_at=last.computed_at)
    chart = overview(subject)["chart"]
    assert [dot["total"] for dot in chart["dots"]] == [last.total]
