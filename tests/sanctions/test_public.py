"""The public list: what appears, what never appears, search shapes, rate limit."""

import datetime
import re

import pytest
from django.urls import reverse

from sanctions import services
from sanctions.models import RecordType
from sanctions.public import ENTERPRISE_FIELDS, PERSON_FIELDS, public_entry
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
    assert len(names(client.get(reverse("search"), {"province": "11"}))) >= 1
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
    assert client.get(reverse("entry_detail", args=[listed["private"].pk])).status_code == 404
    services.record_remove(actor=make_official(role="reviewer",
                                               authority_code="bj-dongcheng-court"),
                           record=listed["li"], reason="performed")  # fmt: skip
    assert client.get(reverse("entry_detail", args=[listed["li"].pk])).status_code == 404


def test_only_allow_listed_fields_reach_the_public(client, listed):
    person = public_entry(listed["zhang"])
    firm = public_entry(listed["firm"])
    assert set(person) == set(PERSON_FIELDS) and set(firm) == set(ENTERPRISE_FIELDS)
    page = client.get(reverse("entry_detail", args=[listed["zhang"].pk])).content.decode()
    # fields of the record that are not on the allow-list
    citizen = listed["people"]["zhang"]
    for secret in [PRIVATE_FACTS, "内部标题", citizen.subject.identifier_hash,
                   citizen.birth_date.isoformat(), citizen.resident_id, "fact"]:  # fmt: skip
        assert secret not in page


def test_no_public_page_contains_a_full_id_number(client, listed):
    pages = [reverse("home"), reverse("search") + "?q=张伟", reverse("search") + "?kind=person",
             reverse("how_to_object")]  # fmt: skip
    pages += [reverse("entry_detail", args=[listed[k].pk]) for k in ("zhang", "li", "single")]
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
    from sanctions import ratelimit

    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    ratelimit._pool = None
    try:
        down = client.get(reverse("search"), {"q": "张伟"}, REMOTE_ADDR="203.0.113.78")
        assert down.status_code == 429 and "briefly unavailable" in down.content.decode()
    finally:
        ratelimit._pool = None
