"""Demo data: realistic subjects and records, and demo accounts for every role.

    python manage.py seed_demo [--seed 2026] [--citizens 300] [--enterprises 80] [--records 600]
    python manage.py seed_demo --if-empty          # what `make run` calls: seeds once
    python manage.py seed_demo --bulk --subjects 1000000 --records 3000000   # benchmarks

The normal mode goes through the services (validated, audited). `--bulk` writes synthetic
benchmark data with PostgreSQL COPY: same validators and window rules, no audit rows (it is
not an action of any authority), refused unless DEBUG is on or `--force` is given.
"""

from __future__ import annotations

import datetime
import random
import time

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone
from tqdm import tqdm

from citizens.models import Citizen
from citizens.services import citizen_create, citizen_update
from enterprises.models import Enterprise
from enterprises.services import enterprise_create
from sanctions.casework.services.cases import (
    case_create,
    case_decide,
    case_serve_notice,
    case_submit,
    evidence_add,
)
from sanctions.casework.services.filings import objection_file, repair_apply
from sanctions.casework.services.listings import review_cases_open
from sanctions.kernel import rules
from sanctions.kernel.errors import ApplicationError
from sanctions.kernel.identifiers import identifier_hash, mask_identifier, validate_resident_id
from sanctions.kernel.pinyin import person_name_pinyin, text_pinyin
from sanctions.kernel.roles import AUDITOR, CLERK, REVIEWER, SUPERVISOR
from sanctions.models import (
    Authority,
    IntegrityRecord,
    JudicialGround,
    Official,
    RecordType,
    Score,
    ScoreHistory,
)
from sanctions.publication.services import publication_sweep
from sanctions.registry.services.records import record_create, record_serve_notice
from sanctions.scoring.services import score_recompute_inline
from scs_portal.demo import (
    BEIJING,
    DEMO_AUTHORITIES,
    DEMO_CITIZEN,
    DEMO_LEGAL_REP,
    DEMO_PASSWORD,
    DemoGenerator,
    decision_number,
    record_details,
)

DEMO_PDF = b"%PDF-1.4\n% demo evidence\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


class Command(BaseCommand):
    help = "Create demo subjects, records and accounts (deterministic with --seed)."

    def add_arguments(self, parser):
        parser.add_argument("--seed", type=int, default=2026)
        parser.add_argument("--citizens", type=int, default=300)
        parser.add_argument("--enterprises", type=int, default=80)
        parser.add_argument("--records", type=int, default=600)
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing if demo data already exists."
        )
        parser.add_argument("--bulk", action="store_true", help="COPY-based benchmark data.")
        parser.add_argument("--subjects", type=int, default=1_000_000, help="With --bulk.")
        parser.add_argument("--force", action="store_true", help="Allow with DEBUG off.")

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError(
                "seed_demo creates accounts with a published password; it runs only with "
                "DJANGO_DEBUG=true (or --force on a throwaway database)."
            )
        for name in ("citizens", "enterprises", "records", "subjects"):
            if options[name] < 0:
                raise CommandError(f"--{name} must not be negative")
        if options["bulk"]:
            self.bulk(options)
            return
        if options["if_empty"] and get_user_model().objects.filter(username="admin").exists():
            self._second_factors()  # a demo seeded before officials had a second factor
            self.stdout.write("Demo data already present; nothing to do.")
            return
        started = time.monotonic()
        self.seed(options)
        self.stdout.write(
            self.style.SUCCESS(f"Demo data created in {time.monotonic() - started:.1f}s.")
        )

    # --- normal demo, through the services ---------------------------------------------

    def seed(self, options) -> None:
        gen = DemoGenerator(options["seed"])
        today = timezone.localdate()
        admin = self._accounts()
        self._second_factors()
        citizens = [self._fixed_citizen(admin, *DEMO_CITIZEN, "citizen.demo")]
        legal_rep = self._fixed_citizen(admin, *DEMO_LEGAL_REP, "legalrep.demo")
        citizens.append(legal_rep)
        existing = set(Citizen.objects.values_list("resident_id", flat=True))
        index = 0
        for _ in tqdm(range(options["citizens"]), desc="citizens", disable=None):
            index += 1
            number = gen.resident_id(index)
            if number in existing:
                continue
            citizens.append(citizen_create(actor=admin, resident_id=number, name=gen.person_name()))
        adults = [c for c in citizens if c.age_on(today) >= 18]
        enterprises = []
        for i in range(2):
            enterprises.append(self._enterprise(admin, gen, 900_000 + i, legal_rep))
        for i in tqdm(range(options["enterprises"]), desc="enterprises", disable=None):
            enterprises.append(self._enterprise(admin, gen, i + 1, gen.rng.choice(adults)))
        enterprises = [e for e in enterprises if e is not None]
        self._records(admin, gen, today, citizens, enterprises, options["records"])
        self._casework(gen, today, citizens, enterprises)
        self._api_client(admin)
        # a year of score history, then scores now: "my record" has a score and its history
        # before the first nightly run
        self._score_history(today)

    def _score_history(self, today: datetime.date, months: int = 12) -> None:
        """What a year of nightly recomputes would have left: the project's recompute run as
        of the last day of each of the past `months` months (a history row only where a
        score changed, as every night), its rows dated that day (the run stamps them with
        the time it ran), then today's run, whose score is the history's last point."""
        for back in range(months, 0, -1):
            first_of_month = today.replace(day=1)
            for _ in range(back - 1):
                first_of_month = (first_of_month - datetime.timedelta(days=1)).replace(day=1)
            as_of = first_of_month - datetime.timedelta(days=1)
            run = score_recompute_inline(kind="full", as_of=as_of)
            night = timezone.make_aware(datetime.datetime.combine(as_of, datetime.time(23, 30)))
            for model in (ScoreHistory, Score):
                model.objects.filter(computed_at__gte=run.started_at).update(computed_at=night)
        score_recompute_inline(kind="full")

    def _api_client(self, admin) -> None:
        """The court's demo API client (docs/api.md); its key is printed."""
        from sanctions.agency.services.clients import api_client_create
        from sanctions.models import ApiClient
        from scs_portal.demo import demo_api_key

        key = demo_api_key()
        if not ApiClient.objects.filter(key_prefix=key.split("_")[1]).exists():
            api_client_create(
                actor=admin,
                name="Demo court case system",
                authority=Authority.objects.get(code=DEMO_AUTHORITIES["court"]),
                scopes=["records:write", "restrictions:read"],
                key=key,
            )
        self.stdout.write(f"Demo API key (court, demo only): {key}")

    def _accounts(self):
        User = get_user_model()  # noqa: N806
        admin, created = User.objects.get_or_create(
            username="admin", defaults={"is_staff": True, "is_superuser": True}
        )
        if created:
            admin.set_password(DEMO_PASSWORD)
            admin.save()
        for prefix, code in DEMO_AUTHORITIES.items():
            authority = Authority.objects.get(code=code)
            for role in (SUPERVISOR, REVIEWER, CLERK):
                user, created = User.objects.get_or_create(
                    username=f"{prefix}.{role}",
                    defaults={"is_staff": True, "first_name": role.title(), "last_name": prefix},
                )
                if created:
                    user.set_password(DEMO_PASSWORD)
                    user.save()
                user.groups.add(Group.objects.get(name=role))
                Official.objects.get_or_create(
                    user=user, defaults={"authority": authority, "title": role.title()}
                )
        # reads every authority's audit trail and access log, nothing else (docs/security.md)
        auditor, created = User.objects.get_or_create(
            username="court.auditor",
            defaults={"is_staff": True, "first_name": "Auditor", "last_name": "court"},
        )
        if created:
            auditor.set_password(DEMO_PASSWORD)
            auditor.save()
        auditor.groups.add(Group.objects.get(name=AUDITOR))
        Official.objects.get_or_create(
            user=auditor,
            defaults={"authority": Authority.objects.get(code=DEMO_AUTHORITIES["court"]),
                      "title": "Auditor"},
        )  # fmt: skip
        return admin

    def _second_factors(self) -> None:
        """With DEBUG on, each demo official without a second factor gets a confirmed TOTP
        device whose key is derived from the documented DEMO_OTP_SEED (scs_portal.demo), so
        the banner can print its otpauth:// URI. Never with DEBUG off (--force)."""
        if not settings.DEBUG:
            return
        from django_otp.plugins.otp_totp.models import TOTPDevice

        from sanctions.kernel.audit import audit_log
        from sanctions.kernel.second_factor import has_second_factor
        from scs_portal.demo import demo_otp_key, is_demo_official

        for user in get_user_model().objects.filter(is_staff=True).order_by("pk"):
            if not is_demo_official(user.username) or has_second_factor(user):
                continue
            with transaction.atomic():
                TOTPDevice.objects.create(user=user, name="demo phone", confirmed=True,
                                          key=demo_otp_key(user.username).hex())  # fmt: skip
                audit_log(actor=None, action="otp.enrol", obj=user,
                          new={"device": "totp", "demo": True})  # fmt: skip

    def _fixed_citizen(self, admin, resident_id: str, name: str, username: str) -> Citizen:
        User = get_user_model()  # noqa: N806
        citizen = Citizen.objects.filter(resident_id=resident_id).first()
        if citizen is None:
            citizen = citizen_create(actor=admin, resident_id=resident_id, name=name)
        user, created = User.objects.get_or_create(username=username)
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        if citizen.user_id != user.pk:
            citizen_update(actor=admin, citizen=citizen, name=citizen.name, email=citizen.email,
                           user=user)  # fmt: skip
        return citizen

    def _enterprise(self, admin, gen, index, legal_rep) -> Enterprise | None:
        """A Beijing enterprise (the demo's authorities are Beijing's), named after the city
        of the region in its credit code, which is its subject's region."""
        code = gen.credit_code(index, [r for r in gen.regions if r.startswith(BEIJING)])
        existing = Enterprise.objects.filter(credit_code=code).first()
        if existing:
            return existing
        return enterprise_create(
            actor=admin, credit_code=code, name=gen.company_name(code[2:8]),
            legal_representative=legal_rep,
        )  # fmt: skip

    def _records(self, admin, gen, today, citizens, enterprises, count) -> None:
        types = list(RecordType.objects.filter(is_active=True))
        authorities = {a.code: a for a in Authority.objects.all()}
        by_kind = {
            "person": [t for t in types if "person" in t.subject_kinds],
            "enterprise": [t for t in types if "enterprise" in t.subject_kinds],
        }
        # The two fixed demo subjects get records in every domain they can have.
        plan = [(citizens[0].subject, t) for t in by_kind["person"][::3]]
        plan += [(e.subject, t) for e in enterprises[:2] for t in by_kind["enterprise"][::4]]
        while len(plan) < count:
            subject = (
                gen.rng.choice(citizens).subject
                if gen.rng.random() < 0.6
                else gen.rng.choice(enterprises).subject
            )
            plan.append((subject, gen.rng.choice(by_kind[subject.kind])))
        serial = IntegrityRecord.objects.count() + 1
        for subject, record_type in tqdm(
            plan[:count] if count else [], desc="records", disable=None
        ):
            authority = authorities[_authority_for(record_type)]
            decided = gen.decision_date(today)
            ground = None
            if record_type.places_on_blacklist:
                ground = gen.rng.choice(JudicialGround.values)
            serial += 1
            try:
                record = record_create(
                    actor=admin,
                    subject=subject,
                    record_type=record_type,
                    authority=authority,
                    decision_number=decision_number(authority.code, decided.year, serial),
                    decision_date=decided,
                    facts="示例数据：演示用事实描述。",
                    # basis document; amount and obligation only where the type has them
                    **record_details(gen.rng, record_type.code, decided),
                    judicial_ground=ground,
                )
            except ApplicationError:
                continue  # e.g. a minor cannot be listed: the rule refused it, as it should
            if decided < today:
                record_serve_notice(
                    actor=admin, record=record, today=decided + datetime.timedelta(days=1)
                )
        # what the nightly sweep does: publish after the notice period, expire closed windows
        publication_sweep(today=today)
        review_cases_open(today=today)  # ground-1 listings older than two years: their reviews

    def _casework(self, gen, today, citizens, enterprises) -> None:
        """Open work for the demo officials: cases in every state, objections and a repair."""
        User = get_user_model()  # noqa: N806
        clerk = User.objects.get(username="court.clerk")
        reviewer = User.objects.get(username="court.reviewer")
        debtor_type = RecordType.objects.get(code="judicial-dishonest-debtor")
        adults = [c for c in citizens if c.age_on(today) >= 18]
        states = ["draft", "draft", "under_review", "under_review", "decided", "notified"]
        for index, target in enumerate(states):
            subject = gen.rng.choice(adults).subject
            case = case_create(
                actor=clerk, subject=subject, record_type=debtor_type,
                title=f"执行案件 {subject.display_name}",
                facts="被执行人有履行能力而拒不履行生效法律文书确定的给付义务。",
                judicial_ground=1 + index % 6,
                **record_details(gen.rng, debtor_type.code, today),
                due_date=today + datetime.timedelta(days=gen.rng.randint(-5, 20)),
            )  # fmt: skip
            if target == "draft":
                continue
            evidence_add(actor=clerk, case=case, uploaded=SimpleUploadedFile(
                "judgment.pdf", DEMO_PDF, content_type="application/pdf"))  # fmt: skip
            case_submit(actor=clerk, case=case)
            if target == "under_review":
                continue
            case_decide(actor=reviewer, case=case,
                        decision_number=f"({today.year})京0101执{9000 + index}号",
                        decision_date=today)  # fmt: skip
            if target == "notified":
                case_serve_notice(actor=clerk, case=case, today=today)
        active = IntegrityRecord.objects.filter(
            status="active", authority__code="bj-dongcheng-court"
        ).order_by("id")
        for record in active[:2]:
            objection_file(actor=clerk, record=record, today=today,
                           grounds="被执行人称已部分履行，金额有误。")  # fmt: skip
        amr = IntegrityRecord.objects.filter(
            status="active", authority__code="bj-dongcheng-amr", record_type__severity="general",
            decision_date__lte=today - datetime.timedelta(days=120),
        ).first()  # fmt: skip
        if amr is not None:
            repair_apply(actor=User.objects.get(username="admin"), record=amr, today=today,
                         grounds="已完成整改并通过复查。")  # fmt: skip

    # --- bulk benchmark data, COPY ----------------------------------------------------------

    def bulk(self, options) -> None:
        subjects_wanted = options["subjects"]
        records_wanted = options["records"] if options["records"] != 600 else subjects_wanted * 3
        gen = DemoGenerator(options["seed"])
        today = timezone.localdate()
        started = time.monotonic()
        types = list(RecordType.objects.filter(is_active=True))
        authorities = {a.code: a for a in Authority.objects.all()}
        with connection.cursor() as cursor:
            cursor.execute("SELECT coalesce(max(id), 0) FROM sanctions_subject")
            first_subject = cursor.fetchone()[0] + 1
            cursor.execute("SELECT count(*) FROM citizens_citizen")
            index_base = cursor.fetchone()[0] + 10_000_000
        enterprise_share = 10  # one in ten subjects is an enterprise
        now = timezone.now()
        subjects_rows, citizen_rows, enterprise_rows = [], [], []
        kinds: list[str] = []
        births: list[datetime.date | None] = []
        last_citizen_id = None
        last_citizen_name = ""
        pinyin_of: dict[str, str] = {}
        citizen_id = self._next_id("citizens_citizen")
        enterprise_id = self._next_id("enterprises_enterprise")
        for i in tqdm(range(subjects_wanted), desc="subjects", disable=None):
            subject_id = first_subject + i
            if i % enterprise_share == enterprise_share - 1 and last_citizen_id is not None:
                code = gen.credit_code(index_base + i)
                name = gen.company_name(code[2:8])
                subjects_rows.append(
                    (subject_id, "enterprise", name, text_pinyin(name), code[2:8],
                     mask_identifier(code), identifier_hash(code), None, "", "",
                     last_citizen_name, code, now, now)
                )  # fmt: skip
                enterprise_rows.append(
                    (enterprise_id, subject_id, code, name, last_citizen_id, "active", "", now)
                )
                enterprise_id += 1
                kinds.append("enterprise")
                births.append(None)
                continue
            number = gen.resident_id(index_base + i)
            # valid by construction (a demo region, a real birth date, the check digit): read
            # the fields as validate_resident_id would, without its region-table look-up,
            # which cost more than a third of the subjects' time; the first number of each
            # run is checked the full way
            if i == 0:
                validate_resident_id(number)
            birth_date = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
            sex, region_code = ("M" if int(number[16]) % 2 else "F"), number[:6]
            name = gen.person_name()
            if name not in pinyin_of:  # names repeat; the function's own cache is bounded
                pinyin_of[name] = person_name_pinyin(name)
            subjects_rows.append(
                (subject_id, "person", name, pinyin_of[name], region_code,
                 mask_identifier(number), identifier_hash(number), birth_date, "",
                 sex, "", "", now, now)
            )  # fmt: skip
            citizen_rows.append(
                (citizen_id, subject_id, number, name, birth_date, sex,
                 region_code, "", None, now)
            )  # fmt: skip
            last_citizen_id = citizen_id
            last_citizen_name = name
            citizen_id += 1
            kinds.append("person")
            births.append(birth_date)
        with transaction.atomic():
            self._copy(
                "sanctions_subject",
                ["id", "kind", "display_name", "name_pinyin", "region_code",
                 "masked_identifier", "identifier_hash", "birth_date", "contact_email", "sex",
                 "legal_rep_name", "public_code", "created_at", "updated_at"],
                subjects_rows,
            )  # fmt: skip
            self._copy(
                "citizens_citizen",
                ["id", "subject_id", "resident_id", "name", "birth_date", "sex", "region_code",
                 "email", "user_id", "created_at"],
                citizen_rows,
            )  # fmt: skip
            self._copy(
                "enterprises_enterprise",
                ["id", "subject_id", "credit_code", "name", "legal_representative_id",
                 "status", "address", "created_at"],
                enterprise_rows,
            )  # fmt: skip
        del subjects_rows, citizen_rows, enterprise_rows
        by_kind = {
            "person": [t for t in types if "person" in t.subject_kinds],
            "enterprise": [t for t in types if "enterprise" in t.subject_kinds],
        }
        record_rows = []
        serial = self._next_id("sanctions_integrityrecord")
        # its own sequence: the subjects and types drawn stay those of earlier runs
        details_rng = random.Random(options["seed"])
        notice_cutoff = today - datetime.timedelta(days=settings.SCS_NOTICE_PERIOD_DAYS)
        for _ in tqdm(range(records_wanted), desc="records", disable=None):
            offset = gen.rng.randrange(subjects_wanted)
            kind = kinds[offset]
            record_type = gen.rng.choice(by_kind[kind])
            decided = gen.decision_date(today)
            ground = gen.rng.randint(1, 6) if record_type.places_on_blacklist else None
            try:
                windows = rules.windows_for(
                    record_type,
                    subject_kind=kind,
                    birth_date=births[offset],
                    decision_date=decided,
                    judicial_ground=ground,
                )
            except ApplicationError:
                continue  # minors are never listed
            authority = authorities[_authority_for(record_type)]
            details = record_details(details_rng, record_type.code, decided)
            status = "active" if decided <= notice_cutoff else "pending_notice"
            if (
                windows.effective_until
                and windows.effective_until < today
                and (windows.publication_end is None or windows.publication_end < today)
            ):
                status = "expired" if status == "active" else status
            record_rows.append(
                (serial, first_subject + offset, record_type.id, authority.id,
                 decision_number(authority.code, decided.year, f"B{serial}"), decided,
                 record_type.legal_basis, "", details["amount"], details["obligation"], ground,
                 "unperformed", status,
                 windows.effective_from, windows.effective_until, windows.publication_start,
                 windows.publication_end, None, now, now, decided,
                 now if status == "active" and windows.publication_start else None, "", "",
                 details["basis_document"])
            )  # fmt: skip
            serial += 1
        with transaction.atomic():
            self._copy(
                "sanctions_integrityrecord",
                ["id", "subject_id", "record_type_id", "authority_id", "decision_number",
                 "decision_date", "legal_basis", "facts", "amount", "obligation",
                 "judicial_ground", "performance_status", "status", "effective_from",
                 "effective_until", "publication_start", "publication_end", "created_by_id",
                 "created_at", "updated_at", "notice_served_on", "published_at",
                 "removal_reason", "extension_reason", "basis_document"],
                record_rows,
            )  # fmt: skip
        for table in ("sanctions_subject", "citizens_citizen", "enterprises_enterprise",
                      "sanctions_integrityrecord"):  # fmt: skip
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # noqa: S608
                    f"(SELECT coalesce(max(id), 1) FROM {table}))"
                )
                cursor.execute(f"ANALYZE {table}")
        with connection.cursor() as cursor:  # the search tables the triggers filled
            cursor.execute("ANALYZE scs_public_name_char, scs_public_entry_name")
        self.stdout.write(
            self.style.SUCCESS(
                f"Bulk: {subjects_wanted} subjects and {len(record_rows)} records in "
                f"{time.monotonic() - started:.1f}s."
            )
        )

    def _next_id(self, table: str) -> int:
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}")  # noqa: S608
            return cursor.fetchone()[0]

    def _copy(self, table: str, columns: list[str], rows: list[tuple]) -> None:
        if not rows:
            return
        cursor = connection.cursor().cursor  # the psycopg cursor behind Django's wrapper
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in tqdm(rows, desc=f"COPY {table}", disable=None, leave=False):
                copy.write_row(row)


def _authority_for(record_type: RecordType) -> str:
    """Which seeded authority decides a record of this type in the demo."""
    code = record_type.code
    if code.startswith("judicial") or code == "government-contract-breach":
        return "bj-dongcheng-court"
    if "tax" in code:
        return "bj-dongcheng-tax"
    if code.startswith("commercial"):
        return "bj-dongcheng-amr"
    if "pollution" in code or "environmental" in code:
        return "bj-eco-env"
    if "traffic" in code or "driving" in code:
        return "bj-traffic-police"
    if "transport" in code:
        return "bj-transport"
    if "academic" in code or "exam" in code:
        return "bj-education"
    if "work-safety" in code:
        return "bj-emergency"
    if "volunteer" in code:
        return "bj-civil-affairs"
    if "blood" in code:
        return "bj-health-commission"
    return "bj-government"
