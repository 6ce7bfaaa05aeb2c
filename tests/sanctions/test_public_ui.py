"""Issue 18, the public side: results first with the filters folded, one row per entry,
branded 404 and 500 pages, amounts with thousands separators, API docs with nothing from
outside servers."""

import re

import pytest
from django.test import Client
from django.urls import path

from tests.sanctions.test_public import (  # noqa: F401 - fixtures
    _uncached_search_pages,
    listed,
)

pytestmark = pytest.mark.django_db


def _index(body: str, needle: str) -> int:
    position = body.find(needle)
    assert position >= 0, needle
    return position


def test_results_come_first_with_the_filters_folded(client, listed):  # noqa: F811
    body = client.get("/search/", {"q": "张伟"}).content.decode()
    # the name box, then the folded filters and lookup, then the results table
    assert (
        _index(body, 'id="id_q"')
        < _index(body, 'class="more-filters')
        < _index(body, 'class="table results-table')
    )
    assert re.search(r'<details class="more-filters mt-2">', body)  # closed: no filter in use
    assert '<details class="exact-lookup mt-2">' in body
    # one row per entry, its details on the entry page
    rows = re.findall(r"<tr>\s*<th scope=\"row\"", body)
    assert len(rows) == 1
    assert "(2025)京0101执1号" not in body  # the case number is on the entry page only
    entry = re.search(r'href="(/entries/[0-9a-f]{32}/)"', body)[1]
    assert "(2025)京0101执1号" in client.get(entry).content.decode()


def test_a_filter_in_use_or_in_error_opens_the_folded_filters(client, listed):  # noqa: F811
    body = client.get("/search/", {"domain": "judicial"}).content.decode()
    assert '<details class="more-filters mt-2" open>' in body
    response = client.get("/search/", {"published_from": "not-a-date"})
    assert response.status_code == 400
    assert '<details class="more-filters mt-2" open>' in response.content.decode()
    # an exact lookup with a bad number opens the lookup
    response = client.post("/search/", {"identifier": "123"})
    assert '<details class="exact-lookup mt-2" open>' in response.content.decode()


def test_amounts_are_grouped_in_both_languages(client, listed):  # noqa: F811
    from sanctions.models import IntegrityRecord

    record = IntegrityRecord.objects.get(decision_number="(2025)京0101执1号")
    IntegrityRecord.objects.filter(pk=record.pk).update(amount=1234567.5)
    url = f"/entries/{record.public_id}/"
    assert "1,234,567.50" in client.get(url).content.decode()
    zh = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "1,234,567.50" in zh, re.findall(r"1[0-9,.]{6,}", zh)


def test_a_missing_page_is_the_portals_own_404_in_both_languages(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "Page not found" in body and 'href="/search/"' in body
    assert 'class="site-header"' in body  # the portal's frame and navigation
    zh = client.get("/no-such-page/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "页面不存在" in zh and "Page not found" not in zh


def _boom(request):
    raise RuntimeError("boom")


urlpatterns = [path("boom/", _boom)]


def test_an_error_is_the_portals_own_500_page(settings):
    settings.ROOT_URLCONF = __name__
    client = Client(raise_request_exception=False)
    response = client.get("/boom/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 500
    body = response.content.decode()
    assert "Something went wrong" in body and "Traceback" not in body and "boom" not in body
    zh = client.get("/boom/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    assert "出错了" in zh


def test_api_docs_load_nothing_from_outside_servers(client):
    for url in ("/api/redoc/", "/api/docs/"):
        body = client.get(url).content.decode()
        assert client.get(url).status_code == 200
        external = re.findall(r'(?:src|href)="(https?://[^"]+)"', body)
        assert external == [], (url, external)
