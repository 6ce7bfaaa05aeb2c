"""Scoring: set-based recompute, history only on change, incremental = full, explanation =
stored score (property-based), versioned rules with four-eyes activation, what-if."""

import datetime

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sanctions.kernel.errors import ApplicationError
from sanctions.models import (
    Authority,
    IntegrityRecord,
    RecordType,
    RuleSet,
    Score,
    ScoreHistory,
    ScoreRun,
)
from tests import services
from tests.factories import issuer_of, make_citizen, make_enterprise, make_official

pytestmark = pytest.mark.django_db
TODAY = datetime.date(2026, 6, 1)


_numbers = iter(range(1, 10**9))


def add_record(
    subject,
    code,
    *,
    status="active",
    decided=TODAY - datetime.timedelta(days=30),
    until=None,
):
    record_type = RecordType.objects.get(code=code)
    return IntegrityRecord.objects.create(
        subject=subject, record_type=record_type, authority=issuer_of(record_type),
        decision_number=f"T-{next(_numbers)}", decision_date=decided, legal_basis="x",
        status=status, effective_from=decided,
        effective_until=until if until is not None else decided + datetime.timedelta(days=365),
    )  # fmt: skip


def recompute(kind="full", as_of=TODAY, chunk_size=7):
    return services.score_recompute_inline(kind=kind, as_of=as_of, chunk_size=chunk_size)


def scores():
    return {
        s.subject_id: (s.total, s.government, s.commercial, s.societal, s.judicial, s.grade)
        for s in Score.objects.all()
    }


def test_full_recompute_sums_points_by_domain_with_grades(catalog):
    person = make_citizen(name="张伟").subject
    firm = make_enterprise().subject
    minor = make_citizen(birth=datetime.date(2015, 1, 1)).subject
    add_record(person, "judicial-dishonest-debtor")  # -100
    add_record(person, "societal-volunteer-service")  # +10
    add_record(person, "societal-drunk-driving", status="repaired")  # does not count
    add_record(firm, "commercial-a-grade-taxpayer")  # +20
    add_record(firm, "commercial-contract-honouring")  # +15
    add_record(firm, "government-sme-payment-arrears",
               decided=TODAY - datetime.timedelta(days=400))  # window closed  # fmt: skip
    add_record(minor, "societal-traffic-penalty")
    run = recompute()
    assert run.state == "done" and run.chunks_done == run.chunks_total
    got = scores()
    assert got[person.pk] == (910, 0, 0, 10, -100, "B")
    assert got[firm.pk] == (1035, 0, 35, 0, 0, "AA")
    assert minor.pk not in got  # minors get no score
    assert Score.objects.get(pk=person.pk).rule_version == 1


def test_history_gains_a_row_only_when_the_score_changes(catalog):
    person = make_citizen().subject
    add_record(person, "judicial-dishonest-debtor")
    recompute()
    recompute()
    assert ScoreHistory.objects.filter(subject=person).count() == 1
    add_record(person, "societal-blood-donation")  # +10, marks nothing (created directly)
    services.mark_dirty([person.pk])
    run = recompute(kind="incremental")
    assert run.kind == "incremental" and run.subjects_changed == 1
    assert list(ScoreHistory.objects.filter(subject=person).values_list("total", flat=True)) == [
        900, 910]  # fmt: skip


def test_services_mark_dirty_and_incremental_equals_full(catalog):
    clerk = make_official(role="clerk", authority_code="bj-dongcheng-court")
    subjects = [make_citizen().subject for _ in range(12)]
    for s in subjects[:6]:
        add_record(s, "judicial-contempt-enforcement")
    recompute()
    # changes through services mark subjects dirty
    record = add_record(subjects[0], "judicial-false-litigation")
    reviewer = make_official(role="reviewer", authority_code="bj-dongcheng-court")
    services.record_remove(actor=reviewer, record=record, reason="revocation")
    services.record_create(
        actor=clerk, subject=subjects[7],
        record_type=RecordType.objects.get(code="societal-commendation"),
        authority=Authority.objects.get(code="bj-government"),
        decision_number="C-1", decision_date=TODAY - datetime.timedelta(days=1), today=TODAY,
    )  # fmt: skip
    IntegrityRecord.objects.filter(decision_number="C-1").update(status="active")
    incremental = recompute(kind="incremental")
    assert incremental.kind == "incremental"
    after_incremental = scores()
    recompute(kind="full")
    assert scores() == after_incremental


def test_incremental_picks_up_windows_that_closed_since_the_last_run(catalog):
    person = make_citizen().subject
    add_record(person, "judicial-contempt-enforcement", until=TODAY + datetime.timedelta(days=2))
    recompute(as_of=TODAY)
    assert scores()[person.pk][0] == 940
    run = recompute(kind="incremental", as_of=TODAY + datetime.timedelta(days=5))
    assert run.kind == "incremental" and scores()[person.pk][0] == 1000


def test_unchanged_full_recompute_writes_nothing(catalog):
    for _ in range(5):
        add_record(make_citizen().subject, "judicial-dishonest-debtor")
    recompute()
    before = list(Score.objects.order_by("pk").values_list("computed_at", flat=True))
    run = recompute()
    assert run.subjects_changed == 0
    assert list(Score.objects.order_by("pk").values_list("computed_at", flat=True)) == before


STATUSES = ["active", "under_objection", "repaired", "revoked", "expired", "removed",
            "pending_notice"]  # fmt: skip


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    data=st.lists(
        st.tuples(
            st.integers(0, 3),  # which subject
            st.integers(0, 31),  # which record type
            st.sampled_from(STATUSES),
            st.integers(-800, 30),  # decision date offset
            st.integers(1, 900),  # effective days
        ),
        max_size=25,
    ),
    as_of_offset=st.integers(-30, 400),
)
def test_explanation_totals_equal_stored_scores(catalog, data, as_of_offset):
    with transaction.atomic():
        subjects = [make_citizen().subject, make_citizen().subject,
                    make_citizen(birth=datetime.date(2012, 5, 5)).subject,
                    make_enterprise().subject]  # fmt: skip
        types = list(RecordType.objects.order_by("id"))
        for who, type_index, status, offset, days in data:
            decided = TODAY + datetime.timedelta(days=offset)
            add_record(subjects[who], types[type_index].code, status=status, decided=decided,
                       until=decided + datetime.timedelta(days=days))  # fmt: skip
        as_of = TODAY + datetime.timedelta(days=as_of_offset)
        recompute(as_of=as_of, chunk_size=3)
        stored = {s.subject_id: s for s in Score.objects.filter(subject__in=subjects)}
        for subject in subjects:
            explanation = services.score_explain(subject=subject, as_of=as_of)
            if explanation["minor"]:
                assert subject.pk not in stored
                continue
            score = stored[subject.pk]
            assert explanation["total"] == score.total
            assert explanation["grade"] == score.grade
            assert explanation["by_domain"] == {
                "government": score.government, "commercial": score.commercial,
                "societal": score.societal, "judicial": score.judicial,
            }  # fmt: skip
            assert sum(r["points"] for r in explanation["records"]) + 1000 == score.total
        transaction.set_rollback(True)


def test_rule_sets_four_eyes_frozen_and_override_points(catalog):
    first = make_official(role="supervisor", authority_code="bj-dongcheng-court",
                          username="sup.one")  # fmt: skip
    second = make_official(role="supervisor", authority_code="bj-dongcheng-tax",
                           username="sup.two")  # fmt: skip
    clerk = make_official(role="clerk", authority_code="bj-dongcheng-court")
    person = make_citizen().subject
    add_record(person, "judicial-dishonest-debtor")
    recompute()
    with pytest.raises(ApplicationError):
        services.ruleset_create_draft(actor=clerk, name="x")
    draft = services.ruleset_create_draft(actor=first, name="tougher on debtors")
    with pytest.raises(ApplicationError):  # sign must match polarity
        services.ruleset_update_draft(
            actor=first, ruleset=draft, points_overrides={"judicial-dishonest-debtor": 50}
        )
    services.ruleset_update_draft(actor=first, ruleset=draft,
                                  points_overrides={"judicial-dishonest-debtor": -200})  # fmt: skip
    preview = services.ruleset_what_if(ruleset=draft, as_of=TODAY)
    assert {"from": "B", "to": "C", "count": 1} in preview["matrix"]
    with pytest.raises(ApplicationError) as excinfo:
        services.ruleset_activate(actor=first, ruleset=draft)
    assert excinfo.value.code == "four_eyes"
    services.ruleset_activate(actor=second, ruleset=draft)
    draft.refresh_from_db()
    assert draft.state == "active"
    assert RuleSet.objects.get(version=1).state == "retired"
    with pytest.raises(ApplicationError):
        services.ruleset_update_draft(actor=first, ruleset=draft, base_score=900)
    recompute(as_of=TODAY)
    assert Score.objects.get(pk=person.pk).total == 800
    assert Score.objects.get(pk=person.pk).rule_version == 2


def test_chunk_task_twice_gives_the_same_result(catalog):
    from tests.tasks import score_chunk

    add_record(make_citizen().subject, "judicial-dishonest-debtor")
    run = services.score_run_start(kind="full", as_of=TODAY, chunk_size=5)
    chunk_ids = services.score_run_pending_chunks(run)
    for chunk_id in chunk_ids:
        score_chunk.apply(args=[chunk_id])
    snapshot = (scores(), ScoreHistory.objects.count())
    for chunk_id in chunk_ids:
        assert score_chunk.apply(args=[chunk_id]).get() == 0
    assert (scores(), ScoreHistory.objects.count()) == snapshot
    run.refresh_from_db()
    assert run.state == "done" and run.chunks_done == run.chunks_total


def test_recompute_command_prints_the_run(catalog, capsys):
    from django.core.management import call_command

    add_record(make_citizen().subject, "judicial-dishonest-debtor")
    call_command("recompute_scores", "--full", "--as-of", TODAY.isoformat())
    assert "full" in capsys.readouterr().out
    assert ScoreRun.objects.get().state == "done"


def test_floor_aggregate_agrees_with_the_recompute(catalog):
    """The benchmark's floor computes the same numbers as the real path, without writing."""
    from django.db.models import Sum

    add_record(make_citizen().subject, "judicial-dishonest-debtor")
    add_record(make_enterprise().subject, "commercial-a-grade-taxpayer")
    make_citizen(birth=datetime.date(2015, 1, 1))  # a minor: in neither
    floor = services.score_floor_totals(as_of=TODAY)
    assert not Score.objects.exists()
    recompute()
    assert floor == (Score.objects.count(), Score.objects.aggregate(s=Sum("total"))["s"])
    assert floor == (3, 900 + 1020 + 1000)  # the enterprise's legal representative too


def test_resume_resends_only_the_unfinished_chunks_of_running_runs(catalog, monkeypatch):
    """What a restarted worker does (celery.py sends score_resume): the chunks a crash left
    undone are sent again, and only those; a young run is left alone with a grace period."""
    from tests import tasks

    for _ in range(3):
        add_record(make_citizen().subject, "judicial-dishonest-debtor")
    run = services.score_run_start(kind="full", as_of=TODAY, chunk_size=1)
    chunk_ids = services.score_run_pending_chunks(run)
    assert len(chunk_ids) >= 2
    tasks.score_chunk.apply(args=[chunk_ids[0]])  # done before the "crash"
    sent = []
    monkeypatch.setattr(tasks.score_chunk, "delay", sent.append)
    assert tasks.score_resume(older_than_seconds=3600) == 0 and sent == []  # too young
    assert tasks.score_resume() == len(chunk_ids) - 1
    assert sorted(sent) == sorted(chunk_ids[1:])
    for chunk_id in sent:
        tasks.score_chunk.apply(args=[chunk_id])
    run.refresh_from_db()
    assert run.state == "done" and tasks.score_resume() == 0


def test_a_redelivered_done_chunk_still_finishes_its_run(
    catalog, monkeypatch, django_capture_on_commit_callbacks
):
    """Workers on many hosts (docs/scaling.md): the worker of the run's last chunk commits it,
    then is cut off from the network before the finish check; the broker redelivers the chunk
    to another worker, which finds it done. That redelivery must still finish the run."""
    import sanctions.scoring.services as scoring
    from tests.tasks import score_chunk

    add_record(make_citizen().subject, "judicial-dishonest-debtor")
    run = services.score_run_start(kind="full", as_of=TODAY, chunk_size=5)
    *others, last = services.score_run_pending_chunks(run)
    for chunk_id in others:
        score_chunk.apply(args=[chunk_id])
    real_finish_check = scoring.score_run_finish_if_complete
    monkeypatch.setattr(scoring, "score_run_finish_if_complete", lambda run_id: None)  # the cut
    score_chunk.apply(args=[last])
    monkeypatch.setattr(scoring, "score_run_finish_if_complete", real_finish_check)
    run.refresh_from_db()
    assert run.state == "running" and not run.chunks.filter(done=False).exists()
    with django_capture_on_commit_callbacks(execute=True):
        assert score_chunk.apply(args=[last]).get() == 0  # the redelivery: nothing to compute
    run.refresh_from_db()
    assert run.state == "done" and run.chunks_done == run.chunks_total
