"""Every query shape of the search form has an index that matches its SQL: with sequential
scans disabled the plan reads the project's index (at 1,000,000 subjects the planner's own
choices are measured by bench/search.py, see docs/performance.md)."""

import datetime
import json

import pytest
from django.db import connection, transaction

from sanctions.kernel.identifiers import identifier_hash
from sanctions.models import Subject
from sanctions.publication.filters import filtered_entries
from sanctions.publication.search import newest_first
from tests.factories import make_citizen, make_enterprise

pytestmark = pytest.mark.django_db


def index_names(queryset, hide: tuple[str, ...] = ()) -> set[str]:
    """Indexes in the plan with sequential scans off (and `hide` dropped, rolled back)."""
    sql, params = queryset.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        for name in hide:
            if name.endswith("_pkey"):  # a key is dropped as its table's constraint
                table = name.removesuffix("_pkey")
                cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name} CASCADE")
            else:
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


@pytest.fixture
def named_entries(catalog):
    """Public entries of 张伟, 李小龙 and an enterprise whose legal representative is 王建国,
    published through the real path, statistics fresh."""
    from tests.sanctions.test_public import publish

    publish(make_citizen(name="张伟").subject, "judicial-dishonest-debtor",
            "bj-dongcheng-court", "(2025)京0101执1号", ground=1)  # fmt: skip
    publish(make_citizen(name="李小龙").subject, "judicial-dishonest-debtor",
            "bj-dongcheng-court", "(2025)京0101执2号", ground=1)  # fmt: skip
    firm = make_enterprise(name="北京诚信示范贸易有限公司", legal_rep=make_citizen(name="王建国"))
    publish(firm.subject, "commercial-product-quality", "bj-dongcheng-amr", "京市监罚〔2025〕9号")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


# Migration 0021: the entry-name table's (filter, publication_start, record_id) btrees
FACET_INDEXES = tuple(
    f"scs_public_entry_name_{column}"
    for column in ("kind", "province", "city", "domain", "authority_id", "judicial_ground")
)

# Indexes that serve every search on a handful of rows (walk the newest entries or all
# records, probe the subject or the search table by id); at 1,000,000 entries the name's own
# index wins, and bench/search.py shows the planner's choice. Hidden here (rolled back), the
# plan must find the subjects or entries by the name index.
_SMALL_TABLE_SHORTCUTS = (
    "record_public_newest",
    "record_subject_scoring_idx",
    "sanctions_subject_pkey",
    "sanctions_s_kind_e1dee6_idx",
    "scs_public_entry_name_pkey",
    "scs_public_entry_name_newest",
    *FACET_INDEXES,
)


@pytest.mark.parametrize(
    ("params", "index", "matches"),
    [
        ({"q": "张伟"}, "scs_public_name_char_pkey", 1),
        ({"q": "伟"}, "scs_public_name_char_pkey", 1),
        ({"q": "李小龙"}, "scs_public_entry_name_trgm", 1),
        ({"q": "诚信示范"}, "scs_public_entry_name_trgm", 1),
        ({"q": "zhangwei"}, "scs_public_entry_name_pinyin", 1),
        ({"q": "zhang wei"}, "scs_public_entry_name_pinyin", 1),
        ({"q": "zhāng", "kind": "person"}, "scs_public_entry_name_pinyin", 1),
        ({"legal_rep": "建国"}, "subject_legal_rep_grams_gin", 1),
        ({"legal_rep": "王建国"}, "subject_legal_rep_trgm_gin", 1),
    ],
)
def test_each_search_shape_reads_its_index(named_entries, params, index, matches):
    """The exact query the search page and the API run (filtered_entries, first page of the
    cap) finds the entry and can read the shape's index."""
    _filterset, entries = filtered_entries(params, today=datetime.date.today())
    queryset = entries[:201]
    assert len(queryset) == matches
    assert index in index_names(queryset, _SMALL_TABLE_SHORTCUTS), params


def test_exact_identifier_reads_the_unique_hash_index(catalog):
    citizen = make_citizen()
    queryset = Subject.objects.filter(identifier_hash=identifier_hash(citizen.resident_id))
    assert any("identifier_hash" in name for name in index_names(queryset))


@pytest.mark.parametrize("term", ["王", "王伟"])
def test_one_and_two_character_searches_are_a_range_of_the_char_table_key(catalog, term):
    """One or two characters: the newest entries come from the (gram, publication_start, record_id)
    key of scs_public_name_char, read in order — no sort of all matching entries."""
    from tests.sanctions.test_public import publish

    subject = make_citizen(name="王伟").subject
    publish(subject, "judicial-dishonest-debtor", "bj-dongcheng-court", "(2025)京0101执9号",
            ground=2)  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE scs_public_name_char")
    queryset = filtered_entries({"q": term}, today=datetime.date.today())[1][:201]
    assert list(queryset.values_list("decision_number", flat=True)) == ["(2025)京0101执9号"]
    # on a handful of rows the planner may as well walk the newest-first index and probe the
    # char table by record id (also indexed); without those, the SQL must allow the range scan
    # of the key in the page's order — at 1,000,000 entries bench/search.py shows the choice
    hide = ("record_public_newest", "scs_public_name_char_record")
    assert "scs_public_name_char_pkey" in index_names(queryset, hide)
    sql, params = queryset.query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        # on one row a sort is free; the point is that the key's order *is* the page's order
        for setting in ("enable_seqscan", "enable_bitmapscan", "enable_sort"):
            cursor.execute(f"SET LOCAL {setting} = off")
        for name in hide:
            cursor.execute(f"DROP INDEX {name}")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
        transaction.set_rollback(True)
    assert "Sort" not in plan and "Scan Backward using scs_public_name_char_pkey" in plan, plan


@pytest.mark.parametrize("term", ["李小龙", "诚信示范"])
def test_long_names_read_the_entry_name_trigram_index(catalog, term):
    """3+ characters: the newest entries are chosen in scs_public_entry_name by its trigram
    GIN and a sort of its own rows — never by walking its (publication_start, record_id)
    index and testing every name (the plan that took 180 ms at 1,000,000 entries) — and
    only those are joined to records. With another filter, the joined search gives the same
    entries."""
    from sanctions.db.search import ENTRY_NAME_TABLE
    from tests.sanctions.test_public import publish

    firm = make_enterprise(name="北京诚信示范贸易有限公司", legal_rep=make_citizen(name="王建国"))
    publish(firm.subject, "commercial-product-quality", "bj-dongcheng-amr", "京市监罚〔2025〕9号")
    publish(make_citizen(name="李小龙").subject, "judicial-dishonest-debtor",
            "bj-dongcheng-court", "(2025)京0101执2号", ground=1)  # fmt: skip
    today = datetime.date.today()
    entries = filtered_entries({"q": term, "domain": ""}, today=today)[1]  # "": no filter
    kind = "enterprise" if len(term) == 4 else "person"
    filterset, with_kind = filtered_entries({"q": term, "kind": kind}, today=today)
    joined = newest_first(filterset.qs)  # the joined search (as with a legal representative)
    assert ENTRY_NAME_TABLE in joined.query.extra_tables
    assert not entries.query.extra_tables and not with_kind.query.extra_tables
    assert list(entries) == list(joined) == list(with_kind) and len(entries) == 1
    # on a handful of rows any index will do; the SQL must allow the trigram bitmap, and its
    # order must not be the (publication_start, record_id) key that invites the walk
    hide = ("scs_public_entry_name_newest", "record_public_newest", *FACET_INDEXES)
    assert "scs_public_entry_name_trgm" in index_names(entries.all()[:201], hide)
    sql = str(entries.query)
    assert "ORDER BY n.publication_start + 0 DESC, n.record_id DESC LIMIT" in sql, sql


@pytest.mark.parametrize("term", ["zhangwei", "Zhang Wei", "zhang"])
def test_pinyin_reads_the_entry_name_pinyin_index(catalog, term):
    """Pinyin: the newest entries are chosen in scs_public_entry_name by the prefix btree on
    its compact pinyin, then joined to records (never every matching subject's entries joined
    and sorted: 55 ms for `li yan` at 1,000,000 entries). With another filter, the joined
    search gives the same entries. The order is the table's (publication_start, record_id)
    key itself: for a very common prefix the planner may walk it and stop after the page."""
    from sanctions.db.search import ENTRY_NAME_TABLE
    from tests.sanctions.test_public import publish

    publish(make_citizen(name="张伟").subject, "judicial-dishonest-debtor",
            "bj-dongcheng-court", "(2025)京0101执1号", ground=1)  # fmt: skip
    publish(make_citizen(name="李小龙").subject, "judicial-dishonest-debtor",
            "bj-dongcheng-court", "(2025)京0101执2号", ground=1)  # fmt: skip
    today = datetime.date.today()
    entries = filtered_entries({"q": term}, today=today)[1]
    filterset, with_kind = filtered_entries({"q": term, "kind": "person"}, today=today)
    joined = newest_first(filterset.qs)  # the joined search (as with a legal representative)
    assert ENTRY_NAME_TABLE in joined.query.extra_tables
    assert not entries.query.extra_tables and not with_kind.query.extra_tables
    assert [e.subject.display_name for e in entries] == ["张伟"]
    assert list(entries) == list(joined) == list(with_kind)
    # with a filter the name's index comes first (a rare combination must not walk)
    assert "ORDER BY n.publication_start + 0 DESC" in str(with_kind.query)
    hide = ("scs_public_entry_name_newest", "record_public_newest", *FACET_INDEXES)
    assert "scs_public_entry_name_pinyin" in index_names(entries.all()[:201], hide)
    sql = str(entries.query)
    assert "ORDER BY n.publication_start DESC, n.record_id DESC LIMIT" in sql, sql
