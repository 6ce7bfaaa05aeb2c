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

from sanctions.identifiers import (
    USCC_ALPHABET,
    is_valid_resident_id,
    ric_check_digit,
    uscc_check_character,
)

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

    def credit_code(self, index: int) -> str:
        """'91' (enterprise, company) + region + a 9-character organisation code + check."""
        region = self.regions[index % len(self.regions)]
        value = index + 31**6  # nine characters, never all zeros
        chars = []
        for _ in range(9):
            value, digit = divmod(value, 31)
            chars.append(USCC_ALPHABET[digit])
        first17 = "91" + region + "".join(reversed(chars))
        return first17 + uscc_check_character(first17)

    def company_name(self) -> str:
        rng = self.rng
        city = rng.choice(["北京", "上海", "广州", "深圳", "杭州", "南京", "成都", "武汉", "西安"])
        return (
            city
            + rng.choice(CompanyProvider.company_prefixes)
            + rng.choice(CompanyProvider.company_suffixes)
        )

    def decision_date(self, today: datetime.date, max_days_ago: int = 1000) -> datetime.date:
        return today - datetime.timedelta(days=self.rng.randint(0, max_days_ago))


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
