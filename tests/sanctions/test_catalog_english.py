"""Issue 18: everything the catalog holds in both languages, nothing mixed on an English page.
The catalog's names in the page's language (falling back to Chinese only while the English is
empty), region names in English, notices' titles, the public filter and entries."""

import re

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from sanctions.kernel.regions import current_name, english_division_name, region_name
from sanctions.models import Authority, Measure, Notice, NoticeKind, RecordType
from sanctions.publication.filters import authority_choices
from sanctions.registry.catalog_data import fill_catalog_english
from tests import services
from tests.sanctions.test_public import listed  # noqa: F401 - fixture

HAN = re.compile(r"[\u3400-\u9fff]")


def in_language(language, value):
    with translation.override(language):
        return value()


# --- names in the page's language ------------------------------------------------------------


def test_localized_names_fall_back_to_chinese_only_while_the_english_is_empty():
    authority = Authority(name="北京市东城区人民法院", name_en="Beijing Dongcheng Court")
    measure = Measure(title="限制乘坐飞机", title_en="No air travel",
                      enforcing_agency="中国民用航空局", enforcing_agency_en="CAAC")  # fmt: skip
    record_type = RecordType(title="失信被执行人", title_en="Dishonest judgment debtor")
    assert in_language("en", lambda: authority.localized_name) == "Beijing Dongcheng Court"
    assert in_language("zh-hans", lambda: authority.localized_name) == "北京市东城区人民法院"
    assert in_language("en", lambda: measure.localized_title) == "No air travel"
    assert in_language("en", lambda: measure.localized_enforcing_agency) == "CAAC"
    assert in_language("zh-hans", lambda: measure.localized_enforcing_agency) == "中国民用航空局"
    assert in_language("en", lambda: record_type.localized_title) == "Dishonest judgment debtor"
    assert in_language("zh-hans", lambda: record_type.localized_title) == "失信被执行人"
    # no English yet: the Chinese name, in either language
    authority.name_en = measure.title_en = measure.enforcing_agency_en = record_type.title_en = ""
    assert in_language("en", lambda: authority.localized_name) == "北京市东城区人民法院"
    assert in_language("en", lambda: measure.localized_title) == "限制乘坐飞机"
    assert in_language("en", lambda: measure.localized_enforcing_agency) == "中国民用航空局"
    assert in_language("en", lambda: record_type.localized_title) == "失信被执行人"


@pytest.mark.django_db
def test_the_seeded_catalog_has_every_name_in_both_languages(catalog):
    rows = [
        *Authority.objects.values_list("code", "name", "name_en"),
        *Measure.objects.values_list("code", "title", "title_en"),
        *Measure.objects.values_list("code", "enforcing_agency", "enforcing_agency_en"),
        *RecordType.objects.values_list("code", "title", "title_en"),
    ]
    assert len(rows) > 60
    for code, chinese, english in rows:
        assert HAN.search(chinese), (code, chinese)
        assert english and not HAN.search(english), (code, english)


@pytest.mark.django_db
def test_the_data_step_fills_the_missing_english_once_and_keeps_an_officials(catalog):
    models = [apps.get_model("sanctions", name) for name in ("Authority", "Measure", "RecordType")]
    Measure.objects.filter(code="no-air-travel").update(enforcing_agency_en="")
    Authority.objects.filter(code="spc").update(name_en="")
    RecordType.objects.filter(code="judicial-dishonest-debtor").update(title_en="Listed debtor")
    assert fill_catalog_english(*models) == 2
    assert fill_catalog_english(*models) == 0  # idempotent
    assert Measure.objects.get(code="no-air-travel").enforcing_agency_en == (
        "Civil Aviation Administration of China and the airlines"
    )
    assert Authority.objects.get(code="spc").name_en == "Supreme People's Court"
    assert RecordType.objects.get(code="judicial-dishonest-debtor").title_en == "Listed debtor"


@pytest.mark.django_db
def test_an_english_name_with_chinese_characters_is_refused(catalog):
    measure = Measure.objects.get(code="no-air-travel")
    measure.enforcing_agency_en = "CAAC 民航局"
    with pytest.raises(ValidationError) as refused:
        services.catalog_save(actor=None, obj=measure, fields=["enforcing_agency_en"])
    assert "enforcing_agency_en" in refused.value.message_dict
    with pytest.raises(ValidationError):
        services.record_type_update(
            actor=None, record_type=RecordType.objects.get(code="judicial-dishonest-debtor"),
            title_en="Dishonest 失信 debtor",
        )  # fmt: skip
    assert not HAN.search(RecordType.objects.get(code="judicial-dishonest-debtor").title_en)


def test_a_notice_title_is_the_letter_as_written_or_its_kind_in_the_readers_language():
    notice = Notice(kind=NoticeKind.OBJECTION_RECEIVED, title="异议受理")
    assert in_language("zh-hans", lambda: notice.localized_title) == "异议受理"
    assert in_language("en", lambda: notice.localized_title) == "Objection received"


# --- regions ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "chinese", "english"),
    [
        ("110101", "北京市 东城区", "Dongcheng District, Beijing"),
        ("110105", "北京市 朝阳区", "Chaoyang District, Beijing"),  # 朝 read chao in a name
        ("310105", "上海市 长宁区", "Changning District, Shanghai"),
        ("110000", "北京市", "Beijing"),
        ("440300", "广东省 深圳市", "Shenzhen, Guangdong"),
        # the current name, not the one the code had from 1983 to 1989
        ("440305", "广东省 深圳市 南山区", "Nanshan District, Shenzhen, Guangdong"),
        ("610102", "陕西省 西安市 新城区", "Xincheng District, Xi'an, Shaanxi"),
        ("222401", "吉林省 延边朝鲜族自治州 延吉市",
         "Yanji City, Yanbian Korean Autonomous Prefecture, Jilin"),
        ("540102", "西藏自治区 拉萨市 城关区", "Chengguan District, Lhasa, Tibet"),
        ("152921", "内蒙古自治区 阿拉善盟 阿拉善左旗",
         "Alxa Left Banner, Alxa League, Inner Mongolia"),
        ("429004", "湖北省 仙桃市", "Xiantao City, Hubei"),  # no prefecture above it
        ("990101", "", ""),
        ("12345", "", ""),
    ],
)  # fmt: skip
def test_region_names_in_chinese_and_english(code, chinese, english):
    assert region_name(code, "zh-hans") == chinese
    assert region_name(code, "en") == english
    assert in_language("en", lambda: region_name(code)) == english  # the active language


def test_english_division_names():
    assert english_division_name("恩施土家族苗族自治州") == (
        "Enshi Tujia and Miao Autonomous Prefecture"
    )
    assert english_division_name("双江拉祜族佤族布朗族傣族自治县") == (
        "Shuangjiang Lahu, Va, Blang and Dai Autonomous County"
    )
    # 白 in 长白 is the place's name, not the Bai people (who would be 白族)
    assert english_division_name("长白朝鲜族自治县") == "Changbai Korean Autonomous County"
    assert english_division_name("东乡族自治县") == "Dongxiang Autonomous County"
    assert english_division_name("深圳市", prefecture_level=True) == "Shenzhen"
    assert english_division_name("昆山市") == "Kunshan City"
    assert current_name("[1983-1989]南头区办事处,[1990-]南山区") == "南山区"
    assert current_name("[1983-2015]林芝县") == "林芝县"


def test_every_region_of_the_table_has_an_english_name_without_chinese_characters():
    from stdnum import numdb

    codes = set()

    def walk(prefixes, above):
        for _length, low, high, _props, children in prefixes:
            if low == high:
                code = above + low
                if len(code) == 6:
                    codes.add(code)
                walk(children, code)

    walk(numdb.get("cn/loc").prefixes, "")
    assert len(codes) > 3000
    for code in codes:
        english = region_name(code, "en")
        assert english and not HAN.search(english), (code, english)
        assert region_name(code, "zh-hans")


# --- the public pages' data ------------------------------------------------------------------


@pytest.mark.django_db
def test_the_public_filter_and_entries_name_authorities_and_regions_in_english(
    client,
    listed,  # noqa: F811 - the fixture
    settings,
):
    settings.SCS_SEARCH_PAGE_CACHE_SECONDS = 0
    with translation.override("en"):
        labels = [label for _pk, label in authority_choices()]
    assert "Beijing Dongcheng District People's Court" in labels
    assert not [label for label in labels if HAN.search(label)]
    with translation.override("zh-hans"):
        assert "北京市东城区人民法院" in [label for _pk, label in authority_choices()]
    region = listed["people"]["zhang"].subject.region_code
    entries = client.get(reverse("search"), {"q": "张伟"}).context["page"].object_list
    assert [(e["region"], e["authority"]) for e in entries] == [
        (region_name(region, "en"), "Beijing Dongcheng District People's Court")
    ]
    assert entries[0]["region"] and not HAN.search(entries[0]["region"])
    zh = client.get(reverse("search"), {"q": "张伟"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    entry = zh.context["page"].object_list[0]
    assert (entry["region"], entry["authority"]) == (
        region_name(region, "zh-hans"),
        "北京市东城区人民法院",
    )
    assert HAN.search(entry["region"])
