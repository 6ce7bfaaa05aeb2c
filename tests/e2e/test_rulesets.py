"""Scoring rules in the admin, in Chromium: supervisor A drafts a new version and previews its
effect on real data; supervisor A cannot activate it; supervisor B does."""

import datetime

import pytest

from sanctions.models import Authority, IntegrityRecord, RecordType, RuleSet, ScoreRun
from tests.e2e.test_casework_walk import login
from tests.factories import make_citizen, make_official

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_draft_preview_and_four_eyes_activation(browser, live_server, catalog, screenshot):
    first = make_official(role="supervisor", authority_code="bj-dongcheng-court",
                          username="sup.first")  # fmt: skip
    make_official(role="supervisor", authority_code="bj-dongcheng-tax", username="sup.second")
    day = datetime.date.today() - datetime.timedelta(days=20)
    IntegrityRecord.objects.create(
        subject=make_citizen().subject,
        record_type=RecordType.objects.get(code="judicial-dishonest-debtor"),
        authority=Authority.objects.get(code="bj-dongcheng-court"), decision_number="R-1",
        decision_date=day, legal_basis="x", status="active", effective_from=day,
        effective_until=day + datetime.timedelta(days=365),
    )  # fmt: skip
    from sanctions.scoring.services import score_recompute_inline

    score_recompute_inline(kind="full")
    base = live_server.url
    context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 1000})
    page = context.new_page()

    login(page, base, first.username)
    page.goto(base + "/admin/sanctions/ruleset/add/")
    page.get_by_label("Name").fill("Tougher on debtors")
    page.get_by_role("button", name="Save and continue editing").click()
    page.wait_for_load_state()
    draft = RuleSet.objects.get(state="draft")
    page.get_by_label("Points per record type").fill('{"judicial-dishonest-debtor": -200}')
    page.get_by_role("button", name="Save and continue editing").click()
    page.wait_for_load_state()
    draft.refresh_from_db()
    assert draft.points_overrides == {"judicial-dishonest-debtor": -200}

    page.get_by_role("link", name="Preview grade changes on real data").click()
    page.wait_for_load_state()
    assert "1 of 1 subjects would change grade." in page.content()
    screenshot(page, "ruleset-what-if")

    page.goto(f"{base}/admin/sanctions/ruleset/{draft.pk}/change/")
    page.get_by_role("button", name="Activate (second supervisor) and recompute everyone").click()
    page.wait_for_load_state()
    assert "Four-eyes rule" in page.locator(".messagelist").inner_text()
    draft.refresh_from_db()
    assert draft.state == "draft"

    login(page, base, "sup.second")
    page.goto(f"{base}/admin/sanctions/ruleset/{draft.pk}/change/")
    page.get_by_role("button", name="Activate (second supervisor) and recompute everyone").click()
    page.wait_for_load_state()
    draft.refresh_from_db()
    assert draft.state == "active" and RuleSet.objects.get(version=1).state == "retired"
    screenshot(page, "ruleset-activated")
    page.goto(base + "/admin/sanctions/scorerun/")
    assert page.get_by_role("cell", name="Full").count() >= 1
    # activation started a full recompute under the new version
    assert ScoreRun.objects.filter(kind="full", rule_version=draft.version).exists()
    context.close()
