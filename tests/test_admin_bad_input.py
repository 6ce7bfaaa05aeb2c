"""Every admin URL with bad ids and every admin form with bad values: never a 500.

Generated from the admin site itself: every registered ModelAdmin's URL patterns (custom
`act/<action>/`, evidence, attachment and what-if views included, with the action names of
its `service_actions`), the site's own URLs, and every field of every add and change form.
The client re-raises any exception a view lets through, so "no 500" also means "no
exception". Expected answers:

- a malformed or missing id: 404 from the portal's own views; Django's change, delete and
  history views answer their documented 302 back to the list (with a message);
- an out-of-range number or a value that is not a key of the related model: the form again
  (200) with an error on that field, and nothing written.
"""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django import forms
from django.apps import apps
from django.contrib import admin
from django.urls import URLPattern, reverse

from sanctions.models import Case, RecordType
from tests import services
from tests.factories import make_citizen, make_enterprise, make_official
from tests.sanctions.test_casework import D, pdf

pytestmark = pytest.mark.django_db

BAD_IDS = ["abc", "99999999", "-1", "1.5", "9" * 40, "0x10", "1%00"]
BAD_NUMBERS = ["9223372036854775808", "-9223372036854775809", "1" + "0" * 40, "NaN",
               "Infinity", "1e400", "12abc"]  # fmt: skip
BAD_KEYS = ["abc", "99999999", "-1", "1.5", "9" * 40]
# Django's own views for an object that does not exist: a redirect to the list (documented)
DJANGO_OBJECT_VIEWS = {"change", "delete", "history"}


@pytest.fixture
def world(catalog, client, superuser):
    """One object of most admin models (a decided case with evidence, its record, an
    objection and its appeal, a repair application, a citizen, an enterprise, a draft rule
    set), and a superuser client whose session passed the second factor."""
    clerk = make_official(role="clerk", authority_code="bj-dongcheng-court")
    reviewer = make_official(role="reviewer", authority_code="bj-dongcheng-court")
    make_official(role="supervisor", authority_code="bj-dongcheng-court")
    case = services.case_create(
        actor=clerk, subject=make_citizen().subject,
        record_type=RecordType.objects.get(code="judicial-dishonest-debtor"),
        title="执行案件", facts="拒不履行", judicial_ground=2,
    )  # fmt: skip
    services.evidence_add(actor=clerk, case=case, uploaded=pdf())
    services.case_submit(actor=clerk, case=case)
    record = services.case_decide(
        actor=reviewer, case=case, decision_number="BAD-1", decision_date=D, today=D
    )
    objection = services.objection_file(actor=clerk, record=record, grounds="g", today=D)
    services.objection_decide(actor=reviewer, objection=objection, outcome="rejected",
                              reasons="r", today=D)  # fmt: skip
    services.appeal_file(actor=clerk, objection=objection, grounds="g", today=D)
    make_enterprise()
    supervisor = make_official(role="supervisor", authority_code="bj-xicheng-court")
    services.ruleset_create_draft(actor=supervisor, name="draft")
    client.force_login(superuser)
    return {"case": case, "record": record}


def _route(pattern: URLPattern) -> str:
    return str(pattern.pattern)


def _fill(route: str, values: dict[str, str]) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", lambda m: values[m.group(1)], route)


def _model_url_patterns():
    """(model admin, its prefix, URL pattern) for every registered model."""
    for model, model_admin in admin.site._registry.items():
        prefix = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        for pattern in model_admin.get_urls():
            yield model_admin, prefix, pattern


def _some_pk(model) -> str | None:
    """The newest object's key (for rule sets: the draft, which is editable)."""
    pk = model._default_manager.order_by("-pk").values_list("pk", flat=True).first()
    return None if pk is None else str(pk)


def _may(model_admin, view: str, method: str, request) -> bool:
    """Whether Django's own object view lets the superuser through before looking for the
    object (it asks for the permission first)."""
    if view == "delete":
        return model_admin.has_delete_permission(request)
    if view == "change" and method == "POST":
        return model_admin.has_change_permission(request)
    return model_admin.has_view_or_change_permission(request)


def _expect(response, *, url: str, view: str, method: str, changelist: str, allowed) -> None:
    status = response.status_code
    assert status != 500, (method, url)
    if view == "act" and method == "GET":
        assert status == 405, (method, url, status)  # a button: POST only
    elif view in DJANGO_OBJECT_VIEWS and not allowed:
        # Django asks for the permission before it looks for the object (a scoped admin
        # looks first: 404)
        assert status in (403, 404), (method, url, status)
    elif view in DJANGO_OBJECT_VIEWS and status == 302:
        assert response["Location"] in (changelist, "/admin/"), (method, url, status)
    elif view == "redirect_to_change":
        assert status == 302, (method, url, status)  # Django's old-style URL: a redirect
    else:
        assert status == 404, (method, url, status)


def test_every_admin_url_with_a_bad_id_is_a_404_or_the_documented_redirect(
    client, world, superuser, rf
):
    request = rf.get("/admin/")
    request.user = superuser
    walked = set()
    for model_admin, prefix, pattern in _model_url_patterns():
        route = _route(pattern)
        names = re.findall(r"<(?:\w+:)?(\w+)>", route)
        if not names:
            continue  # the list, add and autocomplete pages: no id
        model = model_admin.model
        valid = _some_pk(model)
        if pattern.name is None:
            view = "redirect_to_change"
        elif "act" in route.split("/"):
            view = "act"
        else:
            view = pattern.name.rsplit("_", 1)[-1]
        actions = [*getattr(model_admin, "service_actions", {}), "no-such-action"]
        changelist = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        combos = []
        first, *rest = names
        for bad in BAD_IDS:
            if "action" in rest:  # every action of the admin, and one it does not have
                combos.extend({first: bad, "action": action} for action in actions)
            else:
                combos.append({first: bad, **{name: "1" for name in rest}})
        if valid is not None and rest:  # a real object, a bad second part
            for name in rest:
                bad_parts = ["no-such-action"] if name == "action" else ["99999999", "9" * 40]
                combos.extend({first: valid, name: part} for part in bad_parts)
        converters = pattern.pattern.converters
        for values in combos:
            if any(not re.fullmatch(converters[n].regex, v) for n, v in values.items()
                   if n in converters):  # fmt: skip
                continue  # the URL does not match this pattern at all
            url = prefix + _fill(route, values)
            for method in ("GET", "POST"):
                response = client.generic(method, url)
                _expect(response, url=url, view=view, method=method, changelist=changelist,
                        allowed=_may(model_admin, view, method, request))  # fmt: skip
            walked.add(route)
    # the walk reached the custom views the issue named
    assert {"<path:object_id>/act/<str:action>/", "<path:object_id>/evidence/<int:evidence_id>/",
            "<path:object_id>/attachments/<int:attachment_id>/", "<int:pk>/what-if/",
            "<id>/password/", "<path:object_id>/change/"} <= walked  # fmt: skip


def test_the_issue_s_act_urls_are_404(client, world):
    for url in ["/admin/citizens/citizen/99999999/act/activation_code/",
                "/admin/citizens/citizen/abc/act/activation_code/",
                "/admin/sanctions/ruleset/99999/act/activate/"]:  # fmt: skip
        assert client.post(url).status_code == 404, url


def test_site_urls_with_bad_values(client, world):
    """The site's own URLs: view-on-site, app index, autocomplete with bad parameters."""
    for url in ["/admin/r/99999999/1/", "/admin/r/1/abc/", "/admin/r/" + "9" * 40 + "/1/",
                "/admin/no_such_app/", "/admin/sanctions/no_such_model/",
                "/admin/sanctions/case/abc/act/", "/admin/abc/def/ghi/jkl/"]:  # fmt: skip
        for method in ("GET", "POST"):
            assert client.generic(method, url).status_code in (302, 404), (method, url)
    autocomplete = reverse("admin:autocomplete")
    for params in [{}, {"app_label": "sanctions", "model_name": "case", "field_name": "subject",
                        "term": "\x00"},
                   {"app_label": "sanctions", "model_name": "case", "field_name": "nope"},
                   {"app_label": "x" * 300, "model_name": "y", "field_name": "z"},
                   {"app_label": "sanctions", "model_name": "case", "field_name": "subject",
                    "page": "abc"}]:  # fmt: skip
        response = client.get(autocomplete, params)
        assert response.status_code in (200, 403, 404), params


def test_every_changelist_with_bad_filter_sort_page_and_search_values(client, world):
    for model, model_admin in admin.site._registry.items():
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        response = client.get(url)
        assert response.status_code == 200, url
        changelist = response.context["cl"]
        params = [param for spec in changelist.filter_specs
                  for param in spec.expected_parameters()]  # fmt: skip
        if model_admin.date_hierarchy:
            params += [f"{model_admin.date_hierarchy}__{part}" for part in ("year", "month", "day")]
        queries = [{param: bad} for param in params for bad in ("abc", "9" * 40, "-1", "\x00")]
        queries += [{"o": "abc"}, {"o": "99.-99"}, {"p": "abc"}, {"p": "9" * 40},
                    {"q": "\x00"}, {"q": "x" * 5000}, {"_to_field": "abc"},
                    {"no_such_field": "1"}, {"e": "1"}]  # fmt: skip
        for query in queries:
            response = client.get(url, query)
            assert response.status_code in (200, 302, 400), (url, query)


def test_changelist_actions_with_bad_selected_ids(client, world):
    for model in admin.site._registry:
        url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
        response = client.get(url)
        form = response.context.get("action_form")
        if form is None:
            continue
        before = _row_counts()
        for action, _label in form.fields["action"].choices:
            if not action:
                continue
            for bad in BAD_KEYS:
                response = client.post(
                    url, {"action": action, "_selected_action": [bad], "index": "0"}
                )
                assert response.status_code in (200, 302), (url, action, bad)
        assert _row_counts() == before, url


# --- forms ---------------------------------------------------------------------------------


def _form_pages(world):
    """(url, model) of every add form and every change form of an existing object that the
    superuser may edit."""
    for model in admin.site._registry:
        info = model._meta.app_label, model._meta.model_name
        yield reverse("admin:{}_{}_add".format(*info)), model
        pk = _some_pk(model)
        if pk is not None:
            yield reverse("admin:{}_{}_change".format(*info), args=[pk]), model


def _bad_values(field: forms.Field) -> list | None:
    if isinstance(field, forms.ModelMultipleChoiceField):
        return [[bad] for bad in BAD_KEYS]
    if isinstance(field, forms.ModelChoiceField):
        return BAD_KEYS
    if isinstance(field, forms.IntegerField | forms.DecimalField | forms.FloatField):
        return BAD_NUMBERS
    return None


# written by reading (the access log a person sees) or by the login machinery
NOT_WRITES = {"sanctions.AccessLog", "sessions.Session"}


def _row_counts():
    return {m._meta.label: m._default_manager.count() for m in apps.get_models()
            if not m._meta.proxy and m._meta.label not in NOT_WRITES}  # fmt: skip


def test_every_admin_form_refuses_bad_numbers_and_keys_with_a_field_error(client, world):
    checked = set()
    before = _row_counts()
    for url, model in _form_pages(world):
        response = client.get(url)
        if response.status_code != 200 or "adminform" not in (response.context or {}):
            continue  # no add permission (subjects come with a citizen) or read-only
        form = response.context["adminform"].form
        for name, field in form.fields.items():
            if field.disabled or (bad_values := _bad_values(field)) is None:
                continue
            for bad in bad_values:
                response = client.post(url, {name: bad})
                assert response.status_code == 200, (url, name, bad, response.status_code)
                errors = response.context["adminform"].form.errors
                assert name in errors, (url, name, bad, errors)
                checked.add((model._meta.label, name))
    assert _row_counts() == before
    # the fields the issue named, and a few more of each kind
    assert {("sanctions.Case", "publication_days"), ("sanctions.Case", "subject"),
            ("sanctions.Case", "amount"), ("sanctions.IntegrityRecord", "subject"),
            ("sanctions.RecordType", "points"), ("sanctions.RuleSet", "base_score"),
            ("enterprises.Enterprise", "legal_representative")} <= checked  # fmt: skip


def test_every_action_form_refuses_bad_values_and_changes_nothing(client, world):
    """The service actions' forms on the change pages (objection decision with an amount,
    partial performance, extension...), posted with bad values for a real object."""
    checked = set()
    before = _row_counts()
    for model, model_admin in admin.site._registry.items():
        pk = _some_pk(model)
        for action in getattr(model_admin, "service_actions", {}):
            form_class = model_admin.step(action).form
            if form_class is None or pk is None:
                continue
            url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_act",
                          args=[pk, action])  # fmt: skip
            for name, field in form_class().fields.items():
                values = _bad_values(field) or ["\x00", "x\x00y"]
                for bad in values:
                    # confirmed: only the bad value stands in the way
                    response = client.post(url, {f"{action}-{name}": bad, "confirm": "yes"})
                    assert response.status_code == 302, (url, name, bad)
                    checked.add((model._meta.label, action, name))
    assert _row_counts() == before
    assert ("sanctions.Objection", "decide", "amount") in checked


# --- the issue's cases, each with its valid twin (so the test can fail) -----------------------


@pytest.fixture
def clerk_client(client, catalog):
    clerk = make_official(role="clerk", authority_code="bj-dongcheng-court")
    client.force_login(clerk)
    return client


def _case_form(the_subject, **overrides):
    record_type = RecordType.objects.get(code="judicial-dishonest-debtor")
    data = {"subject": the_subject.pk, "record_type": record_type.pk, "title": "执行案件",
            "facts": "拒不履行", "judicial_ground": "2", "publication_days": "700",
            "evidence-TOTAL_FORMS": "0", "evidence-INITIAL_FORMS": "0",
            "notes-TOTAL_FORMS": "0", "notes-INITIAL_FORMS": "0"}  # fmt: skip
    return {**data, **overrides}


def _inline_prefixes(response) -> dict:
    data = {}
    for formset in response.context["inline_admin_formsets"]:
        prefix = formset.formset.prefix
        data[f"{prefix}-TOTAL_FORMS"] = "0"
        data[f"{prefix}-INITIAL_FORMS"] = "0"
    return data


def test_case_add_with_a_huge_publication_period_is_a_field_error(clerk_client):
    subject = make_citizen().subject
    url = reverse("admin:sanctions_case_add")
    inline = _inline_prefixes(clerk_client.get(url))
    response = clerk_client.post(
        url, {**_case_form(subject, publication_days="9223372036854775808"), **inline}
    )
    assert response.status_code == 200
    assert "publication_days" in response.context["adminform"].form.errors
    assert not Case.objects.exists()
    # the same form with a sane period drafts the case
    response = clerk_client.post(url, {**_case_form(subject), **inline})
    assert response.status_code == 302 and Case.objects.get().publication_days == 700


def test_case_add_with_a_malformed_subject_is_a_field_error(clerk_client):
    subject = make_citizen().subject
    url = reverse("admin:sanctions_case_add")
    inline = _inline_prefixes(clerk_client.get(url))
    for bad in BAD_KEYS:
        response = clerk_client.post(url, {**_case_form(subject, subject=bad), **inline})
        assert response.status_code == 200, bad
        assert "subject" in response.context["adminform"].form.errors
    assert not Case.objects.exists()


def test_objection_correction_with_a_huge_amount_is_refused(client, world):
    """ObjectionDecideForm's amount is bounded by the record's column (16 digits, 2 places)."""
    from sanctions.casework.admin import ObjectionDecideForm

    data = {"outcome": "partly_upheld", "reasons": "r", "amount": "1" + "0" * 20}
    assert "amount" in ObjectionDecideForm(data).errors
    data["amount"] = str(Decimal("99999999999999.99"))
    assert ObjectionDecideForm(data).is_valid()


@pytest.mark.parametrize("debug", [False, True])
def test_more_than_a_thousand_query_parameters_is_a_400(client, world, settings, debug):
    settings.DEBUG = debug
    query = "&".join(f"p{i}=1" for i in range(1_100))
    for path in ["/admin/sanctions/case/", "/", "/search/"]:
        response = client.get(f"{path}?{query}")
        assert response.status_code == 400, path
        assert b"Bad request" in response.content
    response = client.get(f"/api/v1/public/entries/?{query}")
    assert response.status_code == 400 and response.json()["code"] == "too_many_parameters"
    response = client.get(f"/search/?{query}", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400 and "请求" in response.content.decode()
    # a form body with too many fields: Django's own 400 (its parser remembers the failure)
    response = client.post("/admin/sanctions/case/add/", query,
                           content_type="application/x-www-form-urlencoded")  # fmt: skip
    assert response.status_code == 400
    assert Case.objects.count() == 1  # the world's case, no other


def test_record_type_periods_and_points_beyond_the_limits_are_field_errors(client, world):
    """A period no date can hold (every record of the type would be an OverflowError) or
    points that would overflow a score: field errors; within the limits: saved."""
    data = {
        "code": "societal-test-type", "title": "测试类型", "domain": "societal",
        "polarity": "negative", "severity": "general", "points": "-10",
        "subject_kinds": "person", "issuer_kinds": ["government"],
        "legal_basis": "《某条例》第一条", "attestation": "已核实。", "is_active": "on",
    }  # fmt: skip
    url = reverse("admin:sanctions_recordtype_add")
    for field, value in [("effective_days", "2147483647"), ("publication_max_days", "40000"),
                         ("points", "-2000000000")]:  # fmt: skip
        response = client.post(url, {**data, field: value})
        assert response.status_code == 200, field
        assert field in response.context["adminform"].form.errors, field
    assert not RecordType.objects.filter(code="societal-test-type").exists()
    response = client.post(url, {**data, "effective_days": "36525"})
    assert response.status_code == 302
    assert RecordType.objects.get(code="societal-test-type").effective_days == 36525


def test_rule_set_numbers_beyond_the_limits_are_refused(world):
    from sanctions.kernel.errors import ApplicationError
    from sanctions.scoring.services import validate_ruleset_fields

    bands = [["A", 960], ["B", None]]
    fine = {"grade_bands": bands, "points_overrides": {"judicial-dishonest-debtor": -100},
            "base_score": 1000, "default_effective_days": 365}  # fmt: skip
    validate_ruleset_fields(**fine)
    for field, value in [("points_overrides", {"judicial-dishonest-debtor": -(10**12)}),
                         ("grade_bands", [["A", 10**15], ["B", None]]),
                         ("base_score", 2**31), ("default_effective_days", 10**7)]:  # fmt: skip
        with pytest.raises(ApplicationError) as excinfo:
            validate_ruleset_fields(**{**fine, field: value})
        assert field in excinfo.value.message_dict, field
