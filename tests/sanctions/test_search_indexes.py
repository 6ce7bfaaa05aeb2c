"""Every query shape of the search form has an index that matches its SQL: with sequential
scans disabled the plan reads the project's index (at 1,000,000 subjects the planner's own
choices are measured by bench/search.py, see docs/performance.md)."""

import json

import pytest
from django.db import connection, transaction

from sanctions.identifiers import identifier_hash
from sanctions.models import Subject
from sanctions.public import _subjects_matching
from tests.factories import make_citizen, make_enterprise

pytestmark = pytest.mark.django_db


def index_names(queryset, hide: tuple[str, ...] = ()) -> set[str]:
    """Indexes in the plan with sequential scans off (and `hide` dropped, rolled back)."""
    sql, params = queryset.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        for name in hide:
            cursor.execute(f"DROP INDEX {name}")
        cursor.execute("EXPLAIN (FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
        transaction.set_rollback(True)
    plan = plan[0] if isinstance(plan, list) else json.loads(plan)[0]

    def walk(node):
        names = {node["Index Name"]} if "Index Name" in node else set()
        for child in node.get("Plans", []):
            names |= walk(child)
        return names

    return walk(plan["Plan"])


@pytest.mark.parametrize(
    ("term", "field", "index"),
    [
        ("伟", "display_name", "subject_name_grams_gin"),
        ("张伟", "display_name", "subject_name_grams_gin"),
        ("李小龙", "display_name", "subject_name_trgm_gin"),
        ("诚信示范", "display_name", "subject_name_trgm_gin"),
        ("zhangwei", "display_name", "subject_pinyin_prefix"),
        ("zhang wei", "display_name", "subject_pinyin_prefix"),
        ("建国", "legal_rep_name", "subject_legal_rep_grams_gin"),
        ("王建国", "legal_rep_name", "subject_legal_rep_trgm_gin"),
    ],
)
def test_each_name_shape_reads_its_index(catalog, term, field, index):
    make_citizen(name="张伟")
    make_enterprise(name="北京诚信示范贸易有限公司", legal_rep=make_citizen(name="王建国"))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE sanctions_subject")
    # on a handful of rows the planner prefers the small (kind, region) index for the
    # enterprise condition; without it, the name condition must find its own index
    hide = ("sanctions_s_kind_e1dee6_idx",) if field == "legal_rep_name" else ()
    assert index in index_names(_subjects_matching(term, field), hide)


def test_exact_identifier_reads_the_unique_hash_index(catalog):
    citizen = make_citizen()
    queryset = Subject.objects.filter(identifier_hash=identifier_hash(citizen.resident_id))
    assert any("identifier_hash" in name for name in index_names(queryset))
