"""Issue 13: public entries are addressed by a random public id, never the sequential pk, and
the entry page is rate limited per address (the list cannot be walked past the search cap)."""

import datetime
import importlib
import json
import re

import pytest
from django.db import connection
from django.urls import reverse
from rest_framework.test import APIClient

from sanctions.models import IntegrityRecord
from tests.sanctions.test_public import listed  # noqa: F401 - fixture

pytestmark = pytest.mark.django_db
TOKEN = re.compile(r"^[0-9a-f]{32}$")


def fresh_ip(last: int) -> dict:
    return {"REMOTE_ADDR": f"198.51.{datetime.datetime.now().microsecond % 250}.{last}"}


def test_every_record_has_a_distinct_random_public_id(listed):  # noqa: F811
    ids = list(IntegrityRecord.objects.values_list("pk", "public_id"))
    assert len(ids) >= 5
    assert all(TOKEN.match(public_id) for _, public_id in ids)
    assert len({public_id for _, public_id in ids}) == len(ids)
    # an insert that bypasses the ORM (bulk SQL) gets one from the database default too
    record = listed["firm"]
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO sanctions_integrityrecord (subject_id, record_type_id, authority_id,"
            " decision_number, decision_date, legal_basis, facts, obligation,"
            " performance_status, status, effective_from, removal_reason, extension_reason,"
            " basis_document, created_at, updated_at)"
            " SELECT subject_id, record_type_id, authority_id, 'RAW-1', decision_date,"
            " legal_basis, '', '', performance_status, 'pending_notice', effective_from, '', '',"
            " '', now(), now() FROM sanctions_integrityrecord WHERE id = %s RETURNING public_id",
            [record.pk],
        )
        assert TOKEN.match(cursor.fetchone()[0])


def test_the_migration_fills_existing_rows_with_distinct_ids(listed):  # noqa: F811
    migration = importlib.import_module("sanctions.migrations.0031_public_ids_four_eyes")
    with connection.cursor() as cursor:
        cursor.execute(
            "SET CONSTRAINTS ALL IMMEDIATE;"
            "ALTER TABLE sanctions_integrityrecord ALTER COLUMN public_id DROP NOT NULL;"
            "UPDATE sanctions_integrityrecord SET public_id = NULL"
        )

    class Editor:
        pass

    editor = Editor()
    editor.connection = connection
    migration.FILL_BATCH = 2  # several batches over the fixture's rows
    migration.fill_public_ids(None, editor)
    ids = list(IntegrityRecord.objects.values_list("public_id", flat=True))
    assert len(ids) >= 5 and all(TOKEN.match(i) for i in ids) and len(set(ids)) == len(ids)


def test_numeric_urls_are_gone_and_public_ids_work(client, listed):  # noqa: F811
    record = listed["zhang"]
    assert client.get(f"/entries/{record.pk}/").status_code == 404
    api = APIClient()
    assert api.get(f"/api/v1/public/entries/{record.pk}/").status_code == 404
    page = client.get(reverse("entry_detail", args=[record.public_id]))
    assert page.status_code == 200 and record.decision_number in page.content.decode()
    detail = api.get(f"/api/v1/public/entries/{record.public_id}/")
    assert detail.status_code == 200 and detail.json()["id"] == record.public_id
    # a well-formed id that names no public entry (or a private one): 404
    assert api.get(f"/api/v1/public/entries/{'a' * 32}/").status_code == 404
    private = listed["private"]
    assert client.get(reverse("entry_detail", args=[private.public_id])).status_code == 404


def test_no_sequential_id_appears_on_public_pages_api_or_open_data(client, listed):  # noqa: F811
    records = [listed[k] for k in ("zhang", "li", "single", "firm")]
    search = client.get(reverse("search"), {"q": "张伟"}).content.decode()
    assert f"/entries/{listed['zhang'].public_id}/" in search
    assert not re.search(r"/entries/\d+/", search)
    results = APIClient().get("/api/v1/public/entries/", {"kind": "person"}).json()["results"]
    assert {r["id"] for r in results} == {r.public_id for r in records[:3]}
    opened = b"".join(client.get(reverse("open_data", args=["json"])).streaming_content)
    rows = json.loads(opened.decode())
    assert [row["id"] for row in rows] == [listed["firm"].public_id]
    csv_text = b"".join(client.get(reverse("open_data", args=["csv"])).streaming_content)
    assert f"\n{listed['firm'].public_id}," in csv_text.decode().replace("\r\n", "\n")


def test_entry_page_is_rate_limited_per_address(client, listed, settings):  # noqa: F811
    settings.SCS_ENTRY_RATE_PER_MINUTE = 3
    url = reverse("entry_detail", args=[listed["zhang"].public_id])
    ip, other = fresh_ip(1), fresh_ip(2)
    assert [client.get(url, **ip).status_code for _ in range(4)] == [200, 200, 200, 429]
    refused = client.get(url, **ip)
    assert refused.status_code == 429 and refused["Retry-After"] == "60"
    # a wrong id costs the same: guessing is counted too
    assert client.get(reverse("entry_detail", args=["b" * 32]), **ip).status_code == 429
    assert client.get(url, **other).status_code == 200


def test_api_entry_detail_is_rate_limited_per_address(listed, settings):  # noqa: F811
    settings.SCS_SEARCH_RATE_PER_MINUTE = 2
    api = APIClient()
    url = f"/api/v1/public/entries/{listed['li'].public_id}/"
    ip, other = fresh_ip(3), fresh_ip(4)
    assert [api.get(url, **ip).status_code for _ in range(3)] == [200, 200, 429]
    assert api.get(url, **other).status_code == 200
