"""Identifiers: resident ID numbers (GB 11643), unified social credit codes (GB 32100),
masking for public display, keyed hashes for exact lookup, and names as stored.

Checksums come from python-stdnum; this module only adds the project's error messages and
the derived facts (birth date, sex, region code). Pinyin: `sanctions.kernel.pinyin`; region
names: `sanctions.kernel.regions`.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import CharField, Model
from django.utils.translation import gettext_lazy as _
from stdnum.cn import ric, uscc
from stdnum.exceptions import InvalidChecksum, InvalidComponent, InvalidFormat, InvalidLength

# GB 32100: positions 9-18 (and the registration authority / entity type in 1-2) use the
# 31-character alphabet without I, O, S, V, Z.
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"


@dataclass(frozen=True)
class ResidentIdInfo:
    number: str
    birth_date: datetime.date
    sex: str  # "M" or "F"
    region_code: str  # 6 digits, the administrative division at registration


def normalize_identifier(value: str) -> str:
    """Strip spaces and hyphens, upper-case (a trailing x is X)."""
    return "".join(str(value).split()).replace("-", "").upper()


def validate_resident_id(value: str) -> ResidentIdInfo:
    """Validate an 18-character resident ID number and derive birth date, sex and region.

    Raises ``ValidationError`` with a message that names what is wrong.
    """
    number = normalize_identifier(value)
    if len(number) != 18:
        raise ValidationError(
            _("A resident ID number has 18 characters; this one has %(count)d."),
            code="length",
            params={"count": len(number)},
        )
    if not number[:17].isdigit() or not (number[17].isdigit() or number[17] == "X"):
        raise ValidationError(
            _("A resident ID number is 17 digits followed by a digit or X."), code="format"
        )
    if ric.calc_check_digit(number) != number[17]:
        raise ValidationError(
            _("The check digit of this resident ID number is wrong; please check the number."),
            code="checksum",
        )
    try:
        birth_date = ric.get_birth_date(number)
    except InvalidComponent:
        raise ValidationError(
            _("The birth date in this resident ID number is not a real date."), code="birth_date"
        ) from None
    if birth_date > datetime.date.today() or birth_date.year < 1900:
        raise ValidationError(
            _("The birth date in this resident ID number is impossible."), code="birth_date"
        )
    try:
        ric.validate(number)
    except (InvalidComponent, InvalidFormat, InvalidLength, InvalidChecksum):
        raise ValidationError(
            _("The region code %(code)s in this resident ID number is unknown."),
            code="region",
            params={"code": number[:6]},
        ) from None
    sex = "M" if int(number[16]) % 2 else "F"
    return ResidentIdInfo(number=number, birth_date=birth_date, sex=sex, region_code=number[:6])


def is_valid_resident_id(value: str) -> bool:
    try:
        validate_resident_id(value)
    except ValidationError:
        return False
    return True


def validate_credit_code(value: str) -> str:
    """Validate an 18-character unified social credit code; return it normalised."""
    code = normalize_identifier(value)
    if len(code) != 18:
        raise ValidationError(
            _("A unified social credit code has 18 characters; this one has %(count)d."),
            code="length",
            params={"count": len(code)},
        )
    if any(char not in USCC_ALPHABET for char in code):
        raise ValidationError(
            _(
                "A unified social credit code uses only digits and the letters "
                "A-H, J-N, P, Q, R, T, U, W, X, Y."
            ),
            code="format",
        )
    if not code[2:8].isdigit():
        raise ValidationError(
            _("Characters 3 to 8 of a unified social credit code are the region code (digits)."),
            code="format",
        )
    if uscc.calc_check_digit(code) != code[17]:
        raise ValidationError(
            _("The check character of this unified social credit code is wrong."),
            code="checksum",
        )
    return code


def uscc_check_character(first17: str) -> str:
    return uscc.calc_check_digit(first17)


def ric_check_digit(first17: str) -> str:
    # stdnum's function expects the full number and ignores its last character
    return ric.calc_check_digit(first17 + "0")


def require_full_identifier(value: str) -> str:
    """The one check of a full ID number or credit code's shape (18 ASCII letters or digits
    once normalised) for lookups that do not know which of the two it is: the API, the
    public search, the admin's search. Returns it normalised; raises ``ValidationError``."""
    number = normalize_identifier(value or "")
    if len(number) != 18 or not (number.isascii() and number.isalnum()):
        raise ValidationError(
            _("Enter all 18 characters of the ID number or credit code."), code="identifier"
        )
    return number


def _meant_as_resident_id(number: str) -> bool:
    """Whether a number's first 17 characters are those of a resident ID number: digits that
    with their own check digit pass GB 11643 (a known region, a real birth date). Such a
    number is read as an ID number even when it happens to pass GB 32100 too (one check
    character in 31 does): a mistyped ID number must not pass as a credit code. A real credit
    code never reads so: its first two characters (registering body, entity type: 91, 92, 12,
    51 …) are never followed by a region and a birth date."""
    first17 = number[:17]
    if not (first17.isdigit() and (number[17].isdigit() or number[17] == "X")):
        return False
    return is_valid_resident_id(first17 + ric_check_digit(first17))


def _looks_like_resident_id(number: str) -> bool:
    """For the reason given when a number is neither: 17 digits (then a digit or X) whose
    characters 7-12 read as a birth year and month."""
    if not (number[:17].isdigit() and (number[17].isdigit() or number[17] == "X")):
        return False
    return 1800 <= int(number[6:10]) <= 2100 and 1 <= int(number[10:12]) <= 12


def require_valid_identifier(value: str) -> str:
    """`require_full_identifier`, then the number's own check: a resident ID number that
    passes GB 11643 (check digit, birth date, region) or a credit code that passes GB 32100.
    For lookups, where a mistyped number must get an error, never "not on the list". The
    messages never repeat the number (not even its region code). Returns it normalised."""
    number = require_full_identifier(value)
    try:
        validate_resident_id(number)
        return number
    except ValidationError as exc:
        reason = exc
    if not _meant_as_resident_id(number):
        try:
            return validate_credit_code(number)
        except ValidationError as exc:
            if not _looks_like_resident_id(number):
                reason = exc  # meant as a credit code: say what is wrong with it
    if reason.code == "region":  # its message names the region code
        reason = ValidationError(
            _("The region code in this resident ID number is unknown."), code="region"
        )
    raise ValidationError(
        [
            ValidationError(
                _("This is not a valid ID number or credit code: check it."),
                code="invalid_identifier",
            ),
            reason,
        ]
    )


def looks_like_identifier(value: str) -> bool:
    """`require_full_identifier` as a yes/no (the admin's search box)."""
    try:
        require_full_identifier(value)
    except ValidationError:
        return False
    return True


def mask_identifier(value: str) -> str:
    """Public display form: the first 4 and last 2 characters visible, the rest ``*``.

    For a resident ID this hides the county code's last digits and the whole birth date.
    """
    if len(value) <= 6:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 6) + value[-2:]


def identifier_hash(value: str, *, key: str | None = None) -> str:
    """Keyed hash (HMAC-SHA256, hex) of a normalised identifier, for exact lookup. Under
    `settings.SCS_IDENTIFIER_KEY` unless another `key` is given (re-keying compares both)."""
    secret = (settings.SCS_IDENTIFIER_KEY if key is None else key).encode()
    return hmac.new(secret, normalize_identifier(value).encode(), hashlib.sha256).hexdigest()


# Characters that render as nothing but are letters to Unicode (category Lo): the Hangul
# fillers. A "name" of them would pass a has-a-letter test while showing nothing.
_INVISIBLE_LETTERS = frozenset("\u115f\u1160\u3164\uffa0")


def normalize_name(value: str) -> str:
    """A name as stored and compared: format characters (zero-width spaces and joiners, the
    byte-order mark, bidirectional controls: Unicode category Cf), control characters (Cc)
    and invisible fillers removed; runs of whitespace (any Unicode space) made one space."""
    kept = "".join(
        char
        for char in str(value or "")
        if unicodedata.category(char) not in ("Cf", "Cc") or char in "\t\n\r"
        if char not in _INVISIBLE_LETTERS
    )
    return " ".join(kept.split())


def char_max_length(model: type[Model], field_name: str) -> int:
    """The `max_length` of one of the model's CharFields: what `clean_name` and import rows
    check a name against before the database would refuse it."""
    field = model._meta.get_field(field_name)
    if not isinstance(field, CharField) or field.max_length is None:
        raise TypeError(f"{model.__name__}.{field_name} is not a CharField with a max_length")
    return field.max_length


def clean_name(value: str, *, max_length: int) -> str:
    """`normalize_name`, refused (ValidationError, code "invisible" / "required" / "length")
    unless what remains has a visible letter (Unicode category L*: Han characters, Latin…)
    and fits `max_length`. A name of dots, digits, symbols or invisible characters names no
    one and would make an empty or unreadable public entry."""
    name = normalize_name(value)
    if not "".join(str(value or "").split()):
        raise ValidationError(_("The name is required."), code="required")
    if not any(unicodedata.category(char).startswith("L") for char in name):
        raise ValidationError(
            _("A name needs at least one visible letter (Chinese characters or letters)."),
            code="invisible",
        )
    if len(name) > max_length:
        raise ValidationError(
            _("The name is too long (%(max)d characters at most)."),
            code="length",
            params={"max": max_length},
        )
    return name
