"""Issue 12, items 7 and 8 in Chromium, in Chinese and (after the language switch) English:
the public entry shows its legal basis and obligation; an exact lookup with a wrong check
digit gets a field error on the page, never "no entry", and the number is never shown back;
"how to object" and the home page explain each kind of list with its way off.
Screenshots: /tmp/shots_public/."""

from pathlib import Path

import pytest

from sanctions.kernel.identifiers import ric_check_digit
from tests.e2e.conftest import assert_accessible
from tests.sanctions.test_public import listed  # noqa: F401 - fixture

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]
SHOTS = Path("/tmp/shots_public")  # noqa: S108 - screenshots to look at, nothing read back

TEXT = {
    "zh": {
        "legal_basis": "法律依据", "obligation": "义务", "basis_document": "执行依据文号",
        "invalid": "这不是有效的公民身份号码或统一社会信用代码，请核对。",
        "reason": "公民身份号码校验位错误，请核对号码。",
        "not_looked_up": "未进行查询：请更正上方精确查询中的号码。",
        "no_entry": "没有符合条件的公示条目。", "look_up": "按号码查询",
        "id_label": "完整的公民身份号码或统一社会信用代码",
        "lists": "各类名单及移出方式", "home_lists": "各类名单及其移出方式",
        "tax": "税务机关", "court_way_off": "法院在3个工作日内删除失信信息",
        "tax_arrears": "欠缴税款", "repair": "决定作出满3个月后可申请信用修复",
    },
    "en": {
        "legal_basis": "Legal basis", "obligation": "Obligation",
        "basis_document": "Basis document number",
        "invalid": "This is not a valid ID number or credit code: check it.",
        "reason": "The check digit of this resident ID number is wrong; please check the number.",
        "not_looked_up": "Nothing was looked up: correct the number in the exact lookup above.",
        "no_entry": "No public entry matches.", "look_up": "Look up",
        "id_label": "Full resident ID number or unified social credit code",
        "lists": "Each list and the way off it", "home_lists": "The lists, and the way off each",
        "tax": "Tax bureau",
        "court_way_off": "the court takes the listing down within 3 working days",
        "tax_arrears": "Tax arrears decided by the tax authority",
        "repair": "Credit repair can be applied for 3 months after the decision",
    },
}  # fmt: skip


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def value_of(page, label: str) -> str:
    """The <dd> next to the entry's <dt> with exactly this label."""
    term = page.locator("dl.entry dt").filter(has_text=label)
    assert term.count() == 1, label
    return term.locator("xpath=following-sibling::dd[1]").inner_text().strip()


def check_entry(page, base, record, text) -> None:
    page.goto(f"{base}/entries/{record.public_id}/")
    assert page.get_by_role("heading", level=1).inner_text().startswith("张伟")
    assert value_of(page, text["legal_basis"]) == record.legal_basis
    assert value_of(page, text["obligation"]) == "支付欠款"
    assert value_of(page, text["basis_document"]) == "(2024)京0101民初1号"


def check_bad_lookup(page, base, bad, text) -> None:
    page.goto(base + "/search/")
    page.locator("details.exact-lookup summary").click()  # folded below the name box
    page.get_by_label(text["id_label"]).fill(bad)
    page.get_by_role("button", name=text["look_up"], exact=True).click()
    page.wait_for_load_state()
    alert = page.locator("#id-errors")
    assert alert.is_visible()
    assert alert.inner_text().splitlines() == [text["invalid"], text["reason"]]
    assert page.get_by_label(text["id_label"]).get_attribute("aria-invalid") == "true"
    assert page.get_by_text(text["not_looked_up"]).is_visible()
    assert page.get_by_text(text["no_entry"]).count() == 0
    # never shown back: not in the address bar, the page, or the field
    assert bad not in page.url and bad not in page.content() and bad[:17] not in page.content()
    assert page.get_by_label(text["id_label"]).input_value() == ""


def check_lists(page, base, text, language) -> None:
    page.goto(base + "/how-to-object/")
    assert page.get_by_role("heading", name=text["lists"], level=2).is_visible()
    tax = page.get_by_role("heading", name=text["tax"], level=3, exact=True)
    assert tax.is_visible()
    arrears = page.locator('tr[data-record-type="commercial-tax-arrears"]')
    assert text["tax_arrears"] in arrears.inner_text() and text["repair"] in arrears.inner_text()
    debtor = page.locator('tr[data-record-type="judicial-dishonest-debtor"]')
    assert text["court_way_off"] in debtor.inner_text()
    shot(page, f"how-to-object-{language}")
    page.locator('section[data-issuer-kind="court"]').screenshot(
        path=str(SHOTS / f"how-to-object-court-{language}.png"))  # fmt: skip
    assert_accessible(page, f"how to object ({language})")
    page.goto(base + "/")
    assert page.get_by_role("heading", name=text["home_lists"], level=2).is_visible()
    assert page.locator('li[data-issuer-kind="tax"]').get_by_text(text["tax_arrears"]).count() == 1
    shot(page, f"home-{language}")
    page.locator("ul.list-kinds").screenshot(path=str(SHOTS / f"home-lists-{language}.png"))


def test_why_listed_and_bad_check_digit_in_both_languages(browser, live_server, listed):  # noqa: F811
    base = live_server.url
    record = listed["zhang"]
    number = listed["people"]["zhang"].resident_id
    right = ric_check_digit(number[:17])
    bad = number[:17] + next(c for c in "0123456789X" if c != right)
    context = browser.new_context(locale="zh-CN", java_script_enabled=False,
                                  viewport={"width": 1280, "height": 900})  # fmt: skip
    page = context.new_page()

    check_entry(page, base, record, TEXT["zh"])
    shot(page, "entry-zh")
    assert_accessible(page, "entry (zh)")
    check_bad_lookup(page, base, bad, TEXT["zh"])
    shot(page, "lookup-bad-check-digit-zh")
    check_lists(page, base, TEXT["zh"], "zh")

    # the site's language switch (no JavaScript), then the same in English
    page.get_by_label("语言").select_option("en")
    page.get_by_role("button", name="切换").click()
    page.wait_for_load_state()
    check_entry(page, base, record, TEXT["en"])
    shot(page, "entry-en")
    check_bad_lookup(page, base, bad, TEXT["en"])
    shot(page, "lookup-bad-check-digit-en")
    check_lists(page, base, TEXT["en"], "en")

    # the right number still finds the entry
    page.goto(base + "/search/")
    page.locator("details.exact-lookup summary").click()
    page.get_by_label(TEXT["en"]["id_label"]).fill(number)
    page.get_by_role("button", name="Look up", exact=True).click()
    page.wait_for_load_state()
    assert page.get_by_role("link", name="张伟").is_visible()
    assert number not in page.content()
    context.close()
