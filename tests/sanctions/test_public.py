"""The public list: what appears, what never appears, search shapes, rate limit."""

import datetime
import re

import pytest
from django.urls import reverse

from sanctions.models import RecordType
from sanctions.publication.selectors import ENTERPRISE_FIELDS, PERSON_FIELDS, public_entry
from tests import services
from tests.factories import make_citizen, make_enterprise, make_official
from tests.sanctions.test_casework import pdf

pytestmark = pytest.mark.django_db
D = datetime.date.today() - datetime.timedelta(days=40)
PRIVATE_FACTS = "被执行人住址：北京市东城区某胡同1号（内部材料）"


def publish(subject, code, authority, number, ground=None, **kw):
    """Through the real path: case → decision → notice → sweep after the notice period."""
    clerk = make_official(role="clerk", authority_code=authority, username=f"{authority}.c")
    reviewer = make_official(role="reviewer", authority_code=authority, username=f"{authority}.r")
    case = services.case_create(actor=clerk, subject=subject,
                                record_type=RecordType.objects.get(code=code), title="内部标题",
                                facts=PRIVATE_FACTS, judicial_ground=ground, amount=1000,
                                obligation="支付欠款", **kw)  # fmt: skip
    services.evidence_add(actor=clerk, case=case, uploaded=pdf())
    services.case_submit(actor=clerk, case=case)
    record = services.case_decide(actor=reviewer, case=case, decision_number=number,
                                  decision_date=D)  # fmt: skip
    services.case_serve_notice(actor=clerk, case=case, today=D)
    services.publication_sweep()
    record.refresh_from_db()
    return record


@pytest.fixture(autouse=True)
def _uncached_search_pages(settings):
    """These tests read the rendered page's context; the page cache has its own tests."""
    settings.SCS_SEARCH_PAGE_CACHE_SECONDS = 0


@pytest.fixture
def listed(catalog):
    zhang = make_citizen(name="张伟")
    li = make_citizen(name="李小龙")
    single = make_citizen(name="单雄信")
    firm = make_enterprise(name="北京诚信示范贸易有限公司", legal_rep=make_citizen(name="王建国"))
    records = {
        "zhang": publish(zhang.subject, "judicial-dishonest-debtor", "bj-dongcheng-court",
                         "(2025)京0101执1号", ground=2, basis_document="(2024)京0101民初1号"),
        "li": publish(li.subject, "judicial-dishonest-debtor", "bj-dongcheng-court",
                      "(2025)京0101执2号", ground=1),
        "single": publish(single.subject, "judicial-dishonest-debtor", "bj-dongcheng-court",
                          "(2025)京0101执3号", ground=3),
        "firm": publish(firm.subject, "commercial-product-quality", "bj-dongcheng-amr",
                        "京市监罚〔2025〕9号"),
        # counts for the score but is never published: an individual's penalty
        "private": publish(zhang.subject, "societal-drunk-driving", "bj-traffic-police",
                           "京交罚〔2025〕1号"),
    }  # fmt: skip
    return {"people": {"zhang": zhang, "li": li, "single": single}, "enterprise": firm,
            **records}  # fmt: skip


def names(response):
    return [e["name"] for e in response.context["page"].object_list]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("张伟", ["张伟"]),  # two-character name
        ("伟", ["张伟"]),  # one character
        ("小龙", ["李小龙"]),  # two-character substring
        ("李小龙", ["李小龙"]),  # three characters (trigram)
        ("zhangwei", ["张伟"]),
        ("Zhang Wei", ["张伟"]),
        ("zhāng wěi", ["张伟"]),
        ("shanxiong", ["单雄信"]),  # polyphonic surname read as a surname
        ("诚信示范", ["北京诚信示范贸易有限公司"]),  # partial enterprise name
        ("beijingcheng", ["北京诚信示范贸易有限公司"]),
    ],
)
def test_name_and_pinyin_search(client, listed, query, expected):
    response = client.get(reverse("search"), {"q": query})
    assert response.status_code == 200
    assert names(response) == expected


def test_legal_representative_and_filters(client, listed):
    assert names(client.get(reverse("search"), {"legal_rep": "王建国"})) == [
        "北京诚信示范贸易有限公司"]  # fmt: skip
    assert set(names(client.get(reverse("search"), {"kind": "person"}))) == {
        "张伟", "李小龙", "单雄信"}  # fmt: skip
    assert names(client.get(reverse("search"), {"domain": "commercial"})) == [
        "北京诚信示范贸易有限公司"]  # fmt: skip
    assert names(client.get(reverse("search"), {"ground": 1})) == ["李小龙"]
    # each province lists exactly the entries of subjects registered there
    from sanctions.registry.selectors import public_entries

    entries = public_entries().select_related("subject")
    assert entries.exists()
    for province in {e.subject.region_code[:2] for e in entries} | {"65"}:
        expected = sorted(e.subject.display_name for e in entries
                          if e.subject.region_code.startswith(province))  # fmt: skip
        found = sorted(names(client.get(reverse("search"), {"province": province})))
        assert found == expected, province
    response = client.get(reverse("search"), {"published_from": "not-a-date"})
    assert response.status_code == 400 and "Enter a valid date" in response.content.decode()


def test_exact_id_lookup_is_post_only_and_never_echoed(client, listed):
    number = listed["people"]["zhang"].resident_id
    response = client.post(reverse("search"), {"identifier": number})
    assert names(response) == ["张伟"]
    assert number not in response.content.decode()
    code = listed["enterprise"].credit_code
    assert names(client.post(reverse("search"), {"identifier": code.lower()})) == [
        "北京诚信示范贸易有限公司"]  # fmt: skip
    bad = client.post(reverse("search"), {"identifier": "12345"})
    assert bad.status_code == 400 and "18 characters" in bad.content.decode()


def test_unpublished_and_individual_penalties_never_appear(client, listed):
    response = client.get(reverse("search"), {"q": "张伟"})
    assert [e["case_number"] for e in response.context["page"].object_list] == [
        "(2025)京0101执1号"]  # fmt: skip
    private_url = reverse("entry_detail", args=[listed["private"].public_id])
    assert client.get(private_url).status_code == 404
    services.record_remove(actor=make_official(role="reviewer",
                                               authority_code="bj-dongcheng-court"),
                           record=listed["li"], reason="performed")  # fmt: skip
    assert client.get(reverse("entry_detail", args=[listed["li"].public_id])).status_code == 404


def test_only_allow_listed_fields_reach_the_public(client, listed):
    person = public_entry(record=listed["zhang"])
    firm = public_entry(record=listed["firm"])
    assert set(person) == set(PERSON_FIELDS) and set(firm) == set(ENTERPRISE_FIELDS)
    page = client.get(reverse("entry_detail", args=[listed["zhang"].public_id])).content.decode()
    # fields of the record that are not on the allow-list
    citizen = listed["people"]["zhang"]
    for secret in [PRIVATE_FACTS, "内部标题", citizen.subject.identifier_hash,
                   citizen.birth_date.isoformat(), citizen.resident_id, "fact"]:  # fmt: skip
        assert secret not in page


def test_no_public_page_contains_a_full_id_number(client, listed):
    pages = [reverse("home"), reverse("search") + "?q=张伟", reverse("search") + "?kind=person",
             reverse("how_to_object")]  # fmt: skip
    pages += [
        reverse("entry_detail", args=[listed[k].public_id]) for k in ("zhang", "li", "single")
    ]
    full_id = re.compile(r"\b\d{17}[\dX]\b")
    for url in pages:
        body = client.get(url).content.decode()
        assert not full_id.search(body), url


def test_open_data_has_enterprises_only(client, listed):
    csv_body = b"".join(client.get(reverse("open_data", args=["csv"])).streaming_content)
    text = csv_body.decode("utf-8-sig")
    assert "北京诚信示范贸易有限公司" in text and "张伟" not in text
    assert text.splitlines()[0].split(",") == list(ENTERPRISE_FIELDS)
    import json

    data = json.loads(b"".join(client.get(reverse("open_data", args=["json"]))
                               .streaming_content))  # fmt: skip
    assert [e["kind"] for e in data] == ["enterprise"]
    assert client.get("/open-data/enterprises.xml").status_code == 404


def test_rate_limit_429_in_both_languages_and_fails_closed(client, listed, settings):
    settings.SCS_SEARCH_RATE_PER_MINUTE = 3
    ip = {"REMOTE_ADDR": f"203.0.113.{datetime.datetime.now().microsecond % 200 + 1}"}
    for _ in range(3):
        assert client.get(reverse("search"), {"q": "张伟"}, **ip).status_code == 200
    refused = client.get(reverse("search"), {"q": "张伟"}, **ip)
    assert refused.status_code == 429 and refused["Retry-After"] == "60"
    assert "more than 3 searches" in refused.content.decode()
    zh = client.get(reverse("search"), {"q": "张伟"}, HTTP_ACCEPT_LANGUAGE="zh-hans", **ip)
    assert zh.status_code == 429 and "请稍候" in zh.content.decode()
    # browsing the empty search page is not a search
    assert client.get(reverse("search"), **ip).status_code == 200
    # Redis unreachable: refuse, never let through uncounted
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # the limiter's client follows the setting
    down = client.get(reverse("search"), {"q": "张伟"}, REMOTE_ADDR="203.0.113.78")
    # (issue 14: 503 "unavailable" rather than 429 "too many": nothing was counted)
    assert down.status_code == 503 and "briefly unavailable" in down.content.decode()


# --- one-character name search: the char table of migration 0013 ------------------------------


def char_rows(record) -> set[str]:
    """The characters NAME_CHAR_TABLE holds for a record (with the record's publication date
    checked: the search joins on it)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.gram FROM scs_public_name_char c JOIN sanctions_integrityrecord r "
            "ON r.id = c.record_id AND r.publication_start = c.publication_start "
            "WHERE c.record_id = %s AND char_length(c.gram) = 1",
            [record.pk],
        )
        return {row[0] for row in cursor.fetchall()}


def name_row(record) -> str | None:
    """The display name ENTRY_NAME_TABLE holds for a record (its publication dates checked:
    the search picks entries by the table's window)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n.display_name FROM scs_public_entry_name n JOIN sanctions_integrityrecord r "
            "ON r.id = n.record_id AND r.publication_start = n.publication_start "
            "AND r.publication_end IS NOT DISTINCT FROM n.publication_end "
            "WHERE n.record_id = %s",
            [record.pk],
        )
        row = cursor.fetchone()
        return row[0] if row else None


def pinyin_row(record) -> str | None:
    """The compact pinyin ENTRY_NAME_TABLE holds for a record."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT name_pinyin FROM scs_public_entry_name WHERE record_id = %s", [record.pk]
        )
        row = cursor.fetchone()
        return row[0] if row else None


def case_numbers(client, query: str) -> list[str]:
    response = client.get(reverse("search"), {"q": query})
    assert response.status_code == 200
    return [e["case_number"] for e in response.context["page"].object_list]


def test_one_character_search_equals_the_gram_condition(client, listed, catalog):
    from sanctions.publication.filters import filtered_entries
    from sanctions.publication.search import filter_entries_by_name, name_condition
    from sanctions.registry.selectors import public_entries

    wang = make_citizen(name="王伟")
    publish(wang.subject, "judicial-dishonest-debtor", "bj-dongcheng-court", "(2025)京0101执7号",
            ground=4)  # fmt: skip
    assert char_rows(listed["zhang"]) == {"张", "伟"}
    assert char_rows(listed["firm"]) == set("北京诚信示范贸易有限公司")
    assert char_rows(listed["private"]) == set()  # never published: no rows
    # one and two characters (the table holds both lengths of gram)
    for char in ["伟", "张", "王", "诚", "信", "小", "雄", "无",
                 "张伟", "小龙", "诚信", "有限", "伟明", "a", "10"]:  # fmt: skip
        by_table = list(filter_entries_by_name(public_entries(), char).order_by("-id"))
        by_grams = list(
            public_entries().filter(subject__kind__in=["person", "enterprise"])
            .filter(name_condition(char)).order_by("-id")
        )  # fmt: skip
        assert by_table == by_grams, char
    # 3+ characters: the entry-name table gives what the ILIKE on subjects gives
    assert name_row(listed["firm"]) == "北京诚信示范贸易有限公司"
    assert name_row(listed["private"]) is None
    for term in ["李小龙", "诚信示范", "有限公司", "单雄信", "张伟明", "100%", "a_b"]:
        by_table = list(filter_entries_by_name(public_entries(), term).order_by("-id"))
        by_ilike = list(
            public_entries().filter(subject__kind__in=["person", "enterprise"])
            .filter(name_condition(term)).order_by("-id")
        )  # fmt: skip
        assert by_table == by_ilike, term
        # the page's path for a name alone: the newest entries chosen in the table first
        by_newest = list(filtered_entries({"q": term})[1].order_by("-id"))
        assert by_newest == by_ilike, term
    # pinyin: the entry-name table's compact pinyin gives what the subjects' pinyin gives
    for term in ["zhangwei", "Zhang Wei", "zhāng wěi", "wang", "li", "shanxiong", "beijing",
                 "beijingcheng", "zz", "x", "1"]:  # fmt: skip
        by_table = list(filter_entries_by_name(public_entries(), term).order_by("-id"))
        by_subject = list(
            public_entries().filter(subject__kind__in=["person", "enterprise"])
            .filter(name_condition(term)).order_by("-id")
        )  # fmt: skip
        assert by_table == by_subject, term
        by_newest = list(filtered_entries({"q": term})[1].order_by("-id"))
        assert by_newest == by_subject, term
    assert case_numbers(client, "伟") == ["(2025)京0101执7号", "(2025)京0101执1号"]
    assert case_numbers(client, " 信 ") == ["京市监罚〔2025〕9号", "(2025)京0101执3号"]
    assert case_numbers(client, "wang") == ["(2025)京0101执7号"]


def test_one_character_search_follows_publication_changes(client, listed, catalog):
    reviewer = make_official(role="reviewer", authority_code="bj-dongcheng-court",
                             username="court.reviewer")  # fmt: skip
    # objection: still public, flagged; the rows stay
    objection = services.objection_file(actor=reviewer, record=listed["zhang"], grounds="错误")
    assert case_numbers(client, "张") == ["(2025)京0101执1号"]
    entry = client.get(reverse("search"), {"q": "张"}).context["page"].object_list[0]
    assert entry["under_objection"] is True
    services.objection_decide(actor=reviewer, objection=objection, outcome="rejected",
                              reasons="无误")  # fmt: skip
    assert case_numbers(client, "张") == ["(2025)京0101执1号"]
    # removal: gone from the list and from the table
    services.record_remove(actor=reviewer, record=listed["li"], reason="performed")
    assert case_numbers(client, "龙") == [] and char_rows(listed["li"]) == set()
    assert case_numbers(client, "小龙") == []
    assert case_numbers(client, "李小龙") == [] and name_row(listed["li"]) is None
    # publication window over: the record still has rows until the sweep expires it, but the
    # search applies the window itself
    listed["single"].refresh_from_db()
    type(listed["single"]).objects.filter(pk=listed["single"].pk).update(
        publication_end=datetime.date.today() - datetime.timedelta(days=1))  # fmt: skip
    assert case_numbers(client, "雄") == [] and case_numbers(client, "单雄信") == []
    assert name_row(listed["single"]) == "单雄信"  # the table follows the new end date
    # a window that opens in the future
    type(listed["single"]).objects.filter(pk=listed["single"].pk).update(
        publication_start=datetime.date.today() + datetime.timedelta(days=3),
        publication_end=None,
    )
    assert case_numbers(client, "雄") == [] and char_rows(listed["single"]) == {"单", "雄", "信"}
    type(listed["single"]).objects.filter(pk=listed["single"].pk).update(publication_start=D)
    assert case_numbers(client, "雄") == ["(2025)京0101执3号"]
    assert case_numbers(client, "单雄信") == ["(2025)京0101执3号"]
    # credit repair granted: gone at once
    amr = make_official(role="reviewer", authority_code="bj-dongcheng-amr", username="amr.rev")
    later = datetime.date.today() + datetime.timedelta(days=400)
    application = services.repair_apply(actor=amr, record=listed["firm"], grounds="整改完毕",
                                        today=later)  # fmt: skip
    assert case_numbers(client, "贸") == ["京市监罚〔2025〕9号"]
    services.repair_decide(actor=amr, application=application, granted=True, reasons="已整改",
                           today=later)  # fmt: skip
    assert case_numbers(client, "贸") == [] and char_rows(listed["firm"]) == set()
    assert case_numbers(client, "诚信示范") == [] and name_row(listed["firm"]) is None


def test_one_character_search_follows_renames_and_deletions(client, listed):
    from sanctions.models import IntegrityRecord, Subject

    subject = listed["people"]["zhang"].subject
    Subject.objects.filter(pk=subject.pk).update(display_name="赵伟")
    assert case_numbers(client, "张") == [] and case_numbers(client, "赵") == ["(2025)京0101执1号"]
    assert char_rows(listed["zhang"]) == {"赵", "伟"} and name_row(listed["zhang"]) == "赵伟"
    assert case_numbers(client, "赵伟") == ["(2025)京0101执1号"]
    assert case_numbers(client, "张伟") == []
    Subject.objects.filter(pk=subject.pk).update(display_name="赵伟明")
    assert case_numbers(client, "赵伟明") == ["(2025)京0101执1号"]
    # the pinyin follows the subject's own pinyin
    assert case_numbers(client, "zhangwei") == ["(2025)京0101执1号"]
    Subject.objects.filter(pk=subject.pk).update(name_pinyin="zhao wei ming")
    assert case_numbers(client, "zhangwei") == [] and pinyin_row(listed["zhang"]) == "zhaoweiming"
    assert case_numbers(client, "zhao wei") == ["(2025)京0101执1号"]
    # moving a record to another subject
    IntegrityRecord.objects.filter(pk=listed["li"].pk).update(
        subject=listed["people"]["single"].subject)  # fmt: skip
    assert char_rows(listed["li"]) == {"单", "雄", "信"} and case_numbers(client, "龙") == []
    assert name_row(listed["li"]) == "单雄信" and case_numbers(client, "李小龙") == []
    assert pinyin_row(listed["li"]) == "shanxiongxin" and case_numbers(client, "lixiaolong") == []
    # records are protected by their notices and audit rows; the row trigger is what is tested
    # here (the foreign keys are deferred; the savepoint is rolled back before they are checked)
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM sanctions_integrityrecord WHERE id = %s", [listed["zhang"].pk])
        assert char_rows(listed["zhang"]) == set() and case_numbers(client, "赵") == []
        assert name_row(listed["zhang"]) is None
        transaction.set_rollback(True)


def facet_row(record) -> dict | None:
    """The filter columns ENTRY_NAME_TABLE holds for a record, next to what the record, its
    subject and its type say (each pair must agree)."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT n.kind, s.kind, n.province, left(s.region_code, 2), n.city, "
            "left(s.region_code, 4), n.domain, t.domain, n.authority_id, r.authority_id, "
            "n.judicial_ground, r.judicial_ground "
            "FROM scs_public_entry_name n JOIN sanctions_integrityrecord r ON r.id = n.record_id "
            "JOIN sanctions_subject s ON s.id = r.subject_id "
            "JOIN sanctions_recordtype t ON t.id = r.record_type_id WHERE n.record_id = %s",
            [record.pk],
        )
        row = cursor.fetchone()
    if row is None:
        return None
    names = ("kind", "province", "city", "domain", "authority_id", "judicial_ground")
    pairs = dict(zip(names, zip(row[::2], row[1::2], strict=True), strict=True))
    assert all(held == truth for held, truth in pairs.values()), pairs
    return {name: held for name, (held, _truth) in pairs.items()}


def test_filters_read_the_entry_name_table_and_give_what_the_joins_give(listed):
    """Every filter of the form, alone and combined, with and without a name: the entries
    chosen in the entry-name table are those the joined search (FilterSet.qs) finds."""
    from sanctions.models import Authority, IntegrityRecord
    from sanctions.publication.filters import filtered_entries
    from sanctions.publication.search import newest_first

    court = Authority.objects.get(code="bj-dongcheng-court")
    amr = Authority.objects.get(code="bj-dongcheng-amr")
    region = listed["people"]["zhang"].subject.region_code
    # entries of other dates, one under objection, and two outside their window
    today = datetime.date.today()
    extra = {
        name: publish(make_citizen(name=name).subject, "judicial-dishonest-debtor",
                      "bj-dongcheng-court", f"(2025)京0101执{n}号", ground=4)
        for n, name in ((7, "王伟"), (8, "赵伟"), (9, "钱伟"))
    }  # fmt: skip
    IntegrityRecord.objects.filter(pk=extra["王伟"].pk).update(
        publication_start=D + datetime.timedelta(days=1))  # fmt: skip
    IntegrityRecord.objects.filter(pk=extra["赵伟"].pk).update(
        publication_end=today - datetime.timedelta(days=1))  # fmt: skip
    IntegrityRecord.objects.filter(pk=extra["钱伟"].pk).update(
        publication_start=today + datetime.timedelta(days=3))  # fmt: skip
    IntegrityRecord.objects.filter(pk=listed["li"].pk).update(
        publication_start=D + datetime.timedelta(days=2))  # fmt: skip
    reviewer = make_official(role="reviewer", authority_code="bj-dongcheng-court",
                             username="court.reviewer.facets")  # fmt: skip
    services.objection_file(actor=reviewer, record=listed["single"], grounds="有误")
    firm_region = listed["enterprise"].subject.region_code
    assert facet_row(listed["zhang"]) == {
        "kind": "person", "province": region[:2], "city": region[:4], "domain": "judicial",
        "authority_id": court.pk, "judicial_ground": 2,
    }  # fmt: skip
    assert facet_row(listed["private"]) is None  # never published: no row
    combinations = [
        {"kind": "person"}, {"kind": "enterprise"}, {"domain": "judicial"},
        {"domain": "commercial", "kind": "person"},  # none
        {"ground": "2"}, {"ground": "5"}, {"province": region[:2]}, {"city": region[:4]},
        {"city": firm_region[:4], "kind": "enterprise"}, {"province": "65"},
        {"authority": str(court.pk)}, {"authority": str(amr.pk), "domain": "commercial"},
        {"authority": str(amr.pk), "kind": "person"},  # none
        {"q": "诚信示范", "kind": "enterprise"}, {"q": "诚信示范", "kind": "person"},
        {"q": "zhangwei", "ground": "2"}, {"q": "zhangwei", "ground": "1"},
        {"q": "li", "authority": str(court.pk), "published_from": D.isoformat()},
        {"domain": "judicial", "published_to": (D - datetime.timedelta(days=1)).isoformat()},
        # 1–2 characters with filters: the char table joined to the entry-name table
        {"q": "伟", "kind": "person"}, {"q": "伟", "kind": "enterprise"},  # none
        {"q": "信", "domain": "commercial"}, {"q": "张伟", "ground": "2"},
        {"q": "小龙", "ground": "2"},  # none
        {"q": "诚", "authority": str(amr.pk), "province": firm_region[:2]},
        {"q": "伟", "ground": "4"}, {"ground": "4", "kind": "person"},
        {"q": "zhaowei", "kind": "person"}, {"q": "钱伟", "ground": "4"},  # outside the window
        {"domain": "judicial", "published_from": (D - datetime.timedelta(days=1)).isoformat()},
    ]  # fmt: skip
    found_any = set()
    for params in combinations:
        filterset, entries = filtered_entries(params)
        assert entries is not None, (params, filterset.errors)
        assert not entries.query.extra_tables, params  # chosen in the table first
        joined = list(newest_first(filterset.qs)[:200])
        assert list(entries) == joined, params
        found_any |= {e.pk for e in joined}
    public = {listed[k].pk for k in ("zhang", "li", "single", "firm")} | {extra["王伟"].pk}
    assert found_any == public  # never the expired or future entries
    # a city that is no city code is a form error since issue 14 (it used to list nothing)
    filterset, entries = filtered_entries({"city": "ab12"})
    assert entries is None and "city" in filterset.errors
    # newest first across dates: li (D + 2), 王伟 (D + 1), then those of D by newest id
    filterset, entries = filtered_entries({"domain": "judicial", "kind": "person"})
    assert [e.pk for e in entries] == [listed["li"].pk, extra["王伟"].pk, listed["single"].pk,
                                       listed["zhang"].pk]  # fmt: skip
    assert entries[2].status == "under_objection"
    # a legal representative: the joined search; a 1–2 character name alone: the char table
    filterset, entries = filtered_entries({"legal_rep": "王建国", "domain": "commercial"})
    assert [e.pk for e in entries] == [listed["firm"].pk]
    assert "sanctions_subject" in str(entries.query)
    _filterset, entries = filtered_entries({"q": "伟"})
    assert entries.query.extra_tables == ("scs_public_name_char",)


def test_filter_columns_follow_the_record_its_subject_and_its_type(client, listed):
    """Triggers keep the filter columns equal to what they copy (facet_row checks each)."""
    from sanctions.models import Authority, IntegrityRecord, RecordType, Subject

    zhang = listed["zhang"]
    other = Authority.objects.get(code="bj-xicheng-court")
    IntegrityRecord.objects.filter(pk=zhang.pk).update(authority=other, judicial_ground=5)
    assert facet_row(zhang)["authority_id"] == other.pk
    assert facet_row(zhang)["judicial_ground"] == 5
    assert case_numbers(client, "zhangwei") == ["(2025)京0101执1号"]
    response = client.get(reverse("search"), {"authority": other.pk, "ground": "5"})
    assert [e["case_number"] for e in response.context["page"].object_list] == ["(2025)京0101执1号"]
    Subject.objects.filter(pk=zhang.subject_id).update(region_code="440305")
    assert facet_row(zhang)["province"] == "44" and facet_row(zhang)["city"] == "4403"
    response = client.get(reverse("search"), {"province": "44"})
    assert [e["case_number"] for e in response.context["page"].object_list] == ["(2025)京0101执1号"]
    # (a subject's kind cannot change: persons alone have a birth date, a check constraint)
    # the record moved to another subject: that subject's kind and region
    single_subject = listed["people"]["single"].subject
    IntegrityRecord.objects.filter(pk=zhang.pk).update(subject=single_subject)
    assert facet_row(zhang)["city"] == single_subject.region_code[:4]
    debtor = RecordType.objects.get(code="judicial-dishonest-debtor")
    RecordType.objects.filter(pk=debtor.pk).update(domain="societal")
    assert facet_row(zhang)["domain"] == "societal" and facet_row(listed["li"])["domain"] == (
        "societal"
    )
    response = client.get(reverse("search"), {"domain": "judicial"})
    assert response.context["page"].object_list == []
    # a copy out of step (say, a write with the triggers disabled) never shows an entry
    # under a filter its record does not match: the filters are applied again to the records
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("UPDATE scs_public_entry_name SET domain = 'commercial' WHERE "
                       "record_id = %s", [zhang.pk])  # fmt: skip
    response = client.get(reverse("search"), {"domain": "commercial"})
    assert [e["case_number"] for e in response.context["page"].object_list] == [
        "京市监罚〔2025〕9号"
    ]


def test_truncating_records_empties_the_search_tables(listed):
    """Test flushes TRUNCATE the records; recycled ids must not meet stale characters."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM scs_public_name_char")
        assert cursor.fetchone()[0] > 0
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending deferred checks
        cursor.execute("TRUNCATE sanctions_integrityrecord CASCADE")
        cursor.execute("SELECT count(*) FROM scs_public_name_char")
        assert cursor.fetchone()[0] == 0
        cursor.execute("SELECT count(*) FROM scs_public_entry_name")
        assert cursor.fetchone()[0] == 0
        transaction.set_rollback(True)


# --- the search page cache ----------------------------------------------------------------------


@pytest.fixture
def page_cache(settings):
    from django.core.cache import cache

    settings.SCS_SEARCH_PAGE_CACHE_SECONDS = 30
    settings.SCS_SEARCH_RATE_PER_MINUTE = 1000
    cache.clear()  # the test Redis database holds nothing else worth keeping
    return cache


def test_cached_search_page_is_reused_until_the_list_changes(client, listed, page_cache):
    url = reverse("search") + "?q=张伟"
    first = client.get(url)
    assert first.context is not None and names(first) == ["张伟"]  # rendered
    again = client.get(url)
    assert again.context is None and again.content == first.content.replace(
        csrf_of(first).encode(), csrf_of(again).encode()
    )  # served from the cache, with its own CSRF token
    # a change to the list (here: an objection) makes it stale at once
    reviewer = make_official(role="reviewer", authority_code="bj-dongcheng-court",
                             username="court.rev2")  # fmt: skip
    services.objection_file(actor=reviewer, record=listed["zhang"], grounds="错误")
    changed = client.get(url)
    assert changed.context is not None and "badge-objection" in changed.content.decode()
    services.record_remove(actor=reviewer, record=listed["zhang"], reason="performed")
    removed = client.get(url)
    assert removed.context is not None and names(removed) == []
    # other language, other page: other entries
    english = client.get(url, HTTP_ACCEPT_LANGUAGE="en")
    chinese = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert 'lang="en"' in english.content.decode() and 'lang="zh-Hans"' in chinese.content.decode()


def test_cached_page_follows_a_legal_representatives_rename(client, listed, page_cache):
    from citizens.services import citizen_update

    url = reverse("search") + "?legal_rep=王建国"
    assert names(client.get(url)) == ["北京诚信示范贸易有限公司"]
    assert client.get(url).context is None  # cached
    rep = listed["enterprise"].legal_representative
    # the enterprise subjects are renamed by a bulk update; the citizen's own save bumps
    citizen_update(actor=None, citizen=rep, name="王建军", email=rep.email)
    assert names(client.get(url)) == []
    assert names(client.get(reverse("search") + "?legal_rep=王建军")) == [
        "北京诚信示范贸易有限公司"
    ]


def test_logged_in_citizens_never_get_the_anonymous_cached_page(client, listed, page_cache):
    from tests.factories import UserFactory

    url = reverse("search") + "?q=张伟"
    client.get(url)  # cached for anonymous visitors
    zhang = listed["people"]["zhang"]
    zhang.user = UserFactory(username="zhang.portal")
    zhang.save(update_fields=["user"])
    client.force_login(zhang.user)
    page = client.get(url)
    assert page.context is not None and "Log out" in page.content.decode()


def test_concurrent_misses_wait_for_the_one_rendering_the_page(client, listed, page_cache,
                                                                settings):  # fmt: skip
    import threading
    import time

    from sanctions.publication.page_cache import cache_redis

    url = reverse("search") + "?q=张伟"
    assert client.get(url).context is not None  # rendered and stored
    redis_client = cache_redis()
    (key,) = [k for k in redis_client.scan_iter("*search-page:*") if b":rendering" not in k]
    stored = redis_client.get(key)
    # the page expired and another request is rendering it: this one waits for that page
    redis_client.delete(key)
    redis_client.set(key + b":rendering", b"1", px=5000)
    settings.SCS_SEARCH_PAGE_WAIT_MS = 4000  # a loaded test machine may start the timer late
    timer = threading.Timer(0.3, lambda: redis_client.set(key, stored, ex=30))
    timer.start()
    started = time.monotonic()
    waited = client.get(url)
    timer.join()
    assert waited.context is None and waited.status_code == 200  # not rendered here
    assert 'href="/entries/' in waited.content.decode() and "张伟" in waited.content.decode()
    assert time.monotonic() - started >= 0.3
    # the other request never delivers: after the wait this one renders it itself
    settings.SCS_SEARCH_PAGE_WAIT_MS = 100
    redis_client.delete(key)
    rendered = client.get(url)
    assert rendered.context is not None and names(rendered) == ["张伟"]


def test_an_old_page_is_served_while_one_request_renders_it_anew(client, listed, page_cache,
                                                                 settings):  # fmt: skip
    """Past SCS_SEARCH_PAGE_CACHE_SECONDS a page of the current list version is rendered anew
    by one request; meanwhile the others get the older copy at once instead of waiting."""
    import time

    from sanctions.publication.page_cache import cache_redis

    settings.SCS_SEARCH_PAGE_WAIT_MS = 3000  # a waiting request would be slow to notice
    url = reverse("search") + "?q=张伟"
    assert client.get(url).context is not None  # rendered and stored
    redis_client = cache_redis()
    (key,) = [k for k in redis_client.scan_iter("*search-page:*") if b":rendering" not in k]
    assert redis_client.ttl(key) > settings.SCS_SEARCH_PAGE_CACHE_SECONDS  # kept for longer

    def age_stored_page():
        head, _newline, body = redis_client.get(key).partition(b"\n")
        stamp, _colon, rendered_at = head.rpartition(b":")
        old = float(rendered_at) - settings.SCS_SEARCH_PAGE_CACHE_SECONDS - 1
        redis_client.set(key, stamp + b":" + f"{old:.3f}".encode() + b"\n" + body, ex=60)

    assert client.get(url).context is None  # fresh: from the cache
    age_stored_page()
    assert client.get(url).context is not None  # old: this request renders it anew
    assert client.get(url).context is None  # ... and the new copy is fresh
    age_stored_page()
    redis_client.set(key + b":rendering", b"1", px=5000)  # another request is rendering
    started = time.monotonic()
    old = client.get(url)
    assert old.status_code == 200 and old.context is None
    assert 'href="/entries/' in old.content.decode() and "张伟" in old.content.decode()
    assert time.monotonic() - started < 1  # served the older copy, no wait
    # a change to the list makes the stored page invalid at once: never served, old or not
    listed["zhang"].subject.save()
    redis_client.delete(key + b":rendering")
    assert client.get(url).context is not None


def csrf_of(response) -> str:
    match = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', response.content.decode())
    assert match, "no CSRF token on the page"
    return match.group(1)


def test_a_cached_page_costs_one_redis_round_trip(client, listed, page_cache, monkeypatch):
    """The rate limit's count and the page's two keys go in one pipeline; the view reads
    nothing more from Redis for a cached page."""
    import redis

    from sanctions.kernel import ratelimit
    from sanctions.publication.page_cache import cache_redis

    url = reverse("search") + "?q=张伟"
    assert client.get(url).context is not None  # rendered and stored
    sent = []
    real_execute = redis.client.Pipeline.execute

    def counting_execute(pipe, *args, **kwargs):
        sent.append([command[0][0] for command in pipe.command_stack])
        return real_execute(pipe, *args, **kwargs)

    def no_more_reads(*args, **kwargs):
        raise AssertionError("a second round trip for a cached page")

    monkeypatch.setattr(redis.client.Pipeline, "execute", counting_execute)
    for redis_client in (ratelimit._client(), cache_redis()):
        monkeypatch.setattr(redis_client, "mget", no_more_reads)
        monkeypatch.setattr(redis_client, "get", no_more_reads)
    again = client.get(url)
    assert again.status_code == 200 and again.context is None  # from the cache
    assert sent == [["INCRBY", "EXPIRE", "MGET"]]


def test_cached_page_carries_each_visitors_csrf_token(listed, page_cache):
    from django.test import Client

    url = reverse("search") + "?q=李小龙"
    alice, bob = Client(enforce_csrf_checks=True), Client(enforce_csrf_checks=True)
    alice.get(url)
    page = bob.get(url)
    assert page.context is None  # bob got the cached page
    token = csrf_of(page)
    assert "scs-csrf-token-placeholder" not in page.content.decode()
    # bob's token works for bob's exact lookup by POST
    number = listed["people"]["li"].resident_id
    looked_up = bob.post(reverse("search"), {"identifier": number, "csrfmiddlewaretoken": token})
    assert looked_up.status_code == 200 and names(looked_up) == ["李小龙"]


def test_cached_pages_still_count_against_the_rate_limit(client, listed, page_cache, settings):
    settings.SCS_SEARCH_RATE_PER_MINUTE = 3
    ip = {"REMOTE_ADDR": f"198.51.100.{datetime.datetime.now().microsecond % 200 + 1}"}
    url = reverse("search") + "?q=单雄信"
    assert [client.get(url, **ip).status_code for _ in range(4)] == [200, 200, 200, 429]


def test_logged_in_users_and_posts_are_never_served_from_the_cache(client, listed, page_cache):
    url = reverse("search") + "?q=张伟"
    client.get(url)
    assert client.get(url).context is None  # anonymous GET: cached
    # an exact lookup (POST) to the same URL renders, with its own answer
    zhang = listed["people"]["zhang"]
    looked_up = client.post(url, {"identifier": zhang.resident_id})
    assert looked_up.context is not None and names(looked_up) == ["张伟"]
    client.force_login(make_official(role="clerk", authority_code="bj-dongcheng-court",
                                     username="court.clerk2"))  # fmt: skip
    assert client.get(url).context is not None


def test_search_page_renders_without_the_cache(client, listed, page_cache, settings):
    """The cache is an optimisation: with its Redis gone, pages still render (the rate limit
    has its own connection and fails closed, tested above)."""
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": "redis://127.0.0.1:1/0"}}  # fmt: skip
    from django.core.cache import caches

    caches._settings = None  # re-read CACHES
    try:
        response = client.get(reverse("search"))
        assert response.status_code == 200 and response.context is not None
    finally:
        caches._settings = None
