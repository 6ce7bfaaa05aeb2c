"""The access matrix, generated from the URL conf: every URL the portal answers (every admin
change/add/delete/history/action/evidence view of every registered model included), called by
every kind of caller — anonymous, citizens A and B, a clerk, reviewer, supervisor and auditor of
two authorities (the Dongcheng court, "X", and the Dongcheng market regulator, "Y"), and API keys
of both. Each URL is filled in with a real object that belongs to one of the two authorities (or
to citizen A or B), so "the wrong official" is always tried.

A 2xx answer is expected exactly where `EXPECTED` says so; every other caller must be refused
(anything but 2xx) and, when it POSTs, must change nothing in the database. A URL of the URL conf
without an entry in the table fails the test, so a new page or admin view cannot ship without
someone deciding who may open it.
"""

from __future__ import annotations

import datetime
import re

import pytest
from axes.models import AccessAttempt, AccessFailureLog
from axes.models import AccessLog as AxesAccessLog
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, path
from rest_framework.test import APIClient

from citizens.report import credit_report_issue
from sanctions.models import (
    AccessLog,
    ApiSubmission,
    AuditEvent,
    Authority,
    AuthorityApiPolicy,
    Case,
    Holiday,
    ImportBatch,
    Measure,
    Notice,
    Official,
    RecordType,
    RuleSet,
    Score,
    ScoreRun,
)
from tests import services
from tests.api.conftest import auth, make_agency, person_payload
from tests.citizens.conftest import pdf, world  # noqa: F401 - fixture
from tests.factories import make_official

pytestmark = pytest.mark.django_db

X, Y = "bj-dongcheng-court", "bj-dongcheng-amr"
ROLES = ("clerk", "reviewer", "supervisor", "auditor")
OFFICIALS = {f"{side}_{role}" for side in "xy" for role in ROLES}
ACTORS = ["anonymous", "citizen_a", "citizen_b", *sorted(OFFICIALS), "agency_x", "agency_y"]

# --- who may: sets of actors ------------------------------------------------------------------
EVERYONE = frozenset(ACTORS)
NOBODY = frozenset()
CITIZENS = frozenset({"citizen_a", "citizen_b"})
A, B = frozenset({"citizen_a"}), frozenset({"citizen_b"})
STAFF = frozenset(OFFICIALS)
AUDITORS = frozenset({"x_auditor", "y_auditor"})
CASEWORKERS = STAFF - AUDITORS  # clerks, reviewers, supervisors
SUPERVISORS = frozenset({"x_supervisor", "y_supervisor"})
CLERKS = frozenset({"x_clerk", "y_clerk"})
AGENCIES = frozenset({"agency_x", "agency_y"})
LOGGED_IN = CITIZENS | STAFF


def of(side: str, actors: frozenset) -> frozenset:
    """Those of the actors who work for authority `side` ("x" or "y")."""
    return frozenset(a for a in actors if a.startswith(f"{side}_"))


# the lookup by a full ID number: a POST form (GET is 405)
LOOKUP = {"GET": NOBODY, "POST": CASEWORKERS}

# --- the table --------------------------------------------------------------------------------
# Admin models: for each registered model, who gets a 2xx from each kind of view. The object
# views are called with the object of OBJECTS below (whose authority is X or Y). `act`,
# `evidence`, `attachment`, `what-if` and `identifier-lookup` are the portal's own views.
# Kinds: list, add, object (change page, history, the old-style URL), delete, and the custom ones.
ADMIN = {
    "axes.accessattempt": {"list": NOBODY, "add": NOBODY, "object": NOBODY},
    "axes.accesslog": {"list": NOBODY, "add": NOBODY, "object": NOBODY},
    "axes.accessfailurelog": {"list": NOBODY, "add": NOBODY, "object": NOBODY},
    "auth.user": {"list": NOBODY, "add": NOBODY, "object": NOBODY, "password": NOBODY},
    "auth.group": {"list": NOBODY, "add": NOBODY, "object": NOBODY},
    # X's case: X's caseworkers; evidence likewise
    "sanctions.case": {"list": CASEWORKERS, "add": of("x", CLERKS) | of("y", CLERKS) | SUPERVISORS,
                       "object": of("x", CASEWORKERS), "act": of("x", CASEWORKERS),
                       "evidence": of("x", CASEWORKERS), "identifier-lookup": LOOKUP},
    "sanctions.objection": {"list": CASEWORKERS, "add": NOBODY, "object": of("x", CASEWORKERS),
                            "act": of("x", CASEWORKERS), "attachment": of("x", CASEWORKERS)},
    "sanctions.appeal": {"list": CASEWORKERS, "add": NOBODY, "object": of("x", CASEWORKERS),
                         "act": of("x", CASEWORKERS)},
    # Y's (the regulator's) repair application
    "sanctions.repairapplication": {"list": CASEWORKERS, "add": NOBODY,
                                    "object": of("y", CASEWORKERS), "act": of("y", CASEWORKERS),
                                    "attachment": of("y", CASEWORKERS)},
    "sanctions.notice": {"list": CASEWORKERS, "add": NOBODY, "object": of("x", CASEWORKERS)},
    # X's access-log row: X's supervisor and the auditors
    "sanctions.accesslog": {"list": SUPERVISORS | AUDITORS, "add": NOBODY,
                            "object": of("x", SUPERVISORS) | AUDITORS},
    # national catalogs: read by every caseworker
    "sanctions.holiday": {"list": CASEWORKERS, "add": SUPERVISORS, "object": CASEWORKERS},
    "sanctions.authority": {"list": CASEWORKERS, "add": NOBODY, "object": CASEWORKERS},
    "sanctions.measure": {"list": CASEWORKERS, "add": SUPERVISORS, "object": CASEWORKERS},
    "sanctions.recordtype": {"list": CASEWORKERS, "add": SUPERVISORS, "object": CASEWORKERS},
    # X's clerk's account: X's supervisor only
    "sanctions.official": {"list": SUPERVISORS, "add": SUPERVISORS,
                           "object": of("x", SUPERVISORS)},
    "sanctions.subject": {"list": CASEWORKERS, "add": NOBODY, "object": CASEWORKERS,
                          "identifier-lookup": LOOKUP},
    "sanctions.integrityrecord": {"list": CASEWORKERS, "add": CASEWORKERS,
                                  "object": of("x", CASEWORKERS), "act": of("x", CASEWORKERS),
                                  "identifier-lookup": LOOKUP},
    # an audit row about X's case: X's caseworkers and the auditors
    "sanctions.auditevent": {"list": STAFF, "add": NOBODY,
                             "object": of("x", CASEWORKERS) | AUDITORS},
    "sanctions.ruleset": {"list": SUPERVISORS, "add": SUPERVISORS, "object": SUPERVISORS,
                          "act": SUPERVISORS, "what-if": SUPERVISORS},
    "sanctions.scorerun": {"list": SUPERVISORS, "add": NOBODY, "object": SUPERVISORS},
    "sanctions.score": {"list": SUPERVISORS, "add": NOBODY, "object": SUPERVISORS},
    "sanctions.apiclient": {"list": SUPERVISORS, "add": SUPERVISORS,
                            "object": of("x", SUPERVISORS), "act": of("x", SUPERVISORS)},
    "sanctions.authorityapipolicy": {"list": NOBODY, "add": NOBODY, "object": NOBODY},
    "sanctions.apisubmission": {"list": SUPERVISORS, "add": NOBODY,
                                "object": of("x", SUPERVISORS)},
    "sanctions.importbatch": {"list": CASEWORKERS, "add": NOBODY, "object": of("x", CASEWORKERS)},
    # the register: read by every caseworker (access-logged); A's entry corrected only by X's
    # clerk (X holds A's record), the regulator's enterprise only by Y's clerk
    "citizens.citizen": {"list": CASEWORKERS, "add": CLERKS,
                         "object": {"GET": CASEWORKERS, "POST": frozenset({"x_clerk"})},
                         "act": NOBODY, "identifier-lookup": LOOKUP},
    "enterprises.enterprise": {"list": CASEWORKERS, "add": CLERKS,
                               "object": {"GET": CASEWORKERS, "POST": frozenset({"y_clerk"})},
                               "identifier-lookup": LOOKUP},
}  # fmt: skip
for _views in ADMIN.values():
    _views.setdefault("delete", NOBODY)  # nobody deletes anything in the admin
    _views["redirect"] = NOBODY  # Django's old-style `<id>/` URL: a redirect to the change page
    # an object's history: read by those who may read the object (GET or POST alike)
    _object = _views["object"]
    _views["history"] = _object["GET"] if isinstance(_object, dict) else _object

# Every other URL of the URL conf, by its route.
ROUTES = {
    "healthz": EVERYONE,
    "i18n/setlang/": NOBODY,  # POST only: a redirect back
    "admin/second-factor/": NOBODY,  # a verified session is sent on (302)
    "admin/second-factor/enrol/": NOBODY,
    "admin/": STAFF,
    # the login forms answer everyone's POST (with the form's errors); a verified official who
    # GETs the admin's is sent on to the index
    "admin/login/": {"GET": EVERYONE - STAFF, "POST": EVERYONE},
    "admin/logout/": {"GET": NOBODY, "POST": EVERYONE},  # POST only: logged out
    "admin/password_change/": STAFF,
    "admin/password_change/done/": STAFF,
    "admin/autocomplete/": NOBODY,  # without a valid field: 403/404
    "admin/jsi18n/": STAFF,
    "admin/r/<path:content_type_id>/<path:object_id>/": NOBODY,  # a redirect at best
    "admin/^(?P<app_label>axes|auth|sanctions|citizens|enterprises)/$": STAFF,
    "admin/(?P<url>.*)$": NOBODY,
    "api/schema/": EVERYONE,
    "api/docs/": EVERYONE,
    "api/redoc/": EVERYONE,
    "api/v1/records/": {"GET": NOBODY, "POST": AGENCIES},  # POST only (405)
    "api/v1/^records/(?P<record_id>-?[0-9]{1,18})/events/$": {
        "GET": NOBODY,
        "POST": frozenset({"agency_x"}),
    },
    "api/v1/imports/": {"GET": NOBODY, "POST": AGENCIES},
    "api/v1/^imports/(?P<pk>-?[0-9]{1,18})/$": frozenset({"agency_x"}),
    "api/v1/restrictions/check": AGENCIES,
    "api/v1/public/entries/": EVERYONE,
    "api/v1/public/entries/lookup/": {"GET": NOBODY, "POST": EVERYONE},
    "api/v1/^public/entries/(?P<public_id>[0-9a-f]{32})/$": EVERYONE,
    "api/v1/me/record/": CITIZENS,
    "api/v1/me/score/": CITIZENS,
    "": EVERYONE,
    "search/": EVERYONE,
    "^entries/(?P<public_id>[0-9a-f]{32})/$": EVERYONE,
    "how-to-object/": EVERYONE,
    "open-data/enterprises.<str:fmt>": EVERYONE,
    "account/activate/": EVERYONE,
    "account/login/": EVERYONE,
    "account/logout/": {"GET": NOBODY, "POST": EVERYONE},  # POST only
    "account/password/": CITIZENS,
    "account/password/done/": CITIZENS,
    "account/reset/": EVERYONE,
    "account/reset/sent/": EVERYONE,
    "account/reset/<uidb64>/<token>/": EVERYONE,  # an invalid link says so (200)
    "account/reset/complete/": EVERYONE,
    "my/": CITIZENS,
    "my/enterprises/<int:subject_id>/": A,  # A represents the enterprise
    "my/records/<int:pk>/": A,
    "my/records/<int:pk>/object/": A,
    "my/records/<int:pk>/repair/": A,  # A's own: the page says a listing is not repaired
    "my/objections/<int:pk>/appeal/": B,
    "my/notices/": CITIZENS,
    "my/notices/<int:pk>/": A,
    "my/access-log/": CITIZENS,
    "my/report/": CITIZENS,
    "my/attachments/<int:pk>/": B,
    # verifiable credit reports: the list and the download (POST only) for every citizen about
    # their own subjects; A's report is revoked only by A (POST only)
    "my/reports/": CITIZENS,
    "my/reports/new/": {"GET": NOBODY, "POST": CITIZENS},
    "my/reports/<int:pk>/revoke/": {"GET": NOBODY, "POST": A},
    # public: anyone holding a report checks its code (form and POST); the QR code's link
    # only redirects to it (302), keeping the code out of the address bar
    "verify/": EVERYONE,
    "verify/<str:code>/": NOBODY,
}

ADMIN_KINDS = {"changelist": "list", "add": "add", "change": "object", "history": "history",
               "delete": "delete", "act": "act", "evidence": "evidence",
               "attachment": "attachment", "whatif": "what-if",
               "identifier_lookup": "identifier-lookup", "password_change": "password"}  # fmt: skip

# Rows written by reading or by the login machinery, never by an action: the access log (a
# person sees who opened their file), sessions, django-axes' attempts and the audit of refusals.
LOG_TABLES = {"sanctions_accesslog", "django_session", "axes_accessattempt", "axes_accesslog",
              "axes_accessfailurelog"}  # fmt: skip


def _walk(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _walk(pattern.url_patterns, prefix + str(pattern.pattern))
        else:
            yield prefix + str(pattern.pattern), pattern


def _admin_model_of(route: str):
    match = re.match(r"admin/(\w+)/(\w+)/", route)
    if match and f"{match[1]}.{match[2]}" in ADMIN:
        return f"{match[1]}.{match[2]}"
    return None


def expected(route: str, pattern: URLPattern, method: str = "GET") -> frozenset:
    label = _admin_model_of(route)
    if label is None:
        assert route in ROUTES, f"no entry in the access matrix for {route!r}"
        allowed = ROUTES[route]
        return allowed[method] if isinstance(allowed, dict) else allowed
    if pattern.name is None:
        kind = "redirect"
    else:
        kind = ADMIN_KINDS.get(pattern.name.removeprefix(label.replace(".", "_") + "_"))
    views = ADMIN[label]
    assert kind in views, f"no entry in the access matrix for {route!r} ({label}, {kind})"
    allowed = views[kind]
    return allowed[method] if isinstance(allowed, dict) else allowed


@pytest.fixture
def matrix_world(world, django_capture_on_commit_callbacks):  # noqa: F811
    """Officials of both authorities, API keys of both, and one object of each admin model that
    belongs to X or Y (or to citizen A/B)."""
    x_clerk, x_reviewer = world["court"]
    y_clerk, y_reviewer = world["amr"]
    users = {"x_clerk": x_clerk, "x_reviewer": x_reviewer, "y_clerk": y_clerk,
             "y_reviewer": y_reviewer, "citizen_a": world["a_user"],
             "citizen_b": world["b_user"]}  # fmt: skip
    for side, code in (("x", X), ("y", Y)):
        for role in ("supervisor", "auditor"):
            users[f"{side}_{role}"] = make_official(role=role, authority_code=code)
    with django_capture_on_commit_callbacks(execute=True):
        agency_x, key_x = make_agency(X)
        _agency_y, key_y = make_agency(Y)
        today = datetime.date.today()
        # an objection to A's record, rejected, and appealed (X's appeal)
        objection = services.objection_file(actor=x_clerk, record=world["a_record"],
                                            grounds="已履行。", today=today)  # fmt: skip
        services.objection_decide(actor=x_reviewer, objection=objection, outcome="rejected",
                                  reasons="未履行。", today=today)  # fmt: skip
        appeal = services.appeal_file(actor=x_clerk, objection=objection, grounds="不服。",
                                      today=today)  # fmt: skip
        # B's own objection decided, so B may appeal it
        services.objection_decide(actor=x_reviewer, objection=world["b_objection"],
                                  outcome="rejected", reasons="未履行。", today=today)  # fmt: skip
        repair = services.repair_apply(actor=y_clerk, record=world["e_record"], grounds="已整改",
                                       attachments=[pdf("fix.pdf")], today=today)  # fmt: skip
        submitted = APIClient().post("/api/v1/records/", person_payload("(2026)矩阵1号"),
                                     format="json", **auth(key_x))  # fmt: skip
        assert submitted.status_code == 201, submitted.content
        AuthorityApiPolicy.objects.create(authority=agency_x.authority)
        AccessAttempt.objects.create(username="someone", ip_address="192.0.2.1",
                                     failures_since_start=1)  # fmt: skip
        AxesAccessLog.objects.create(username="someone", ip_address="192.0.2.1")
        AccessFailureLog.objects.create(username="someone", ip_address="192.0.2.1")
        batch = ImportBatch.objects.create(authority=agency_x.authority, client=agency_x,
                                           file_name="x.csv", file_sha256="0" * 64,
                                           format="csv", content="", status="done")  # fmt: skip
        credit_report, _pdf = credit_report_issue(
            actor=world["a_user"], subject=world["a"].subject, language="en",
            verify_page="http://testserver/verify/", verify_url=lambda code: "http://x/",
        )  # fmt: skip
    x = Authority.objects.get(code=X)
    case = Case.objects.filter(authority=x, subject=world["a"].subject).get()
    objects = {
        "sanctions.case": case,
        "sanctions.objection": world["b_objection"],
        "sanctions.appeal": appeal,
        "sanctions.repairapplication": repair,
        "sanctions.notice": Notice.objects.filter(record=world["a_record"]).first(),
        "sanctions.accesslog": AccessLog.objects.filter(authority=x).first(),
        "sanctions.holiday": Holiday.objects.first(),
        "sanctions.authority": x,
        "sanctions.measure": Measure.objects.first(),
        "sanctions.recordtype": RecordType.objects.first(),
        "sanctions.official": Official.objects.get(user=x_clerk),
        "sanctions.subject": world["a"].subject,
        "sanctions.integrityrecord": world["a_record"],
        "sanctions.auditevent": AuditEvent.objects.filter(
            object_type="sanctions.Case", object_id=str(case.pk)).first(),
        "sanctions.ruleset": RuleSet.objects.first(),
        "sanctions.scorerun": ScoreRun.objects.first(),
        "sanctions.score": Score.objects.filter(subject=world["a"].subject).first(),
        "sanctions.apiclient": agency_x,
        "sanctions.authorityapipolicy": AuthorityApiPolicy.objects.first(),
        "sanctions.apisubmission": ApiSubmission.objects.first(),
        "sanctions.importbatch": batch,
        "citizens.citizen": world["a"],
        "enterprises.enterprise": world["enterprise"],
        "auth.user": x_clerk,
        "auth.group": x_clerk.groups.first(),
        "axes.accessattempt": AccessAttempt.objects.first(),
        "axes.accesslog": AxesAccessLog.objects.first(),
        "axes.accessfailurelog": AccessFailureLog.objects.first(),
    }  # fmt: skip
    missing = [label for label in ADMIN if objects.get(label) is None]
    assert not missing, f"the matrix world has no object of {missing}"
    values = {
        "content_type_id": str(ContentType.objects.get_for_model(Case).pk),
        "evidence_id": str(case.evidence.first().pk),
        "subject_id": str(world["enterprise"].subject_id),
        "uidb64": "MQ", "token": "bad-token", "fmt": "csv", "url": "no-such-page/",
        "app_label": "sanctions", "id": str(x_clerk.pk), "object_id": str(case.pk),
        "record_id": str(world["a_record"].pk), "public_id": world["a_record"].public_id,
        "code": "KRTC-VGPM-WJKK-6GAX-T77W-PRWJ-E4AU",
    }  # fmt: skip
    return {**world, "users": users, "keys": {"agency_x": key_x, "agency_y": key_y},
            "objects": objects, "values": values, "batch": batch, "repair": repair,
            "credit_report": credit_report}  # fmt: skip


def _fill(route: str, pattern: URLPattern, label, w) -> list[str]:
    """The URLs to call for a route: its parameters filled with the world's objects; one URL
    per service action of an admin's `act/<action>/` view."""
    values = dict(w["values"])
    obj = w["objects"].get(label)
    if obj is not None:
        values["object_id"] = values["pk"] = str(obj.pk)
    if label == "sanctions.objection":
        values["attachment_id"] = str(w["b_objection"].attachments.first().pk)
    if label == "sanctions.repairapplication":
        values["attachment_id"] = str(w["repair"].attachments.first().pk)
    if label is None:  # the citizens' pages and the API
        values["pk"] = {
            "my/records/<int:pk>/": w["a_record"].pk,
            "my/records/<int:pk>/object/": w["a_record"].pk,
            "my/records/<int:pk>/repair/": w["a_record"].pk,
            "my/objections/<int:pk>/appeal/": w["b_objection"].pk,
            "my/notices/<int:pk>/": Notice.objects.filter(record=w["a_record"]).first().pk,
            "my/attachments/<int:pk>/": w["b_objection"].attachments.first().pk,
            "my/reports/<int:pk>/revoke/": w["credit_report"].pk,
            "api/v1/^imports/(?P<pk>-?[0-9]{1,18})/$": w["batch"].pk,
        }.get(route, "")
    url = "/" + route.replace("^", "").replace("$", "")
    url = re.sub(r"\(\?P<(\w+)>[^)]*\)", lambda m: str(values[m[1]]), url)
    url = re.sub(r"\(\?P<\w+>[^)]*\)", "", url)
    if "<str:action>" in url:
        actions = getattr(admin.site._registry[_model(label)], "service_actions", {})
        return [re.sub(r"<(?:\w+:)?(\w+)>", lambda m, a=action: str(values.get(m[1], a)), url)
                for action in actions]  # fmt: skip
    return [re.sub(r"<(?:\w+:)?(\w+)>", lambda m: str(values[m[1]]), url)]


def _model(label: str):
    from django.apps import apps

    return apps.get_model(label)


def _client(actor: str, w) -> Client:
    # the restriction check reads the person from a header: every caller sends one
    client = Client(HTTP_ACCEPT_LANGUAGE="en", HTTP_X_SUBJECT_IDENTIFIER=w["a"].resident_id)
    if actor in w["users"]:
        client.force_login(w["users"][actor])
    elif actor in w["keys"]:
        client.defaults.update(auth(w["keys"][actor]))
    return client


def _writes() -> dict[str, int]:
    """Rows inserted, updated or deleted so far in this transaction, per table (PostgreSQL's
    per-transaction statistics)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname, n_tup_ins + n_tup_upd + n_tup_del FROM pg_stat_xact_user_tables"
        )
        return {name: n for name, n in cursor.fetchall() if name not in LOG_TABLES}


def test_every_url_answers_2xx_only_to_those_the_matrix_names(
    matrix_world, django_capture_on_commit_callbacks
):
    routes = list(_walk(get_resolver().url_patterns))
    clients = {actor: _client(actor, matrix_world) for actor in ACTORS}
    unexpected, refused, wrote = [], [], []
    walked = 0
    for route, pattern in routes:
        allowed = expected(route, pattern)
        allowed_post = expected(route, pattern, "POST")
        label = _admin_model_of(route)
        for url in _fill(route, pattern, label, matrix_world):
            for actor in ACTORS:
                client = clients[actor]
                is_act = "/act/" in url
                if not is_act:  # a button: GET is 405 for everyone
                    response = client.get(url)
                    walked += 1
                    ok = 200 <= response.status_code < 300
                    if ok and actor not in allowed:
                        unexpected.append(("GET", url, actor, response.status_code))
                    elif not ok and actor in allowed:
                        refused.append(("GET", url, actor, response.status_code))
                    assert response.status_code != 500, (url, actor)
                if actor in allowed_post:
                    if "logout" in route:  # logged out: log in again for the next URL
                        clients[actor] = client = _client(actor, matrix_world)
                    continue  # what an allowed POST does is the business of other tests
                before = _writes()
                with django_capture_on_commit_callbacks(execute=True):
                    response = client.post(url, {})
                walked += 1
                assert response.status_code != 500, ("POST", url, actor)
                if 200 <= response.status_code < 300:
                    unexpected.append(("POST", url, actor, response.status_code))
                after = _writes()
                changed = {t: after[t] - before.get(t, 0) for t in after
                           if after[t] != before.get(t, 0)}  # fmt: skip
                if changed:
                    wrote.append(("POST", url, actor, changed))
    problems = {"unexpected 2xx": unexpected, "refused wrongly": refused, "wrote": wrote}
    assert not any(problems.values()), "\n".join(
        f"{kind}: {row}" for kind, rows in problems.items() for row in rows
    )
    assert walked > 2000  # every route × every caller (GET and the refused POSTs)


def test_every_route_has_an_entry_and_no_entry_is_stale():
    routes = list(_walk(get_resolver().url_patterns))
    for route, pattern in routes:
        expected(route, pattern)  # fails naming the route without an entry
    admin_labels = {m._meta.label_lower for m in admin.site._registry}
    assert admin_labels == set(ADMIN), admin_labels ^ set(ADMIN)
    plain = {route for route, _p in routes if _admin_model_of(route) is None}
    assert plain == set(ROUTES), plain ^ set(ROUTES)


def test_a_new_url_without_an_entry_fails():
    """The table is checked against the URL conf: a route nobody classified is an error."""
    with pytest.raises(AssertionError, match="no entry in the access matrix"):
        expected("reports/everyone/", path("reports/everyone/", _view, name="new"))
    export = path("<path:object_id>/export/", _view, name="sanctions_case_export")
    with pytest.raises(AssertionError, match="no entry in the access matrix"):
        expected("admin/sanctions/case/<path:object_id>/export/", export)


def _view(request):
    raise AssertionError("never called")


def test_the_write_detector_sees_a_write(matrix_world):
    """The matrix's "changes nothing" check reads PostgreSQL's per-transaction counters: prove
    it sees a write made inside the test's transaction."""
    before = _writes()
    services.access_log_write(official_user=matrix_world["court"][0],
                              subject=matrix_world["a"].subject, purpose="x")  # fmt: skip
    Holiday.objects.filter(pk=Holiday.objects.first().pk).update(name="改")
    after = _writes()
    assert after["sanctions_holiday"] == before.get("sanctions_holiday", 0) + 1


def test_an_official_corrects_only_register_entries_of_persons_on_file(matrix_world):
    from citizens.services import citizen_update
    from enterprises.services import enterprise_update
    from sanctions.kernel.errors import ApplicationError

    a, firm = matrix_world["a"], matrix_world["enterprise"]
    x_clerk, y_clerk = matrix_world["court"][0], matrix_world["amr"][0]
    with pytest.raises(ApplicationError) as refused:  # Y holds nothing about A
        citizen_update(actor=y_clerk, citizen=a, name=a.name, email="taken@example.cn")
    assert refused.value.code == "not_on_file"
    with pytest.raises(ApplicationError):  # X holds nothing about the enterprise
        enterprise_update(actor=x_clerk, enterprise=firm, name="改名有限公司",
                          legal_representative=firm.legal_representative, status=firm.status,
                          address="")  # fmt: skip
    a.refresh_from_db()
    firm.refresh_from_db()
    assert a.email != "taken@example.cn" and firm.name != "改名有限公司"
    # the authorities that have them on file may
    citizen_update(actor=x_clerk, citizen=a, name=a.name, email="wang@example.cn")
    enterprise_update(actor=y_clerk, enterprise=firm, name="改名有限公司",
                      legal_representative=firm.legal_representative, status=firm.status,
                      address="")  # fmt: skip
