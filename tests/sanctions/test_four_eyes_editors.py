"""Issue 13: four-eyes covers everyone who edited a draft, not only its creator."""

import pytest

from sanctions.kernel.errors import ApplicationError
from sanctions.models import AuditEvent, IntegrityRecord, RuleSet
from tests import services
from tests.factories import make_citizen, make_official
from tests.sanctions.test_casework import D, draft

pytestmark = pytest.mark.django_db


def test_an_official_who_edited_a_draft_case_cannot_decide_it(court):
    clerk, supervisor, reviewer = court["clerk"], court["supervisor"], court["reviewer"]
    case = draft(clerk, make_citizen().subject)
    services.case_update(actor=supervisor, case=case, facts="补充：被执行人名下有房产。")
    services.case_update(actor=supervisor, case=case, title="执行案件（补充）")  # once only
    case.refresh_from_db()
    assert case.editors == [supervisor.pk]
    assert AuditEvent.objects.filter(action="case.update", actor=supervisor).count() == 2
    services.case_submit(actor=clerk, case=case)
    with pytest.raises(ApplicationError) as excinfo:
        services.case_decide(actor=supervisor, case=case, decision_number="E1", decision_date=D)
    assert excinfo.value.code == "four_eyes"
    assert not IntegrityRecord.objects.exists()
    # an official who did not touch the draft decides it
    record = services.case_decide(actor=reviewer, case=case, decision_number="E1",
                                  decision_date=D, today=D)  # fmt: skip
    assert record.case_id == case.pk


def test_an_update_that_changes_nothing_is_not_an_edit(court):
    case = draft(court["clerk"], make_citizen().subject)
    services.case_update(actor=court["supervisor"], case=case, title=case.title)
    case.refresh_from_db()
    assert case.editors == []


def test_a_supervisor_who_edited_a_draft_rule_set_cannot_activate_it(catalog):
    first, second, third = (
        make_official(role="supervisor", authority_code=code, username=f"sup.e{i}")
        for i, code in enumerate(["bj-dongcheng-court", "bj-dongcheng-tax", "bj-dongcheng-amr"])
    )
    draft_rules = services.ruleset_create_draft(actor=first, name="edited by two")
    services.ruleset_update_draft(actor=second, ruleset=draft_rules, base_score=900)
    draft_rules.refresh_from_db()
    assert draft_rules.editors == [second.pk]
    for editor in (first, second):
        with pytest.raises(ApplicationError) as excinfo:
            services.ruleset_activate(actor=editor, ruleset=draft_rules)
        assert excinfo.value.code == "four_eyes"
    assert RuleSet.objects.get(pk=draft_rules.pk).state == "draft"
    services.ruleset_activate(actor=third, ruleset=draft_rules)
    assert RuleSet.objects.get(pk=draft_rules.pk).state == "active"
