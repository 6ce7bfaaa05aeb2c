"""Fixtures for the API tests: agency clients with keys, and a DRF client that sends them."""

from __future__ import annotations

import datetime

import pytest
from rest_framework.test import APIClient

from sanctions.agency.services.clients import api_client_create
from tests.factories import make_official, resident_id

DECISION_DATE = datetime.date.today() - datetime.timedelta(days=30)


@pytest.fixture
def api():
    return APIClient(HTTP_ACCEPT_LANGUAGE="en")


@pytest.fixture(autouse=True)
def _generous_api_throttle(settings):
    settings.SCS_API_CLIENT_RATE_PER_MINUTE = 100_000


def make_agency(authority_code: str, scopes=("records:write", "restrictions:read"), name=None):
    supervisor = make_official(
        role="supervisor", authority_code=authority_code, username=f"{authority_code}.keys"
    )
    client, key = api_client_create(
        actor=supervisor,
        name=name or f"{authority_code} system",
        authority=supervisor.official.authority,
        scopes=list(scopes),
    )
    return client, key


@pytest.fixture
def court_agency(catalog):
    return make_agency("bj-dongcheng-court")


@pytest.fixture
def tax_agency(catalog):
    return make_agency("bj-dongcheng-tax")


def auth(key: str) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Api-Key {key}"}


def person_payload(number: str = "(2025)京0101执100号", rid: str | None = None, **extra):
    body = {
        "subject": {"kind": "person", "identifier": rid or resident_id(), "name": "赵六"},
        "record_type": "judicial-dishonest-debtor",
        "decision_number": number,
        "decision_date": DECISION_DATE.isoformat(),
        "judicial_ground": 2,
        "amount": "12000.00",
        "obligation": "支付货款12000元",
        "facts": "被执行人有履行能力而拒不履行。",
    }
    body.update(extra)
    return body
