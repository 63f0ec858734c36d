"""When a center receives visitors: the one rule, as pure functions over plain values.

Inputs are the center's weekly hours (weekday, Monday 0 → (opens, closes); no entry: closed that
weekday), the working-day calendar (`core.calendar.WorkingCalendar`: days off, transferred working
days) and "now" (an aware datetime). Everything that asks "is the center open?" asks here: the
desk, the centers page, the kiosk, ticket issuing, bookings, the console and the end of the day.

- A day off (a holiday, or a weekday the decree moved) is closed, whatever the weekly hours say.
- A transferred working day is open with that weekday's own hours: a Saturday worked for a bridge
  holiday opens Saturday's hours (09:00–15:00 in the demo), and only at a center that opens on
  Saturdays; a center closed on that weekday stays closed.
- Any other day is open with its weekday's hours, if it has any (Saturdays until 15:00 as the
  centers' weekly hours say, Sundays closed).
- Open means opens ≤ now < closes, in the center's time zone (Tashkent).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from django.utils import formats, timezone
from django.utils.translation import gettext, gettext_lazy

from .calendar import WorkingCalendar

# weekday (Monday 0) → (opens, closes)
Hours = Mapping[int, tuple[dt.time, dt.time]]

LOOK_AHEAD_DAYS = 60  # how far `next_opening` looks (the longest run of days off is far shorter)


def local(day: dt.date, time: dt.time) -> dt.datetime:
    """`day` at `time` in the center's time zone."""
    return timezone.make_aware(dt.datetime.combine(day, time), timezone.get_default_timezone())


def day_hours(day: dt.date, hours: Hours, calendar: WorkingCalendar) -> tuple[dt.time, dt.time] | None:
    """The center's opening hours on `day`, or None when it receives nobody that day."""
    if day in calendar.days_off and day not in calendar.working_days:
        return None
    return hours.get(day.weekday())


def day_span(day: dt.date, hours: Hours, calendar: WorkingCalendar) -> tuple[dt.datetime, dt.datetime] | None:
    """When the center opens and closes on `day` (aware datetimes), or None when it is closed all day."""
    today = day_hours(day, hours, calendar)
    return (local(day, today[0]), local(day, today[1])) if today else None


def closing_time(day: dt.date, hours: Hours, calendar: WorkingCalendar) -> dt.datetime | None:
    span = day_span(day, hours, calendar)
    return span[1] if span else None


def is_open(now: dt.datetime, hours: Hours, calendar: WorkingCalendar) -> bool:
    span = day_span(timezone.localdate(now), hours, calendar)
    return span is not None and span[0] <= now < span[1]


def next_opening(now: dt.datetime, hours: Hours, calendar: WorkingCalendar) -> dt.datetime | None:
    """The next moment after `now` the center opens (today's opening if it is still ahead); None
    when it does not open within LOOK_AHEAD_DAYS (a center without hours)."""
    today = timezone.localdate(now)
    for n in range(LOOK_AHEAD_DAYS + 1):
        span = day_span(today + dt.timedelta(days=n), hours, calendar)
        if span is not None and span[0] > now:
            return span[0]
    return None


@dataclass(frozen=True)
class Opening:
    """The center at one moment: open or not, today's hours, and when it next opens."""

    now: dt.datetime
    today: tuple[dt.datetime, dt.datetime] | None  # today's opening and closing (None: closed all day)
    is_open: bool
    opens_at: dt.datetime | None  # closed now: when it opens next (None: not within LOOK_AHEAD_DAYS)

    @property
    def closes_at(self) -> dt.datetime | None:
        return self.today[1] if self.today else None

    def issued_while_open(self, moment: dt.datetime) -> bool:
        """Whether `moment` (a ticket's issue time) lies within today's opening hours."""
        return self.today is not None and self.today[0] <= moment < self.today[1]


def opening(now: dt.datetime, hours: Hours, calendar: WorkingCalendar) -> Opening:
    """The center's state at `now`, by the rule above."""
    today = day_span(timezone.localdate(now), hours, calendar)
    open_now = today is not None and today[0] <= now < today[1]
    return Opening(now, today, open_now, None if open_now else next_opening(now, hours, calendar))


def day_over_through(
    now: dt.datetime, hours: Hours, calendar: WorkingCalendar, grace: dt.timedelta = dt.timedelta(0)
) -> dt.date:
    """The last day whose queue is over at `now`: a day ends at its closing time plus `grace` (the
    time the counters have to serve those still in the hall); a day the center is closed, or a
    day before its opening, has nobody to serve (no ticket is issued while the center is closed)."""
    today = timezone.localdate(now)
    yesterday = today - dt.timedelta(days=1)
    before = day_span(yesterday, hours, calendar)
    if before is not None and now < before[1] + grace:
        return yesterday - dt.timedelta(days=1)  # yesterday's grace runs past midnight
    span = day_span(today, hours, calendar)
    if span is None or now < span[0] or now >= span[1] + grace:
        return today
    return yesterday


# --- how a closed center says when it opens ------------------------------------------------------
# One sentence per weekday: languages decline the day's name ("во вторник", "seshanba kuni").
_OPENS_ON = (
    gettext_lazy("Closed. Opens Monday at %(time)s"),
    gettext_lazy("Closed. Opens Tuesday at %(time)s"),
    gettext_lazy("Closed. Opens Wednesday at %(time)s"),
    gettext_lazy("Closed. Opens Thursday at %(time)s"),
    gettext_lazy("Closed. Opens Friday at %(time)s"),
    gettext_lazy("Closed. Opens Saturday at %(time)s"),
    gettext_lazy("Closed. Opens Sunday at %(time)s"),
)


def closed_text(state: Opening) -> str:
    """ "Closed. Opens today at 09:00", "… tomorrow at 09:00", "… Tuesday at 09:00" (within a
    week), "… on 02.01.2027 at 09:00" (later), in the active language; "Closed." without hours."""
    opens = state.opens_at
    if opens is None:
        return gettext("Closed.")
    opens = timezone.localtime(opens)
    time = opens.strftime("%H:%M")
    days = (opens.date() - timezone.localdate(state.now)).days
    if days == 0:
        return gettext("Closed. Opens today at %(time)s") % {"time": time}
    if days == 1:
        return gettext("Closed. Opens tomorrow at %(time)s") % {"time": time}
    if days < 7:
        return str(_OPENS_ON[opens.weekday()]) % {"time": time}
    return gettext("Closed. Opens on %(date)s at %(time)s") % {
        "date": formats.date_format(opens, "SHORT_DATE_FORMAT"),
        "time": time,
    }
