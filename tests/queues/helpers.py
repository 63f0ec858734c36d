"""Helpers of the queue tests (the fixtures, the center and its staff, are in conftest.py)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from tests.factories import TicketFactory


def noon() -> dt.datetime:
    """Today at 12:00 in Tashkent: a fixed moment that is always "today" for the queue."""
    return timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(12)))


def issue(hall, service, *, at: dt.datetime | None = None, priority: str = "", **kwargs):
    """A ticket issued by the kiosk (the system actor) at the hall's center at `at` (default: a minute ago)."""
    return TicketFactory(center=hall.center, service=service, now=at, priority=priority, **kwargs)
