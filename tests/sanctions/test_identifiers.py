import datetime

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from sanctions.kernel.identifiers import (
    USCC_ALPHABET,
    mask_identifier,
    require_full_identifier,
    validate_credit_code,
    validate_resident_id,
)
from sanctions.kernel.pinyin import compact_pinyin, person_name_pinyin, text_pinyin
from scs_portal.demo import valid_regions

# Independent implementations of the two check characters, straight from the standards,
# so the tests do not just compare the library with itself.


def iso7064_mod11_2(first17: str) -> str:
    """GB 11643 / ISO 7064 MOD 11-2."""
    weights = [2 ** (17 - i) % 11 for i in range(17)]
    total = sum(int(d) * w for d, w in zip(first17, weights, strict=True))
    value = (12 - total % 11) % 11
    return "X" if value == 10 else str(value)


def gb32100(first17: str) -> str:
    weights = [3**i % 31 for i in range(17)]
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, weights, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


birth_dates = st.dates(min_value=datetime.date(1950, 1, 1), max_value=datetime.date(2014, 12, 31))
ric_bodies = st.builds(
    lambda region, birth, seq: f"{region}{birth:%Y%m%d}{seq:03d}",
    st.sampled_from(valid_regions()),
    birth_dates,
    st.integers(0, 999),
)


@settings(max_examples=400)
@given(body=ric_bodies, check=st.sampled_from("0123456789X"))
def test_resident_id_accepted_exactly_when_check_digit_is_right(body, check):
    number = body + check
    if check == iso7064_mod11_2(body):
        info = validate_resident_id(number)
        assert info.number == number
        assert info.birth_date == datetime.date(int(body[6:10]), int(body[10:12]), int(body[12:14]))
        assert info.sex == ("M" if int(body[16]) % 2 else "F")
        assert info.region_code == body[:6]
    else:
        with pytest.raises(ValidationError) as excinfo:
            validate_resident_id(number)
        assert excinfo.value.code == "checksum"


@settings(max_examples=300)
@given(st.text(alphabet="0123456789Xx", min_size=0, max_size=20))
def test_resident_id_never_accepts_a_wrong_check_digit(text):
    try:
        info = validate_resident_id(text)
    except ValidationError:
        return
    assert len(info.number) == 18
    assert info.number[17] == iso7064_mod11_2(info.number[:17])


uscc_bodies = st.builds(
    lambda head, region, org: head + region + org,
    st.text(alphabet=USCC_ALPHABET, min_size=2, max_size=2),
    st.text(alphabet="0123456789", min_size=6, max_size=6),
    st.text(alphabet=USCC_ALPHABET, min_size=9, max_size=9),
)


@settings(max_examples=400)
@given(body=uscc_bodies, check=st.sampled_from(USCC_ALPHABET))
def test_credit_code_accepted_exactly_when_check_character_is_right(body, check):
    code = body + check
    if check == gb32100(body):
        assert validate_credit_code(code) == code
        assert validate_credit_code(code.lower()) == code
    else:
        with pytest.raises(ValidationError) as excinfo:
            validate_credit_code(code)
        assert excinfo.value.code == "checksum"


@settings(max_examples=300)
@given(st.text(min_size=0, max_size=20))
def test_credit_code_never_accepts_wrong_alphabet_or_check(text):
    try:
        code = validate_credit_code(text)
    except ValidationError:
        return
    assert len(code) == 18 and set(code) <= set(USCC_ALPHABET)
    assert code[17] == gb32100(code[:17])


@settings(max_examples=300)
@given(body=ric_bodies)
def test_mask_never_reveals_birth_date_digits(body):
    number = body + iso7064_mod11_2(body)
    masked = mask_identifier(number)
    assert len(masked) == 18
    assert masked[:4] == number[:4] and masked[-2:] == number[-2:]
    assert masked[4:16] == "*" * 12
    assert number[6:14] not in masked


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("11010119900307123", "length"),
        ("1101011990030712345", "length"),
        ("11010119900307A233", "format"),
        ("110101199003071234", "checksum"),
        # 30 February, with a correct check digit
        ("11010119900230" + "123", "birth_date"),
        # a birth date in the future
        ("11010120990101" + "123", "birth_date"),
        # region 000000 does not exist
        ("00000019900307" + "123", "region"),
    ],
)
def test_resident_id_errors_name_the_problem(value, code):
    if len(value) == 17 and code != "length":
        value += iso7064_mod11_2(value)
    with pytest.raises(ValidationError) as excinfo:
        validate_resident_id(value)
    assert excinfo.value.code == code


def test_credit_code_errors_name_the_problem():
    with pytest.raises(ValidationError) as excinfo:
        validate_credit_code("91110000600002136")
    assert excinfo.value.code == "length"
    with pytest.raises(ValidationError) as excinfo:
        validate_credit_code("91110000I0000213SC")
    assert excinfo.value.code == "format"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("单雄信", "shan xiong xin"),
        ("曾国藩", "zeng guo fan"),
        ("解缙", "xie jin"),
        ("仇英", "qiu ying"),
        ("区小明", "ou xiao ming"),
        ("朴正", "piao zheng"),
        ("查良镛", "zha liang yong"),
        ("欧阳修", "ou yang xiu"),
        ("张伟", "zhang wei"),
    ],
)
def test_person_names_read_surnames_as_surnames(name, expected):
    assert person_name_pinyin(name) == expected


def test_enterprise_pinyin_and_compact_form():
    assert text_pinyin("北京示例科技有限公司").startswith("bei jing shi li ke ji")
    assert compact_pinyin("zhang wei") == "zhangwei"


def test_one_shape_check_for_a_full_id_number_or_credit_code():
    assert require_full_identifier(" 110101-19900101 123x ") == "11010119900101123X"
    assert require_full_identifier("91110000600037341l") == "91110000600037341L"
    message = "Enter all 18 characters of the ID number or credit code."
    # too short; 18 characters that are letters or digits only outside ASCII
    for value in (
        "11010119900101123",
        "",
        "１１０１０１１９９００１０１１２３Ｘ",
        "一" * 18,
        "1" * 17 + "_",
    ):
        with pytest.raises(ValidationError) as excinfo:
            require_full_identifier(value)
        assert excinfo.value.messages == [message], value
