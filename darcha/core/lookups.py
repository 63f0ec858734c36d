"""Lookups by a number and an access code under limits on wrong tries: the one rule every app's tracking
follows (applications, kindergarten queue numbers, appeals), on the counters of `core.throttle`.

Only wrong lookups count: per number, so that its access code cannot be guessed from many addresses
(reached, the number locks: even the right code is refused until the window ends), and per client (an
address, a Telegram chat), so that one client that keeps getting it wrong is told to stop. A right
number and code is always answered, however many lookups came from the same address (a center's Wi-Fi,
a mobile operator's NAT), unless the number is locked. A string that cannot be a number is counted
against the client only, and gets the same answers, so a lock tells nothing about which numbers exist.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from django.conf import settings
from django.utils import timezone

from .errors import Refused
from .throttle import KeyLimit

T = TypeVar("T")


class TrackingRefused(Refused):
    """A tracking lookup refused for now (HTTP 429); `until` is when to try again."""

    status = 429

    def __init__(self, message: str, code: enum.StrEnum, until: dt.datetime):
        super().__init__(message, code)
        self.until = until

    @property
    def retry_after(self) -> int:
        return max(1, int((self.until - timezone.now()).total_seconds()) + 1)


@dataclass(frozen=True)
class LookupLimits:
    """The limits on wrong lookups (the settings, read when asked):

    - `numbers`: wrong access codes per number (CASES_TRACK_NUMBER_FAILURES in CASES_TRACK_NUMBER_WINDOW
      seconds from the first); reached, the number is locked;
    - `clients`: wrong lookups per client (CASES_TRACK_CLIENT_FAILURES in CASES_TRACK_CLIENT_WINDOW
      seconds); reached, that client's wrong lookups are refused with the time to try again.
    """

    numbers: KeyLimit
    clients: KeyLimit

    @classmethod
    def from_settings(cls, name: str) -> LookupLimits:
        """Limits counted under `name` (each app its own counters), sized by the tracking settings."""
        return cls(
            numbers=KeyLimit(
                f"{name}-number",
                int(getattr(settings, "CASES_TRACK_NUMBER_FAILURES", 10)),
                int(getattr(settings, "CASES_TRACK_NUMBER_WINDOW", 24 * 3600)),
            ),
            clients=KeyLimit(
                f"{name}-client",
                int(getattr(settings, "CASES_TRACK_CLIENT_FAILURES", 50)),
                int(getattr(settings, "CASES_TRACK_CLIENT_WINDOW", 3600)),
            ),
        )


def limited_lookup(
    *,
    limits: LookupLimits,
    key: str | None,
    client: str,
    find: Callable[[], T | None],
    locked: Callable[[dt.datetime], str],
    too_many: Callable[[dt.datetime], str],
    locked_code: enum.StrEnum,
    too_many_code: enum.StrEnum,
    on_lock: Callable[[str, int | None, dt.datetime, bool], None] | None = None,
) -> T | None:
    """What `find()` finds for a number (`key`: the number as counted, None when the typed string cannot
    be a number) and its code, under the limits.

    None for a wrong number or code (counted); `TrackingRefused` with `locked(until)` and `locked_code`
    while the number is locked (the right code too), or with `too_many(until)` and `too_many_code` for a
    wrong lookup from a client over its limit. `on_lock(key, since, until, client_over)` runs once, on the
    wrong lookup that locks the number (to tell the owner of the number)."""
    if key is not None and limits.numbers.reached(key):
        until = limits.numbers.until(key)
        raise TrackingRefused(locked(until), locked_code, until)
    found = find()
    if found is not None:
        return found
    over = limits.clients.reached(client)
    limits.clients.count(client)
    if key is not None:
        failures = limits.numbers.count(key)
        if failures >= limits.numbers.attempts:
            until = limits.numbers.until(key)
            if failures == limits.numbers.attempts and on_lock is not None:
                on_lock(key, limits.numbers.since(key), until, over)
            raise TrackingRefused(locked(until), locked_code, until)
    if over:
        until = limits.clients.until(client)
        raise TrackingRefused(too_many(until), too_many_code, until)
    return None
