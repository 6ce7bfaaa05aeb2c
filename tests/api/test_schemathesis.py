"""Schemathesis against the live OpenAPI schema, in-process through the WSGI app.

Every operation gets SCHEMATHESIS_EXAMPLES generated cases (fixed: hypothesis derandomize),
sent with the right credentials (agency key with both scopes, a citizen's session, or none
for the public list). Checks: no server error, status code documented, content type and body
matching the schema. Failures of all operations are collected and reported together.
"""

from __future__ import annotations

import contextlib
import os

import pytest
import schemathesis
from django.core.wsgi import get_wsgi_application
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from tests.api.conftest import auth
from tests.factories import UserFactory
from tests.sanctions.test_public import listed  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db
EXAMPLES = int(os.environ.get("SCHEMATHESIS_EXAMPLES", "200"))
CHECKS = (not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance)  # fmt: skip


def _runner(operation, label: str, headers: dict[str, str], counts: dict[str, int]):
    @given(case=operation.as_strategy())
    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        counts[label] += 1
        response = case.call_wsgi(headers={**(case.headers or {}), **headers})
        case.validate_response(response, checks=CHECKS)

    return run


def test_schema_is_served_and_docs_are_local(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "cdn" not in html.lower() and "/static/drf_spectacular_sidecar/" in html
    assert client.get("/api/redoc/").status_code == 200


@contextlib.contextmanager
def _keep_test_connection():
    """The WSGI handler closes the database connection around each request (that would end
    the test's transaction). Django's test client disconnects that handler around its own
    requests (and reconnects it after), so do the same around the generated ones."""
    from django.core import signals
    from django.db import close_old_connections

    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


def test_schemathesis_every_operation(client, court_agency, listed, capsys):  # noqa: F811
    raw = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()
    schema = schemathesis.from_dict(raw, app=get_wsgi_application())
    zhang = listed["people"]["zhang"]
    user = UserFactory(username="schemathesis.citizen")
    zhang.user = user
    zhang.save(update_fields=["user"])
    client.force_login(user)
    session = {"Cookie": f"sessionid={client.cookies['sessionid'].value}"}
    agency = {"Authorization": auth(court_agency[1])["HTTP_AUTHORIZATION"]}

    failures: dict[str, str] = {}
    counts: dict[str, int] = {}
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10
    for operation in operations:
        label = f"{operation.method.upper()} {operation.path}"
        if operation.path.startswith("/api/v1/me/"):
            headers = session
        elif operation.path.startswith("/api/v1/public/"):
            headers = {}
        else:
            headers = agency
        counts[label] = 0

        run = _runner(operation, label, headers, counts)
        try:
            with _keep_test_connection():
                run()
        except Exception:  # noqa: BLE001 - collect every operation's failure
            import traceback

            failures[label] = traceback.format_exc()[-6000:]
    with capsys.disabled():
        total = sum(counts.values())
        print(f"\nschemathesis: {total} cases over {len(counts)} operations: {counts}")
    assert not failures, "\n\n".join(f"{k}\n{v}" for k, v in failures.items())
    # operations without parameters have only a handful of distinct cases; hypothesis stops
    # when it has generated all of them
    for operation in operations:
        label = f"{operation.method.upper()} {operation.path}"
        if operation.query or operation.path_parameters or operation.headers or operation.body:
            assert counts[label] >= EXAMPLES, (label, counts[label])
