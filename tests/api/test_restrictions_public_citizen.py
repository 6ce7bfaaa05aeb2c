"""Restriction checks (access log, header/body only), the public list over the API (allow-list,
cap, rate limit) and citizens' own endpoints."""

import pytest
from django.test import override_settings

from sanctions.models import AccessLog
from sanctions.publication.selectors import ENTERPRISE_FIELDS, PERSON_FIELDS
from tests.api.conftest import auth, person_payload
from tests.factories import UserFactory, make_citizen
from tests.sanctions.test_public import PRIVATE_FACTS, listed  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db
CHECK = "/api/v1/restrictions/check"


def test_restriction_check_by_header_logs_access(api, court_agency, listed):  # noqa: F811
    client, key = court_agency
    zhang = listed["people"]["zhang"]
    response = api.get(CHECK, HTTP_X_SUBJECT_IDENTIFIER=zhang.resident_id, **auth(key))
    assert response.status_code == 200, response.json()
    data = response.json()
    assert data["restricted"] is True
    codes = {r["measure"] for r in data["restrictions"]}
    assert "no-air-travel" in codes
    basis = data["restrictions"][0]["basis"]
    assert basis["decision_number"] == "(2025)京0101执1号"
    assert data["restrictions"][0]["until"] is not None  # ground 2: listed for 2 years
    assert zhang.resident_id not in response.content.decode()
    log = AccessLog.objects.get(subject=zhang.subject)
    assert log.official == client.user and client.name in log.purpose
    assert log.authority == client.authority

    only = api.get(CHECK + "?measure=no-procurement",
                   HTTP_X_SUBJECT_IDENTIFIER=zhang.resident_id, **auth(key))  # fmt: skip
    assert {r["measure"] for r in only.json()["restrictions"]} == {"no-procurement"}
    assert AccessLog.objects.filter(subject=zhang.subject).count() == 2


def test_restriction_check_body_and_negative_answers(api, court_agency, listed):  # noqa: F811
    _client, key = court_agency
    clean = make_citizen(name="周清白")
    response = api.post(CHECK, {"identifier": clean.resident_id}, format="json", **auth(key))
    assert response.status_code == 200
    assert response.json()["restricted"] is False and response.json()["subject_found"] is True
    assert AccessLog.objects.filter(subject=clean.subject).count() == 1
    # an individual's administrative penalty (never published) triggers no restriction here
    # a valid number nobody registered (a wrong check digit is a 400: test_public_why.py)
    unknown = api.post(CHECK, {"identifier": "110101199001011237"}, format="json", **auth(key))
    assert unknown.status_code == 200 and unknown.json()["subject_found"] is False
    firm = listed["enterprise"]
    ent = api.post(CHECK, {"identifier": firm.credit_code}, format="json", **auth(key))
    assert ent.status_code == 200 and ent.json()["subject_found"] is True
    assert not AccessLog.objects.filter(subject=firm.subject).exists()  # not personal data


def test_restriction_check_refuses_identifier_in_query_and_bad_input(api, court_agency, listed):  # noqa: F811
    _client, key = court_agency
    zhang = listed["people"]["zhang"]
    # the identifier in the query string is ignored: the header is required
    response = api.get(f"{CHECK}?identifier={zhang.resident_id}", **auth(key))
    assert response.status_code == 400
    assert "X-Subject-Identifier" in response.json()["errors"]
    assert not AccessLog.objects.exists()
    bad = api.get(CHECK, HTTP_X_SUBJECT_IDENTIFIER="123", **auth(key))
    assert bad.status_code == 400 and "identifier" in bad.json()["errors"]
    measure = api.get(CHECK + "?measure=nope", HTTP_X_SUBJECT_IDENTIFIER=zhang.resident_id,
                      **auth(key))  # fmt: skip
    assert measure.status_code == 400 and "measure" in measure.json()["errors"]


@pytest.mark.parametrize(
    "measure", ["nope", "no air travel", "a\x00b", "x" * 65, "无限制", " no-air-travel "]
)
def test_restriction_check_get_and_post_validate_measure_alike(api, court_agency, listed, measure):  # noqa: F811
    """GET (query string) and POST (body) validate `measure` through the same serializer:
    same status, same field errors (and the same answer when it is valid)."""
    zhang = listed["people"]["zhang"]
    key = court_agency[1]
    get = api.get(CHECK, {"measure": measure}, HTTP_X_SUBJECT_IDENTIFIER=zhang.resident_id,
                  **auth(key))  # fmt: skip
    post = api.post(CHECK, {"identifier": zhang.resident_id, "measure": measure},
                    format="json", **auth(key))  # fmt: skip
    assert get.status_code == post.status_code, (get.content, post.content)
    if post.status_code == 200:
        assert get.json() == post.json()
    else:
        assert post.status_code == 400 and "measure" in post.json()["errors"]
        assert get.json()["errors"] == post.json()["errors"]


def test_restriction_scope_required(api, catalog, listed):  # noqa: F811
    from tests.api.conftest import make_agency

    _c, writer = make_agency("bj-dongcheng-court", scopes=["records:write"], name="w")
    zhang = listed["people"]["zhang"]
    response = api.get(CHECK, HTTP_X_SUBJECT_IDENTIFIER=zhang.resident_id, **auth(writer))
    assert response.status_code == 403
    assert not AccessLog.objects.exists()


def test_public_list_allow_listed_fields_only(api, listed):  # noqa: F811
    response = api.get("/api/v1/public/entries/")
    assert response.status_code == 200
    data = response.json()
    assert data["count"] == 4 and data["capped"] is False
    for entry in data["results"]:
        expected = PERSON_FIELDS if entry["kind"] == "person" else ENTERPRISE_FIELDS
        assert tuple(entry) == expected
    body = response.content.decode()
    assert PRIVATE_FACTS not in body and "内部标题" not in body
    for person in listed["people"].values():
        assert person.resident_id not in body
    assert "京交罚〔2025〕1号" not in body  # an individual's penalty is never public
    names = [e["name"] for e in api.get("/api/v1/public/entries/?q=zhangwei").json()["results"]]
    assert names == ["张伟"]
    bad = api.get("/api/v1/public/entries/?kind=alien")
    assert bad.status_code == 400 and "kind" in bad.json()["errors"]
    assert api.get("/api/v1/public/entries/?page=99").status_code == 404


def test_public_detail_and_lookup(api, listed):  # noqa: F811
    record = listed["li"]
    detail = api.get(f"/api/v1/public/entries/{record.public_id}/")
    assert detail.status_code == 200 and detail.json()["case_number"] == record.decision_number
    assert api.get(f"/api/v1/public/entries/{listed['private'].public_id}/").status_code == 404
    li = listed["people"]["li"]
    found = api.post("/api/v1/public/entries/lookup/", {"identifier": li.resident_id},
                     format="json")  # fmt: skip
    assert found.status_code == 200 and found.json()["count"] == 1
    assert li.resident_id not in found.content.decode()


def test_public_results_are_capped(api, listed, settings):  # noqa: F811
    settings.SCS_SEARCH_MAX_RESULTS = 2
    data = api.get("/api/v1/public/entries/").json()
    assert data["count"] == 2 and data["capped"] is True and data["next"] is None


@override_settings(SCS_SEARCH_RATE_PER_MINUTE=2)
def test_public_rate_limit_429_json_and_fails_closed(api, listed, settings):  # noqa: F811
    ip = {"REMOTE_ADDR": "10.9.8.7"}
    import redis

    redis.Redis.from_url(settings.REDIS_URL).flushdb()
    assert api.get("/api/v1/public/entries/", **ip).status_code == 200
    assert api.get("/api/v1/public/entries/", **ip).status_code == 200
    limited = api.get("/api/v1/public/entries/", **ip)
    assert limited.status_code == 429 and limited["Content-Type"] == "application/json"
    assert limited.json()["code"] == "throttled"
    settings.REDIS_URL = "redis://127.0.0.1:1/0"  # the limiter's client follows the setting
    down = api.get("/api/v1/public/entries/", REMOTE_ADDR="10.9.8.8")
    # issue 14: 503 "unavailable" with Retry-After rather than 429 "throttled"
    assert down.status_code == 503 and down.json()["code"] == "unavailable"
    assert down["Retry-After"] == "30"


def test_citizen_sees_own_record_and_score(client, listed):  # noqa: F811
    zhang = listed["people"]["zhang"]
    user = UserFactory(username="zhang.citizen")
    zhang.user = user
    zhang.save(update_fields=["user"])
    client.force_login(user)
    mine = client.get("/api/v1/me/record/")
    assert mine.status_code == 200
    numbers = {r["decision_number"] for r in mine.json()["records"]}
    assert numbers == {"(2025)京0101执1号", "京交罚〔2025〕1号"}  # incl. the unpublished one
    record = listed["zhang"]
    item = next(r for r in mine.json()["records"] if r["id"] == record.pk)
    assert {k: item[k] for k in ("record_type", "record_type_title", "domain", "authority",
                                 "decision_number", "status")} == {
        "record_type": record.record_type.code, "record_type_title": record.record_type.title,
        "domain": record.record_type.domain, "authority": record.authority.name,
        "decision_number": record.decision_number, "status": record.status,
    }  # fmt: skip
    assert set(item) == {"id", "record_type", "record_type_title", "domain", "authority",
                         "decision_number", "decision_date", "legal_basis", "obligation",
                         "amount", "performance_status", "status", "judicial_ground",
                         "effective_from", "effective_until", "publication_start",
                         "publication_end"}  # fmt: skip
    score = client.get("/api/v1/me/score/")
    assert score.status_code == 200
    data = score.json()
    assert data["total"] == data["base"] + sum(r["points"] for r in data["records"])


def test_citizen_endpoints_refuse_others(client, api, court_agency, listed):  # noqa: F811
    assert client.get("/api/v1/me/record/").status_code in (401, 403)
    client.force_login(UserFactory(username="no-citizen"))
    assert client.get("/api/v1/me/record/").status_code == 403
    assert api.get("/api/v1/me/record/", **auth(court_agency[1])).status_code in (401, 403)


def test_every_identifier_entry_point_refuses_a_bad_shape_alike(api, court_agency, listed):  # noqa: F811
    """One check (sanctions.identifiers.require_full_identifier), one message, everywhere."""
    from django.urls import reverse

    message = "Enter all 18 characters of the ID number or credit code."
    key = court_agency[1]
    fullwidth = "１１０１０１１９９００１０１１２３Ｘ"  # 18 "digits", none of them ASCII
    for bad in ("123", fullwidth):
        answers = {
            "public lookup": api.post("/api/v1/public/entries/lookup/", {"identifier": bad},
                                      format="json"),
            "check (body)": api.post(CHECK, {"identifier": bad}, format="json", **auth(key)),
            "submission": api.post("/api/v1/records/", {**person_payload(), "subject": {
                "kind": "person", "identifier": bad, "name": "x"}}, format="json", **auth(key)),
        }  # fmt: skip
        if bad.isascii():  # a header carries latin-1 only
            answers["check (header)"] = api.get(CHECK, HTTP_X_SUBJECT_IDENTIFIER=bad, **auth(key))
        for name, response in answers.items():
            assert response.status_code == 400, (bad, name, response.content)
            errors = response.json()["errors"]
            field = "subject.identifier" if name == "submission" else "identifier"
            assert errors[field] == [message], (bad, name, errors)
        page = api.post(reverse("search"), {"identifier": bad}, HTTP_ACCEPT_LANGUAGE="en")
        assert page.status_code == 400 and message in page.content.decode(), bad
    assert not AccessLog.objects.exists()


def test_restriction_check_agrees_with_the_citizens_view(api, court_agency, listed):  # noqa: F811
    from sanctions.registry.selectors import active_measures

    zhang = listed["people"]["zhang"]
    check = api.get(CHECK, HTTP_X_SUBJECT_IDENTIFIER=zhang.resident_id, **auth(court_agency[1]))
    seen_by_agency = [(r["measure"], r["basis"]["decision_number"], r["until"])
                      for r in check.json()["restrictions"]]  # fmt: skip
    seen_by_citizen = [
        (m["measure"].code, m["record"].decision_number,
         m["ends_on"].isoformat() if m["ends_on"] else None)
        for m in active_measures(subject=zhang.subject) if m["measure"].kind == "restriction"
    ]  # fmt: skip
    assert seen_by_agency == seen_by_citizen and len(seen_by_agency) >= 2
