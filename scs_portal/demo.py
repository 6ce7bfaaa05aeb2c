"""Deterministic generators of realistic demo data: Chinese names, valid resident ID numbers
and unified social credit codes, enterprise names, decision numbers.

IDs are built to pass the project's own validator (Faker's zh_CN ID numbers were seen to fail
stdnum.cn.ric); every generated number is unique for a given index.
"""

from __future__ import annotations

import datetime
import random
from functools import lru_cache

from faker.providers.company.zh_CN import Provider as CompanyProvider
from faker.providers.person.zh_CN import Provider as PersonProvider

from sanctions.kernel.identifiers import (
    USCC_ALPHABET,
    is_valid_resident_id,
    ric_check_digit,
    uscc_check_character,
)
from sanctions.kernel.regions import region_name

DEMO_PASSWORD = "demo-Pass-2026"  # noqa: S105 - printed demo credential, DEBUG only
DEMO_AUTHORITIES = {"court": "bj-dongcheng-court", "tax": "bj-dongcheng-tax"}
DEMO_CITIZEN = ("110101198803150031", "王小明")
DEMO_LEGAL_REP = ("11010519750214005X", "李建国")
# Demo only (DEBUG): the court's API key is derived from this documented value, so the curl
# example in docs/api.md works against `make run`. Real keys are random and shown once.
DEMO_API_KEY_SEED = "scs-portal-demo-court-api-key"


def demo_api_key() -> str:
    import hashlib

    return "scs_democour_" + hashlib.sha256(DEMO_API_KEY_SEED.encode()).hexdigest()[:43]


# Demo only (DEBUG): each demo official's TOTP key (second factor) is the HMAC-SHA1 of their
# username under this documented value, so `make run`'s banner can print it and
# `python -m scs_portal.demo otp court.clerk` the current code. Real keys are random.
DEMO_OTP_SEED = "scs-portal-demo-second-factor"
DEMO_OTP_ISSUER = "SCS Portal"  # settings.OTP_TOTP_ISSUER's default


def is_demo_official(username: str) -> bool:
    return username == "admin" or username.split(".")[0] in DEMO_AUTHORITIES


def demo_otp_key(username: str) -> bytes:
    """The demo official's 20-byte TOTP key (HMAC-SHA1(DEMO_OTP_SEED, username))."""
    import hashlib
    import hmac

    return hmac.new(DEMO_OTP_SEED.encode(), username.encode(), hashlib.sha1).digest()


def demo_otpauth_uri(username: str) -> str:
    """The otpauth:// URI an authenticator app adds the demo official's key from (the same
    one the enrolment page would show for that key)."""
    from base64 import b32encode
    from urllib.parse import quote, urlencode

    params = urlencode({"secret": b32encode(demo_otp_key(username)), "algorithm": "SHA1",
                        "digits": 6, "period": 30})  # fmt: skip
    label = quote(f"{DEMO_OTP_ISSUER}:{username}")
    return f"otpauth://totp/{label}?{params}&issuer={quote(DEMO_OTP_ISSUER)}"


def demo_otp_code(username: str) -> str:
    """The demo official's current six-digit code."""
    from django_otp.oath import totp

    return f"{totp(demo_otp_key(username)):06d}"


def demo_accounts() -> list[tuple[str, str]]:
    """(username, what it is) for the README and `make run`'s banner."""
    rows = [("admin", "superuser (operator)")]
    for prefix, code in DEMO_AUTHORITIES.items():
        for role in ("supervisor", "reviewer", "clerk"):
            rows.append((f"{prefix}.{role}", f"{role} at {code}"))
    rows += [
        (DEMO_CITIZEN[0], f"citizen {DEMO_CITIZEN[1]} with records (log in at /account/login/)"),
        (DEMO_LEGAL_REP[0], f"citizen {DEMO_LEGAL_REP[1]}, legal rep. of 2 enterprises (same)"),
    ]
    return rows


# County-level codes; filtered at import to those stdnum knows for every birth year we use.
_CANDIDATE_REGIONS = [
    "110101", "110102", "110105", "110106", "110108", "110114", "120101", "120103",
    "130102", "130104", "140105", "210102", "210103", "220102", "230102", "310101",
    "310104", "310105", "310106", "310107", "310110", "320102", "320104", "320106",
    "330102", "330105", "330106", "340102", "350102", "360102", "370102", "370103",
    "410102", "410103", "420102", "420103", "420106", "430102", "430103", "440103",
    "440104", "440105", "440106", "450102", "500103", "510104", "510105", "510107",
    "520102", "530102", "610102", "610103", "610104", "620102", "630102",
]  # fmt: skip
BIRTH_YEARS = (1945, 2014)  # includes minors (born after 2008)
SURNAMES_EXTRA = ["单", "曾", "解", "仇", "区", "朴", "查", "欧阳", "司马", "诸葛"]


@lru_cache(maxsize=1)
def valid_regions() -> list[str]:
    regions = []
    for code in _CANDIDATE_REGIONS:
        samples = [f"{code}{year}0101001" for year in (BIRTH_YEARS[0], 1980, BIRTH_YEARS[1])]
        if all(is_valid_resident_id(s + ric_check_digit(s)) for s in samples):
            regions.append(code)
    return regions


_SURNAMES = [name for name, _weight in PersonProvider.last_names.items()]
_SURNAME_WEIGHTS = [weight for _name, weight in PersonProvider.last_names.items()]
_GIVEN = list(PersonProvider.first_names)


class DemoGenerator:
    """All randomness flows from one seeded Random, so `--seed` reproduces the data."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        self.regions = valid_regions()
        self._birth_start = datetime.date(BIRTH_YEARS[0], 1, 1)
        self._birth_days = (datetime.date(BIRTH_YEARS[1], 12, 31) - self._birth_start).days + 1
        # capacity = regions × days × 1000 sequence numbers; a multiplier coprime to it
        # turns a counter into a scattered, still unique, index.
        self._capacity = len(self.regions) * self._birth_days * 1000
        self._multiplier = 2_654_435_761
        while _gcd(self._multiplier, self._capacity) != 1:
            self._multiplier += 2
        self._offset = self.rng.randrange(self._capacity)

    def person_name(self) -> str:
        rng = self.rng
        if rng.random() < 0.03:
            surname = rng.choice(SURNAMES_EXTRA)
        else:
            surname = rng.choices(_SURNAMES, weights=_SURNAME_WEIGHTS)[0]
        given = rng.choice(_GIVEN)
        if rng.random() < 0.6:  # two-character given names are the most common
            given += rng.choice(_GIVEN)
        return surname + given

    def resident_id(self, index: int) -> str:
        """The index-th demo ID number: unique per index, valid check digit and region."""
        scattered = (index * self._multiplier + self._offset) % self._capacity
        region = self.regions[scattered % len(self.regions)]
        rest = scattered // len(self.regions)
        birth = self._birth_start + datetime.timedelta(days=rest % self._birth_days)
        sequence = rest // self._birth_days
        first17 = f"{region}{birth:%Y%m%d}{sequence:03d}"
        return first17 + ric_check_digit(first17)

    def adult_resident_id(self, index: int, on: datetime.date) -> str:
        """Like resident_id, but skips forward to the first adult from `index`."""
        while True:
            number = self.resident_id(index)
            born = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
            if (on - born).days >= 18 * 366:
                return number
            index += 1_000_003

    def credit_code(self, index: int, regions: list[str] | None = None) -> str:
        """'91' (enterprise, company) + region + a 9-character organisation code + check;
        the region one of `regions` (default: any demo region). Unique per index."""
        regions = regions or self.regions
        region = regions[index % len(regions)]
        value = index + 31**6  # nine characters, never all zeros
        chars = []
        for _ in range(9):
            value, digit = divmod(value, 31)
            chars.append(USCC_ALPHABET[digit])
        first17 = "91" + region + "".join(reversed(chars))
        return first17 + uscc_check_character(first17)

    def company_name(self, region_code: str = "") -> str:
        """A company name; with a region code (characters 3-8 of its credit code) it starts
        with that region's city, as a registered name does."""
        rng = self.rng
        city = rng.choice(["北京", "上海", "广州", "深圳", "杭州", "南京", "成都", "武汉", "西安"])
        city = city_of(region_code) or city  # the choice is still made: same sequence
        return (
            city
            + rng.choice(CompanyProvider.company_prefixes)
            + rng.choice(CompanyProvider.company_suffixes)
        )

    def decision_date(self, today: datetime.date, max_days_ago: int = 1000) -> datetime.date:
        return today - datetime.timedelta(days=self.rng.randint(0, max_days_ago))


def city_of(region_code: str) -> str:
    """'北京' for 110101 (北京市 东城区), '石家庄' for 130102: the city a company registered
    there puts in its name; empty when the code is unknown."""
    parts = region_name(region_code, "zh-hans").split() if region_code else []
    if not parts:
        return ""
    if not parts[0].endswith("市"):  # a province: its prefecture-level city (code xxxx00)
        parts = region_name(region_code[:4] + "00", "zh-hans").split() or parts
    city = parts[0] if parts[0].endswith("市") or len(parts) == 1 else parts[1]
    for suffix in ("市", "省", "地区", "盟"):
        if city.endswith(suffix) and len(city) > len(suffix) + 1:
            return city[: -len(suffix)]
    return city


BEIJING = "11"  # the demo's authorities are Beijing's: its enterprises are registered there


def decision_number(authority_code: str, year: int, serial: int | str) -> str:
    """Court-style case numbers for courts, document numbers for agencies."""
    if "court" in authority_code:
        return f"({year})京0101执{serial}号"
    prefix = {"tax": "税罚", "amr": "市监罚", "eco-env": "环罚", "transport": "交罚"}
    for key, word in prefix.items():
        if key in authority_code:
            return f"京{word}〔{year}〕{serial}号"
    return f"京决〔{year}〕{serial}号"


def _gcd(a: int, b: int) -> int:
    while b:
        a, b = b, a % b
    return a


# --- what a record says: basis document, obligation and amount, by record type ------------------
# The basis document is the judgment a court's listing enforces, the court's sanction decision,
# or the agency's decision document. An amount (yuan, lower and upper bound) and an obligation
# only where the type imposes one: money for the court's debtors, tax arrears and fines; a
# duty to act for some lists; nothing for honours, certificates and findings that order
# nothing. A type not in the table (one a supervisor added) gets an agency's document only.
JUDGMENT, COURT_SANCTION = "judgment", "court-sanction"
DEBTS = (
    "支付货款人民币{amount}元及利息",
    "偿还借款本金人民币{amount}元及逾期利息",
    "支付工程款人民币{amount}元",
    "赔偿经济损失人民币{amount}元",
    "支付租金人民币{amount}元及违约金",
)
FINE = ("缴纳罚款人民币{amount}元",)
RECORD_DETAILS: dict[str, tuple[str, tuple[str, ...], tuple[int, int] | None]] = {
    # code: (document: JUDGMENT, COURT_SANCTION or the agency's number word, obligations, amount)
    "judicial-dishonest-debtor": (JUDGMENT, DEBTS, (20_000, 2_000_000)),
    "judicial-consumption-order-breach": (JUDGMENT, DEBTS, (20_000, 1_000_000)),
    "judicial-contempt-enforcement": (COURT_SANCTION, FINE, (10_000, 100_000)),
    "judicial-false-litigation": (COURT_SANCTION, FINE, (10_000, 100_000)),
    "judicial-performed-voluntarily": (JUDGMENT, (), None),
    "commercial-major-tax-violation": ("税稽罚", ("补缴税款人民币{amount}元、缴纳滞纳金及罚款",),
                                       (500_000, 5_000_000)),
    "commercial-tax-arrears": ("税处", ("缴纳欠缴税款人民币{amount}元及滞纳金",),
                               (10_000, 800_000)),
    "commercial-late-tax-filing": ("税简罚", FINE, (200, 2_000)),
    "commercial-a-grade-taxpayer": ("税信评", (), None),
    "commercial-contract-fraud": ("市监罚", ("没收违法所得，并处罚款人民币{amount}元",),
                                  (10_000, 200_000)),
    "commercial-food-safety": (
        "市监罚", ("没收违法所得和违法生产经营的食品，并处罚款人民币{amount}元",),
        (50_000, 500_000)),
    "commercial-product-quality": (
        "市监罚", ("责令停止生产、销售，没收违法产品，并处罚款人民币{amount}元",),
        (10_000, 300_000)),
    "commercial-abnormal-operation": ("市监异", ("补报未报年份的年度报告并公示",), None),
    "commercial-serious-illegal-list": ("市监严", (), None),
    "commercial-false-advertising": ("市监罚", ("停止发布违法广告，并处罚款人民币{amount}元",),
                                     (20_000, 1_000_000)),
    "commercial-contract-honouring": ("市监合", (), None),
    "societal-environmental-penalty": ("环罚", ("责令改正违法行为，并处罚款人民币{amount}元",),
                                       (20_000, 500_000)),
    "societal-serious-pollution": ("环按日罚", ("按日连续处罚，罚款合计人民币{amount}元",),
                                   (200_000, 3_000_000)),
    "societal-drunk-driving": ("公交罚", ("吊销机动车驾驶证，五年内不得重新取得",), None),
    "societal-traffic-penalty": ("公交简罚", ("罚款人民币{amount}元",), (100, 500)),
    "societal-transport-operator-violation": ("交罚", ("责令改正，并处罚款人民币{amount}元",),
                                              (5_000, 50_000)),
    "societal-work-safety": ("应急罚", ("责令限期改正，并处罚款人民币{amount}元",),
                             (10_000, 500_000)),
    "societal-work-safety-serious": ("应急失信", (), None),
    "societal-academic-fraud": ("教学术", (), None),
    "societal-exam-cheating": ("教考违", (), None),
    "societal-commendation": ("政表", (), None),
    "societal-volunteer-service": ("民志", (), None),
    "societal-blood-donation": ("卫献", (), None),
    "government-contract-breach": (JUDGMENT, ("支付合同价款人民币{amount}元及逾期付款利息",),
                                   (100_000, 5_000_000)),
    "government-sme-payment-arrears": ("政认", ("向中小企业支付拖欠账款人民币{amount}元",),
                                       (50_000, 2_000_000)),
    "government-broken-commitment": ("政认", ("兑现依法作出的招商引资政策承诺",), None),
    "government-official-dishonest-debtor": (JUDGMENT, DEBTS, (20_000, 1_000_000)),
}  # fmt: skip


def record_details(rng: random.Random, record_type_code: str, decided: datetime.date) -> dict:
    """basis_document, amount and obligation for a demo record of this type, decided then."""
    document, obligations, bounds = RECORD_DETAILS.get(record_type_code, ("决", (), None))
    number = rng.randint(100, 9999)
    if document == JUDGMENT:  # the judgment enforced: decided the year before, or earlier
        basis = f"（{decided.year - rng.randint(1, 2)}）京0101民初{number}号"
    elif document == COURT_SANCTION:
        basis = f"（{decided.year}）京0101司惩{number}号"
    else:
        basis = f"京{document}〔{decided.year}〕{number}号"
    amount = None
    if bounds is not None:
        low, high = bounds
        # fines and debts in whole hundreds of yuan
        amount = rng.randint(low // 100, high // 100) * 100
    obligation = ""
    if obligations:
        obligation = rng.choice(obligations).format(amount=f"{amount:,}" if amount else "")
    return {"basis_document": basis, "amount": amount, "obligation": obligation}


def main(argv: list[str]) -> int:
    """python -m scs_portal.demo otp <username>: a demo official's current code (DEBUG demo)."""
    if len(argv) == 3 and argv[1] == "otp" and is_demo_official(argv[2]):
        print(demo_otp_code(argv[2]))
        return 0
    print("usage: python -m scs_portal.demo otp <demo official, e.g. court.clerk>")
    return 2


if __name__ == "__main__":
    import sys

    sys.exit(main(sys.argv))
