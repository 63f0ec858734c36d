"""The terms of appeals (Law ZRU-445) and of requests for information (Law ZRU-369), over plain dates.

The law counts terms in calendar days (and months), from the day after the event: a 15-day term from a
registration on 6 March ends on 21 March. When that last day is a day off (a weekend or a holiday of the
working-day calendar, `core.calendar.WorkingCalendar`), the term ends on the next working day. A term in
months ends on the same day of the month (the month's last day when it has no such day: 31 January + 1
month is 28 or 29 February). Registration is the day an appeal is received, when it comes on a working
day before the office closes (APPEALS_OFFICE_CLOSES, "18:00"), else the next working day.

A due date is stored as the end (24:00, Tashkent) of its day (`due_moment`), as the applications' are.
Nothing here reads the database: the caller passes the calendar.
"""

from __future__ import annotations

import calendar as _month_calendar
import datetime as dt

from django.conf import settings
from django.utils import timezone

from darcha.core.calendar import end_of_day

from .choices import AppealType, RequestKind

# Law ZRU-445: applications and complaints 15 days; proposals up to a month; extra study up to a month
# from registration; the head's exceptional extension at most one more month; a proposal needing more
# study: the author told within 10 days; outside competence or insufficient data: forwarded or returned
# within 5 days; an answer corrected within 10 days; a complaint to a higher body within a year.
# Law ZRU-369: a request for information 15 days, a media request 7 days.
APPLICATION_DAYS = 15
COMPLAINT_DAYS = 15
PROPOSAL_MONTHS = 1
INFORMATION_DAYS = 15
MEDIA_DAYS = 7
STUDY_MONTHS = 1
HEAD_EXTENSION_MONTHS = 1
STUDY_NOTICE_DAYS = 10
FORWARD_DAYS = 5
CORRECTION_DAYS = 10
COMPLAINT_YEARS = 1

DEFAULT_OFFICE_CLOSES = dt.time(18, 0)


def office_closes() -> dt.time:
    """When the hokimiyat's office stops registering for the day (APPEALS_OFFICE_CLOSES, "HH:MM")."""
    value = getattr(settings, "APPEALS_OFFICE_CLOSES", DEFAULT_OFFICE_CLOSES)
    if isinstance(value, dt.time):
        return value
    hours, minutes = str(value).split(":")
    return dt.time(int(hours), int(minutes))


def on_working_day(day: dt.date, calendar) -> dt.date:
    """The day itself when it is a working day, else the next working day (a term's last day)."""
    return calendar.next_working_day(day, include=True)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later; the month's last day when it is shorter."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    last = _month_calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day.day, last))


def days_term(start: dt.date, days: int, calendar) -> dt.date:
    """The last day of a term of `days` calendar days from `start` (counted from the day after)."""
    return on_working_day(start + dt.timedelta(days=days), calendar)


def months_term(start: dt.date, months: int, calendar) -> dt.date:
    return on_working_day(add_months(start, months), calendar)


def registration_day(received_at: dt.datetime, calendar, closes: dt.time | None = None) -> dt.date:
    """The day an appeal received at `received_at` (aware) is registered: that day when it is a working
    day and the office has not closed yet, else the next working day."""
    local = timezone.localtime(received_at)
    closes = closes or office_closes()
    day = local.date()
    if calendar.is_working_day(day) and local.time() < closes:
        return day
    return calendar.next_working_day(day)


def due_date(*, kind: str, type: str, registered: dt.date, calendar) -> dt.date:  # noqa: A002 (the contract's name)
    """The term of an appeal or request registered on `registered`."""
    if kind == RequestKind.MEDIA:
        return days_term(registered, MEDIA_DAYS, calendar)
    if kind == RequestKind.INFORMATION:
        return days_term(registered, INFORMATION_DAYS, calendar)
    if type == AppealType.PROPOSAL:
        return months_term(registered, PROPOSAL_MONTHS, calendar)
    if type == AppealType.COMPLAINT:
        return days_term(registered, COMPLAINT_DAYS, calendar)
    return days_term(registered, APPLICATION_DAYS, calendar)


def study_due(registered: dt.date, calendar) -> dt.date:
    """The furthest term when extra study, an inspection or documents are needed: a month from registration."""
    return months_term(registered, STUDY_MONTHS, calendar)


def head_extension_due(current_due: dt.date, calendar) -> dt.date:
    """The furthest term the head may set, once and exceptionally: one more month after the current one."""
    return months_term(current_due, HEAD_EXTENSION_MONTHS, calendar)


def study_notice_due(registered: dt.date, calendar) -> dt.date:
    """A proposal needing more study: the author is told in writing by this day (10 days)."""
    return days_term(registered, STUDY_NOTICE_DAYS, calendar)


def forward_due(registered: dt.date, calendar) -> dt.date:
    """Outside competence (forwarded) or insufficient data (returned to the author): by this day (5 days)."""
    return days_term(registered, FORWARD_DAYS, calendar)


def correction_until(answered: dt.date, calendar) -> dt.date:
    """An answer may be clarified or corrected until this day (10 days after it was sent)."""
    return days_term(answered, CORRECTION_DAYS, calendar)


def complaint_until(answered: dt.date, calendar=None) -> dt.date:
    """A complaint about the answer may go to a higher body until this day (a year after it was sent);
    with a calendar, a day off moves it to the next working day as every other term."""
    day = add_months(answered, 12 * COMPLAINT_YEARS)
    return on_working_day(day, calendar) if calendar is not None else day


def due_moment(day: dt.date) -> dt.datetime:
    """The stored form of a due date: the end (24:00, Tashkent) of its day."""
    return end_of_day(day)


def local_day(moment: dt.datetime) -> dt.date:
    """The Tashkent day of a stored moment (registered_at, due_at, an answer's sent_at)."""
    return timezone.localtime(moment).date()
