from django.core.cache import cache

from tests.tasks import heartbeat


def test_heartbeat_twice_leaves_one_fresh_stamp():
    first = heartbeat.apply().get()
    second = heartbeat.apply().get()
    assert cache.get("scs:heartbeat") == second
    assert second >= first
