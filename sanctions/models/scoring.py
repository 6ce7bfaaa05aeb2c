"""Scoring: versioned rule sets, current scores, score history, recompute runs and the dirty
set kept by the services that change records."""

from __future__ import annotations

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from sanctions.models.core import Subject

DEFAULT_BANDS = [["AAA", 1050], ["AA", 1030], ["A", 960], ["B", 850], ["C", 600], ["D", None]]


def default_bands() -> list:
    return [list(band) for band in DEFAULT_BANDS]


class RuleSetState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    ACTIVE = "active", _("Active")
    RETIRED = "retired", _("Retired")


class RuleSet(models.Model):
    """A version of the scoring rules. Drafts are edited by a supervisor; activation by a
    second supervisor freezes it. Every score row records the version that computed it."""

    version = models.PositiveIntegerField(_("version"), unique=True)
    name = models.CharField(_("name"), max_length=200)
    base_score = models.IntegerField(_("base score"), default=1000)
    grade_bands = models.JSONField(
        _("grade bands"),
        default=default_bands,
        help_text=_("[grade, minimum] from the highest grade down; the last minimum is null."),
    )
    points_overrides = models.JSONField(
        _("points per record type"),
        default=dict,
        blank=True,
        help_text=_("{record type code: points}, overriding the catalog's points."),
    )
    default_effective_days = models.PositiveIntegerField(
        _("default effective window (days)"), default=365
    )
    state = models.CharField(
        _("state"), max_length=8, choices=RuleSetState.choices, default=RuleSetState.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", verbose_name=_("drafted by"),
    )  # fmt: skip
    # Four-eyes: every supervisor who edited the draft (user ids, `ruleset_update_draft`);
    # none of them may activate it, not only its creator.
    editors = ArrayField(
        models.BigIntegerField(), default=list, blank=True, editable=False,
        verbose_name=_("edited by"),
    )  # fmt: skip
    activated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", verbose_name=_("activated by"),
    )  # fmt: skip
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("scoring rule set")
        verbose_name_plural = _("scoring rule sets")
        ordering = ["-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["state"], condition=Q(state="active"), name="ruleset_one_active"
            ),
            models.CheckConstraint(
                condition=Q(activated_by__isnull=True) | ~Q(activated_by=models.F("created_by")),
                name="ruleset_four_eyes",
            ),
        ]

    def __str__(self) -> str:
        return f"v{self.version} {self.name} ({self.get_state_display()})"


class Score(models.Model):
    """A subject's current score: total, four domain sub-scores (points), grade."""

    subject = models.OneToOneField(
        Subject, primary_key=True, on_delete=models.CASCADE, related_name="score"
    )
    total = models.IntegerField(_("score"))
    government = models.IntegerField(_("government affairs points"))
    commercial = models.IntegerField(_("commercial points"))
    societal = models.IntegerField(_("societal points"))
    judicial = models.IntegerField(_("judicial points"))
    grade = models.CharField(_("grade"), max_length=4)
    rule_version = models.PositiveIntegerField(_("rule version"))
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")

    def __str__(self) -> str:
        return f"{self.total} {self.grade}"


class ScoreHistory(models.Model):
    """A row each time a subject's score or grade changes.

    In the database the table is range-partitioned by month of `computed_at` (UTC) and its
    primary key is (id, computed_at) (migration 0033): Django keeps `id` as the primary key
    (unique, from one sequence). Months past SCS_SCORE_HISTORY_RETENTION_MONTHS are dropped
    whole (`sanctions.scoring.partitions`); docs/scaling.md, "ScoreHistory partitions"."""

    # no separate FK index: the (subject, computed_at) index serves lookups by subject
    subject = models.ForeignKey(
        Subject, on_delete=models.CASCADE, related_name="score_history", db_index=False
    )
    total = models.IntegerField(_("score"))
    government = models.IntegerField()
    commercial = models.IntegerField()
    societal = models.IntegerField()
    judicial = models.IntegerField()
    grade = models.CharField(_("grade"), max_length=4)
    rule_version = models.PositiveIntegerField(_("rule version"))
    computed_at = models.DateTimeField(_("computed at"))

    class Meta:
        verbose_name = _("score history")
        verbose_name_plural = _("score history")
        ordering = ["subject", "computed_at"]
        indexes = [models.Index(fields=["subject", "computed_at"])]

    def __str__(self) -> str:
        return f"{self.computed_at:%Y-%m-%d} {self.total} {self.grade}"


class ScoreDirty(models.Model):
    """Subjects whose records changed since the last recompute (kept by the services)."""

    subject = models.OneToOneField(Subject, primary_key=True, on_delete=models.CASCADE,
                                   related_name="+")  # fmt: skip
    marked_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"dirty {self.subject_id}"


class ScoreRunState(models.TextChoices):
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")


class ScoreRun(models.Model):
    """One recompute: its chunks are separate, idempotent tasks; progress lives here."""

    kind = models.CharField(
        _("kind"), max_length=12, choices=[("full", _("Full")), ("incremental", _("Incremental"))]
    )
    rule_version = models.PositiveIntegerField(_("rule version"))
    as_of = models.DateField(_("as of"))
    state = models.CharField(
        _("state"), max_length=8, choices=ScoreRunState.choices, default=ScoreRunState.RUNNING
    )
    chunks_total = models.PositiveIntegerField(_("chunks"), default=0)
    chunks_done = models.PositiveIntegerField(_("chunks done"), default=0)
    subjects_changed = models.PositiveIntegerField(_("scores changed"), default=0)
    started_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("score recompute run")
        verbose_name_plural = _("score recompute runs")
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.chunks_done}/{self.chunks_total})"

    @property
    def duration(self):
        return (self.finished_at - self.started_at) if self.finished_at else None


class ScoreRunChunk(models.Model):
    run = models.ForeignKey(ScoreRun, on_delete=models.CASCADE, related_name="chunks")
    lo = models.BigIntegerField()
    hi = models.BigIntegerField()  # exclusive
    done = models.BooleanField(default=False)
    changed = models.PositiveIntegerField(default=0)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["run", "lo"], name="chunk_unique_lo")]
        indexes = [models.Index(fields=["run", "done"])]

    def __str__(self) -> str:
        return f"[{self.lo}, {self.hi}) {'done' if self.done else 'pending'}"
