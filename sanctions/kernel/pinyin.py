"""Names in pinyin: the reading of a person's name (surnames read as surnames) and of an
organisation's name, and the compact form searches compare."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Surnames whose reading as a surname differs from the common reading of the character.
COMPOUND_SURNAMES = {
    "欧阳": "ou yang",
    "司马": "si ma",
    "诸葛": "zhu ge",
    "上官": "shang guan",
    "尉迟": "yu chi",
    "长孙": "zhang sun",
    "万俟": "mo qi",
    "单于": "chan yu",
    "澹台": "tan tai",
    "令狐": "ling hu",
    "皇甫": "huang fu",
    "夏侯": "xia hou",
    "东方": "dong fang",
    "慕容": "mu rong",
    "宇文": "yu wen",
    "公孙": "gong sun",
}
SURNAME_READINGS = {
    "单": "shan",
    "曾": "zeng",
    "解": "xie",
    "仇": "qiu",
    "区": "ou",
    "朴": "piao",
    "查": "zha",
    "盖": "ge",
    "缪": "miao",
    "覃": "qin",
    "尉": "yu",
    "乐": "yue",
    "员": "yun",
    "召": "shao",
    "种": "chong",
    "秘": "bi",
    "冼": "xian",
    "翟": "zhai",
    "薄": "bo",
    "柏": "bai",
    "句": "gou",
    "繁": "po",
    "宁": "ning",
    "沈": "shen",
    "重": "chong",
    "黑": "he",
    "折": "she",
    "藏": "zang",
    "阚": "kan",
    "能": "nai",
    "厍": "she",
    "隗": "wei",
    "过": "guo",
    "燕": "yan",
    "华": "hua",
    "任": "ren",
    "葛": "ge",
    "纪": "ji",
    "莘": "shen",
}


def _syllables(text: str) -> list[str]:
    from pypinyin import Style, lazy_pinyin

    return [s.lower() for s in lazy_pinyin(text, style=Style.NORMAL, errors="default") if s.strip()]


@lru_cache(maxsize=65536)
def person_name_pinyin(name: str) -> str:
    """'zhang wei' for 张伟, reading the surname as a surname (单 → shan, 曾 → zeng)."""
    name = name.strip()
    for surname, reading in COMPOUND_SURNAMES.items():
        if name.startswith(surname):
            return " ".join([reading, *_syllables(name[len(surname) :])]).strip()
    if name and name[0] in SURNAME_READINGS:
        return " ".join([SURNAME_READINGS[name[0]], *_syllables(name[1:])]).strip()
    return " ".join(_syllables(name))


@lru_cache(maxsize=65536)
def text_pinyin(text: str) -> str:
    """Pinyin of an organisation's name, syllables separated by spaces."""
    return " ".join(_syllables(text.strip()))


def compact_pinyin(pinyin: str) -> str:
    """'zhangwei' for 'zhang wei' (the form that search normalises queries to)."""
    return "".join(pinyin.split())


_TONES = str.maketrans("", "", "012345")


def normalize_pinyin(text: str) -> str:
    """'Zhāng Wěi', 'zhang3 wei3', 'zhang wei' → 'zhangwei'."""
    decomposed = unicodedata.normalize("NFKD", text.lower())
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    letters = letters.replace("ü", "v").translate(_TONES)
    return re.sub(r"[^a-z]", "", letters)


def is_pinyin(text: str) -> bool:
    """Latin letters, optionally with tone marks or tone digits (no CJK)."""
    decomposed = unicodedata.normalize("NFKD", text.replace("ü", "v").replace("Ü", "V"))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return bool(re.search(r"[A-Za-z]", plain)) and all(c.isascii() for c in plain)
