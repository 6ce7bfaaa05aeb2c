"""Provincial-level divisions (GB/T 2260 two-digit codes) for the public filters, the city
(prefecture-level) codes they may be narrowed to, and the names of a region code in Chinese
and in English.

The division names come from python-stdnum's GB/T 2260 table (Chinese only, current and
historical names). English names: the provinces' from `PROVINCES`, the others spelled in
pinyin with the English word for the kind of division ("Dongcheng District, Beijing"), as
the official English of place names does (GB/T 16159, GB/T 17693.1).
"""

from __future__ import annotations

import re
from functools import cache, lru_cache

from django.utils.translation import get_language
from stdnum import numdb

from sanctions.kernel.pinyin import text_pinyin

PROVINCES = [
    ("11", "北京市", "Beijing"), ("12", "天津市", "Tianjin"), ("13", "河北省", "Hebei"),
    ("14", "山西省", "Shanxi"), ("15", "内蒙古自治区", "Inner Mongolia"),
    ("21", "辽宁省", "Liaoning"), ("22", "吉林省", "Jilin"), ("23", "黑龙江省", "Heilongjiang"),
    ("31", "上海市", "Shanghai"), ("32", "江苏省", "Jiangsu"), ("33", "浙江省", "Zhejiang"),
    ("34", "安徽省", "Anhui"), ("35", "福建省", "Fujian"), ("36", "江西省", "Jiangxi"),
    ("37", "山东省", "Shandong"), ("41", "河南省", "Henan"), ("42", "湖北省", "Hubei"),
    ("43", "湖南省", "Hunan"), ("44", "广东省", "Guangdong"), ("45", "广西壮族自治区", "Guangxi"),
    ("46", "海南省", "Hainan"), ("50", "重庆市", "Chongqing"), ("51", "四川省", "Sichuan"),
    ("52", "贵州省", "Guizhou"), ("53", "云南省", "Yunnan"), ("54", "西藏自治区", "Tibet"),
    ("61", "陕西省", "Shaanxi"), ("62", "甘肃省", "Gansu"), ("63", "青海省", "Qinghai"),
    ("64", "宁夏回族自治区", "Ningxia"), ("65", "新疆维吾尔自治区", "Xinjiang"),
]  # fmt: skip


def province_choices() -> list[tuple[str, str]]:
    english = (get_language() or "").startswith("en")
    return [(code, en if english else zh) for code, zh, en in PROVINCES]


@cache
def city_codes() -> frozenset[str]:
    """The 4-digit prefecture-level codes of GB/T 2260 (python-stdnum's table of the
    divisions that resident ID numbers carry, current and historical), e.g. "1101"."""
    codes = set()

    def walk(prefixes, above: str) -> None:
        for _length, low, high, _props, children in prefixes:
            if low == high:  # the table lists single codes
                code = above + low
                if len(code) == 6:
                    codes.add(code[:4])
                walk(children, code)

    walk(numdb.get("cn/loc").prefixes, "")
    return frozenset(code for code in codes if code[2:] != "00")


# --- names of a region code ---------------------------------------------------------------

MUNICIPALITIES = frozenset({"11", "12", "31", "50"})  # no prefecture level between
# rows of the table that group divisions instead of naming one
_GROUPINGS = frozenset({"市辖区", "县", "省直辖行政单位"})
_DIRECTLY_ADMINISTERED = "直辖"  # 省直辖县级行政单位 and the like: a grouping too
_PROVINCE_EN = {code: en for code, _zh, en in PROVINCES}

# The peoples in the names of autonomous prefectures, counties and banners, in their English
# names (as in the divisions' official English names).
ETHNIC_GROUPS = {
    "蒙古": "Mongol", "回": "Hui", "藏": "Tibetan", "维吾尔": "Uyghur", "苗": "Miao",
    "彝": "Yi", "壮": "Zhuang", "布依": "Bouyei", "朝鲜": "Korean", "满": "Manchu",
    "侗": "Dong", "瑶": "Yao", "白": "Bai", "土家": "Tujia", "哈尼": "Hani",
    "哈萨克": "Kazakh", "傣": "Dai", "黎": "Li", "傈僳": "Lisu", "佤": "Va", "畲": "She",
    "拉祜": "Lahu", "水": "Sui", "东乡": "Dongxiang", "纳西": "Naxi", "景颇": "Jingpo",
    "柯尔克孜": "Kyrgyz", "土": "Tu", "达斡尔": "Daur", "仫佬": "Mulao", "羌": "Qiang",
    "布朗": "Blang", "撒拉": "Salar", "毛南": "Maonan", "仡佬": "Gelao", "锡伯": "Xibe",
    "普米": "Pumi", "塔吉克": "Tajik", "怒": "Nu", "鄂温克": "Evenki", "保安": "Bonan",
    "裕固": "Yugur", "独龙": "Derung", "鄂伦春": "Oroqen", "各": "Multi-ethnic",
}  # fmt: skip
# the kind of division, by the end of its Chinese name (longest first)
_DIVISION_WORDS = [
    ("自治州", "Autonomous Prefecture"), ("自治县", "Autonomous County"),
    ("特别行政区", "Special Administrative Region"), ("自治区", "Autonomous Region"),
    ("自治旗", "Autonomous Banner"), ("联合旗", "United Banner"), ("左旗", "Left Banner"),
    ("右旗", "Right Banner"), ("前旗", "Front Banner"), ("后旗", "Rear Banner"),
    ("中旗", "Middle Banner"), ("特区", "Special District"), ("新区", "New Area"),
    ("地区", "Prefecture"), ("区", "District"), ("县", "County"), ("旗", "Banner"),
    ("盟", "League"), ("市", "City"), ("省", "Province"),
]  # fmt: skip
# Names whose English is not their pinyin as pypinyin reads it: the names in the peoples'
# own languages that the official English uses (GB/T 17693) for the capitals and prefectures
# that have one, and the few names pypinyin misreads.
_ENGLISH_STEMS = {
    "拉萨": "Lhasa", "日喀则": "Shigatse", "林芝": "Nyingchi", "昌都": "Qamdo",
    "那曲": "Nagqu", "阿里": "Ngari", "呼和浩特": "Hohhot", "阿拉善": "Alxa",
    "鄂尔多斯": "Ordos", "呼伦贝尔": "Hulunbuir", "锡林郭勒": "Xilingol",
    "巴彦淖尔": "Bayannur", "乌兰察布": "Ulanqab", "哈尔滨": "Harbin", "齐齐哈尔": "Qiqihar",
    "大兴安岭": "Da Hinggan Ling", "乌鲁木齐": "Ürümqi", "克拉玛依": "Karamay",
    "吐鲁番": "Turpan", "哈密": "Hami", "喀什": "Kashgar", "和田": "Hotan", "阿克苏": "Aksu",
    "伊犁": "Ili", "阿勒泰": "Altay", "博尔塔拉": "Bortala", "巴音郭楞": "Bayingolin",
    "克孜勒苏": "Kizilsu", "格尔木": "Golmud", "果洛": "Golog", "甘孜": "Garzê",
    "阿坝": "Ngawa", "迪庆": "Dêqên",
    "香港": "Hong Kong", "澳门": "Macao",
    # and the names pypinyin misreads
    "万柏林": "Wanbailin", "长子": "Zhangzi", "南乐": "Nanle", "民乐": "Minle",
    "闵行": "Minhang",
}  # fmt: skip
# characters that place names read one way whatever pypinyin's phrases say (成都, 朝阳, 长宁)
_PLACE_READINGS = {"都": "du", "朝": "chao", "长": "chang"}
# a division's own word that only one name has (a stem can end in 林, 矿…)
_SPECIAL_NAMES = {"神农架林区": "Shennongjia Forestry District"}
# 族 may be left out after a name of two or more characters (伊犁哈萨克自治州), never after
# one (长白朝鲜族自治县: 白 is part of the place's name, not the Bai people)
_ETHNIC_SUFFIX = re.compile(
    "(?:"
    + "|".join(
        re.escape(name) + ("族?" if len(name) > 1 else "族")
        for name in sorted(ETHNIC_GROUPS, key=len, reverse=True)
    )
    + ")$"
)
_PERIOD = re.compile(r"^\[(\d*)-(\d*)\]")


def current_name(entry: str) -> str:
    """The name in force from a GB/T 2260 table entry: "[1983-1989]南头区办事处,[1990-]南山区"
    is 南山区 (an open period, or no period, is current); a division since abolished keeps
    its last name ("[1983-2015]林芝县" is 林芝县)."""
    names = [name for name in entry.split(",") if name]
    if not names:
        return ""
    current = [name for name in names if not (m := _PERIOD.match(name)) or not m.group(2)]
    return _PERIOD.sub("", (current or names)[-1])


@cache
def _entry(code: str) -> str:
    """The current Chinese name of the division with exactly this 6-digit code ('' if none)."""
    try:
        parts = numdb.get("cn/loc").info(code)
    except Exception:  # noqa: BLE001 - an unknown code is not an error for display
        return ""
    if len(parts) < 2 or parts[-1][0] != code[2:]:
        return ""
    return current_name(parts[-1][1].get("county", ""))


def _division(code: str) -> str:
    name = _entry(code)
    return "" if name in _GROUPINGS or _DIRECTLY_ADMINISTERED in name else name


@lru_cache(maxsize=8192)
def region_parts(region_code: str) -> tuple[str, str, str]:
    """(province, prefecture, county) in Chinese, current names, '' where the code has none:
    110101 → ('北京市', '', '东城区'), 440305 → ('广东省', '深圳市', '南山区'),
    440300 → ('广东省', '深圳市', '')."""
    code = str(region_code or "")
    if not re.fullmatch(r"\d{6}", code):
        return ("", "", "")
    province = _entry(code[:2] + "0000") or next(
        (zh for c, zh, _en in PROVINCES if c == code[:2]), ""
    )
    if not province:
        return ("", "", "")
    prefecture = county = ""
    if code[2:] != "0000" and code[:2] not in MUNICIPALITIES:
        prefecture = _division(code[:4] + "00")
    if code[4:] != "00" or code[:2] in MUNICIPALITIES:
        county = _division(code) if code[2:] != "0000" else ""
    if code[4:] == "00" and not prefecture and county:  # a prefecture given by its own code
        prefecture, county = county, ""
    return (province, prefecture, county)


def _pinyin_word(stem: str, name: str) -> str:
    """东城 → Dongcheng, 西安 → Xi'an, 绿春 → Lüchun: one capitalised word, an apostrophe
    before a syllable that starts with a vowel (GB/T 16159). Read within the whole name
    (`stem` begins it): pypinyin reads 朝阳区 chao yang, 朝阳 alone zhao yang."""
    if stem in _ENGLISH_STEMS:
        return _ENGLISH_STEMS[stem]
    whole = text_pinyin(name).split()
    syllables = whole[: len(stem)] if len(whole) == len(name) else text_pinyin(stem).split()
    syllables = [
        _PLACE_READINGS.get(char, syllable).replace("v", "ü")
        for char, syllable in zip(stem, syllables, strict=False)
    ]
    word = syllables[0] if syllables else ""
    for syllable in syllables[1:]:
        word += ("'" if syllable[0] in "aoe" else "") + syllable
    return word[:1].upper() + word[1:]


def english_division_name(name: str, *, prefecture_level: bool = False) -> str:
    """The English of one division's Chinese name: 东城区 → Dongcheng District, 昆山市 →
    Kunshan City (a prefecture-level city: Suzhou), 恩施土家族苗族自治州 → Enshi Tujia and
    Miao Autonomous Prefecture, 阿拉善左旗 → Alxa Left Banner."""
    if name in _SPECIAL_NAMES:
        return _SPECIAL_NAMES[name]
    word = next(
        ((chinese, english) for chinese, english in _DIVISION_WORDS
         if name.endswith(chinese) and len(name) > len(chinese)),
        None,
    )  # fmt: skip
    if word is None:
        return _pinyin_word(name, name)
    chinese, english = word
    stem = name[: -len(chinese)]
    if chinese == "市" and prefecture_level:
        english = ""
    peoples: list[str] = []
    if chinese.startswith("自治"):
        # 东乡族自治县: the people's name is the whole name (stem left empty)
        while match := _ETHNIC_SUFFIX.search(stem):
            peoples.insert(0, ETHNIC_GROUPS[match.group(0).removesuffix("族")])
            stem = stem[: match.start()]
    if len(peoples) > 1:
        peoples = [", ".join(peoples[:-1]) + " and " + peoples[-1]]
    return " ".join(part for part in [_pinyin_word(stem, name), *peoples, english] if part)


@lru_cache(maxsize=8192)
def _english_region(region_code: str) -> str:
    province, prefecture, county = region_parts(region_code)
    if not province:
        return ""
    parts = [_PROVINCE_EN.get(region_code[:2]) or english_division_name(province)]
    if prefecture:
        parts.insert(0, english_division_name(prefecture, prefecture_level=True))
    if county:
        parts.insert(0, english_division_name(county))
    return ", ".join(parts)


def region_name(region_code: str, language: str | None = None) -> str:
    """The region of a 6-digit GB/T 2260 code in `language` (default: the active one):
    '北京市 东城区' / 'Dongcheng District, Beijing' for 110101, '广东省 深圳市 南山区' /
    'Nanshan District, Shenzhen, Guangdong' for 440305; empty when the code is unknown."""
    if (language or get_language() or "").startswith("en"):
        return _english_region(region_code)
    return " ".join(part for part in region_parts(region_code) if part)
