"""Provincial-level divisions (GB/T 2260 two-digit codes) for the public filters, and the
city (prefecture-level) codes they may be narrowed to."""

from __future__ import annotations

from functools import cache

from django.utils.translation import get_language
from stdnum import numdb

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
