"""Months without a press event: a pure function over plain values.

A 2018 government decision asks every hokimiyat's press service for at least one press conference or
briefing a month. Given the local start days of the events held (and of those announced ahead), this
says, month by month over a window ending with today's month, which months have one, which had none
(missed), and whether the current month still has one coming.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

HELD = "held"  # at least one event held in the month
MISSED = "missed"  # a past month with none held
PLANNED = "planned"  # the current month: none held yet, one announced
DUE = "due"  # the current month: none held and none announced yet


@dataclass(frozen=True)
class Month:
    year: int
    month: int
    held: int
    planned: int
    state: str

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def missed(self) -> bool:
        return self.state == MISSED


def _shift(year: int, month: int, by: int) -> tuple[int, int]:
    index = year * 12 + (month - 1) + by
    return index // 12, index % 12 + 1


def month_window(today: dt.date, months: int) -> list[tuple[int, int]]:
    """The `months` months ending with today's, oldest first."""
    return [_shift(today.year, today.month, -back) for back in range(months - 1, -1, -1)]


def months_summary(
    *,
    held: Iterable[dt.date],
    planned: Iterable[dt.date],
    today: dt.date,
    months: int = 12,
    since: dt.date | None = None,
) -> list[Month]:
    """Each month of the window (oldest first) with how many events were held and are announced in it.

    `held`: the local days of events held (started, not cancelled); `planned`: of those announced and not
    yet started. `since`: months before this day's month are left out (a hokimiyat whose press service
    started later is not blamed for the months before it)."""
    held_by = Counter((day.year, day.month) for day in held)
    planned_by = Counter((day.year, day.month) for day in planned)
    first = (since.year, since.month) if since else None
    current = (today.year, today.month)
    summary = []
    for key in month_window(today, months):
        if first is not None and key < first:
            continue
        done, coming = held_by.get(key, 0), planned_by.get(key, 0)
        if done:
            state = HELD
        elif key < current:
            state = MISSED
        else:
            state = PLANNED if coming else DUE
        summary.append(Month(key[0], key[1], done, coming, state))
    return summary


def missed_months(summary: Iterable[Month]) -> list[Month]:
    return [month for month in summary if month.missed]
