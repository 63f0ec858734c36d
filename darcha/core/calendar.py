"""The working-day calendar: Monday–Friday, less days off, plus transferred working Saturdays.

Terms run in working days and start the day after the event (as civil-law terms do); a term of
n working days ends at the end (24:00, Tashkent) of the n-th working day after the start day.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone

from .choices import HolidayKind

WEEKEND = frozenset({5, 6})  # Saturday, Sunday


@dataclass(frozen=True)
class WorkingCalendar:
    days_off: frozenset[dt.date] = field(default_factory=frozenset)
    working_days: frozenset[dt.date] = field(default_factory=frozenset)

    @classmethod
    def current(cls) -> WorkingCalendar:
        """The calendar as the Holiday table has it now (a few hundred rows: one query)."""
        from .models import Holiday

        off, work = set(), set()
        for date, kind in Holiday.objects.values_list("date", "kind"):
            (work if kind == HolidayKind.WORKING_DAY else off).add(date)
        return cls(frozenset(off), frozenset(work))

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.working_days:
            return True
        if day in self.days_off:
            return False
        return day.weekday() not in WEEKEND

    def next_working_day(self, day: dt.date, *, include: bool = False) -> dt.date:
        day = day if include else day + dt.timedelta(days=1)
        while not self.is_working_day(day):
            day += dt.timedelta(days=1)
        return day

    def add_working_days(self, start: dt.date, n: int) -> dt.date:
        """The n-th working day after `start` (n ≥ 1)."""
        if n < 1:
            raise ValueError("a term is at least one working day")
        day = start
        for _ in range(n):
            day = self.next_working_day(day)
        return day

    def count_working_days(self, start: dt.date, end: dt.date) -> int:
        """Working days d with start < d ≤ end (0 when end ≤ start)."""
        count, day = 0, start
        while day < end:
            day += dt.timedelta(days=1)
            count += self.is_working_day(day)
        return count

    def deadline(self, moment: dt.datetime, n: int) -> dt.datetime:
        """End of the n-th working day after the local day of `moment` (an aware datetime)."""
        local_day = timezone.localtime(moment).date()
        return end_of_day(self.add_working_days(local_day, n))

    def working_days_between(self, start: dt.datetime, end: dt.datetime) -> int:
        return self.count_working_days(timezone.localtime(start).date(), timezone.localtime(end).date())


def end_of_day(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.max), timezone.get_default_timezone())


def add_working_days(moment: dt.datetime, n: int, calendar: WorkingCalendar | None = None) -> dt.datetime:
    """Deadline n working days after `moment`, from the Holiday table unless a calendar is given."""
    return (calendar or WorkingCalendar.current()).deadline(moment, n)


def count_working_days(start: dt.datetime, end: dt.datetime, calendar: WorkingCalendar | None = None) -> int:
    return (calendar or WorkingCalendar.current()).working_days_between(start, end)
