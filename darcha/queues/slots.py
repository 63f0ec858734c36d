"""Appointment slots, computed: no database here, so every rule is tested with plain values.

A center receives visitors on the days and hours of the one opening rule (`core.hours`: days off
closed, a transferred working day open with its weekday's hours, so only a center that opens on
Saturdays takes bookings on a worked Saturday). Slots start at opening time, one every
`slot_minutes`; the last one ends by closing time; none is offered that has already begun.
A slot's free places are its capacity less the bookings that hold it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from django.utils import timezone

from darcha.core.calendar import WorkingCalendar

# The one opening-hours rule, read by the slots and re-exported for their callers.
from darcha.core.hours import Hours, closing_time, day_hours, local  # noqa: F401


@dataclass(frozen=True)
class Policy:
    """The parts of a SlotRule that shape the calendar."""

    slot_minutes: int = 15
    capacity: int = 1
    days_ahead: int = 14


@dataclass(frozen=True)
class Slot:
    start: dt.datetime
    end: dt.datetime
    capacity: int
    booked: int = 0

    @property
    def free(self) -> int:
        return max(self.capacity - self.booked, 0)


def horizon(today: dt.date, policy: Policy) -> tuple[dt.date, dt.date]:
    """The first and last day that may be booked now: today, and `days_ahead` days after it."""
    return today, today + dt.timedelta(days=policy.days_ahead)


def open_days(today: dt.date, policy: Policy, hours: Hours, calendar: WorkingCalendar) -> list[dt.date]:
    first, last = horizon(today, policy)
    days = (first + dt.timedelta(days=n) for n in range((last - first).days + 1))
    return [day for day in days if day_hours(day, hours, calendar)]


def day_slots(
    day: dt.date,
    policy: Policy,
    hours: Hours,
    calendar: WorkingCalendar,
    *,
    now: dt.datetime,
    booked: Mapping[dt.datetime, int] | None = None,
) -> list[Slot]:
    """Every slot of `day` that has not begun at `now`, with its bookings (full ones included)."""
    today = day_hours(day, hours, calendar)
    first, last = horizon(timezone.localdate(now), policy)
    if today is None or not first <= day <= last:
        return []
    booked = booked or {}
    opens, closes = local(day, today[0]), local(day, today[1])
    step = dt.timedelta(minutes=policy.slot_minutes)
    slots, start = [], opens
    while start + step <= closes:
        if start > now:
            slots.append(Slot(start, start + step, policy.capacity, booked.get(start, 0)))
        start += step
    return slots


def find_slot(slots: Iterable[Slot], start: dt.datetime) -> Slot | None:
    return next((slot for slot in slots if slot.start == start), None)


@dataclass(frozen=True)
class SlotCalendar:
    """One service's booking calendar at one center, as loaded once for a page."""

    policy: Policy
    hours: Hours
    calendar: WorkingCalendar
    now: dt.datetime
    booked: Mapping[dt.datetime, int]

    def days(self) -> list[dt.date]:
        return open_days(timezone.localdate(self.now), self.policy, self.hours, self.calendar)

    def slots(self, day: dt.date) -> list[Slot]:
        return day_slots(day, self.policy, self.hours, self.calendar, now=self.now, booked=self.booked)

    def first_free_day(self) -> dt.date | None:
        return next((day for day in self.days() if any(slot.free for slot in self.slots(day))), None)
