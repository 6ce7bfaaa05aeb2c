"""The public list in Chromium: searches (2-character name, pinyin, ID by POST, code),
filters, detail, language switch, the 429 page, and axe-core with no serious violations."""

import pytest

from tests.e2e.conftest import assert_accessible
from tests.sanctions.test_public import listed  # noqa: F401 - fixture

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_public_search_walk(browser, live_server, listed, screenshot):  # noqa: F811
    base = live_server.url
    context = browser.new_context(locale="zh-CN", java_script_enabled=False,
                                  viewport={"width": 1280, "height": 900})  # fmt: skip
    page = context.new_page()

    page.goto(base + "/")
    screenshot(page, "public-home-zh")
    page.get_by_label("名称或拼音").fill("张伟")
    page.get_by_role("button", name="查询", exact=True).click()
    page.wait_for_load_state()
    assert page.get_by_role("link", name="张伟").is_visible()
    assert "q=%E5%BC%A0%E4%BC%9F" in page.url
    screenshot(page, "public-search-2char-zh")
    assert_accessible(page, "search results")
    # one compact row per entry: the first result above the fold on a phone too
    page.set_viewport_size({"width": 390, "height": 844})
    top = page.locator("table.results-table tbody tr").first.bounding_box()["y"]
    assert top < 844, top
    screenshot(page, "public-search-2char-zh-390")
    assert_accessible(page, "search results at 390 px")
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_label("名称或拼音").fill("zhang wei")
    page.get_by_role("button", name="查询", exact=True).click()
    page.wait_for_load_state()
    assert page.get_by_role("link", name="张伟").is_visible()
    assert page.get_by_role("link", name="李小龙").count() == 0
    screenshot(page, "public-search-pinyin-zh")

    # exact ID by POST: not in the URL, not echoed (the lookup is folded below the name box)
    number = listed["people"]["zhang"].resident_id
    page.get_by_text("按身份号码或统一社会信用代码精确查询").click()
    page.get_by_label("完整的公民身份号码或统一社会信用代码").fill(number)
    page.locator("form[method=post] button[type=submit]").last.click()
    page.wait_for_load_state()
    assert number not in page.url and number not in page.content()
    assert page.get_by_role("link", name="张伟").is_visible()

    page.get_by_text("按身份号码或统一社会信用代码精确查询").click()
    page.locator("#id_identifier").fill(listed["enterprise"].credit_code)
    page.locator("form[method=post] button[type=submit]").last.click()
    page.wait_for_load_state()
    assert page.get_by_role("link", name="北京诚信示范贸易有限公司").is_visible()

    # filters: folded under the name box, open once one is in use
    page.goto(base + "/search/")
    assert not page.get_by_label("领域").is_visible()
    page.get_by_text("更多筛选条件").click()
    page.get_by_label("领域").select_option("judicial")
    page.get_by_label("主体类别").select_option("person")
    page.get_by_role("button", name="按条件查询", exact=True).click()
    page.wait_for_load_state()
    assert page.get_by_role("link", name="李小龙").is_visible()
    assert page.get_by_role("link", name="北京诚信示范贸易有限公司").count() == 0
    assert page.get_by_label("领域").is_visible()  # the filters in use stay open
    # one compact row per entry: the results start above the fold, at 1280 and at 390 px
    top = page.locator("table.results-table tbody tr").first.bounding_box()["y"]
    assert top < 900, top
    screenshot(page, "public-search-filters-zh")

    # detail
    page.get_by_role("link", name="李小龙").click()
    page.wait_for_load_state()
    assert page.get_by_role("heading", level=1).inner_text().startswith("李小龙")
    screenshot(page, "public-entry-zh")
    assert_accessible(page, "entry detail")

    # language switch without JavaScript
    page.get_by_label("语言").select_option("en")
    page.get_by_role("button", name="切换").click()
    page.wait_for_load_state()
    assert page.get_by_role("link", name="How to object", exact=True).is_visible()
    screenshot(page, "public-entry-en")
    page.get_by_role("link", name="Search the list").first.click()
    page.get_by_label("Name or pinyin").fill("诚信示范")
    page.get_by_role("button", name="Search", exact=True).click()
    page.wait_for_load_state()
    assert page.get_by_role("link", name="北京诚信示范贸易有限公司").is_visible()
    screenshot(page, "public-search-en")
    assert_accessible(page, "search results (en)")
    page.goto(base + "/how-to-object/")
    assert_accessible(page, "how to object")
    context.close()


def test_rate_limit_page(browser, live_server, listed, settings, screenshot):  # noqa: F811
    settings.SCS_SEARCH_RATE_PER_MINUTE = 2
    from sanctions.kernel import ratelimit

    # earlier tests searched from this address in the same minute: start from zero
    for key in ratelimit._client().scan_iter("*:rl:search:*"):
        ratelimit._client().delete(key)
    context = browser.new_context(locale="en-US")
    page = context.new_page()
    statuses = []
    for _ in range(3):
        response = page.goto(live_server.url + "/search/?q=%E5%BC%A0%E4%BC%9F")
        statuses.append(response.status)
    assert statuses == [200, 200, 429]
    assert page.get_by_role("heading", name="Please wait a moment").is_visible()
    screenshot(page, "public-429-en")
    assert_accessible(page, "429")
    context.close()
