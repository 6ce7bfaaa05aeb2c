"""Writes of scoring: recompute runs split into idempotent chunks, and rule sets (drafts,
four-eyes activation, which starts a full recompute after commit)."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

from django.contrib.auth.models import User
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sanctions.kernel import rules
from sanctions.kernel.audit import audit_log
from sanctions.kernel.errors import ApplicationError
from sanctions.kernel.roles import SUPERVISOR, Actor
from sanctions.kernel.tasks import enqueue_on_commit
from sanctions.models import (
    RecordType,
    RuleSet,
    RuleSetState,
    ScoreDirty,
    ScoreRun,
    ScoreRunChunk,
)
from sanctions.scoring.selectors import active_ruleset
from sanctions.scoring.sql import chunk_sql, sql_params

CHUNK_SIZE = 50_000


def _last_done_run() -> ScoreRun | None:
    return ScoreRun.objects.filter(state="done").order_by("-as_of", "-id").first()


@transaction.atomic
def score_run_start(
    *, kind: str = "incremental", as_of: datetime.date | None = None, chunk_size: int = CHUNK_SIZE
) -> ScoreRun:
    """Create a run and its chunks (id ranges). Incremental runs cover the dirty set plus the
    subjects whose records' effective windows opened or closed since the last run; with no
    previous run, an incremental run is a full one."""
    as_of = as_of or timezone.localdate()
    ruleset = active_ruleset()
    last = _last_done_run()
    if kind == "incremental" and (last is None or last.rule_version != ruleset.version):
        kind = "full"
    run = ScoreRun.objects.create(kind=kind, rule_version=ruleset.version, as_of=as_of)
    with connection.cursor() as cursor:
        if kind == "full":
            cursor.execute(
                """
                INSERT INTO sanctions_scorerunchunk (run_id, lo, hi, done, changed)
                SELECT %(run)s, b * %(size)s, (b + 1) * %(size)s, false, 0
                FROM generate_series(0, (SELECT coalesce(max(id), 0) FROM sanctions_subject)
                                        / %(size)s) AS b
                """,
                {"run": run.pk, "size": chunk_size},
            )
        else:
            assert last is not None  # without a done run, the run was made a full one above
            # windows that opened or closed since the last run make their subjects dirty
            cursor.execute(
                """
                INSERT INTO sanctions_scoredirty (subject_id, marked_at)
                SELECT DISTINCT r.subject_id, now() FROM sanctions_integrityrecord r
                WHERE (r.effective_from > %(since)s AND r.effective_from <= %(as_of)s)
                   OR (r.effective_until >= %(since)s AND r.effective_until < %(as_of)s)
                ON CONFLICT (subject_id) DO UPDATE SET marked_at = now()
                """,
                {"since": last.as_of, "as_of": as_of},
            )
            # chunks of about `chunk_size` dirty subjects each (not id ranges: dirty subjects
            # are sparse), as contiguous id ranges so chunks never overlap
            cursor.execute(
                """
                INSERT INTO sanctions_scorerunchunk (run_id, lo, hi, done, changed)
                SELECT %(run)s, min(subject_id), max(subject_id) + 1, false, 0
                FROM (
                    SELECT subject_id, ntile(
                        GREATEST(1, CEIL((SELECT count(*) FROM sanctions_scoredirty)::numeric
                                         / %(size)s))::int
                    ) OVER (ORDER BY subject_id) AS bucket
                    FROM sanctions_scoredirty
                ) numbered
                GROUP BY bucket
                """,
                {"run": run.pk, "size": chunk_size},
            )
    run.chunks_total = run.chunks.count()
    run.save(update_fields=["chunks_total"])
    if run.chunks_total == 0:
        _finish(run)
    return run


def score_chunk_execute(chunk_id: int) -> int:
    """Compute one chunk. Idempotent: a chunk marked done is skipped; the chunk row is locked
    and marked in the same transaction as the scores, so a crash leaves it to be redone."""
    with transaction.atomic():
        chunk = ScoreRunChunk.objects.select_for_update().select_related("run").get(pk=chunk_id)
        if chunk.done:
            # Redelivered: its first worker committed it, then died or was cut off from the
            # network before the finish check below, which may be the one the run waits for.
            run_id = chunk.run_id
            transaction.on_commit(lambda: score_run_finish_if_complete(run_id))
            return 0
        run = chunk.run
        ruleset = RuleSet.objects.get(version=run.rule_version)
        if run.kind == "full":
            subject_filter = "{col} >= %(lo)s AND {col} < %(hi)s"
        else:
            # driven by the dirty rows: index lookups for those subjects only
            # = ANY(ARRAY(subquery)): evaluated once, then index lookups (an IN would invite
            # a hash join over the whole subject table)
            subject_filter = (
                "{col} = ANY(ARRAY(SELECT subject_id FROM sanctions_scoredirty "
                "WHERE subject_id >= %(lo)s AND subject_id < %(hi)s "
                "AND marked_at <= %(started)s))"
            )
        params = sql_params(
            ruleset, run.as_of, lo=chunk.lo, hi=chunk.hi, version=ruleset.version,
            now=timezone.now(), started=run.started_at,
        )  # fmt: skip
        with connection.cursor() as cursor:
            # Scores are derived data and the chunk's done flag commits with them: a commit
            # lost in a crash only means the chunk is computed again. No need to wait for WAL.
            cursor.execute("SET LOCAL synchronous_commit = off")
            cursor.execute(chunk_sql(ruleset, subject_filter), params)
            upserted, _history = cursor.fetchone()
            if run.kind == "incremental":
                cursor.execute(
                    "DELETE FROM sanctions_scoredirty WHERE subject_id >= %s AND subject_id < %s "
                    "AND marked_at <= %s",
                    [chunk.lo, chunk.hi, run.started_at],
                )
        chunk.done = True
        chunk.changed = upserted
        chunk.finished_at = timezone.now()
        chunk.save(update_fields=["done", "changed", "finished_at"])
    score_run_finish_if_complete(chunk.run_id)
    return upserted


def score_run_finish_if_complete(run_id: int) -> ScoreRun:
    with transaction.atomic():
        run = ScoreRun.objects.select_for_update().get(pk=run_id)
        done = run.chunks.filter(done=True)
        run.chunks_done = done.count()
        run.subjects_changed = sum(done.values_list("changed", flat=True))
        run.save(update_fields=["chunks_done", "subjects_changed"])
        if run.chunks_done == run.chunks_total and run.state != "done":
            _finish(run)
    return run


def _finish(run: ScoreRun) -> None:
    run.state = "done"
    run.finished_at = timezone.now()
    run.save(update_fields=["state", "finished_at"])
    if run.kind == "full":
        # a full run covered everyone marked before it started
        ScoreDirty.objects.filter(marked_at__lte=run.started_at).delete()


def score_run_pending_chunks(run: ScoreRun) -> list[int]:
    return list(run.chunks.filter(done=False).order_by("lo").values_list("pk", flat=True))


def score_recompute_inline(
    *, kind: str = "incremental", as_of: datetime.date | None = None,
    progress: Callable[[], object] | None = None,
    chunk_size: int = CHUNK_SIZE, workers: int = 1,
) -> ScoreRun:  # fmt: skip
    """Run a whole recompute in this process (operators' command, tests, benchmarks).

    With workers > 1, chunks run on that many threads, each with its own database
    connection — what N Celery worker processes do in production."""
    run = score_run_start(kind=kind, as_of=as_of, chunk_size=chunk_size)
    chunk_ids = score_run_pending_chunks(run)
    if workers <= 1:
        for chunk_id in chunk_ids:
            score_chunk_execute(chunk_id)
            if progress:
                progress()
    else:
        from concurrent.futures import ThreadPoolExecutor

        def work(chunk_id: int) -> int:
            try:
                return score_chunk_execute(chunk_id)
            finally:
                connection.close()

        with ThreadPoolExecutor(max_workers=workers) as pool:
            for _ in pool.map(work, chunk_ids):
                if progress:
                    progress()
    run.refresh_from_db()
    return run


def _require_supervisor(actor: Actor) -> User:
    if not (actor and actor.is_authenticated and actor.groups.filter(name=SUPERVISOR).exists()):
        raise ApplicationError(_("Only supervisors manage scoring rules."), code="forbidden")
    return actor


def validate_ruleset_fields(
    *, grade_bands: object, points_overrides: object, base_score: object,
    default_effective_days: int | None = None,
) -> None:  # fmt: skip
    if not isinstance(grade_bands, list) or len(grade_bands) < 2:
        raise ApplicationError({"grade_bands": _("Give at least two grade bands.")})
    previous = None
    for index, band in enumerate(grade_bands):
        if not (isinstance(band, list | tuple) and len(band) == 2 and isinstance(band[0], str)
                and band[0].isalnum() and len(band[0]) <= 4):  # fmt: skip
            raise ApplicationError({"grade_bands": _("Each band is [grade, minimum].")})
        minimum = band[1]
        last = index == len(grade_bands) - 1
        if last and minimum is not None:
            raise ApplicationError({"grade_bands": _("The lowest band has no minimum (null).")})
        if not last and (not isinstance(minimum, int) or (previous is not None
                                                          and minimum >= previous)):  # fmt: skip
            raise ApplicationError(
                {"grade_bands": _("Minimums are whole numbers, strictly decreasing.")}
            )
        if not last:
            _within_limits("grade_bands", grade_minimum=minimum)
        previous = minimum
    if not isinstance(points_overrides, dict):
        raise ApplicationError({"points_overrides": _("Give {code: points}.")})
    polarity = dict(RecordType.objects.values_list("code", "polarity"))
    for code, points in points_overrides.items():
        if code not in polarity:
            raise ApplicationError(
                {"points_overrides": _("Unknown record type %(code)s.") % {"code": code}}
            )
        if not isinstance(points, int) or (polarity[code] == "negative") != (points <= 0):
            raise ApplicationError(
                {"points_overrides": _("Points for %(code)s must be a whole number with the "
                                       "sign of its polarity.") % {"code": code}}
            )  # fmt: skip
        _within_limits("points_overrides", points=points)
    if not isinstance(base_score, int) or base_score <= 0:
        raise ApplicationError({"base_score": _("The base score is a positive whole number.")})
    rules.check_number_limits(base_score=base_score, default_effective_days=default_effective_days)


def _within_limits(field: str, **value: int) -> None:
    """rules.check_number_limits for a number inside a JSON field: the error on `field`."""
    try:
        rules.check_number_limits(**value)
    except ApplicationError as exc:
        raise ApplicationError(
            {field: [m for messages in exc.message_dict.values() for m in messages]},
            code="out_of_range",
        ) from None


@transaction.atomic
def ruleset_create_draft(*, actor: Actor, name: str) -> RuleSet:
    """A new draft version, copied from the active rules."""
    _require_supervisor(actor)
    current = active_ruleset()
    version = (RuleSet.objects.order_by("-version").values_list("version", flat=True).first()
               or 0) + 1  # fmt: skip
    draft = RuleSet.objects.create(
        version=version, name=name or f"v{version}", base_score=current.base_score,
        grade_bands=current.grade_bands, points_overrides=dict(current.points_overrides),
        default_effective_days=current.default_effective_days, created_by=actor,
    )  # fmt: skip
    audit_log(actor=actor, action="ruleset.create", obj=draft, new={"version": version})
    return draft


@transaction.atomic
def ruleset_update_draft(*, actor: Actor, ruleset: RuleSet, **fields: Any) -> RuleSet:
    supervisor = _require_supervisor(actor)
    ruleset = RuleSet.objects.select_for_update().get(pk=ruleset.pk)
    if ruleset.state != RuleSetState.DRAFT:
        raise ApplicationError(_("An activated rule set is frozen; draft a new version."))
    allowed = {"name", "base_score", "grade_bands", "points_overrides", "default_effective_days"}
    if set(fields) - allowed:
        raise ApplicationError(_("These fields cannot be edited."))
    merged = {k: fields.get(k, getattr(ruleset, k)) for k in allowed}
    validate_ruleset_fields(grade_bands=merged["grade_bands"],
                            points_overrides=merged["points_overrides"],
                            base_score=merged["base_score"],
                            default_effective_days=merged["default_effective_days"])  # fmt: skip
    old = {k: getattr(ruleset, k) for k in fields}
    for key, value in fields.items():
        setattr(ruleset, key, value)
    if supervisor.pk not in ruleset.editors:  # four-eyes: an editor may not activate it
        ruleset.editors = [*ruleset.editors, supervisor.pk]
    ruleset.save()
    audit_log(actor=actor, action="ruleset.update", obj=ruleset, old=old, new=fields)
    return ruleset


@transaction.atomic
def ruleset_activate(*, actor: Actor, ruleset: RuleSet) -> RuleSet:
    """A second supervisor activates (and so freezes) a draft; the previous version retires and
    a full recompute starts after commit."""
    supervisor = _require_supervisor(actor)
    ruleset = RuleSet.objects.select_for_update().get(pk=ruleset.pk)
    if ruleset.state != RuleSetState.DRAFT:
        raise ApplicationError(_("Only a draft can be activated."))
    if ruleset.created_by_id == supervisor.pk or supervisor.pk in ruleset.editors:
        raise ApplicationError(
            _("Four-eyes rule: a second supervisor must activate the rules you drafted."),
            code="four_eyes",
        )
    validate_ruleset_fields(grade_bands=ruleset.grade_bands,
                            points_overrides=ruleset.points_overrides,
                            base_score=ruleset.base_score)  # fmt: skip
    previous = RuleSet.objects.select_for_update().filter(state=RuleSetState.ACTIVE).first()
    if previous:
        previous.state = RuleSetState.RETIRED
        previous.save(update_fields=["state"])
    ruleset.state = RuleSetState.ACTIVE
    ruleset.activated_by = actor
    ruleset.activated_at = timezone.now()
    ruleset.save()
    audit_log(actor=actor, action="ruleset.activate", obj=ruleset,
              old={"active_version": previous.version if previous else None},
              new={"active_version": ruleset.version})  # fmt: skip

    enqueue_on_commit("sanctions.tasks.score_recompute", "full")
    return ruleset
