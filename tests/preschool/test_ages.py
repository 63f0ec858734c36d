"""Ages on the reference date and the groups a child may join (pure helpers)."""

import datetime as dt

import pytest
from django.test import override_settings
from hypothesis import given
from hypothesis import strategies as st

from darcha.preschool import ages
from darcha.preschool.choices import AgeGroup, KindergartenKind

STATE, PRIVATE = KindergartenKind.STATE, KindergartenKind.PRIVATE


def test_reference_date_follows_the_settings():
    assert ages.reference_date(2027) == dt.date(2027, 9, 1)
    with override_settings(PRESCHOOL_REFERENCE_MONTH=1, PRESCHOOL_REFERENCE_DAY=15):
        assert ages.reference_date(2027) == dt.date(2027, 1, 15)


@pytest.mark.parametrize(
    ("birth", "day", "years"),
    [
        (dt.date(2023, 9, 1), dt.date(2026, 9, 1), 3),  # the birthday itself counts
        (dt.date(2023, 9, 2), dt.date(2026, 9, 1), 2),
        (dt.date(2020, 2, 29), dt.date(2021, 2, 28), 0),  # born on 29 February: a year older on 1 March
        (dt.date(2020, 2, 29), dt.date(2021, 3, 1), 1),
    ],
)
def test_age_on_counts_full_years(birth, day, years):
    assert ages.age_on(birth, day) == years


@pytest.mark.parametrize(
    ("years", "group"),
    [
        (0, None),
        (1, AgeGroup.EARLY),
        (2, AgeGroup.EARLY),
        (3, AgeGroup.G3),
        (4, AgeGroup.G4),
        (5, AgeGroup.G5),
        (6, AgeGroup.PREPARATORY),
        (7, None),
    ],
)
def test_age_group_on(years, group):
    day = dt.date(2026, 9, 1)
    assert ages.age_group_on(dt.date(2026 - years, 9, 1), day) == group


def test_state_kindergartens_take_early_groups_from_two():
    day = dt.date(2026, 9, 1)
    one, two = dt.date(2025, 8, 1), dt.date(2024, 8, 1)
    assert ages.may_join((AgeGroup.EARLY, PRIVATE), one, day)
    assert not ages.may_join((AgeGroup.EARLY, STATE), one, day)
    assert ages.may_join((AgeGroup.EARLY, STATE), two, day)
    with override_settings(PRESCHOOL_STATE_EARLY_FROM_YEARS=3):
        assert not ages.may_join((AgeGroup.EARLY, STATE), two, day)
    assert not ages.may_join((AgeGroup.G3, STATE), two, day)


def test_old_enough_ignores_being_older():
    day = dt.date(2026, 9, 1)
    assert ages.old_enough((AgeGroup.G3, STATE), dt.date(2021, 1, 1), day)
    assert not ages.old_enough((AgeGroup.G4, STATE), dt.date(2023, 1, 1), day)


def test_school_year_for_is_the_next_reference_date():
    tashkent = dt.timezone(dt.timedelta(hours=5))
    assert ages.school_year_for(dt.datetime(2026, 9, 1, 12, tzinfo=tashkent)) == 2026
    assert ages.school_year_for(dt.datetime(2026, 9, 2, 0, 30, tzinfo=tashkent)) == 2027
    assert ages.school_year_for(dt.date(2026, 3, 1)) == 2026


def test_a_newborn_may_choose_the_group_it_will_enter():
    newborn = dt.date(2026, 6, 1)
    # 1 September 2027 it is 1: a private early group; a state one takes it in 2028, at 2.
    assert ages.first_school_year(PRIVATE, newborn, 2026) == 2027
    assert ages.first_school_year(STATE, newborn, 2026) == 2028
    assert ages.may_join_when_old_enough((AgeGroup.EARLY, STATE), newborn, 2026)
    assert not ages.may_join_when_old_enough((AgeGroup.G3, STATE), newborn, 2026)
    assert not ages.may_join_when_old_enough((AgeGroup.EARLY, STATE), dt.date(2021, 1, 1), 2026)
    assert ages.first_school_year(STATE, dt.date(2019, 8, 1), 2026) is None


@given(st.dates(min_value=dt.date(2015, 1, 1), max_value=dt.date(2026, 8, 31)))
def test_every_preschool_child_is_in_exactly_one_group(birth):
    day = dt.date(2026, 9, 1)
    group = ages.age_group_on(birth, day)
    joinable = [g for g in AgeGroup.values if ages.may_join((g, PRIVATE), birth, day)]
    assert joinable == ([group] if group is not None else [])
    assert (group is None) == (ages.age_on(birth, day) < 1 or ages.age_on(birth, day) >= 7)
