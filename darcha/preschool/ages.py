"""Age on the reference date, and which group a child may join: pure helpers over dates and settings.

A child's age group is set by full years on the school year's reference date (PRESCHOOL_REFERENCE_MONTH
and _DAY, default 1 September; the legal date was not confirmed). State kindergartens take children
from 3, and into an early group from PRESCHOOL_STATE_EARLY_FROM_YEARS (2) when places are free; the
other kinds take early groups from 1.

A child registered at birth chooses the group it will join when old enough: `first_school_year` is the
first school year in which it may join a group of that kind of kindergarten, and `may_join_when_old_enough`
checks a choice against that year's reference date.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.utils import timezone

from .choices import AGE_GROUP_ORDER, AGE_GROUP_YEARS, AgeGroup, KindergartenKind

# A child of this many full years on the reference date has gone to school.
SCHOOL_AGE = AGE_GROUP_YEARS[AGE_GROUP_ORDER[-1]][1]


def reference_date(school_year: int) -> dt.date:
    """The day a school year's ages are counted on (of the calendar year the school year starts in)."""
    return dt.date(school_year, settings.PRESCHOOL_REFERENCE_MONTH, settings.PRESCHOOL_REFERENCE_DAY)


def age_on(birth_date: dt.date, day: dt.date) -> int:
    """Full years on `day` (a child born on 29 February turns a year older on 1 March)."""
    years = day.year - birth_date.year
    if (day.month, day.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def age_group_on(birth_date: dt.date, day: dt.date) -> AgeGroup | None:
    """The age group of a child on `day`; None when it is too young (under 1) or of school age."""
    years = age_on(birth_date, day)
    for group in AGE_GROUP_ORDER:
        lowest, highest = AGE_GROUP_YEARS[group]
        if lowest <= years < highest:
            return AgeGroup(group)
    return None


def youngest_age(kindergarten_kind: str, age_group: str) -> int:
    """The fewest full years a group of this kind of kindergarten takes a child at."""
    lowest = AGE_GROUP_YEARS[age_group][0]
    if age_group == AgeGroup.EARLY and kindergarten_kind == KindergartenKind.STATE:
        return max(lowest, settings.PRESCHOOL_STATE_EARLY_FROM_YEARS)
    return lowest


def _program_terms(program_like) -> tuple[str, str]:
    """(age group, kindergarten kind) of a Program or of such a pair."""
    if isinstance(program_like, tuple):
        age_group, kind = program_like
        return str(age_group), str(kind)
    return program_like.age_group, program_like.kindergarten.kind


def may_join(program_like, birth_date: dt.date, day: dt.date) -> bool:
    """May a child born on `birth_date` join this group on `day`: of the group's ages, and for a state
    kindergarten's early group at least PRESCHOOL_STATE_EARLY_FROM_YEARS. `program_like` is a Program
    (its kindergarten loaded) or a pair (age group, kindergarten kind)."""
    age_group, kind = _program_terms(program_like)
    if age_group_on(birth_date, day) != age_group:
        return False
    return age_on(birth_date, day) >= youngest_age(kind, age_group)


def old_enough(program_like, birth_date: dt.date, day: dt.date) -> bool:
    """Is the child at least as old on `day` as the group takes (older is not asked: the groups move up
    on the reference date, `age_groups_advance`)?"""
    age_group, kind = _program_terms(program_like)
    return age_on(birth_date, day) >= youngest_age(kind, age_group)


def school_year_for(now: dt.datetime | dt.date | None = None) -> int:
    """The school year whose reference date is next (today's counts as next)."""
    if now is None:
        now = timezone.now()
    today = timezone.localdate(now) if isinstance(now, dt.datetime) else now
    return today.year if today <= reference_date(today.year) else today.year + 1


def first_school_year(kindergarten_kind: str, birth_date: dt.date, from_year: int) -> int | None:
    """The first school year from `from_year` on in which the child may join some group of this kind of
    kindergarten; None when it is of school age by then."""
    year = from_year
    while True:
        years = age_on(birth_date, reference_date(year))
        if years >= SCHOOL_AGE:
            return None
        group = age_group_on(birth_date, reference_date(year))
        if group is not None and years >= youngest_age(kindergarten_kind, group):
            return year
        year += 1


def may_join_when_old_enough(program_like, birth_date: dt.date, from_year: int) -> bool:
    """May the child join this group in the first school year (from `from_year`) it may join any group of
    that kind of kindergarten: a newborn chooses the group it will enter, an older child its own."""
    age_group, kind = _program_terms(program_like)
    year = first_school_year(kind, birth_date, from_year)
    return year is not None and may_join((age_group, kind), birth_date, reference_date(year))
