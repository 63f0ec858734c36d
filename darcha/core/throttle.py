"""Attempt counters in the shared cache: failed logins per username and address, and the limits
other screens put on lookups (tracking, booking codes, the Telegram bot) per client.

The client's address is `REMOTE_ADDR`, unless the request came through one of `TRUSTED_PROXIES` (a
setting, empty by default): then it is the nearest X-Forwarded-For hop that is not a trusted proxy. A
client cannot choose its address by sending the header itself: hops it wrote stand to the left of the
ones our proxies appended, and are never reached while an untrusted hop stands before them. Pages, the
API and DRF's throttles (`core.api`) all take the address from here.
"""

import functools
import ipaddress
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
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


def count_attempt(key: str, window: int) -> int:
    """Count one attempt under `key` in a window of `window` seconds (from the first); the count so far."""
    if cache.add(key, 1, window):
        return 1
    try:
        return cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, window)
        return 1


def attempts(key: str) -> int:
    return cache.get(key) or 0


def login_blocked(username: str, address: str) -> bool:
    limit = settings.LOGIN_FAILURE_LIMIT
    return any(attempts(key) >= limit for key in _keys(username, address))


def login_failed(username: str, address: str) -> None:
    for key in _keys(username, address):
        count_attempt(key, settings.LOGIN_FAILURE_WINDOW)


def login_succeeded(username: str, address: str) -> None:
    cache.delete(_keys(username, address)[0])


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
