"""The preschool app's scheduler jobs (preschool.jobs)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from darcha.core.scheduler import registered_jobs
from darcha.preschool import jobs
from darcha.preschool.choices import EventKind, PlacementStatus
from darcha.preschool.models import Event, Placement
from tests.preschool import helpers
from tests.preschool.test_campaigns import offer_of, queued, run_main

pytestmark = pytest.mark.django_db


def test_the_jobs_are_registered():
    names = {job.name: job for job in registered_jobs()}
    assert names["preschool.lapse"].every_seconds == 600
    assert names["preschool.continuous"].every_seconds == 1800
    assert names["preschool.remind"].at == dt.time(10, 0)
    assert names["preschool.age_groups"].at == dt.time(0, 30)


def test_age_groups_move_only_on_the_reference_date():
    city = helpers.district("jobs-city")
    garden = helpers.kindergarten(city, 1)
    young, _older = helpers.program(garden, age_group="3-4"), helpers.program(garden, age_group="4-5")
    child = queued(city, [young], birth_date=dt.date(2024, 3, 1))
    on_the_eve = timezone.make_aware(dt.datetime.combine(dt.date(2028, 8, 31), dt.time(0, 30)))
    assert jobs.age_groups(now=on_the_eve) == 0
    assert jobs.age_groups(now=on_the_eve + dt.timedelta(days=1)) == 1
    assert Event.objects.filter(application=child, kind=EventKind.AGE_GROUP).exists()


def test_lapse_and_continuous_jobs_offer_a_lapsed_seat_on():
    city = helpers.district("jobs-city")
    group = helpers.program(helpers.kindergarten(city, 1), seats=1)
    first = queued(city, [group])
    second = queued(city, [group])
    run_main(city, helpers.officer(city))
    placement = offer_of(first)
    late = placement.expires_at + dt.timedelta(minutes=5)

    assert jobs.lapse(now=late) == 1
    assert jobs.continuous(now=late) == 1
    placement.refresh_from_db()
    assert placement.status == PlacementStatus.LAPSED
    assert offer_of(second).program == group
    assert jobs.continuous(now=late) == 0  # nothing left to offer
    assert Placement.objects.filter(status=PlacementStatus.OFFERED).count() == 1


def test_a_district_waiting_for_a_continuous_run_gets_no_second(db):
    # The database task backend (the settings' default, as make run uses): its rows say what is queued.
    from django_tasks_db.models import DBTaskResult

    from darcha.preschool import tasks

    place = helpers.district("wait-city")
    other = helpers.district("wait-other")
    assert tasks.allocation_continuous_enqueue(place.pk)
    assert tasks.allocation_continuous_enqueue(place.pk)
    assert tasks.allocation_continuous_enqueue(other.pk)
    queued = DBTaskResult.objects.filter(task_path=tasks.allocate_continuous.module_path)
    assert sorted(row.args_kwargs["args"][0] for row in queued) == sorted([place.pk, other.pk])
    queued.filter(args_kwargs__args__0=place.pk).update(status="RUNNING")
    assert tasks.allocation_continuous_enqueue(place.pk)  # a run that started may have read before this change
    assert queued.filter(args_kwargs__args__0=place.pk).count() == 2
