"""Seats of a program (never below those held; seats added are offered) and children's choices moving
up an age group on the reference date (services.seats)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django_tasks_db.models import DBTaskResult

from darcha.core.errors import Forbidden, Refused
from darcha.core.models import AuditEntry
from darcha.preschool import services
from darcha.preschool.choices import EventKind, PreschoolRefusal
from darcha.preschool.models import Event, Preference
from tests.preschool import helpers
from tests.preschool.test_campaigns import offer_of, queued, run_main

pytestmark = pytest.mark.django_db

REFERENCE_DAY = dt.date(2028, 9, 1)


@pytest.fixture
def city():
    return helpers.district("seats-city")


@pytest.fixture
def officer(city):
    return helpers.officer(city)


def test_seats_never_below_those_held(city, officer):
    group = helpers.program(helpers.kindergarten(city, 1), seats=2)
    queued(city, [group])
    queued(city, [group])
    run_main(city, officer)
    audit = AuditEntry.objects.count()
    with pytest.raises(Refused) as error:
        services.program_seats_set(actor=officer, program=group, seats=1)
    assert error.value.code == PreschoolRefusal.SEATS_BELOW_HELD
    assert str(error.value) == (
        "2 seats of this group are held by referrals and enrolled children: it cannot have fewer seats than that."
    )
    with pytest.raises(ValidationError):
        services.program_seats_set(actor=officer, program=group, seats="many")
    group.refresh_from_db()
    assert group.seats == 2 and AuditEntry.objects.count() == audit


def test_seats_raised_are_offered(city, officer, django_capture_on_commit_callbacks):
    garden = helpers.kindergarten(city, 1)
    group = helpers.program(garden, seats=1)
    queued(city, [group])
    second = queued(city, [group])
    run_main(city, officer)
    assert offer_of(second) is None
    with django_capture_on_commit_callbacks(execute=True):
        services.program_seats_set(actor=helpers.director(garden), program=group, seats=2)
    assert DBTaskResult.objects.filter(task_path="darcha.preschool.tasks.allocate_continuous").exists()
    services.allocation_continuous(district=city)
    assert offer_of(second).program == group


def test_only_the_kindergartens_staff_set_its_seats(city):
    group = helpers.program(helpers.kindergarten(city, 1), seats=1)
    other = helpers.director(helpers.kindergarten(city, 2))
    with pytest.raises(Forbidden):
        services.program_seats_set(actor=other, program=group, seats=5)


def test_choices_move_up_an_age_group_on_the_reference_date(city):
    garden, other = helpers.kindergarten(city, 1), helpers.kindergarten(city, 2)
    young, older = helpers.program(garden, age_group="3-4"), helpers.program(garden, age_group="4-5")
    elsewhere = helpers.program(other, age_group="3-4")  # the other kindergarten has no 4–5 group
    # Three on the reference date of 2027, four on that of 2028.
    child = queued(city, [young, elsewhere], birth_date=dt.date(2024, 3, 1))
    queue_date = child.queue_date

    assert services.age_groups_advance(district=city, day=REFERENCE_DAY) == 1

    assert list(Preference.objects.filter(application=child).values_list("program_id", flat=True)) == [older.pk]
    event = Event.objects.get(application=child, kind=EventKind.AGE_GROUP)
    assert event.data["group"] == "4-5"
    assert event.data["moved"] == [[young.pk, older.pk]] and event.data["dropped"] == [elsewhere.pk]
    child.refresh_from_db()
    assert child.queue_date == queue_date
    # The same day again: nothing more moves.
    assert services.age_groups_advance(district=city, day=REFERENCE_DAY) == 0
