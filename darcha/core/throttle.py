"""Attempt counters in the shared cache: failed logins per username and address, the limits other
screens put on lookups per client (`ClientLimit`: booking codes, verification, SMS codes), and limits
per key of the caller's choosing (`KeyLimit`: wrong tracking codes per application number, per
client address, per Telegram chat).

The client's address is `REMOTE_ADDR`, unless the request came through one of `TRUSTED_PROXIES` (a
setting, empty by default): then it is the nearest X-Forwarded-For hop that is not a trusted proxy. A
client cannot choose its address by sending the header itself: hops it wrote stand to the left of the
ones our proxies appended, and are never reached while an untrusted hop stands before them. Pages, the
API and DRF's throttles (`core.api`) all take the address from here.

Where the counters live: in Redis when REDIS_URL is set — one client per process (redis-py keeps a pool of
connections and is safe across threads), one round trip per counted attempt (a server-side script increments
and starts the window together) and one per question — else in Django's cache (the database's on a default
install), as the sessions are.
"""

import datetime as dt
import functools
import ipaddress
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache, caches
from django.core.cache.backends.base import BaseCache
from django.utils.translation import gettext_lazy

TOO_MANY = gettext_lazy("Too many attempts from this device. Please wait a few minutes and try again.")


def _keys(username: str, address: str) -> list[str]:
    return [f"login-fail:user:{username.strip().lower()}", f"login-fail:addr:{address}"]


@functools.cache
def _networks(proxies: tuple[str, ...]) -> tuple:
    return tuple(ipaddress.ip_network(proxy.strip(), strict=False) for proxy in proxies if proxy.strip())


def _trusted(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in _networks(tuple(settings.TRUSTED_PROXIES)))


def client_address(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "")
    if not _trusted(remote):
        return remote
    hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _trusted(hop):
            try:
                return str(ipaddress.ip_address(hop))
            except ValueError:  # a garbled hop: count it as the proxy that forwarded it
                return remote
    return hops[0] if hops else remote


# A counter's value: the start of its window (epoch seconds) × _SCALE + the attempts counted in it, so one
# atomic increment counts an attempt and the value still says when the window ends.
_SCALE = 1_000_000


def _increment_keeps_expiry() -> bool:
    # Redis and the local-memory cache increment in place; Django's generic incr (the database cache's)
    # sets the value again with the default timeout, so the window's end must be put back after it.
    return type(caches["default"]).incr is not BaseCache.incr


# KEYS[1] the counter, ARGV[1] its first value (the window's start × _SCALE + 1), ARGV[2] the window in seconds:
# one attempt counted, atomically, and the value back.
_COUNT_SCRIPT = """
local value = redis.call('INCR', KEYS[1])
if value == 1 then
  redis.call('SET', KEYS[1], ARGV[1], 'EX', ARGV[2])
  return ARGV[1]
end
return value
"""
_REDIS_PREFIX = "darcha:"


@functools.cache
def _redis_client(url: str):
    import redis

    client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
    return client, client.register_script(_COUNT_SCRIPT)


def _redis():
    """The process's Redis client and counting script when REDIS_URL is set; None otherwise."""
    url = getattr(settings, "REDIS_URL", "")
    return _redis_client(url) if url else None


def _value(key: str) -> int:
    redis = _redis()
    if redis is None:
        return cache.get(key) or 0
    value = redis[0].get(_REDIS_PREFIX + key)
    return int(value) if value is not None else 0


def count_attempt(key: str, window: int) -> int:
    """Count one attempt under `key` in a window of `window` seconds (from the first); the count so far."""
    now = int(time.time())
    redis = _redis()
    if redis is not None:
        return int(redis[1](keys=[_REDIS_PREFIX + key], args=[now * _SCALE + 1, window])) % _SCALE
    if cache.add(key, now * _SCALE + 1, window):
        return 1
    try:
        value = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, now * _SCALE + 1, window)
        return 1
    start, count = divmod(value, _SCALE)
    if not _increment_keeps_expiry():
        cache.touch(key, max(1, start + window - now))
    return count


def attempts(key: str) -> int:
    return _value(key) % _SCALE


def window_start(key: str) -> int | None:
    """When the window counted under `key` began (epoch seconds); None when no window runs."""
    value = _value(key)
    return value // _SCALE if value else None


def forget(key: str) -> None:
    """No attempts counted under `key` any more."""
    redis = _redis()
    if redis is None:
        cache.delete(key)
    else:
        redis[0].delete(_REDIS_PREFIX + key)


def login_blocked(username: str, address: str) -> bool:
    limit = settings.LOGIN_FAILURE_LIMIT
    return any(attempts(key) >= limit for key in _keys(username, address))


def login_failed(username: str, address: str) -> None:
    for key in _keys(username, address):
        count_attempt(key, settings.LOGIN_FAILURE_WINDOW)


def login_succeeded(username: str, address: str) -> None:
    forget(_keys(username, address)[0])


@dataclass(frozen=True)
class KeyLimit:
    """At most `attempts` counted attempts under one key in `window` seconds, from the first of them.

    The key is the caller's: an application number, a client address, a Telegram chat. `count(key)`
    records an attempt that counts, `reached(key)` says whether the limit is reached, `until(key)` when
    the window ends (the limit lifts by itself then), `clear(key)` lifts it at once. The window's start is
    kept in the counter itself (`since(key)`, epoch seconds), so a refusal can say when to try again."""

    name: str
    attempts: int
    window: int

    def cache_key(self, key: str) -> str:
        return f"limit:{self.name}:{key}"

    def count(self, key: str) -> int:
        """Count one attempt; the number counted in the window so far (this one included)."""
        return count_attempt(self.cache_key(key), self.window)

    def counted(self, key: str) -> int:
        return attempts(self.cache_key(key))

    def reached(self, key: str) -> bool:
        return self.counted(key) >= self.attempts

    def since(self, key: str) -> int | None:
        """When the window now running under `key` started (epoch seconds), None when none runs."""
        return window_start(self.cache_key(key))

    def until(self, key: str) -> dt.datetime:
        """When the window now running under `key` ends (a full window from now if none runs)."""
        since = self.since(key)
        start = since if since is not None else time.time()
        return dt.datetime.fromtimestamp(start + self.window, tz=dt.UTC)

    def retry_after(self, key: str) -> int:
        """Seconds until the window ends (at least 1), for a Retry-After header."""
        return max(1, int(self.until(key).timestamp() - time.time()) + 1)

    def clear(self, key: str) -> None:
        forget(self.cache_key(key))


@dataclass(frozen=True)
class ClientLimit:
    """At most `attempts` counted attempts from one client address in `window` seconds (from the first).

    A screen asks `reached(request)` before the attempt and `count(request)` for an attempt that counts;
    the refusal it shows is `TOO_MANY` with status 429."""

    name: str
    attempts: int
    window: int

    def key(self, request) -> str:
        return f"limit:{self.name}:{client_address(request)}"

    def reached(self, request) -> bool:
        return attempts(self.key(request)) >= self.attempts

    def count(self, request) -> int:
        return count_attempt(self.key(request), self.window)
