from __future__ import annotations

import datetime
import secrets
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from citizens import selectors
from citizens.models import (
    ActivationCode,
    ActivationCodeRequest,
    ActivationRequestState,
    Citizen,
)
from sanctions.kernel.audit import audit_log
from sanctions.kernel.errors import ApplicationError
from sanctions.kernel.identifiers import (
    ResidentIdInfo,
    char_max_length,
    clean_name,
    identifier_hash,
    normalize_identifier,
    normalize_name,
    validate_resident_id,
)
from sanctions.kernel.pinyin import person_name_pinyin
from sanctions.kernel.roles import Actor
from sanctions.models import Authority, NoticeKind, Subject, SubjectKind
from sanctions.registry.services.notices import letter_language, notice_issue
from sanctions.registry.services.subjects import subject_create

UNCHANGED = object()


def _clean_name(name: str) -> str:
    """Visible letters required; invisible and control characters dropped (identifiers)."""
    try:
        return clean_name(name, max_length=char_max_length(Citizen, "name"))
    except ValidationError as exc:
        raise ApplicationError({"name": exc.messages}) from None


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


REGISTER_ENTRY_NOT_ON_FILE = gettext_lazy(
    "Only an authority that holds a case or a record about them corrects this entry."
)


@transaction.atomic
def citizen_update(
    *, actor: Actor, citizen: Citizen, name: str, email: str, user: Any = UNCHANGED
) -> Citizen:
    """Change a citizen's name, notice address or linked account (the ID number never
    changes). Reads the stored row under a lock, so `old` is what the database held."""
    name = _clean_name(name)
    citizen = Citizen.objects.select_for_update().get(pk=citizen.pk)
    if not selectors.may_correct_register_entry(actor, citizen.subject_id):
        raise ApplicationError(REGISTER_ENTRY_NOT_ON_FILE, code="not_on_file")
    old = {"name": citizen.name, "email": citizen.email, "user": citizen.user_id}
    citizen.name = name
    citizen.email = email
    if user is not UNCHANGED:
        if user is not None and (user.is_staff or user.is_superuser):
            # the portal account opens with letters and resets by e-mail: never an official's
            raise ApplicationError(
                {"user": _("An official's account cannot be a citizen's portal account.")}
            )
        if getattr(user, "pk", None) != citizen.user_id and not (
            actor is not None and actor.is_authenticated and actor.is_superuser
        ):
            # linking an account hands it the citizen's record; unlinking locks them out
            raise ApplicationError(
                {"user": _("Only the operator links or unlinks a citizen's portal account.")}
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
# a request for a code (citizen with an account) waits this long for its second official
ACTIVATION_REQUEST_DAYS = 7


def _code_hash(code: str) -> str:
    return salted_hmac("scs.activation-code", code, algorithm="sha256").hexdigest()


def normalize_code(code: str) -> str:
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def format_code(code: str) -> str:
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def activation_code_refusal(*, actor: Actor, citizen: Citizen) -> str | None:
    """Why `actor` may not issue (or ask for, or approve) an activation code for this
    citizen; None if they may. A code opens the citizen's account, so: an official who keeps
    citizens' details (clerks), of an authority that holds a record or a case about the
    citizen (for a supervisor also the bodies below theirs), or the operator."""
    if not (
        actor
        and actor.is_authenticated
        and actor.is_active
        and actor.is_staff
        and actor.has_perm("citizens.change_citizen")
    ):
        return _("Only officials who keep citizens' details issue activation codes.")
    if actor.is_superuser or selectors.citizen_on_file_with(actor, citizen):
        return None
    return _(
        "Only an authority that holds a record or a case about this citizen (or the operator) "
        "issues their activation code."
    )


def _check_may_issue(actor: Actor, citizen: Citizen) -> User:
    """Refuse who may not issue the citizen's code; returns the actor, who is a user."""
    refusal = activation_code_refusal(actor=actor, citizen=citizen)
    if refusal:
        raise ApplicationError(refusal, code="forbidden")
    assert actor is not None  # activation_code_refusal refused the system
    return actor


def _issue(
    *, actor: User, citizen: Citizen, approved_by: Actor = None, today: datetime.date | None
) -> tuple[ActivationCode, str | None]:
    """Make a new code (earlier unused ones stop working) and send it; inside the caller's
    transaction, with the citizen row locked. The code is returned only for a letter."""
    now = timezone.now()
    revoked = ActivationCode.objects.filter(citizen=citizen, used_at=None, revoked_at=None).update(
        revoked_at=now
    )
    code = "".join(secrets.choice(CODE_ALPHABET) for _i in range(CODE_LENGTH))
    expires_at = now + datetime.timedelta(days=settings.SCS_ACTIVATION_CODE_DAYS)
    row = ActivationCode.objects.create(
        citizen=citizen, code_hash=_code_hash(code), hint=code[-4:], issued_by=actor,
        approved_by=approved_by, expires_at=expires_at,
    )  # fmt: skip
    emailed = bool(citizen.subject.contact_email)
    audit_log(
        actor=actor,
        action="citizen.activation_code_issue",
        obj=row,
        subject=citizen.subject,
        new={
            "expires_at": expires_at, "hint": row.hint, "earlier_codes_revoked": revoked,
            "existing_account": citizen.user_id is not None,
            "approved_by": approved_by.pk if approved_by else None,
            "delivery": "email" if emailed else "letter",
        },
    )  # fmt: skip
    # The stored letter shows only the last characters: officials who can read notices must
    # not be able to open the account. The posted (and e-mailed) letter carries the code.
    # Written in the portal's language, whoever's screen caused it.
    with letter_language():
        body = _(
            "Your one-time activation code for the citizen portal: %(code)s. Go to the portal, "
            "choose “Activate account”, and enter your ID number, your name and this code. It "
            "works once and expires on %(date)s. If you did not ask for it, contact the "
            "issuing office."
        )
        title = _("Your portal activation code")
    expires_on = timezone.localtime(expires_at).date().isoformat()
    notice_issue(
        subject=citizen.subject, kind=NoticeKind.ACCOUNT, title=title,
        body=body % {"code": "••••-••••-" + code[-4:], "date": expires_on}, today=today,
        email_body=body % {"code": format_code(code), "date": expires_on},
    )  # fmt: skip
    # e-mailed: nobody in the office sees the code (it goes to the citizen's address only)
    return row, None if emailed else format_code(code)


@transaction.atomic
def activation_code_issue(
    *, actor: Actor, citizen: Citizen, today: datetime.date | None = None
) -> tuple[ActivationCode, str | None]:
    """Issue a one-time activation code to a citizen who has no portal account yet, and
    send it: by e-mail when the citizen has an address for notices (then the code is not
    returned: the official never sees it), else by letter (a Notice): the code is returned
    once so the letter can be completed and posted. Earlier unused codes stop working.

    A citizen who already has an account: the code would reset its password, so it takes
    two officials (`activation_code_request`, then `activation_code_approve`)."""
    actor = _check_may_issue(actor, citizen)
    citizen = Citizen.objects.select_for_update().select_related("subject").get(pk=citizen.pk)
    if citizen.user_id is not None:
        raise ApplicationError(
            _(
                "This citizen already has a portal account: a new code resets its password, "
                "so a second official must approve it. Request the code instead."
            ),
            code="second_official_required",
        )
    return _issue(actor=actor, citizen=citizen, today=today)


@transaction.atomic
def activation_code_request(
    *, actor: Actor, citizen: Citizen, reason: str
) -> ActivationCodeRequest:
    """Ask for an activation code for a citizen who has a portal account (it would reset
    the password): a different official of the same authority approves it. The address it
    will go to is fixed now; the request is audited."""
    actor = _check_may_issue(actor, citizen)
    reason = " ".join((reason or "").split())
    if not reason:
        raise ApplicationError({"reason": _("Say why the citizen needs a new code.")})
    citizen = Citizen.objects.select_for_update().select_related("subject").get(pk=citizen.pk)
    if citizen.user_id is None:
        raise ApplicationError(
            _("This citizen has no portal account yet: issue the code directly."),
            code="no_account",
        )
    if selectors.pending_activation_request(citizen) is not None:
        raise ApplicationError(
            _("A request for this citizen is already waiting for a second official."),
            code="pending",
        )
    request = ActivationCodeRequest.objects.create(
        citizen=citizen, authority=_authority_of(actor), requested_by=actor, reason=reason,
        email=citizen.subject.contact_email,
    )  # fmt: skip
    audit_log(
        actor=actor, action="citizen.activation_code_request", obj=request,
        subject=citizen.subject,
        new={"reason": reason, "delivery": "email" if request.email else "letter",
             "authority": request.authority.code if request.authority else None},
    )  # fmt: skip
    return request


def _authority_of(user: Actor) -> Authority | None:
    official = getattr(user, "official", None)
    return official.authority if official is not None else None


def _locked_pending(request: ActivationCodeRequest) -> ActivationCodeRequest:
    request = (
        ActivationCodeRequest.objects.select_for_update(of=("self",))
        .select_related("citizen__subject", "authority")
        .get(pk=request.pk)
    )
    if request.state != ActivationRequestState.PENDING:
        raise ApplicationError(_("This request has already been decided."), code="decided")
    return request


@transaction.atomic
def activation_code_approve(
    *, actor: Actor, request: ActivationCodeRequest, today: datetime.date | None = None
) -> tuple[ActivationCode, str | None]:
    """The second official approves a request and the code is issued (delivered as by
    `activation_code_issue`; a letter's code is shown to the approver, never to the one who
    asked). Refused: the requester themselves, an official of another authority, a request
    older than ACTIVATION_REQUEST_DAYS, and one whose address changed since it was made."""
    request = _locked_pending(request)
    citizen = (
        Citizen.objects.select_for_update().select_related("subject").get(pk=request.citizen_id)
    )
    if actor is not None and actor.pk == request.requested_by_id:
        raise ApplicationError(
            _("Four-eyes rule: a second official must approve the code you asked for."),
            code="four_eyes",
        )
    actor = _check_may_issue(actor, citizen)
    if not actor.is_superuser and (
        request.authority_id is None or _authority_of(actor) != request.authority
    ):
        raise ApplicationError(
            _("An official of the requesting authority (or the operator) approves it."),
            code="forbidden",
        )
    if request.requested_at < timezone.now() - datetime.timedelta(days=ACTIVATION_REQUEST_DAYS):
        raise ApplicationError(
            _("This request is more than %(days)d days old: ask again.")
            % {"days": ACTIVATION_REQUEST_DAYS},
            code="stale",
        )
    if citizen.subject.contact_email != request.email:
        raise ApplicationError(
            _("The citizen's e-mail address changed after the request: ask again."),
            code="address_changed",
        )
    row, code = _issue(actor=actor, citizen=citizen, approved_by=actor, today=today)
    request.state = ActivationRequestState.APPROVED
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.code = row
    request.save(update_fields=["state", "decided_by", "decided_at", "code"])
    audit_log(
        actor=actor, action="citizen.activation_code_approve", obj=request,
        subject=citizen.subject,
        new={"requested_by": request.requested_by_id, "code": row.hint},
    )  # fmt: skip
    return row, code


@transaction.atomic
def activation_code_request_refuse(
    *, actor: Actor, request: ActivationCodeRequest
) -> ActivationCodeRequest:
    """Refuse (or, by the one who asked, withdraw) a pending request; audited."""
    request = _locked_pending(request)
    if actor is None or actor.pk != request.requested_by_id:
        _check_may_issue(actor, request.citizen)
    request.state = ActivationRequestState.REFUSED
    request.decided_by = actor
    request.decided_at = timezone.now()
    request.save(update_fields=["state", "decided_by", "decided_at"])
    audit_log(
        actor=actor, action="citizen.activation_code_refuse", obj=request,
        subject=request.citizen.subject, new={"requested_by": request.requested_by_id},
    )  # fmt: skip
    return request


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
    if citizen is None or normalize_name(name) != citizen.name:
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
    if citizen.user is not None and row.approved_by_id is None:
        # issued while the citizen had no account (one official alone): it opens an
        # account, never resets one that exists by now
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
    # keyed (identifier_hash): an unkeyed hash of an 18-digit number is reversed by brute force
    return "unknown-" + identifier_hash(number)[:24]


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
    registered = Citizen.objects.select_related("subject").filter(resident_id=info.number)
    citizen = registered.first()
    if citizen is None:
        try:
            return citizen_create(actor=actor, resident_id=info.number, name=name).subject
        except ValidationError as exc:
            # a concurrent registration of the same number (another agency's submission, an
            # import's chunk) committed first: go on with that citizen (issue 14, fault 4)
            citizen = registered.first()
            if citizen is None:
                raise ApplicationError(
                    {
                        ("identifier" if k == "resident_id" else k): v
                        for k, v in exc.message_dict.items()
                    }  # fmt: skip
                ) from None
    if name and normalize_name(name) != citizen.name:
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
