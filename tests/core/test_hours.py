"""The one opening-hours rule (darcha.core.hours), with plain values: weekly hours, the working-day
calendar and "now"."""

import datetime as dt

from django.utils import translation

from darcha.core import hours
from darcha.core.calendar import WorkingCalendar
from darcha.core.hours import local

WEEK = {**{weekday: (dt.time(9), dt.time(18)) for weekday in range(5)}, 5: (dt.time(9), dt.time(15))}
MONDAY, FRIDAY, SATURDAY = dt.date(2026, 3, 9), dt.date(2026, 3, 13), dt.date(2026, 3, 14)
# 2026: Ramazon hayit Friday 20 March, Navruz Saturday 21 March, Monday 23 March its day off;
# Saturday 12 December is worked.
NAVRUZ_2026 = WorkingCalendar(
    frozenset({dt.date(2026, 3, 20), dt.date(2026, 3, 21), dt.date(2026, 3, 23)}), frozenset({dt.date(2026, 12, 12)})
)


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return local(day, dt.time(hour, minute))


def closed_text(now, week=WEEK, calendar=NAVRUZ_2026) -> str:
    with translation.override("en"):
        return hours.closed_text(hours.opening(now, week, calendar))


def test_open_from_opening_to_closing_time():
    assert not hours.is_open(at(MONDAY, 1, 45), WEEK, NAVRUZ_2026)
    assert not hours.is_open(at(MONDAY, 8, 59), WEEK, NAVRUZ_2026)
    assert hours.is_open(at(MONDAY, 9), WEEK, NAVRUZ_2026)
    assert hours.is_open(at(MONDAY, 17, 59), WEEK, NAVRUZ_2026)
    assert not hours.is_open(at(MONDAY, 18), WEEK, NAVRUZ_2026)


def test_saturdays_until_three_and_sundays_closed():
    assert hours.is_open(at(SATURDAY, 14, 59), WEEK, NAVRUZ_2026)
    assert not hours.is_open(at(SATURDAY, 15), WEEK, NAVRUZ_2026)
    assert not hours.is_open(at(SATURDAY + dt.timedelta(days=1), 11), WEEK, NAVRUZ_2026)
    assert hours.next_opening(at(SATURDAY, 15), WEEK, NAVRUZ_2026) == at(SATURDAY + dt.timedelta(days=2), 9)


def test_days_off_are_closed_whatever_the_week_says():
    ramazon, navruz, transferred = dt.date(2026, 3, 20), dt.date(2026, 3, 21), dt.date(2026, 3, 23)
    for day in (ramazon, navruz, transferred):  # a Friday, a Saturday, a Monday
        assert hours.day_hours(day, WEEK, NAVRUZ_2026) is None
        assert not hours.is_open(at(day, 11), WEEK, NAVRUZ_2026)
    # After Thursday's closing the next opening is Tuesday 24 March.
    assert hours.next_opening(at(dt.date(2026, 3, 19), 18), WEEK, NAVRUZ_2026) == at(dt.date(2026, 3, 24), 9)


def test_a_worked_saturday_opens_with_saturday_hours_and_only_where_saturdays_open():
    worked = dt.date(2026, 12, 12)
    assert hours.day_hours(worked, WEEK, NAVRUZ_2026) == (dt.time(9), dt.time(15))
    weekdays_only = {weekday: (dt.time(9), dt.time(18)) for weekday in range(5)}
    assert hours.day_hours(worked, weekdays_only, NAVRUZ_2026) is None


def test_the_closed_kiosk_says_when_the_center_opens():
    assert closed_text(at(MONDAY, 1, 45)) == "Closed. Opens today at 09:00"
    assert closed_text(at(MONDAY, 18)) == "Closed. Opens tomorrow at 09:00"
    assert closed_text(at(SATURDAY, 16)) == "Closed. Opens Monday at 09:00"
    assert closed_text(at(dt.date(2026, 3, 19), 18, 30)) == "Closed. Opens Tuesday at 09:00"  # Navruz between
    assert closed_text(at(MONDAY, 10), week={}) == "Closed."  # no hours at all
    long_break = WorkingCalendar(frozenset(FRIDAY + dt.timedelta(days=n) for n in range(10)))
    assert closed_text(at(FRIDAY - dt.timedelta(days=1), 19), calendar=long_break) == (
        "Closed. Opens on 23.03.2026 at 09:00"
    )


def test_the_opening_state():
    state = hours.opening(at(MONDAY, 18, 10), WEEK, NAVRUZ_2026)
    assert not state.is_open and state.closes_at == at(MONDAY, 18) and state.opens_at == at(MONDAY + dt.timedelta(1), 9)
    assert state.issued_while_open(at(MONDAY, 17, 50)) and not state.issued_while_open(at(MONDAY, 18, 5))
    assert not state.issued_while_open(at(MONDAY, 8, 30))
    assert hours.opening(at(MONDAY, 10), WEEK, NAVRUZ_2026).opens_at is None  # open: nothing to wait for


def test_the_queue_day_is_over_at_closing_time_plus_the_grace():
    grace = dt.timedelta(minutes=30)
    sunday = MONDAY - dt.timedelta(days=1)
    assert hours.day_over_through(at(MONDAY, 10), WEEK, NAVRUZ_2026, grace) == sunday
    assert hours.day_over_through(at(MONDAY, 18, 29), WEEK, NAVRUZ_2026, grace) == sunday
    assert hours.day_over_through(at(MONDAY, 18, 30), WEEK, NAVRUZ_2026, grace) == MONDAY
    # 01:45: yesterday is over, and today has nobody to serve before opening.
    assert hours.day_over_through(at(MONDAY, 1, 45), WEEK, NAVRUZ_2026, grace) == MONDAY
    # A day off has nobody to serve.
    assert hours.day_over_through(at(dt.date(2026, 3, 21), 11), WEEK, NAVRUZ_2026, grace) == dt.date(2026, 3, 21)
    # A late closing whose grace runs past midnight keeps yesterday open until it ends.
    late = {0: (dt.time(9), dt.time(23, 45))}
    tuesday = MONDAY + dt.timedelta(days=1)
    assert hours.day_over_through(at(tuesday, 0, 10), late, NAVRUZ_2026, grace) == sunday
    assert hours.day_over_through(at(tuesday, 0, 15), late, NAVRUZ_2026, grace) == tuesday


def test_the_desk_follows_the_same_rule():
    """The center's desk card said a worked Saturday opens with Monday's hours at a center closed on
    Saturdays, while the kiosk, bookings and the end of the day kept it closed."""
    from darcha.core.desk_panels import opening_today
    from darcha.core.models import Holiday, OpeningHours

    weekdays_only = [OpeningHours(weekday=w, opens=dt.time(9), closes=dt.time(18)) for w in range(5)]
    worked = Holiday(date=dt.date(2026, 12, 12), kind="working_day", name_uz="Ish kuni")
    today = opening_today(weekdays_only, [worked], now=at(dt.date(2026, 12, 12), 10))
    assert today.hours is None and not today.is_open
    navruz = Holiday(date=dt.date(2026, 3, 21), kind="day_off", name_uz="Navroʻz")
    saturdays = [*weekdays_only, OpeningHours(weekday=5, opens=dt.time(9), closes=dt.time(15))]
    assert not opening_today(saturdays, [navruz], now=at(dt.date(2026, 3, 21), 10)).is_open
    assert opening_today(saturdays, [], now=at(SATURDAY, 14, 59)).is_open
    assert not opening_today(saturdays, [], now=at(SATURDAY, 15)).is_open
