"""Every term of the appeals law (and of requests for information) with real dates of the 2026 calendar:
calendar days from the day after registration, a last day that is a day off moving to the next working
day (the Navruz and Qurbon hayit days off, the observed days, the Saturday worked for 31 December)."""

import datetime as dt

import holidays
import pytest
from django.test import override_settings
from hypothesis import given
from hypothesis import strategies as st

from darcha.core.calendar import WorkingCalendar, end_of_day
from darcha.infoservice import terms
from darcha.infoservice.choices import AppealType, RequestKind
from tests.infoservice.helpers import at, calendar_2026

_official = holidays.country_holidays("UZ", years=range(2025, 2030))
CALENDAR = WorkingCalendar(frozenset(_official), frozenset(_official.weekend_workdays))
D = dt.date


def due(registered, type=AppealType.APPLICATION, kind=RequestKind.APPEAL):  # noqa: A002
    return terms.due_date(kind=kind, type=type, registered=registered, calendar=CALENDAR)


def test_the_calendar_has_the_2026_days_off_the_tests_rely_on():
    for day in (D(2026, 3, 9), D(2026, 3, 20), D(2026, 3, 21), D(2026, 3, 23), D(2026, 5, 11), D(2026, 5, 27)):
        assert not CALENDAR.is_working_day(day), day
    for day in (D(2026, 5, 28), D(2026, 5, 29), D(2026, 8, 31), D(2026, 9, 1), D(2026, 10, 1), D(2026, 12, 8)):
        assert not CALENDAR.is_working_day(day), day
    assert not CALENDAR.is_working_day(D(2026, 12, 31))  # given for Saturday 12 December
    assert CALENDAR.is_working_day(D(2026, 12, 12))


def test_application_15_days_ending_on_navruz_moves_past_the_observed_monday():
    # 6 March + 15 = Saturday 21 March (Navruz); Sunday; Monday 23 March is Navruz observed.
    assert due(D(2026, 3, 6)) == D(2026, 3, 24)


def test_application_15_days_ending_on_a_working_day_stays():
    assert due(D(2026, 2, 2)) == D(2026, 2, 17)  # a Tuesday


def test_complaint_15_days_ending_on_women_day_observed():
    # 22 February + 15 = Monday 9 March, the observed day off for 8 March (a Sunday).
    assert due(D(2026, 2, 22), AppealType.COMPLAINT) == D(2026, 3, 10)


def test_proposal_one_month_ending_in_the_qurbon_hayit_days_off():
    # 29 April + 1 month = Friday 29 May, a day off by decree; then the weekend.
    assert due(D(2026, 4, 29), AppealType.PROPOSAL) == D(2026, 6, 1)


def test_proposal_one_month_from_the_last_day_of_a_longer_month():
    # 31 March + 1 month: April has no 31st, its last day (a Thursday) ends the term.
    assert due(D(2026, 3, 31), AppealType.PROPOSAL) == D(2026, 4, 30)


def test_information_request_15_days_ending_on_the_independence_days_off():
    # 16 August + 15 = Monday 31 August (day off by decree), Tuesday 1 September (Independence Day).
    assert due(D(2026, 8, 16), kind=RequestKind.INFORMATION) == D(2026, 9, 2)
    # The kind decides, whatever the type says.
    assert due(D(2026, 8, 16), AppealType.PROPOSAL, RequestKind.INFORMATION) == D(2026, 9, 2)


def test_media_request_7_days_ending_on_teachers_day():
    # 24 September + 7 = Thursday 1 October, Teachers' Day.
    assert due(D(2026, 9, 24), kind=RequestKind.MEDIA) == D(2026, 10, 2)


def test_study_extension_up_to_a_month_from_registration_ending_on_memory_day():
    # 9 April + 1 month = Saturday 9 May (Memory Day); Sunday; Monday 11 May observed.
    assert terms.study_due(D(2026, 4, 9), CALENDAR) == D(2026, 5, 12)


def test_head_extension_one_more_month_from_the_current_due_date():
    # 27 April + 1 month = Wednesday 27 May (Qurbon hayit), then the decree days and the weekend.
    assert terms.head_extension_due(D(2026, 4, 27), CALENDAR) == D(2026, 6, 1)
    assert terms.head_extension_due(D(2026, 6, 15), CALENDAR) == D(2026, 7, 15)


def test_proposal_study_notice_within_10_days_ending_on_constitution_day():
    # 28 November + 10 = Tuesday 8 December, Constitution Day.
    assert terms.study_notice_due(D(2026, 11, 28), CALENDAR) == D(2026, 12, 9)


def test_forward_or_return_within_5_days_ending_on_the_worked_saturday():
    # 7 December + 5 = Saturday 12 December, worked in place of 31 December: the term ends that day.
    assert terms.forward_due(D(2026, 12, 7), CALENDAR) == D(2026, 12, 12)


def test_forward_within_5_days_over_new_year():
    # 26 December + 5 = Thursday 31 December (day off for the 12th), 1 January 2027, the weekend.
    assert terms.forward_due(D(2026, 12, 26), CALENDAR) == D(2027, 1, 4)


def test_correction_within_10_days_ending_on_women_day_observed():
    # 27 February + 10 = Monday 9 March.
    assert terms.correction_until(D(2026, 2, 27), CALENDAR) == D(2026, 3, 10)


def test_complaint_to_a_higher_body_within_a_year():
    assert terms.complaint_until(D(2026, 6, 10)) == D(2027, 6, 10)
    # With the calendar: 20 March 2027 is a Saturday, Navruz a Sunday, observed on Monday 22 March.
    assert terms.complaint_until(D(2026, 3, 20)) == D(2027, 3, 20)
    assert terms.complaint_until(D(2026, 3, 20), CALENDAR) == D(2027, 3, 23)
    # A year from 29 February is 28 February.
    assert terms.complaint_until(D(2028, 2, 29)) == D(2029, 2, 28)


def test_registration_the_same_day_within_office_hours():
    assert terms.registration_day(at(2026, 3, 6, 9, 0), CALENDAR) == D(2026, 3, 6)
    assert terms.registration_day(at(2026, 3, 6, 17, 59), CALENDAR) == D(2026, 3, 6)
    # Before the office opens it is still that day's registration.
    assert terms.registration_day(at(2026, 3, 6, 6, 30), CALENDAR) == D(2026, 3, 6)


def test_registration_after_hours_on_the_next_working_day():
    # Friday 6 March at 18:00: the weekend, Monday 9 March (observed) → Tuesday 10 March.
    assert terms.registration_day(at(2026, 3, 6, 18, 0), CALENDAR) == D(2026, 3, 10)
    # Thursday 19 March evening: Ramazon hayit, Navruz, the weekend, the observed Monday → Tuesday 24 March.
    assert terms.registration_day(at(2026, 3, 19, 20, 0), CALENDAR) == D(2026, 3, 24)


def test_registration_on_a_day_off_on_the_next_working_day():
    assert terms.registration_day(at(2026, 3, 21, 11, 0), CALENDAR) == D(2026, 3, 24)  # Navruz
    assert terms.registration_day(at(2026, 12, 13, 11, 0), CALENDAR) == D(2026, 12, 14)  # a Sunday
    assert terms.registration_day(at(2026, 12, 12, 11, 0), CALENDAR) == D(2026, 12, 12)  # a worked Saturday


def test_registration_counts_in_tashkent_time():
    # 13:30 UTC is 18:30 in Tashkent: after hours.
    assert terms.registration_day(dt.datetime(2026, 3, 5, 13, 30, tzinfo=dt.UTC), CALENDAR) == D(2026, 3, 6)


@override_settings(APPEALS_OFFICE_CLOSES="17:00")
def test_office_hours_are_a_setting():
    assert terms.registration_day(at(2026, 3, 5, 17, 30), CALENDAR) == D(2026, 3, 6)
    assert terms.registration_day(at(2026, 3, 5, 16, 59), CALENDAR) == D(2026, 3, 5)


def test_a_due_date_is_stored_as_the_end_of_its_day():
    assert terms.due_moment(D(2026, 3, 24)) == end_of_day(D(2026, 3, 24))
    assert terms.local_day(terms.due_moment(D(2026, 3, 24))) == D(2026, 3, 24)


@given(
    registered=st.dates(min_value=D(2026, 1, 1), max_value=D(2027, 12, 31)),
    days=st.sampled_from([5, 7, 10, 15]),
)
def test_a_days_term_ends_on_the_first_working_day_from_its_last_calendar_day(registered, days):
    end = terms.days_term(registered, days, CALENDAR)
    last = registered + dt.timedelta(days=days)
    assert end >= last
    assert CALENDAR.is_working_day(end)
    assert all(not CALENDAR.is_working_day(last + dt.timedelta(days=n)) for n in range((end - last).days))


@pytest.mark.django_db
def test_the_seeded_calendar_gives_the_same_terms():
    calendar_2026()
    seeded = WorkingCalendar.current()
    day = D(2026, 1, 1)
    while day < D(2027, 1, 1):
        for type_ in AppealType.values:
            assert terms.due_date(kind=RequestKind.APPEAL, type=type_, registered=day, calendar=seeded) == due(
                day, type_
            ), (day, type_)
        day += dt.timedelta(days=1)
