"""IPv6 clients are rate limited per /64 network, IPv4 clients per address."""

import uuid

import pytest
from django.test import RequestFactory

from citizens.lockout import axes_client_ip
from sanctions.kernel import ratelimit


def _bucket():
    return f"test-v6-{uuid.uuid4().hex[:8]}"


def test_limit_key_groups_ipv6_by_64_and_keeps_ipv4():
    assert ratelimit.limit_key("2001:db8:1:2::1") == "2001:db8:1:2::/64"
    assert ratelimit.limit_key("2001:db8:1:2:ffff::9") == "2001:db8:1:2::/64"
    assert ratelimit.limit_key("2001:db8:1:3::1") == "2001:db8:1:3::/64"
    assert ratelimit.limit_key("203.0.113.7") == "203.0.113.7"
    assert ratelimit.limit_key("::ffff:203.0.113.7") == "203.0.113.7"
    assert ratelimit.limit_key("user-42") == "user-42"  # not an address: unchanged


def test_two_addresses_in_one_64_share_a_budget():
    bucket = _bucket()
    assert ratelimit.hit(bucket, "2001:db8:aa:1::1", 2) == (True, True)
    assert ratelimit.hit(bucket, "2001:db8:aa:1::2", 2) == (True, True)
    # a third address of the same /64 is over the shared limit of 2
    assert ratelimit.hit(bucket, "2001:db8:aa:1:abcd::3", 2) == (False, True)
    # another /64 has its own budget
    assert ratelimit.hit(bucket, "2001:db8:aa:2::1", 2) == (True, True)


def test_ipv4_addresses_keep_separate_budgets():
    bucket = _bucket()
    assert ratelimit.hit(bucket, "198.51.100.1", 1) == (True, True)
    assert ratelimit.hit(bucket, "198.51.100.2", 1) == (True, True)
    assert ratelimit.hit(bucket, "198.51.100.1", 1) == (False, True)


@pytest.mark.parametrize(
    ("remote", "expected"),
    [
        ("2001:db8:5:6:7:8:9:a", "2001:db8:5:6::"),
        ("2001:db8:5:6::1", "2001:db8:5:6::"),
        ("192.0.2.10", "192.0.2.10"),
        ("unknown", None),
    ],
)
def test_axes_counts_ipv6_clients_by_their_64(remote, expected):
    request = RequestFactory().get("/", REMOTE_ADDR=remote)
    assert axes_client_ip(request) == expected
