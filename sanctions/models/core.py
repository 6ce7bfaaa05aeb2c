"""Core data model: subjects, authorities, the record-type and measure catalogs, integrity
records and the append-only audit trail.

`sanctions` knows only `Subject`; citizens and enterprises hang their details off it.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


def validate_english_name(value: str) -> None:
    """The English name of a catalog entry is English: no Chinese character in it (an English
    page never shows a mix)."""
    if _HAN.search(value or ""):
        raise ValidationError(
            _("The English name may not contain Chinese characters."), code="not_english"
        )


def in_language(chinese: str, english: str) -> str:
    """What the catalog holds in both languages, in the page's language: the English name on
    an English page, the Chinese one otherwise or while no English name is filled in."""
    if english and (get_language() or "").startswith("en"):
        return english
    return chinese


class Domain(models.TextChoices):
    GOVERNMENT = "government", _("Government affairs integrity")
    COMMERCIAL = "commercial", _("Commercial integrity")
    SOCIETAL = "societal", _("Societal integrity")
    JUDICIAL = "judicial", _("Judicial credibility")


class SubjectKind(models.TextChoices):
    PERSON = "person", _("Person")
    ENTERPRISE = "enterprise", _("Enterprise")


class Subject(models.Model):
    """One citizen or enterprise about whom records are kept.

    The full identifier is never stored here: only its public masked form and a keyed hash
    (HMAC) for exact lookup. The clear identifier lives once, on Citizen or Enterprise.
    """

    kind = models.CharField(_("kind"), max_length=16, choices=SubjectKind.choices)
    display_name = models.CharField(_("name"), max_length=200)
    name_pinyin = models.CharField(_("name in pinyin"), max_length=600, blank=True)
    region_code = models.CharField(_("region code"), max_length=6)
    masked_identifier = models.CharField(_("masked identifier"), max_length=18)
    identifier_hash = models.CharField(max_length=64, unique=True, editable=False)
    # Persons only: needed by publication and scoring rules (minors are never listed or
    # scored) without sanctions importing citizens.
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    # Where notices are e-mailed (kept in step by the citizens / enterprises services).
    contact_email = models.EmailField(_("e-mail for notices"), blank=True)
    # Allow-listed public fields that live on Citizen / Enterprise, copied here by their
    # services so the public list (in sanctions) needs no import of either app.
    sex = models.CharField(_("sex"), max_length=1, blank=True)
    legal_rep_name = models.CharField(_("legal representative"), max_length=100, blank=True)
    # Enterprises only: the unified social credit code is public information.
    public_code = models.CharField(_("credit code (public)"), max_length=18, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("subject")
        verbose_name_plural = _("subjects")
        indexes = [
            models.Index(fields=["kind", "region_code"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind="person") | Q(birth_date__isnull=True),
                name="subject_birth_date_only_for_persons",
            ),
            models.CheckConstraint(
                condition=Q(region_code__regex=r"^[0-9]{6}$"), name="subject_region_code_6_digits"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.display_name} ({self.masked_identifier})"


class AuthorityKind(models.TextChoices):
    COURT = "court", _("Court")
    TAX = "tax", _("Tax bureau")
    MARKET = "market", _("Market regulation")
    ENVIRONMENT = "environment", _("Ecology and environment")
    TRANSPORT = "transport", _("Transport")
    EDUCATION = "education", _("Education")
    EMERGENCY = "emergency", _("Emergency management")
    CIVIL_AFFAIRS = "civil_affairs", _("Civil affairs")
    HEALTH_COMMISSION = "health_commission", _("Health commission")
    GOVERNMENT = "government", _("People's government")


class AuthorityLevel(models.TextChoices):
    NATIONAL = "national", _("National")
    PROVINCIAL = "provincial", _("Provincial")
    MUNICIPAL = "municipal", _("Municipal")
    COUNTY = "county", _("County / district")


class Authority(models.Model):
    """An issuing body. `parent` is the higher body that hears appeals."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(
        _("name (English)"), max_length=200, blank=True, validators=[validate_english_name]
    )
    kind = models.CharField(_("kind"), max_length=32, choices=AuthorityKind.choices)
    level = models.CharField(_("level"), max_length=16, choices=AuthorityLevel.choices)
    region_code = models.CharField(_("region code"), max_length=6)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent authority (appeals)"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("authority")
        verbose_name_plural = _("authorities")
        ordering = ["code"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(parent=models.F("id")), name="authority_not_own_parent"
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def localized_name(self) -> str:
        return in_language(self.name, self.name_en)


class Official(models.Model):
    """A staff account of one issuing authority. Roles are auth groups
    (clerk, reviewer, supervisor)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="official"
    )
    authority = models.ForeignKey(Authority, on_delete=models.PROTECT, related_name="officials")
    title = models.CharField(_("job title"), max_length=100, blank=True)

    class Meta:
        verbose_name = _("official")
        verbose_name_plural = _("officials")

    def __str__(self) -> str:
        return f"{self.user.get_full_name() or self.user.get_username()} ({self.authority})"


class MeasureKind(models.TextChoices):
    RESTRICTION = "restriction", _("Restriction")
    INCENTIVE = "incentive", _("Incentive")


class Measure(models.Model):
    """A restriction or incentive that an active record triggers, enforced by an agency."""

    code = models.SlugField(_("code"), max_length=64, unique=True)
    title = models.CharField(_("title"), max_length=200)
    title_en = models.CharField(
        _("title (English)"), max_length=200, blank=True, validators=[validate_english_name]
    )
    kind = models.CharField(_("kind"), max_length=16, choices=MeasureKind.choices)
    enforcing_agency = models.CharField(_("enforcing agency"), max_length=200)
    enforcing_agency_en = models.CharField(
        _("enforcing agency (English)"),
        max_length=200,
        blank=True,
        validators=[validate_english_name],
    )
    legal_basis = models.TextField(_("legal basis"))
    description = models.TextField(_("description"), blank=True)

    class Meta:
        verbose_name = _("measure")
        verbose_name_plural = _("measures")
        ordering = ["kind", "code"]

    def __str__(self) -> str:
        return self.title

    @property
    def localized_title(self) -> str:
        return in_language(self.title, self.title_en)

    @property
    def localized_enforcing_agency(self) -> str:
        return in_language(self.enforcing_agency, self.enforcing_agency_en)


class Polarity(models.TextChoices):
    NEGATIVE = "negative", _("Negative")
    POSITIVE = "positive", _("Positive")


class Severity(models.TextChoices):
    MINOR = "minor", _("Minor")
    GENERAL = "general", _("General")
    SERIOUS = "serious", _("Serious")


class RecordType(models.Model):
    """Catalog entry for a kind of decision that can be recorded.

    The catalog never contains a category for opinion, speech, belief, ethnicity, health,
    sexual life, union membership or relatives' conduct: a new type needs a legal basis and
    the creating supervisor's recorded attestation (see
    `registry.services.catalog.record_type_create`).
    """

    code = models.SlugField(_("code"), max_length=64, unique=True)
    title = models.CharField(_("title"), max_length=200)
    title_en = models.CharField(
        _("title (English)"), max_length=200, blank=True, validators=[validate_english_name]
    )
    domain = models.CharField(_("domain"), max_length=16, choices=Domain.choices)
    polarity = models.CharField(_("polarity"), max_length=8, choices=Polarity.choices)
    severity = models.CharField(_("severity tier"), max_length=8, choices=Severity.choices)
    points = models.IntegerField(
        _("points"), help_text=_("Negative for negative records, positive for positive ones.")
    )
    subject_kinds = ArrayField(
        models.CharField(max_length=16, choices=SubjectKind.choices),
        verbose_name=_("applies to"),
        size=2,
    )
    legal_basis = models.TextField(_("legal basis"))
    issuer_kinds = ArrayField(
        models.CharField(max_length=24, choices=AuthorityKind.choices),
        verbose_name=_("may be issued by"),
        help_text=_("The kinds of authority that may issue a record of this type."),
    )
    is_administrative_penalty = models.BooleanField(
        _("administrative penalty"),
        default=False,
        help_text=_("Individuals' administrative penalties are never published."),
    )
    places_on_blacklist = models.BooleanField(_("places the subject on the public list"))
    publication_min_days = models.PositiveIntegerField(
        _("minimum publication (days)"), null=True, blank=True
    )
    publication_max_days = models.PositiveIntegerField(
        _("maximum publication (days)"),
        null=True,
        blank=True,
        help_text=_("Empty for an open-ended listing (judicial ground 1: until performance)."),
    )
    effective_days = models.PositiveIntegerField(
        _("counts towards the score for (days)"),
        null=True,
        blank=True,
        help_text=_("Empty: the rule set's default (1 year)."),
    )
    retention_years = models.PositiveSmallIntegerField(
        _("retention after the effective window (years)"),
        default=5,
        help_text=_(
            "How long the full record is kept once it no longer counts; then its personal "
            "data and evidence are erased."
        ),
    )
    measures = models.ManyToManyField(Measure, blank=True, verbose_name=_("measures triggered"))
    attestation = models.TextField(
        _("attestation"),
        help_text=_(
            "The supervisor's statement that this type rests on a decision under the cited "
            "legal basis and on none of the prohibited grounds."
        ),
    )
    attested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("attested by"),
    )
    attested_at = models.DateTimeField(_("attested at"), null=True, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("record type")
        verbose_name_plural = _("record types")
        ordering = ["domain", "code"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(polarity="negative") & Q(points__lte=0))
                | (Q(polarity="positive") & Q(points__gte=0)),
                name="recordtype_points_sign_matches_polarity",
            ),
            models.CheckConstraint(
                condition=Q(publication_max_days__isnull=True)
                | Q(publication_min_days__isnull=True)
                | Q(publication_min_days__lte=models.F("publication_max_days")),
                name="recordtype_publication_bounds_ordered",
            ),
            # Minor-tier records are never published.
            models.CheckConstraint(
                condition=~Q(severity="minor") | Q(places_on_blacklist=False),
                name="recordtype_minor_never_published",
            ),
            models.CheckConstraint(
                condition=~Q(legal_basis=""), name="recordtype_legal_basis_required"
            ),
            # A type no kind of authority may issue could never be recorded.
            models.CheckConstraint(
                condition=Q(issuer_kinds__len__gt=0)
                & Q(issuer_kinds__contained_by=AuthorityKind.values),
                name="recordtype_issuer_kinds_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.title}"

    @property
    def localized_title(self) -> str:
        return in_language(self.title, self.title_en)


class PerformanceStatus(models.TextChoices):
    UNPERFORMED = "unperformed", _("Not performed")
    PARTIALLY_PERFORMED = "partially_performed", _("Partially performed")
    PERFORMED = "performed", _("Performed")


class RecordStatus(models.TextChoices):
    PENDING_NOTICE = "pending_notice", _("Pending notice")
    ACTIVE = "active", _("Active")
    UNDER_OBJECTION = "under_objection", _("Under objection")
    REPAIRED = "repaired", _("Repaired")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")
    REMOVED = "removed", _("Removed (performed, settled or withdrawn)")


class JudicialGround(models.IntegerChoices):
    """Grounds for listing a dishonest judgment debtor (one per listing)."""

    ABLE_BUT_REFUSES = 1, _("Able to perform but refuses")
    OBSTRUCTS = 2, _("Obstructs enforcement by forged evidence, violence or threats")
    EVADES = 3, _("Evades enforcement by sham litigation, arbitration or hiding assets")
    BREACHES_ASSET_REPORT = 4, _("Breaches the asset-reporting order")
    BREACHES_CONSUMPTION_ORDER = 5, _("Breaches a consumption-restriction order")
    REFUSES_SETTLEMENT = 6, _("Refuses to honour a settlement agreement without cause")


class RemovalReasonChoices(models.TextChoices):
    PERFORMED = "performed", _("Obligation performed")
    SETTLEMENT = "settlement", _("Settlement agreement performed")
    WITHDRAWAL = "withdrawal", _("Creditor withdrew the application")
    REVOCATION = "revocation", _("Decision revoked")
    OBJECTION_UPHELD = "objection_upheld", _("Objection or appeal upheld")
    REPAIR = "repair", _("Credit repair granted")
    EXPIRY = "expiry", _("Publication period ended")


class RandomPublicId(models.Func):
    """32 lower-case hex digits of PostgreSQL's gen_random_uuid() (122 random bits from its
    strong random source), computed by the database so raw-SQL inserts get one too. Hex: no
    character a spreadsheet reads as a formula start in the open-data CSV."""

    template = "encode(uuid_send(gen_random_uuid()), 'hex')"
    output_field = models.CharField()


# What a public id looks like (URL patterns and the API schema use it).
PUBLIC_ID_PATTERN = r"[0-9a-f]{32}"


class IntegrityRecord(models.Model):
    """One decision of one authority about one subject, under a stated legal basis."""

    # The entry's address on the public list: random, never the sequential pk (which would
    # let anyone walk every listed person past the search's result cap).
    public_id = models.CharField(
        _("public id"), max_length=32, unique=True, editable=False, db_default=RandomPublicId()
    )

    # indexed by record_subject_scoring_idx (subject first), not by a separate FK index
    # Null only once the retention period has ended and the record was erased
    # (`record_erase`): the skeleton no longer names the person.
    subject = models.ForeignKey(
        Subject,
        on_delete=models.PROTECT,
        related_name="records",
        verbose_name=_("subject"),
        db_index=False,
        null=True,
    )
    record_type = models.ForeignKey(
        RecordType, on_delete=models.PROTECT, related_name="records", verbose_name=_("type")
    )
    authority = models.ForeignKey(
        Authority, on_delete=models.PROTECT, related_name="records", verbose_name=_("authority")
    )
    decision_number = models.CharField(_("decision number"), max_length=80)
    decision_date = models.DateField(_("decision date"))
    basis_document = models.CharField(
        _("basis document number"),
        max_length=120,
        blank=True,
        help_text=_("For enforcement: the number of the judgment or award being enforced."),
    )
    legal_basis = models.TextField(_("legal basis"))
    facts = models.TextField(_("facts"), blank=True)
    amount = models.DecimalField(
        _("amount (CNY)"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    obligation = models.TextField(_("obligation"), blank=True)
    judicial_ground = models.PositiveSmallIntegerField(
        _("listing ground"), choices=JudicialGround.choices, null=True, blank=True
    )
    performance_status = models.CharField(
        _("performance"),
        max_length=24,
        choices=PerformanceStatus.choices,
        default=PerformanceStatus.UNPERFORMED,
    )
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=RecordStatus.choices,
        default=RecordStatus.PENDING_NOTICE,
    )
    effective_from = models.DateField(_("counts from"))
    effective_until = models.DateField(_("counts until"), null=True, blank=True)
    # Null publication_start: never published (minor tier, minors, individuals' penalties).
    publication_start = models.DateField(_("published from"), null=True, blank=True)
    publication_end = models.DateField(_("published until"), null=True, blank=True)
    case = models.ForeignKey(
        "sanctions.Case",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="records",
        verbose_name=_("case"),
    )
    # Due process: publication needs a served notice and an elapsed notice period.
    notice_served_on = models.DateField(_("notice served on"), null=True, blank=True)
    published_at = models.DateTimeField(_("first published at"), null=True, blank=True)
    removed_at = models.DateTimeField(_("removed at"), null=True, blank=True)
    removal_reason = models.CharField(
        _("removal reason"), max_length=24, blank=True, choices=RemovalReasonChoices.choices
    )
    # What has been performed so far (agencies' partial-performance events); shown publicly
    # beside the obligation.
    amount_performed = models.DecimalField(
        _("amount performed (CNY)"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    # Judicial ground 1 (until performance): the mandatory review of the listing falls due on
    # this date; a review case is opened then (`review_cases_open`), the next one 2 years on.
    review_due_on = models.DateField(_("listing review due on"), null=True, blank=True)
    # End of retention: personal data and evidence erased, subject detached (`record_erase`).
    erased_at = models.DateTimeField(_("personal data erased at"), null=True, blank=True)
    listing_extended_at = models.DateTimeField(_("listing extended at"), null=True, blank=True)
    extension_reason = models.TextField(_("reason for extension"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", verbose_name=_("recorded by"),
    )  # fmt: skip
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("integrity record")
        verbose_name_plural = _("integrity records")
        ordering = ["-decision_date", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["authority", "decision_number"],
                name="record_decision_number_unique_per_authority",
                violation_error_message=_(
                    "This authority already has a record with this decision number."
                ),
            ),
            models.CheckConstraint(
                condition=Q(effective_until__isnull=True)
                | Q(effective_until__gte=models.F("effective_from")),
                name="record_effective_window_ordered",
            ),
            models.CheckConstraint(
                condition=Q(publication_end__isnull=True)
                | Q(publication_start__isnull=False)
                & Q(publication_end__gte=models.F("publication_start")),
                name="record_publication_window_ordered",
            ),
            models.CheckConstraint(
                condition=Q(publication_start__isnull=True)
                | Q(publication_start__gte=models.F("decision_date")),
                name="record_publication_not_before_decision",
            ),
            models.CheckConstraint(
                condition=Q(judicial_ground__isnull=True)
                | Q(judicial_ground__gte=1) & Q(judicial_ground__lte=6),
                name="record_judicial_ground_1_to_6",
            ),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0),
                name="record_amount_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(amount_performed__isnull=True) | Q(amount_performed__gte=0),
                name="record_amount_performed_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(subject__isnull=False) | Q(erased_at__isnull=False),
                name="record_subject_only_missing_when_erased",
            ),
        ]
        indexes = [
            # Covering index: the score recompute reads a range of subjects' records with an
            # index-only scan instead of random heap reads.
            models.Index(
                fields=["subject", "status"],
                include=["effective_from", "effective_until", "record_type"],
                name="record_subject_scoring_idx",
            ),
            models.Index(fields=["status", "publication_start", "publication_end"]),
            # the incremental recompute finds windows that opened or closed since its last run
            models.Index(fields=["effective_from"], name="record_effective_from_idx"),
            models.Index(fields=["effective_until"], name="record_effective_until_idx"),
            models.Index(fields=["decision_number"]),
        ]

    def __str__(self) -> str:
        return f"{self.decision_number} — {self.record_type.title}"


# a record whose listing can still be taken down (by an event, an objection, a review): not
# yet removed, revoked, repaired, expired or erased
REMOVABLE_STATUSES = (
    RecordStatus.PENDING_NOTICE,
    RecordStatus.ACTIVE,
    RecordStatus.UNDER_OBJECTION,
)


class RecordEventKind(models.TextChoices):
    PERFORMED = "performed", _("Obligation performed")
    PARTIALLY_PERFORMED = "partially_performed", _("Obligation partially performed")
    SETTLED = "settled", _("Settlement agreement performed")
    WITHDRAWN_BY_CREDITOR = "withdrawn_by_creditor", _("Creditor withdrew the application")
    REVOKED = "revoked", _("Decision revoked")


class RecordEventSource(models.TextChoices):
    ADMIN = "admin", _("Officials' workspace")
    API = "api", _("Agency API")
    IMPORT = "import", _("Bulk import")
    OBJECTION = "objection", _("Objection decision")
    REVIEW = "review", _("Two-year review")


# event kind -> the removal reason it records (partial performance removes nothing)
# keyed by the kind's value: services look a kind up as the plain string they were given
REMOVING_EVENTS: dict[str, str] = {
    RecordEventKind.PERFORMED: "performed",
    RecordEventKind.SETTLED: "settlement",
    RecordEventKind.WITHDRAWN_BY_CREDITOR: "withdrawal",
    RecordEventKind.REVOKED: "revocation",
}


class RecordEvent(models.Model):
    """What happened after the decision, as the issuing authority reports it (an official in
    the admin, an agency over the API or in an import). A removing event takes the listing
    down in the same transaction (`record_event_report`). The same event reported twice is
    one row: (record, kind, date, amount performed) is unique."""

    record = models.ForeignKey(
        IntegrityRecord, on_delete=models.PROTECT, related_name="events", verbose_name=_("record")
    )
    kind = models.CharField(_("event"), max_length=24, choices=RecordEventKind.choices)
    date = models.DateField(_("date of the event"))
    amount_performed = models.DecimalField(
        _("amount performed (CNY)"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    note = models.TextField(_("note"), blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
        related_name="+", verbose_name=_("reported by"),
    )  # fmt: skip
    source = models.CharField(
        _("reported through"), max_length=16, choices=RecordEventSource.choices,
        default=RecordEventSource.ADMIN,
    )  # fmt: skip
    created_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("record event")
        verbose_name_plural = _("record events")
        ordering = ["date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["record", "kind", "date", "amount_performed"],
                name="record_event_once",
                nulls_distinct=False,
            ),
            models.CheckConstraint(
                condition=Q(amount_performed__isnull=True) | Q(amount_performed__gte=0),
                name="record_event_amount_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} ({self.date})"


class AuditEvent(models.Model):
    """Append-only trail of every action of legal meaning.

    A database trigger (migration 0002) refuses UPDATE and DELETE, another (0026) TRUNCATE;
    rows are written by `kernel.audit.audit_log` inside the same transaction as the change they
    describe. Tamper evidence (0026): a BEFORE INSERT trigger chains every row to the one
    before it — `chain_seq` (gapless position), `prev_hash`, `row_hash` (sha256 over the row's
    content and `prev_hash`, see `sanctions.kernel.audit_chain`) — under a transaction-level
    advisory lock, so concurrent writers still form one chain; `manage.py audit_verify`
    recomputes it.
    """

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("actor"),
    )
    actor_repr = models.CharField(_("actor"), max_length=200)
    action = models.CharField(_("action"), max_length=64)
    object_type = models.CharField(_("object type"), max_length=100)
    object_id = models.CharField(_("object id"), max_length=64)
    object_repr = models.CharField(_("object"), max_length=300, blank=True)
    subject = models.ForeignKey(
        Subject,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="audit_events",
        verbose_name=_("subject"),
    )
    old_values = models.JSONField(_("old values"), default=dict, blank=True)
    new_values = models.JSONField(_("new values"), default=dict, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True, db_index=True)
    # Set by the database (trigger sanctions_auditevent_chain), whatever the INSERT says; the
    # instance `audit_log` returns does not carry them until it is re-read.
    # set when the row's transaction commits (migration 0032): null only inside that transaction
    chain_seq = models.BigIntegerField(_("chain position"), unique=True, editable=False, null=True)
    prev_hash = models.CharField(_("hash of the previous row"), max_length=64, editable=False)
    row_hash = models.CharField(_("row hash"), max_length=64, editable=False)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["subject", "created_at"]),
        ]

    def __str__(self) -> str:
        return (
            f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_repr} {self.action} {self.object_repr}"
        )


class AuditChainBreak(models.TextChoices):
    """Why a row is the first at which the audit chain no longer holds
    (sanctions.kernel.audit_chain)."""

    GAP = "gap", _("a row before it is missing")
    LINK = "link", _("the row before it was changed")
    CONTENT = "content", _("its content was changed")
    ANCHOR = "anchor", _("a row verified earlier is missing or changed")


class AuditVerification(models.Model):
    """One run of the audit-chain verifier (`manage.py audit_verify`, nightly beat task).

    `head_seq`/`head_hash` of an intact run anchor the next run: a later run that finds that
    row gone or changed reports the trail broken even when the rows after it were re-chained.
    """

    verified_at = models.DateTimeField(_("verified at"), default=timezone.now, db_index=True)
    intact = models.BooleanField(_("intact"))
    rows_checked = models.BigIntegerField(_("rows checked"))
    head_seq = models.BigIntegerField(_("last chain position"), null=True, blank=True)
    head_event_id = models.BigIntegerField(_("last audit row"), null=True, blank=True)
    head_hash = models.CharField(_("last row hash"), max_length=64, blank=True)
    # the first row at which the chain no longer holds (an AuditEvent id; no FK: the row may
    # be the one that was deleted)
    broken_event_id = models.BigIntegerField(_("broken at audit row"), null=True, blank=True)
    broken_seq = models.BigIntegerField(_("broken at chain position"), null=True, blank=True)
    reason = models.CharField(
        _("reason"), max_length=16, choices=AuditChainBreak.choices, blank=True
    )

    class Meta:
        verbose_name = _("audit trail verification")
        verbose_name_plural = _("audit trail verifications")
        ordering = ["-verified_at", "-id"]

    def __str__(self) -> str:
        state = "intact" if self.intact else f"broken at row {self.broken_event_id}"
        return f"{self.verified_at:%Y-%m-%d %H:%M} {state}"
