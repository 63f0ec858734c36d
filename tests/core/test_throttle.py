"""The client's address comes from trusted proxies only: a forged X-Forwarded-For changes nothing."""

import os
import time

import pytest
from django.test import RequestFactory
from django.urls import reverse

from darcha.core import throttle
from darcha.core.throttle import ClientLimit, KeyLimit, client_address

rf = RequestFactory()


def _request(remote, forwarded=None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return rf.get("/", **extra)


def test_without_trusted_proxies_the_header_is_ignored(settings):
    settings.TRUSTED_PROXIES = []
    assert client_address(_request("203.0.113.5", "1.2.3.4")) == "203.0.113.5"
    assert client_address(_request("203.0.113.5")) == "203.0.113.5"


def test_behind_a_trusted_proxy_the_nearest_untrusted_hop_is_the_client(settings):
    settings.TRUSTED_PROXIES = ["10.0.0.0/8", "192.168.1.1"]
    assert client_address(_request("10.0.0.2", "198.51.100.7")) == "198.51.100.7"
    # The client wrote "1.2.3.4" itself; our proxies appended what they saw.
    assert client_address(_request("10.0.0.2", "1.2.3.4, 198.51.100.7, 192.168.1.1")) == "198.51.100.7"
    # A request that did not come through a trusted proxy is its own client, whatever it says.
    assert client_address(_request("198.51.100.9", "10.0.0.3")) == "198.51.100.9"
    # Nothing forwarded, or only trusted hops: the first hop (else the proxy itself).
    assert client_address(_request("10.0.0.2")) == "10.0.0.2"
    assert client_address(_request("10.0.0.2", "10.1.1.1")) == "10.1.1.1"
    # A garbled hop is not an address to count under.
    assert client_address(_request("10.0.0.2", "not-an-ip")) == "10.0.0.2"


@pytest.mark.django_db
def test_a_limit_counts_per_real_client_whatever_header_is_sent(settings):
    settings.TRUSTED_PROXIES = []
    limit = ClientLimit("probe", attempts=3, window=60)
    for n in range(3):
        limit.count(_request("203.0.113.5", f"10.9.9.{n}"))
    assert limit.reached(_request("203.0.113.5", "10.9.9.200"))
    assert not limit.reached(_request("203.0.113.6"))


@pytest.mark.django_db
def test_forged_headers_do_not_dodge_the_login_limit(client, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    for n in range(3):
        client.post(
            reverse("core:login"),
            {"username": f"user{n}", "password": "wrong"},
            REMOTE_ADDR="203.0.113.5",
            HTTP_X_FORWARDED_FOR=f"10.0.0.{n}",
        )
    blocked = client.post(
        reverse("core:login"),
        {"username": "someone", "password": "wrong"},
        REMOTE_ADDR="203.0.113.5",
        HTTP_X_FORWARDED_FOR="10.0.0.99",
    )
    assert blocked.status_code == 429


# --- where the counters live: Django's cache, or Redis when REDIS_URL is set ---------------------------

TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _redis_up() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(TEST_REDIS_URL, socket_connect_timeout=1).ping())
    except Exception:  # noqa: BLE001 — not installed or not running: those tests are skipped
        return False


@pytest.fixture(params=["cache", "redis"])
def counters(request, settings):
    """Each counter test twice: in the default cache (the database's here), and in Redis through the
    process's one client (skipped when no Redis answers)."""
    if request.param == "redis":
        if not _redis_up():
            pytest.skip("Redis is not running")
        settings.REDIS_URL = TEST_REDIS_URL
        client = throttle._redis()[0]
        client.flushdb()
        yield client
        client.flushdb()
    else:
        settings.REDIS_URL = ""
        yield None


@pytest.mark.django_db
def test_a_key_limit_counts_reaches_and_clears(counters):
    limit = KeyLimit("test-limit", 3, 600)
    started = int(time.time())
    assert [limit.count("k") for _ in range(3)] == [1, 2, 3]
    assert limit.reached("k") and not limit.reached("other")
    assert started <= limit.since("k") <= started + 1
    assert limit.until("k").timestamp() == limit.since("k") + 600
    assert 590 < limit.retry_after("k") <= 601
    limit.clear("k")
    assert limit.counted("k") == 0 and limit.since("k") is None


@pytest.mark.django_db
def test_a_counter_in_redis_expires_with_its_window(counters):
    if counters is None:
        pytest.skip("the cache's expiry is the cache's")
    limit = KeyLimit("test-expiry", 2, 600)
    limit.count("k")
    assert 590 < counters.ttl("darcha:limit:test-expiry:k") <= 600
    limit.count("k")
    assert 590 < counters.ttl("darcha:limit:test-expiry:k") <= 600  # the window runs from the first attempt


@pytest.mark.django_db
def test_the_process_keeps_one_redis_client(counters):
    if counters is None:
        pytest.skip("Redis only")
    assert throttle._redis() is throttle._redis()
    assert throttle._redis()[0] is counters
