from __future__ import annotations

import datetime
import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from citizens.models import ActivationCode, Citizen
from sanctions.errors import ApplicationError
from sanctions.identifiers import (
    ResidentIdInfo,
    identifier_hash,
    normalize_identifier,
    person_name_pinyin,
    validate_resident_id,
)
from sanctions.models import NoticeKind, Subject, SubjectKind
from sanctions.services import Actor, audit_log, subject_create
from sanctions.services.casework import notice_issue

UNCHANGED = object()


def _clean_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ApplicationError({"name": _("The name is required.")})
    if len(name) > 100:
        raise ApplicationError({"name": _("The name is too long (100 characters at most).")})
    return name


def citizen_validate_new(*, resident_id: str) -> ResidentIdInfo:
    """The checks a new registration must pass (forms call it for field errors)."""
    try:
        info = validate_resident_id(resident_id)
    except ValidationError as exc:
        raise ApplicationError({"resident_id": exc.messages}) from None
    if Citizen.objects.filter(resident_id=info.number).exists():
        raise ApplicationError(
            {"resident_id": _("A citizen with this resident ID number is already registered.")}
        )
    return info


def citizen_create(*, actor: Actor, resident_id: str, name: str, email: str = "") -> Citizen:
    """Register a citizen: validates the ID number (GB 11643) and derives birth date, sex and
    region from it; creates the Subject; audits. All or nothing."""
    info = citizen_validate_new(resident_id=resident_id)
    name = _clean_name(name)
    try:
        with transaction.atomic():
            subject = subject_create(
                kind=SubjectKind.PERSON,
                identifier=info.number,
                display_name=name,
                name_pinyin=person_name_pinyin(name),
                region_code=info.region_code,
                birth_date=info.birth_date,
                contact_email=email,
                sex=info.sex,
            )
            citizen = Citizen.objects.create(
                subject=subject,
                resident_id=info.number,
                name=name,
                birth_date=info.birth_date,
                sex=info.sex,
                region_code=info.region_code,
                email=email,
            )
            audit_log(
                actor=actor,
                action="citizen.create",
                obj=citizen,
                subject=subject,
                new={"name": name, "masked_id": subject.masked_identifier},
            )
    except IntegrityError:
        # a concurrent registration of the same number won the race
        raise ApplicationError(
            {"resident_id": _("A citizen with this resident ID number is already registered.")}
        ) from None
    return citizen


@transaction.atomic
def citizen_update(
    *, actor: Actor, citizen: Citizen, name: str, email: str, user: Any = UNCHANGED
) -> Citizen:
    """Change a citizen's name, notice address or linked account (the ID number never
    changes). Reads the stored row under a lock, so `old` is what the database held."""
    name = _clean_name(name)
    citizen = Citizen.objects.select_for_update().get(pk=citizen.pk)
    old = {"name": citizen.name, "email": citizen.email, "user": citizen.user_id}
    citizen.name = name
    citizen.email = email
    if user is not UNCHANGED:
        if user is not None and (user.is_staff or user.is_superuser):
            # the portal account opens with letters and resets by e-mail: never an official's
            raise ApplicationError(
                {"user": _("An official's account cannot be a citizen's portal account.")}
            )
        citizen.user = user
    citizen.save(update_fields=["name", "email", "user"])
    subject = citizen.subject
    subject.display_name = name
    subject.name_pinyin = person_name_pinyin(name)
    subject.contact_email = email
    subject.save(update_fields=["display_name", "name_pinyin", "contact_email", "updated_at"])
    # enterprises show their legal representative's name publicly (reverse accessor of
    # enterprises.Enterprise; citizens does not import that app)
    Subject.objects.filter(enterprise__legal_representative=citizen).update(legal_rep_name=name)
    audit_log(
        actor=actor,
        action="citizen.update",
        obj=citizen,
        subject=subject,
        old=old,
        new={"name": name, "email": email, "user": citizen.user_id},
    )
    return citizen


# --- portal accounts ---------------------------------------------------------------------

# No 0/O, 1/I/L, 2/Z, 5/S, 8/B: a code read off a letter is typed without guessing.
CODE_ALPHABET = "34679ACDEFGHJKMNPQRTUVWXY"
CODE_LENGTH = 12  # 25**12 ≈ 2**55


def _code_hash(code: str) -> str:
    return salted_hmac("scs.activation-code", code, algorithm="sha256").hexdigest()


def normalize_code(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def format_code(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


@transaction.atomic
def activation_code_issue(
    *, actor: Actor, citizen: Citizen, today: datetime.date | None = None
) -> tuple[ActivationCode, str]:
    """Issue a one-time activation code and send the letter (a Notice). Earlier unused codes
    of the citizen stop working. Returns the row and the code, which is never stored: the
    caller shows it once so the letter can be printed and posted."""
    # the officials who keep citizens' details (clerks; the operator): a code opens an account
    if not (
        actor
        and actor.is_authenticated
        and actor.is_staff
        and actor.has_perm("citizens.change_citizen")
    ):
        raise ApplicationError(
            _("Only officials who keep citizens' details issue activation codes."),
            code="forbidden",
        )
    citizen = Citizen.objects.select_for_update().get(pk=citizen.pk)
    now = timezone.now()
    revoked = ActivationCode.objects.filter(citizen=citizen, used_at=None, revoked_at=None).update(
        revoked_at=now
    )
    code = "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))
    expires_at = now + datetime.timedelta(days=settings.SCS_ACTIVATION_CODE_DAYS)
    row = ActivationCode.objects.create(
        citizen=citizen, code_hash=_code_hash(code), hint=code[-4:], issued_by=actor,
        expires_at=expires_at,
    )  # fmt: skip
    audit_log(
        actor=actor,
        action="citizen.activation_code_issue",
        obj=row,
        subject=citizen.subject,
        new={"expires_at": expires_at, "hint": row.hint, "earlier_codes_revoked": revoked},
    )
    # The stored letter shows only the last characters: officials who can read notices must
    # not be able to open the account. The posted (and e-mailed) letter carries the code.
    body = _(
        "Your one-time activation code for the citizen portal: %(code)s. Go to the portal, "
        "choose “Activate account”, and enter your ID number, your name and this code. It "
        "works once and expires on %(date)s. If you did not ask for it, contact the issuing "
        "office."
    )
    expires_on = timezone.localtime(expires_at).date().isoformat()
    notice_issue(
        subject=citizen.subject, kind=NoticeKind.ACCOUNT, title=_("Your portal activation code"),
        body=body % {"code": "••••-••••-" + code[-4:], "date": expires_on}, today=today,
        email_body=body % {"code": format_code(code), "date": expires_on},
    )  # fmt: skip
    return row, format_code(code)


ACTIVATION_REFUSED = gettext_lazy(
    "These details do not match a valid activation code. Check the ID number, the name as "
    "printed on the letter and the code, or ask the issuing office for a new code."
)


def _matching_code(resident_id: str, name: str, code: str) -> ActivationCode | None:
    code = normalize_code(code)
    citizen = (
        Citizen.objects.select_related("subject")
        .filter(subject__identifier_hash=identifier_hash(resident_id or ""))
        .first()
    )
    digest = _code_hash(code)
    if citizen is None or " ".join((name or "").split()) != citizen.name:
        return None
    now = timezone.now()
    for row in ActivationCode.objects.select_for_update().filter(
        citizen=citizen, used_at=None, revoked_at=None, expires_at__gt=now
    ):
        if constant_time_compare(row.code_hash, digest):
            return row
    return None


@transaction.atomic
def account_activate(*, resident_id: str, name: str, code: str, password: str) -> Any:
    """Open the citizen's portal account (or set a new password on it) with a code from a
    letter. Any wrong part gives the same answer, so nothing tells which part was wrong."""
    row = _matching_code(resident_id, name, code)
    if row is None:
        raise ApplicationError(ACTIVATION_REFUSED, code="activation_refused")
    citizen = Citizen.objects.select_for_update().get(pk=row.citizen_id)
    if citizen.user is not None and (citizen.user.is_staff or citizen.user.is_superuser):
        raise ApplicationError(ACTIVATION_REFUSED, code="activation_refused")
    user_model = get_user_model()
    user = citizen.user or user_model(
        username=f"citizen-{citizen.pk}", first_name=citizen.name[:150], email=citizen.email
    )
    try:
        password_validation.validate_password(password, user)
    except ValidationError as exc:
        raise ApplicationError({"password": exc.messages}) from None
    created = user.pk is None
    user.set_password(password)
    user.is_active = True
    user.save()
    row.used_at = timezone.now()
    row.save(update_fields=["used_at"])
    if created:
        citizen.user = user
        citizen.save(update_fields=["user"])
    audit_log(actor=user, action="citizen.account_activate", obj=citizen, subject=citizen.subject,
              new={"user": user.pk, "new_account": created, "code": row.hint})  # fmt: skip
    return user


def login_username_for(resident_id: str) -> str:
    """The account name to authenticate for a resident ID number typed at the login. The
    number itself is never an account name or a log entry; an unknown number gets a stand-in
    derived from it, so its failures are counted (and locked out) all the same."""
    try:
        number = validate_resident_id(resident_id).number
    except ValidationError:
        number = normalize_identifier(resident_id or "")
    else:
        username = (
            Citizen.objects.filter(subject__identifier_hash=identifier_hash(number))
            .exclude(user=None)
            .values_list("user__username", flat=True)
            .first()
        )
        if username:
            return username
    return "unknown-" + hashlib.sha256(number.encode()).hexdigest()[:16]


def citizen_subject_resolve(
    *, actor: Actor, identifier: str, name: str, legal_representative: Any = None
) -> Subject:
    """The Subject of the citizen with this resident ID number, registering the citizen
    when unknown (agency submissions; named in settings.SCS_SUBJECT_RESOLVERS). A name that
    differs from the registered one is refused: it usually means a mistyped number. A
    person has no legal representative: one sent along is refused, not ignored."""
    try:
        info = validate_resident_id(identifier)
    except ValidationError as exc:
        raise ApplicationError({"identifier": exc.messages}) from None
    if legal_representative:
        raise ApplicationError({"legal_representative": _("Only enterprises have one.")})
    citizen = Citizen.objects.select_related("subject").filter(resident_id=info.number).first()
    if citizen is None:
        try:
            return citizen_create(actor=actor, resident_id=info.number, name=name).subject
        except ValidationError as exc:
            raise ApplicationError(
                {
                    ("identifier" if k == "resident_id" else k): v
                    for k, v in exc.message_dict.items()
                }  # fmt: skip
            ) from None
    if name and " ".join(name.split()) != citizen.name:
        raise ApplicationError(
            {"name": _("The name does not match the name registered for this ID number.")}
        )
    return citizen.subject


def portal_accounts() -> Any:
    """Accounts the citizen portal may reset by e-mail: citizens' own, never an official's."""
    return get_user_model().objects.filter(
        is_active=True, is_staff=False, is_superuser=False, citizen__isnull=False
    )


@transaction.atomic
def account_password_audit(*, user: Any, how: str) -> None:
    """Audit a citizen's password set through the portal (`how`: "change" or "reset"),
    in the transaction that saved it."""
    citizen = Citizen.objects.filter(user=user).select_related("subject").first()
    audit_log(
        actor=user, action=f"citizen.password_{how}", obj=citizen or user,
        subject=citizen.subject if citizen else None, new={"user": user.pk},
    )  # fmt: skip
