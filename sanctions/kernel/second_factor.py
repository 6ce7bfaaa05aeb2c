"""Officials' second factor (django-otp): a TOTP device in an authenticator app, plus one-time
backup codes. Staff pages need a session verified by one of them (scs_portal.admin_site).

- Enrolment is the official's own act, right after their password: an unconfirmed TOTP
  device is made, its key shown once as an otpauth:// URI, and the first correct code from
  the app confirms it and issues the backup codes (shown once; stored only as keyed hashes).
- A lost device is reset by the operator or a supervisor of the official's authority, never
  by the official themself; the official then enrols again at their next login.

Wrong codes slow the device down (django-otp's throttling: 1, 2, 4 … seconds per device).
The throttle counter is written in its own transaction, so a refusal never rolls it back."""

from __future__ import annotations

import secrets
from base64 import b32encode

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django_otp import user_has_device
from django_otp.models import Device, VerifyNotAllowed
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from sanctions.kernel.audit import audit_log
from sanctions.kernel.errors import ApplicationError
from sanctions.kernel.roles import SUPERVISOR, Actor

TOTP_DEVICE_NAME = "authenticator app"
BACKUP_DEVICE_NAME = "backup codes"
# letters only, so a backup code is never mistaken for an app's six digits; no i, l, o
BACKUP_CODE_ALPHABET = "abcdefghjkmnpqrstuvwxyz"
BACKUP_CODE_LENGTH = 10  # 45 bits; stored as a keyed hash, single use, throttled
_BACKUP_SALT = "scs_portal.second_factor.backup_code"


def has_second_factor(user) -> bool:
    """The account has a confirmed device (app or backup codes)."""
    return user.is_authenticated and user_has_device(user, confirmed=True)


def enrolment_device(user) -> TOTPDevice | None:
    """The account's device waiting for its first code, if any."""
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("pk").first()


def backup_codes_left(user) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def secret_base32(device: TOTPDevice) -> str:
    """The key as an authenticator app asks for it typed in: base32, in groups of four."""
    text = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def normalise_code(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def _backup_digests(user, code: str) -> list[str]:
    """Keyed hashes of a backup code for this account under the current secret key and its
    fallbacks (a key rotation keeps unused codes working); 16 characters fit django-otp's
    token column."""
    message = f"{user.pk}:{normalise_code(code)}"
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return [
        salted_hmac(_BACKUP_SALT, message, secret=key, algorithm="sha256").hexdigest()[:16]
        for key in keys
    ]


def _new_backup_code() -> str:
    raw = "".join(secrets.choice(BACKUP_CODE_ALPHABET) for _ in range(BACKUP_CODE_LENGTH))
    return f"{raw[:5]}-{raw[5:]}"


def _throttled(device: Device) -> ApplicationError | None:
    """The refusal while the device waits after wrong codes (checked before trying a code:
    a code typed then is not even compared), else None."""
    allowed, why = device.verify_is_allowed()
    if allowed:
        return None
    if why and why.get("reason") == VerifyNotAllowed.N_FAILED_ATTEMPTS:
        seconds = max(1, int((why["locked_until"] - timezone.now()).total_seconds()) + 1)
        return ApplicationError(
            _("Too many wrong codes. Wait %(seconds)d seconds, then try again.")
            % {"seconds": seconds},
            code="throttled",
        )
    return _invalid_code()


def _invalid_code() -> ApplicationError:
    return ApplicationError(
        _("That code is not valid. Type the current code from your app, or a backup code."),
        code="invalid",
    )


def otp_enrolment_start(*, user) -> TOTPDevice:
    """The official's TOTP device waiting for its first code (made on first call, the same
    one afterwards, so reloading the page keeps the key the app already holds)."""
    if has_second_factor(user):
        raise ApplicationError(
            _(
                "This account already has a second factor. If it is lost, ask a supervisor of "
                "your authority or the operator to reset it."
            )
        )
    with transaction.atomic():
        device = enrolment_device(user)
        if device is None:
            device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


def otp_enrol_confirm(*, actor: Actor, user, token: str) -> tuple[TOTPDevice, list[str]]:
    """Confirm the waiting TOTP device with its first code and issue the backup codes.
    Returns the device and the codes in clear (shown once, never stored in clear)."""
    if actor is None or actor.pk != user.pk:
        raise ApplicationError(_("Only the official themself enrols their second factor."))
    codes: list[str] = []
    with transaction.atomic():
        device = (
            TOTPDevice.objects.select_for_update()
            .filter(user=user, confirmed=False)
            .order_by("pk")
            .first()
        )
        if has_second_factor(user) or device is None:
            raise ApplicationError(
                _("There is no enrolment waiting for this account. Start again from the login.")
            )
        refusal = _throttled(device) or (None if token.strip() else _invalid_code())
        verified = refusal is None and device.verify_token(normalise_code(token))
        if verified:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            TOTPDevice.objects.filter(user=user, confirmed=False).delete()
            StaticDevice.objects.filter(user=user).delete()
            backup = StaticDevice.objects.create(user=user, name=BACKUP_DEVICE_NAME)
            codes = [_new_backup_code() for _ in range(settings.SCS_OTP_BACKUP_CODES)]
            StaticToken.objects.bulk_create(
                StaticToken(device=backup, token=_backup_digests(user, code)[0]) for code in codes
            )
            audit_log(
                actor=actor,
                action="otp.enrol",
                obj=user,
                new={"device": "totp", "backup_codes": len(codes)},
            )
    if not verified:  # after the block: the failure counter it wrote stays committed
        raise refusal or _invalid_code()
    return device, codes


def otp_verify(*, user, token: str) -> Device:
    """The confirmed device that accepts `token` (app code or backup code). A backup code is
    used up and its use audited. Raises ApplicationError for a wrong or throttled code."""
    code = normalise_code(token)
    refusal: ApplicationError | None = None
    matched: Device | None = None
    with transaction.atomic():
        if code.isdigit():
            for device in (
                TOTPDevice.objects.devices_for_user(user, confirmed=True)
                .order_by("pk")
                .select_for_update()
            ):
                refusal = _throttled(device)
                if refusal is None and device.verify_token(code):
                    matched = device
                    break
        elif code:
            for device in (
                StaticDevice.objects.devices_for_user(user, confirmed=True)
                .order_by("pk")
                .select_for_update()
            ):
                refusal = _throttled(device)
                if refusal is not None:
                    continue
                digests = _backup_digests(user, code)
                stored = (
                    device.token_set.filter(token__in=digests)
                    .values_list("token", flat=True)
                    .first()
                )
                if device.verify_token(stored or digests[0]):
                    matched = device
                    audit_log(
                        actor=user,
                        action="otp.backup_code_used",
                        obj=user,
                        new={"backup_codes_left": device.token_set.count()},
                    )
                    break
    if matched is None:  # after the block: the failure counters it wrote stay committed
        raise refusal or _invalid_code()
    return matched


def may_reset_second_factor(actor: Actor, user) -> bool:
    """The operator (superuser) may reset anyone's; a supervisor, those of officials of
    their own authority (not a superuser's); nobody their own."""
    if actor is None or not actor.is_authenticated or not actor.is_active:
        return False
    if actor.pk == user.pk:
        return False
    if actor.is_superuser:
        return True
    if user.is_superuser or not actor.is_staff:
        return False
    if not actor.groups.filter(name=SUPERVISOR).exists():
        return False
    mine = getattr(actor, "official", None)
    theirs = getattr(user, "official", None)
    return mine is not None and theirs is not None and mine.authority_id == theirs.authority_id


def otp_reset(*, actor: Actor, user) -> int:
    """Remove every second-factor device of `user` (a lost phone): their sessions lose the
    second factor at once, and at their next login they enrol again (after their password).
    Returns how many devices were removed."""
    if actor is not None and actor.pk == user.pk:
        raise ApplicationError(
            _(
                "Nobody resets their own second factor: ask a supervisor of your authority or "
                "the operator."
            )
        )
    if not may_reset_second_factor(actor, user):
        raise ApplicationError(
            _(
                "Only the operator or a supervisor of the official's authority may reset the "
                "second factor of %(user)s."
            )
            % {"user": user.get_username()}
        )
    with transaction.atomic():
        removed = 0
        for model in (TOTPDevice, StaticDevice):
            devices = model.objects.filter(user=user)
            removed += devices.count()
            devices.delete()
        if removed == 0:
            raise ApplicationError(
                _("%(user)s has no second factor to reset.") % {"user": user.get_username()}
            )
        audit_log(actor=actor, action="otp.reset", obj=user, old={"devices": removed})
    return removed
