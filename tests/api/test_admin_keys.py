"""API keys through the admin, as a supervisor uses them: create (key shown once), use,
revoke; scoped to the supervisor's authority; every agency admin page renders."""

import re

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from sanctions.models import ApiClient, AuditEvent
from tests.api.conftest import auth, person_payload
from tests.factories import make_official

pytestmark = pytest.mark.django_db


def test_supervisor_creates_uses_and_revokes_a_key_in_the_admin(client, catalog):
    supervisor = make_official(role="supervisor", authority_code="bj-dongcheng-court")
    client.force_login(supervisor)
    response = client.post(
        reverse("admin:sanctions_apiclient_add"),
        {"name": "法院执行系统", "authority": supervisor.official.authority_id,
         "scopes": ["records:write"]},
        follow=True,
    )  # fmt: skip
    assert response.status_code == 200
    key = re.search(r"<code>(scs_[A-Za-z0-9_-]+)</code>", response.content.decode()).group(1)
    api_client = ApiClient.objects.get(name="法院执行系统")
    assert api_client.created_by == supervisor and api_client.key_prefix in key
    assert AuditEvent.objects.filter(action="api_client.create", actor=supervisor).exists()
    # the key is shown once: the change page does not carry it
    change = client.get(reverse("admin:sanctions_apiclient_change", args=[api_client.pk]))
    assert key not in change.content.decode()

    api = APIClient(HTTP_ACCEPT_LANGUAGE="en")
    assert api.post("/api/v1/records/", person_payload("(2026)京0101执管1号"), format="json",
                    **auth(key)).status_code == 201  # fmt: skip
    revoke = reverse("admin:sanctions_apiclient_act", args=[api_client.pk, "revoke"])
    assert client.post(revoke).status_code == 302
    assert api.post("/api/v1/records/", person_payload("(2026)京0101执管2号"), format="json",
                    **auth(key)).status_code == 401  # fmt: skip

    # a supervisor of another authority neither sees the client nor is offered its authority
    other = make_official(role="supervisor", authority_code="bj-dongcheng-tax")
    client.force_login(other)
    change = reverse("admin:sanctions_apiclient_change", args=[api_client.pk])
    assert client.get(change).status_code == 404
    response = client.post(reverse("admin:sanctions_apiclient_add"),
                           {"name": "越权", "authority": supervisor.official.authority_id,
                            "scopes": ["records:write"]})  # fmt: skip
    assert response.status_code == 200
    assert "authority" in response.context["adminform"].form.errors
    assert not ApiClient.objects.filter(name="越权").exists()


def test_supervisor_of_a_higher_authority_is_refused_keys_of_a_lower_one(client, catalog):
    """The court above sees the district court (a valid choice in the form), so the form's
    choice list lets the post through and the key-management rule itself refuses it."""
    from sanctions.models import Authority

    district = Authority.objects.get(code="bj-dongcheng-court")
    higher = make_official(role="supervisor", authority_code="bj-2nd-intermediate-court")
    assert district.parent.code == "bj-2nd-intermediate-court"
    client.force_login(higher)
    url = reverse("admin:sanctions_apiclient_add")
    offered = client.get(url).context["adminform"].form.fields["authority"].queryset
    assert district in offered
    response = client.post(url, {"name": "上级代建", "authority": district.pk,
                                 "scopes": ["records:write"]})  # fmt: skip
    assert response.status_code == 200
    form = response.context["adminform"].form
    assert "authority" not in form.errors  # the choice was valid ...
    assert form.non_field_errors() == [  # ... the permission refused it
        f"Only the operator or a supervisor of {district.name} may manage its API keys."
    ]
    assert not ApiClient.objects.filter(name="上级代建").exists()
    assert not AuditEvent.objects.filter(action="api_client.create", actor=higher).exists()
    # its own authority: allowed
    own = client.post(url, {"name": "中院系统", "authority": higher.official.authority_id,
                            "scopes": ["records:write"]})  # fmt: skip
    assert own.status_code == 302
    assert ApiClient.objects.filter(name="中院系统", created_by=higher).exists()


def test_every_agency_admin_page_renders(admin_client, catalog):
    for model in ("apiclient", "authorityapipolicy", "apisubmission", "importbatch"):
        url = reverse(f"admin:sanctions_{model}_changelist")
        assert admin_client.get(url).status_code == 200, model
