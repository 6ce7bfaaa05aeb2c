"""Issue 18 in Chromium, JavaScript off: in English, the public list's authority filter, the
results' and the entry's authority and region, the citizen's measures ("enforced by"),
authorities and letters carry no Chinese character; the measures table stacks one block per
measure on a 390 px phone; a year of score history is a chart, a single score reads as one.
Each page at 1280 and 390 px in both languages (test-artifacts/bilingual-*.png; docs/ui/ keeps
a copy), axe-core on the English pages."""

import datetime
import re

import pytest
from django.utils import timezone

from sanctions.kernel.regions import region_name
from sanctions.scoring.services import score_recompute_inline
from scs_portal.management.commands.seed_demo import Command as SeedDemo
from tests.citizens.conftest import PASSWORD, activate, decide
from tests.e2e.conftest import assert_accessible
from tests.factories import make_citizen, make_official
from tests.sanctions.test_public import listed  # noqa: F401 - fixture

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

HAN = re.compile(r"[\u3400-\u9fff]")
WIDTHS = (1280, 390)
LOCALES = {"zh": "zh-CN", "en": "en-US"}


def new_page(browser, language: str, width: int = 1280):
    context = browser.new_context(locale=LOCALES[language], java_script_enabled=False,
                                  viewport={"width": width, "height": 900})  # fmt: skip
    return context.new_page()


def texts(page, selector: str) -> list[str]:
    return [text.strip() for text in page.locator(selector).all_inner_texts()]


def no_chinese(values: list[str], what: str) -> None:
    assert values, what
    mixed = [value for value in values if HAN.search(value)]
    assert not mixed, f"{what}: {mixed}"


def shots(page, screenshot, name: str) -> None:
    """The page at each width (its own width last, so the page is left as it was)."""
    own = page.viewport_size
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        screenshot(page, f"bilingual-{name}-{width}")
    page.set_viewport_size(own)


def entry_field(page, label: str) -> str:
    return page.locator("dl.entry dt", has_text=label).locator("xpath=following-sibling::dd[1]")


def test_public_list_names_authorities_and_regions_in_the_pages_language(
    browser,
    live_server,
    listed,  # noqa: F811 - the fixture
    screenshot,
):
    base = live_server.url
    page = new_page(browser, "en")
    page.goto(base + "/search/?domain=judicial")
    options = texts(page, "select[name=authority] option:not([value=''])")
    no_chinese(options, "authority filter (en)")
    assert "Beijing Dongcheng District People's Court" in options
    no_chinese(texts(page, "table.results-table td[data-label=Authority]"), "results' authority")
    regions = texts(page, "table.results-table td[data-label=Region]")
    no_chinese(regions, "results' region")
    people = [citizen.subject.region_code for citizen in listed["people"].values()]
    assert set(regions) == {region_name(code, "en") for code in people}
    assert_accessible(page, "search (en)")
    shots(page, screenshot, "public-search-en")

    page.locator("table.results-table a").first.click()
    page.wait_for_load_state()
    for label in ("Authority", "Region", "Record"):
        no_chinese([entry_field(page, label).inner_text()], f"entry's {label} (en)")
    assert entry_field(page, "Region").inner_text() in set(regions)
    assert_accessible(page, "entry (en)")
    shots(page, screenshot, "public-entry-en")
    page.context.close()

    # in Chinese: the Chinese names
    page = new_page(browser, "zh")
    page.goto(base + "/search/?domain=judicial")
    assert "北京市东城区人民法院" in texts(page, "select[name=authority] option")
    regions = texts(page, "table.results-table td[data-label=地区]")
    assert set(regions) == {region_name(code, "zh-hans") for code in people}
    shots(page, screenshot, "public-search-zh")
    page.locator("table.results-table a").first.click()
    page.wait_for_load_state()
    assert entry_field(page, "地区").inner_text() in set(regions)
    shots(page, screenshot, "public-entry-zh")
    page.context.close()


def log_in(browser, base, citizen, language: str, width: int = 1280):
    page = new_page(browser, language, width)
    page.goto(base + "/account/login/")
    page.locator("#id_resident_id").fill(citizen.resident_id)
    page.locator("#id_password").fill(PASSWORD)
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_load_state()
    assert page.url.endswith("/my/"), page.url
    return page


@pytest.fixture
def year_of_records(catalog):
    """A citizen with three court records over the last year (the dishonest-debtor listing
    triggers eight measures) and the demo's year of monthly score history; another with one
    record and a single score."""
    today = timezone.localdate()
    court = (make_official(role="clerk", authority_code="bj-dongcheng-court"),
             make_official(role="reviewer", authority_code="bj-dongcheng-court"))  # fmt: skip
    citizen = make_citizen(name="王小明", birth=datetime.date(1985, 5, 5))
    for days, code, number, ground in (
        (330, "judicial-contempt-enforcement", "(2025)京0101执101号", None),
        (200, "judicial-performed-voluntarily", "(2026)京0101执102号", None),
        (40, "judicial-dishonest-debtor", "(2026)京0101执103号", 2),
    ):
        decide(court, citizen.subject, code=code, number=number, judicial_ground=ground,
               decision_date=today - datetime.timedelta(days=days))  # fmt: skip
    SeedDemo()._score_history(today)
    single = make_citizen(name="赵丽", birth=datetime.date(1990, 6, 1), male=False)
    decide(court, single.subject, code="judicial-dishonest-debtor", number="(2026)京0101执104号",
           judicial_ground=4, decision_date=today - datetime.timedelta(days=20))  # fmt: skip
    score_recompute_inline(kind="full")
    activate(citizen, court[0])
    activate(single, court[0])
    return {"citizen": citizen, "single": single}


def test_citizen_pages_in_english_on_a_phone_and_the_score_history(
    browser, live_server, year_of_records, screenshot
):
    base = live_server.url
    citizen = year_of_records["citizen"]

    page = log_in(browser, base, citizen, "en")
    measures = "section[aria-labelledby=measures-heading] table"
    enforced = texts(page, f"{measures} td[data-label='Enforced by']")
    no_chinese(enforced, "enforced by (en)")
    assert "Civil Aviation Administration of China and the airlines" in enforced
    no_chinese(texts(page, f"{measures} td[data-label=Measure]"), "measures (en)")
    # a year of history: a chart of several points from one day to another
    dots = page.locator("svg.score-chart circle")
    assert dots.count() >= 2, dots.count()
    axis = page.locator("svg.score-chart > text").all_text_contents()
    assert axis[-2] != axis[-1], axis  # first and last day on the time axis
    assert_accessible(page, "my record (en)")
    shots(page, screenshot, "citizen-my-record-en")

    # the measures table on a phone: one block per measure, no column squeezed
    page.set_viewport_size({"width": 390, "height": 844})
    cells = page.locator(f"{measures} td")
    assert cells.count() >= 8 * 5
    narrow = [box["width"] for box in (c.bounding_box() for c in cells.all()) if box["width"] < 60]
    assert not narrow, narrow
    table = page.locator(measures).bounding_box()
    assert table["x"] >= 0 and table["x"] + table["width"] <= 390, table
    first_row = page.locator(f"{measures} tbody tr").first.bounding_box()
    assert first_row["width"] > 300, first_row
    page.set_viewport_size({"width": 1280, "height": 900})

    page.locator("section[aria-labelledby=measures-heading] a").first.click()
    page.wait_for_load_state()
    dd = page.locator("dl dt", has_text="Authority").first.locator("xpath=following-sibling::dd[1]")
    assert dd.inner_text() == "Beijing Dongcheng District People's Court"
    assert_accessible(page, "record (en)")
    shots(page, screenshot, "citizen-record-en")
    page.goto(base + "/my/notices/")
    titles = texts(page, "main table a")
    no_chinese(titles, "letters' titles (en)")
    shots(page, screenshot, "citizen-notices-en")
    page.context.close()

    page = log_in(browser, base, citizen, "zh")
    assert "中国民用航空局及各航空公司" in texts(page, f"{measures} td[data-label=实施单位]")
    shots(page, screenshot, "citizen-my-record-zh")
    page.locator("section[aria-labelledby=measures-heading] a").first.click()
    page.wait_for_load_state()
    shots(page, screenshot, "citizen-record-zh")
    page.context.close()

    # one score so far: said in words, no chart with one dot and one day on both ends
    page = log_in(browser, base, year_of_records["single"], "en")
    assert page.locator("svg.score-chart").count() == 0
    single = page.locator(".score-history-single").inner_text()
    assert "one score so far" in single and timezone.localdate().isoformat() in single
    shots(page, screenshot, "citizen-single-score-en")
    page.context.close()
