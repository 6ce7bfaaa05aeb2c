"""Scoring (DESIGN.md §6): versioned rule sets, set-based recompute in PostgreSQL, the dirty
set, runs split into idempotent chunks, explanations and the what-if preview.

The aggregate, the explanation and the preview share one definition of "a record counts"
(`COUNTING_PREDICATE`) and one points expression, so explanation and stored score agree.
"""

from __future__ import annotations

import datetime
import json
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sanctions.kernel import rules
from sanctions.kernel.audit import audit_log
from sanctions.kernel.errors import ApplicationError
from sanctions.kernel.roles import SUPERVISOR, Actor
from sanctions.models import (
    RuleSet,
    RuleSetState,
    ScoreDirty,
    ScoreRun,
    ScoreRunChunk,
    Subject,
)

CHUNK_SIZE = 50_000


COUNTING_STATUSES = ("active", "under_objection")


DOMAINS = ("government", "commercial", "societal", "judicial")


# One definition of "this record counts on day %(as_of)s": inside its effective window and
# neither repaired, revoked, removed nor expired. Used by recompute, explanation, preview.
COUNTING_PREDICATE = """
    r.status IN ('active', 'under_objection')
    AND r.effective_from <= %(as_of)s
    AND (r.effective_until IS NULL OR r.effective_until >= %(as_of)s)
"""


POINTS_EXPRESSION = "COALESCE((%(overrides)s::jsonb ->> t.code)::int, t.points)"


ADULT_PREDICATE = (
    "(s.birth_date IS NULL OR s.birth_date <= (%(as_of)s::date - interval '18 years'))"
)


def active_ruleset() -> RuleSet:
    ruleset = RuleSet.objects.filter(state=RuleSetState.ACTIVE).first()
    if ruleset is None:
        raise ApplicationError(_("No scoring rule set is active."))
    return ruleset


def _grade_case(ruleset: RuleSet, column: str) -> str:
    """CASE expression from validated integer bands (no user text reaches the SQL)."""
    parts = []
    for grade, minimum in ruleset.grade_bands:
        if minimum is None:
            parts.append(f"ELSE '{grade}'")
        else:
            parts.append(f"WHEN {column} >= {int(minimum)} THEN '{grade}'")
    if not parts[-1].startswith("ELSE"):
        parts.append("ELSE 'D'")
    return "CASE " + " ".join(parts) + " END"


def _params(ruleset: RuleSet, as_of: datetime.date, **extra: Any) -> dict[str, Any]:
    return {
        "as_of": as_of,
        "overrides": json.dumps(ruleset.points_overrides or {}),
        "base": ruleset.base_score,
        **extra,
    }


def _aggregate_sql(ruleset: RuleSet, subject_filter: str) -> str:
    """SELECT subject_id, total, 4 domain sums for the adult subjects matching the filter.

    `subject_filter` is a condition on the placeholder ``{col}`` (a subject id column); it is
    applied to the records before the GROUP BY and to the subjects after it."""
    sums = ",\n".join(f"SUM(pts) FILTER (WHERE domain = '{d}') AS {d}" for d in DOMAINS)
    domains = ",\n".join(f"COALESCE(p.{d}, 0)::int AS {d}" for d in DOMAINS)
    return f"""
        SELECT s.id AS subject_id,
               (%(base)s + COALESCE(p.points, 0))::int AS total,
               {domains}
        FROM sanctions_subject s
        LEFT JOIN (
            SELECT subject_id, SUM(pts) AS points, {sums}
            FROM (
                SELECT r.subject_id, t.domain, {POINTS_EXPRESSION} AS pts
                FROM sanctions_integrityrecord r
                JOIN sanctions_recordtype t ON t.id = r.record_type_id
                WHERE {subject_filter.format(col="r.subject_id")} AND {COUNTING_PREDICATE}
            ) counted
            GROUP BY subject_id
        ) p ON p.subject_id = s.id
        WHERE {subject_filter.format(col="s.id")} AND {ADULT_PREDICATE}
    """


def _chunk_sql(ruleset: RuleSet, subject_filter: str) -> str:
    """Write the chunk's scores — INSERT for subjects without a score, UPDATE ... WHERE IS
    DISTINCT FROM for the others, so unchanged rows are not touched — and a history row only
    where the score or grade changed. One statement, one snapshot; chunks are disjoint id
    ranges, and the chunk row lock serialises a chunk with itself."""
    grade = _grade_case(ruleset, "a.total")
    cols = "total, government, commercial, societal, judicial"
    return f"""
        WITH a AS ({_aggregate_sql(ruleset, subject_filter)}),
        g AS (SELECT a.*, {grade} AS grade FROM a),
        cmp AS (
            SELECT g.*, sc.subject_id IS NULL AS is_new,
                   (sc.total, sc.government, sc.commercial, sc.societal, sc.judicial, sc.grade)
                   IS DISTINCT FROM
                   (g.total, g.government, g.commercial, g.societal, g.judicial, g.grade)
                   AS changed,
                   sc.rule_version IS DISTINCT FROM %(version)s AS version_changed
            FROM g LEFT JOIN sanctions_score sc
                ON sc.subject_id = g.subject_id AND {subject_filter.format(col="sc.subject_id")}
        ),
        ins AS (
            INSERT INTO sanctions_score (subject_id, {cols}, grade, rule_version, computed_at)
            SELECT subject_id, {cols}, grade, %(version)s, %(now)s FROM cmp WHERE is_new
            RETURNING 1
        ),
        upd AS (
            UPDATE sanctions_score sc SET
                total = cmp.total, government = cmp.government, commercial = cmp.commercial,
                societal = cmp.societal, judicial = cmp.judicial, grade = cmp.grade,
                rule_version = %(version)s, computed_at = %(now)s
            FROM cmp
            WHERE sc.subject_id = cmp.subject_id AND NOT cmp.is_new
              AND (cmp.changed OR cmp.version_changed)
              AND (sc.total, sc.government, sc.commercial, sc.societal, sc.judicial, sc.grade,
                   sc.rule_version)
                  IS DISTINCT FROM
                  (cmp.total, cmp.government, cmp.commercial, cmp.societal, cmp.judicial,
                   cmp.grade, %(version)s)
            RETURNING 1
        ),
        hist AS (
            INSERT INTO sanctions_scorehistory
                (subject_id, {cols}, grade, rule_version, computed_at)
            SELECT subject_id, {cols}, grade, %(version)s, %(now)s FROM cmp WHERE changed
            RETURNING 1
        )
        SELECT (SELECT count(*) FROM ins) + (SELECT count(*) FROM upd),
               (SELECT count(*) FROM hist)
    """


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
        params = _params(
            ruleset, run.as_of, lo=chunk.lo, hi=chunk.hi, version=ruleset.version,
            now=timezone.now(), started=run.started_at,
        )  # fmt: skip
        with connection.cursor() as cursor:
            # Scores are derived data and the chunk's done flag commits with them: a commit
            # lost in a crash only means the chunk is computed again. No need to wait for WAL.
            cursor.execute("SET LOCAL synchronous_commit = off")
            cursor.execute(_chunk_sql(ruleset, subject_filter), params)
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
    *, kind: str = "incremental", as_of: datetime.date | None = None, progress=None,
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


def score_floor_totals(*, as_of: datetime.date | None = None) -> tuple[int, int]:
    """The bare aggregate of points per subject with no writes (the benchmark's floor):
    (subjects scored, sum of their totals)."""
    ruleset = active_ruleset()
    sql = f"SELECT count(*), coalesce(sum(total), 0) FROM ({_aggregate_sql(ruleset, 'TRUE')}) x"
    with connection.cursor() as cursor:
        cursor.execute(sql, _params(ruleset, as_of or timezone.localdate()))
        count, total = cursor.fetchone()
    return count, int(total)


def score_floor_seconds(*, as_of: datetime.date | None = None) -> float:
    import time

    started = time.perf_counter()
    score_floor_totals(as_of=as_of)
    return time.perf_counter() - started


def score_explain(*, subject: Subject, as_of: datetime.date | None = None) -> dict[str, Any]:
    """The records and points that make a subject's score, under the active rule version,
    computed with the recompute's own predicate and points expression."""
    ruleset = active_ruleset()
    as_of = as_of or timezone.localdate()
    params = _params(ruleset, as_of, subject=subject.pk)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT r.id, t.code, t.title, t.title_en, t.domain, {POINTS_EXPRESSION},
                   r.legal_basis, r.decision_number, r.decision_date, r.effective_until,
                   a.name
            FROM sanctions_integrityrecord r
            JOIN sanctions_recordtype t ON t.id = r.record_type_id
            JOIN sanctions_authority a ON a.id = r.authority_id
            JOIN sanctions_subject s ON s.id = r.subject_id
            WHERE r.subject_id = %(subject)s AND {COUNTING_PREDICATE} AND {ADULT_PREDICATE}
            ORDER BY r.decision_date, r.id
            """,
            params,
        )
        rows = [
            {
                "record_id": row[0], "type_code": row[1], "type_title": row[2],
                "type_title_en": row[3], "domain": row[4], "points": row[5],
                "legal_basis": row[6], "decision_number": row[7], "decision_date": row[8],
                "counts_until": row[9], "authority": row[10],
            }
            for row in cursor.fetchall()
        ]  # fmt: skip
    from sanctions.kernel.rules import is_minor_on

    minor = subject.kind == "person" and is_minor_on(subject.birth_date, as_of)
    by_domain = {d: sum(r["points"] for r in rows if r["domain"] == d) for d in DOMAINS}
    total = ruleset.base_score + sum(by_domain.values())
    grade = _grade_in_python(ruleset, total)
    return {
        "rule_version": ruleset.version,
        "as_of": as_of,
        "base": ruleset.base_score,
        "records": rows,
        "by_domain": by_domain,
        "total": None if minor else total,
        "grade": None if minor else grade,
        "minor": minor,
    }


def _grade_in_python(ruleset: RuleSet, total: int) -> str:
    for grade, minimum in ruleset.grade_bands:
        if minimum is None or total >= minimum:
            return grade
    return ruleset.grade_bands[-1][0]


def ruleset_what_if(*, ruleset: RuleSet, as_of: datetime.date | None = None) -> dict[str, Any]:
    """How many subjects would change grade (from → to) under `ruleset`, on the real data,
    computed in one aggregate with no writes."""
    as_of = as_of or timezone.localdate()
    ruleset = RuleSet.objects.get(pk=ruleset.pk)  # the stored draft, not a stale copy
    grade = _grade_case(ruleset, "a.total")
    sql = f"""
        WITH a AS ({_aggregate_sql(ruleset, "TRUE")})
        SELECT coalesce(sc.grade, '—') AS old, {grade} AS new, count(*)
        FROM a LEFT JOIN sanctions_score sc ON sc.subject_id = a.subject_id
        GROUP BY 1, 2 ORDER BY 1, 2
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, _params(ruleset, as_of))
        matrix = [{"from": old, "to": new, "count": n} for old, new, n in cursor.fetchall()]
    changed = sum(row["count"] for row in matrix if row["from"] != row["to"])
    return {"matrix": matrix, "changed": changed, "total": sum(r["count"] for r in matrix)}


def _require_supervisor(actor: Actor) -> None:
    if not (actor and actor.is_authenticated and actor.groups.filter(name=SUPERVISOR).exists()):
        raise ApplicationError(_("Only supervisors manage scoring rules."), code="forbidden")


def validate_ruleset_fields(
    *, grade_bands, points_overrides, base_score, default_effective_days=None
) -> None:
    from sanctions.models import RecordType

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
    _require_supervisor(actor)
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
    if actor.pk not in ruleset.editors:  # four-eyes: an editor may not activate it
        ruleset.editors = [*ruleset.editors, actor.pk]
    ruleset.save()
    audit_log(actor=actor, action="ruleset.update", obj=ruleset, old=old, new=fields)
    return ruleset


@transaction.atomic
def ruleset_activate(*, actor: Actor, ruleset: RuleSet) -> RuleSet:
    """A second supervisor activates (and so freezes) a draft; the previous version retires and
    a full recompute starts after commit."""
    _require_supervisor(actor)
    ruleset = RuleSet.objects.select_for_update().get(pk=ruleset.pk)
    if ruleset.state != RuleSetState.DRAFT:
        raise ApplicationError(_("Only a draft can be activated."))
    if ruleset.created_by_id == actor.pk or actor.pk in ruleset.editors:
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

    def start_full():
        from sanctions.tasks import score_recompute

        score_recompute.delay("full")

    transaction.on_commit(start_full)
    return ruleset
