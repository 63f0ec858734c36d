import datetime as dt

import holidays
import pytest
from hypothesis import given
from hypothesis import strategies as st

from darcha.core.audit import SYSTEM
from darcha.core.calendar import WorkingCalendar, add_working_days, count_working_days, end_of_day
from darcha.core.choices import HolidayKind, HolidaySource
from darcha.core.models import Holiday
from darcha.core.services import holidays_seed

_official = holidays.country_holidays("UZ", years=range(2024, 2029))
CALENDAR = WorkingCalendar(frozenset(_official), frozenset(_official.weekend_workdays))
days = st.dates(min_value=dt.date(2024, 1, 1), max_value=dt.date(2028, 6, 30))
terms = st.integers(min_value=1, max_value=60)


@given(start=days, n=terms)
def test_adding_n_working_days_then_counting_gives_n(start, n):
    assert CALENDAR.count_working_days(start, CALENDAR.add_working_days(start, n)) == n


@given(start=days, n=terms)
def test_a_term_never_ends_on_a_day_off(start, n):
    end = CALENDAR.add_working_days(start, n)
    assert CALENDAR.is_working_day(end)
    assert end not in _official


@given(start=days, n=terms)
def test_a_longer_term_never_ends_earlier(start, n):
    assert CALENDAR.add_working_days(start, n + 1) > CALENDAR.add_working_days(start, n)


def test_zero_day_term_is_refused():
    with pytest.raises(ValueError):
        CALENDAR.add_working_days(dt.date(2026, 3, 2), 0)


@pytest.mark.django_db
def test_real_2026_dates_from_the_seeded_table():
    holidays_seed(actor=SYSTEM, years=[2026])
    calendar = WorkingCalendar.current()
    assert not calendar.is_working_day(dt.date(2026, 3, 20))  # Ramazon hayit, a Friday
    assert not calendar.is_working_day(dt.date(2026, 3, 21))  # Navruz
    assert not calendar.is_working_day(dt.date(2026, 3, 23))  # Navruz falls on Saturday: Monday off
    assert calendar.is_working_day(dt.date(2026, 12, 12))  # Saturday worked for the 31 December day off
    # Filed on Thursday 19 March 2026 with a 1-day term: Friday, the weekend, Monday are off → Tuesday.
    filed = dt.datetime(2026, 3, 19, 10, 30, tzinfo=dt.UTC)
    assert add_working_days(filed, 1) == end_of_day(dt.date(2026, 3, 24))
    assert count_working_days(filed, add_working_days(filed, 3)) == 3


@pytest.mark.django_db
def test_an_administrator_can_add_a_day_off_and_it_survives_reseeding():
    holidays_seed(actor=SYSTEM, years=[2026])
    Holiday.objects.create(
        date=dt.date(2026, 4, 15), kind=HolidayKind.DAY_OFF, name_uz="Qaror bilan", source=HolidaySource.MANUAL
    )
    holidays_seed(actor=SYSTEM, years=[2026])
    assert not WorkingCalendar.current().is_working_day(dt.date(2026, 4, 15))
    assert Holiday.objects.get(date=dt.date(2026, 4, 15)).source == HolidaySource.MANUAL


@pytest.mark.django_db
def test_seeding_is_idempotent_and_names_are_in_three_languages():
    first = holidays_seed(actor=SYSTEM, years=[2026])
    assert first > 10
    assert holidays_seed(actor=SYSTEM, years=[2026]) == 0
    navruz = Holiday.objects.get(date=dt.date(2026, 3, 21))
    assert "Navro" in navruz.name_uz and navruz.name_ru == "Навруз" and navruz.name_en


@pytest.mark.django_db
def test_every_official_day_is_named_in_russian_and_a_saturday_worked_names_its_day_off():
    holidays_seed(actor=SYSTEM, years=[2025, 2026, 2027])
    unnamed = list(Holiday.objects.filter(name_ru="").values_list("date", "name_uz"))
    assert not unnamed
    moved = Holiday.objects.get(date=dt.date(2026, 12, 31))
    assert (moved.name_uz, moved.name_ru, moved.name_en) == (
        "Dam olish kuni (12.12.2026-dan koʻchirilgan)",
        "Выходной день (перенесён с 12.12.2026)",
        "Day off (moved from 12.12.2026)",
    )
    worked = Holiday.objects.get(date=dt.date(2026, 12, 12))
    assert worked.kind == HolidayKind.WORKING_DAY
    # The kind says it is a working day; the name says why (the desk shows both side by side).
    assert worked.name_ru == "вместо выходного дня 31.12.2026" and "рабочий" not in worked.name_ru.lower()
    assert Holiday.objects.get(date=dt.date(2026, 3, 23)).name_ru == "Навруз (перенесённый)"
    assert Holiday.objects.get(date=dt.date(2026, 5, 9)).name_ru == "День памяти и почестей"
