"""Referrals from offer to enrolment (services.referrals): the code the family shows, declining, the
state's pauses, a child leaving, the lapse and reminder jobs, a kindergarten closed and reopened.
Every refusal gives its translated message and changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from darcha.core.calendar import WorkingCalendar
from darcha.core.errors import Forbidden, Refused
from darcha.core.models import AuditEntry
from darcha.notify.models import Message
from darcha.preschool import services
from darcha.preschool.choices import EnrollmentStatus, EventKind, PlacementStatus, PreschoolRefusal
from darcha.preschool.models import Event, Placement, Preference
from tests.preschool import helpers
from tests.preschool.test_campaigns import offer_of, queued, referral, run_main

pytestmark = pytest.mark.django_db


@pytest.fixture
def city():
    return helpers.district("referral-city")


@pytest.fixture
def officer(city):
    return helpers.officer(city)


@pytest.fixture
def garden(city):
    return helpers.kindergarten(city, 7)


@pytest.fixture
def group(garden):
    return helpers.program(garden, seats=1)


@pytest.fixture
def director(garden):
    return helpers.director(garden)


@pytest.fixture
def offered(city, officer, group):
    """A child with a referral to the group (one seat), and one waiting behind it."""
    child = queued(city, [group])
    queued(city, [group])
    run_main(city, officer)
    return child


def _snapshot(placement: Placement) -> tuple:
    placement.refresh_from_db()
    application = placement.application
    application.refresh_from_db()
    return (
        placement.status,
        placement.enrolled_at,
        placement.paused_at,
        placement.expires_at,
        application.status,
        Event.objects.filter(application=application).count(),
        AuditEntry.objects.count(),
    )


def _refused(call, code, message: str) -> None:
    with pytest.raises(Refused) as error:
        call()
    assert error.value.code == code
    assert str(error.value) == message


# --- enrolment -----------------------------------------------------------------------------------


def test_enrol_with_the_familys_code(offered, director, django_capture_on_commit_callbacks):
    placement, code = referral(offered)
    with django_capture_on_commit_callbacks(execute=True):
        enrolled = services.placement_enrol(actor=director, placement=placement, code=code)
    assert enrolled.status == PlacementStatus.ENROLLED and enrolled.enrolled_by == director
    offered.refresh_from_db()
    assert offered.status == EnrollmentStatus.ENROLLED
    assert Event.objects.filter(application=offered, kind=EventKind.ENROLLED).exists()
    assert Message.objects.filter(template="preschool_enrolled", object_id=str(offered.pk)).exists()


def test_a_wrong_code_is_refused_and_changes_nothing(offered, director):
    placement, code = referral(offered)
    before = _snapshot(placement)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    _refused(
        lambda: services.placement_enrol(actor=director, placement=placement, code=wrong),
        PreschoolRefusal.REFERRAL_CODE,
        "The code does not match this referral. Ask the family for the code in the referral's SMS.",
    )
    assert _snapshot(placement) == before


def test_a_code_used_again_is_refused_and_changes_nothing(offered, director):
    placement, code = referral(offered)
    services.placement_enrol(actor=director, placement=placement, code=code)
    before = _snapshot(placement)
    with pytest.raises(Refused) as error:
        services.placement_enrol(actor=director, placement=placement, code=code)
    assert error.value.code == PreschoolRefusal.REFERRAL_USED
    assert str(error.value).startswith("This referral has been used already: the child was enrolled on ")
    assert _snapshot(placement) == before


def test_an_expired_code_is_refused_and_changes_nothing(offered, director):
    placement, code = referral(offered)
    before = _snapshot(placement)
    late = placement.expires_at + dt.timedelta(minutes=1)
    with pytest.raises(Refused) as error:
        services.placement_enrol(actor=director, placement=placement, code=code, now=late)
    assert error.value.code == PreschoolRefusal.REFERRAL_EXPIRED
    assert "it was not taken up in time" in str(error.value)
    assert _snapshot(placement) == before


def test_refusals_speak_the_users_language(offered, director):
    from django.utils import translation
    from django.utils.translation import gettext

    placement, _code = referral(offered)
    with translation.override("ru"), pytest.raises(Refused) as error:
        services.placement_enrol(actor=director, placement=placement, code="12")
    with translation.override("ru"):
        expected = gettext("The code does not match this referral. Ask the family for the code in the referral's SMS.")
    assert str(error.value) == expected


def test_only_that_kindergartens_director_enrols(city, offered):
    other = helpers.director(helpers.kindergarten(city, 8), username="other-director")
    placement, code = referral(offered)
    before = _snapshot(placement)
    with pytest.raises(Forbidden):
        services.placement_enrol(actor=other, placement=placement, code=code)
    assert _snapshot(placement) == before


# --- declining, leaving: the seat goes on -----------------------------------------------------------


def test_decline_frees_the_seat_for_the_next_child(city, offered, group, django_capture_on_commit_callbacks):
    placement = offer_of(offered)
    with django_capture_on_commit_callbacks(execute=True):
        services.placement_decline(actor=services.FAMILY, placement=placement)
    placement.refresh_from_db()
    assert placement.status == PlacementStatus.DECLINED
    offered.refresh_from_db()
    assert offered.status == EnrollmentStatus.WAITING
    assert not Preference.objects.filter(application=offered, program=group).exists()
    from django_tasks_db.models import DBTaskResult

    assert DBTaskResult.objects.filter(task_path="darcha.preschool.tasks.allocate_continuous").exists()

    services.allocation_continuous(district=city)
    next_child = Placement.objects.get(status=PlacementStatus.OFFERED)
    assert next_child.application != offered and next_child.program == group
    with pytest.raises(Refused) as error:
        services.placement_decline(actor=services.FAMILY, placement=placement)
    assert error.value.code == PreschoolRefusal.REFERRAL_NOT_OFFERED


def test_an_enrolled_child_leaving_frees_its_seat(city, offered, director):
    placement, code = referral(offered)
    services.placement_enrol(actor=director, placement=placement, code=code)
    services.placement_leave(actor=director, placement=placement, reason="moved to Tashkent")
    placement.refresh_from_db()
    offered.refresh_from_db()
    assert placement.status == PlacementStatus.LEFT
    assert offered.status == EnrollmentStatus.LEFT and offered.left_reason == "moved to Tashkent"
    services.allocation_continuous(district=city)
    assert Placement.objects.filter(status=PlacementStatus.OFFERED).exclude(application=offered).count() == 1


# --- pauses ----------------------------------------------------------------------------------------


def test_a_pause_stops_the_term_and_resuming_moves_it_on(offered, director):
    placement = offer_of(offered)
    start = placement.offered_at
    services.placement_pause(actor=director, placement=placement, reason="medical commission late", now=start)
    with pytest.raises(Refused) as error:
        services.placement_pause(actor=director, placement=placement, reason="again", now=start)
    assert error.value.code == PreschoolRefusal.ALREADY_PAUSED

    # Paused past its end: it does not lapse.
    assert services.placements_lapse_due(now=placement.expires_at + dt.timedelta(days=3)) == 0
    later = start + dt.timedelta(days=14)
    resumed = services.placement_resume(actor=director, placement=placement, now=later)
    calendar = WorkingCalendar.current()
    days = calendar.working_days_between(start, later)
    assert days > 0 and resumed.paused_days == days and resumed.paused_at is None
    original = calendar.deadline(start, 15)
    assert resumed.expires_at == calendar.deadline(original, days)
    assert Event.objects.filter(application=offered, kind=EventKind.RESUMED).get().data["days"] == days
    with pytest.raises(Refused) as error:
        services.placement_resume(actor=director, placement=placement, now=later)
    assert error.value.code == PreschoolRefusal.NOT_PAUSED


def test_a_pause_needs_a_reason(offered, director):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.placement_pause(actor=director, placement=offer_of(offered), reason="  ")
    assert offer_of(offered).paused_at is None


def test_a_closed_kindergarten_pauses_its_referrals_until_it_reopens(offered, director, garden):
    placement = offer_of(offered)
    start = placement.offered_at
    services.kindergarten_close(actor=director, kindergarten=garden, reason="repairs", now=start)
    placement.refresh_from_db()
    assert placement.paused_at == start and placement.pause_reason == "repairs"
    _refused(
        lambda: services.kindergarten_close(actor=director, kindergarten=garden, reason="repairs", now=start),
        PreschoolRefusal.KINDERGARTEN_CLOSED,
        "The kindergarten is closed already (repairs).",
    )
    services.kindergarten_reopen(actor=director, kindergarten=garden, now=start + dt.timedelta(days=7))
    placement.refresh_from_db()
    garden.refresh_from_db()
    assert placement.paused_at is None and placement.paused_days > 0 and garden.closed_since is None


# --- the jobs ---------------------------------------------------------------------------------------


def test_a_referral_not_taken_up_lapses_and_its_seat_is_offered_at_once(
    city, offered, group, django_capture_on_commit_callbacks
):
    placement = offer_of(offered)
    assert services.placements_lapse_due(now=placement.expires_at - dt.timedelta(minutes=1)) == 0
    with django_capture_on_commit_callbacks(execute=True):
        assert services.placements_lapse_due(now=placement.expires_at + dt.timedelta(minutes=1)) == 1
    placement.refresh_from_db()
    assert placement.status == PlacementStatus.LAPSED
    assert Message.objects.filter(template="preschool_referral_lapsed", object_id=str(offered.pk)).exists()
    assert not Preference.objects.filter(application=offered, program=group).exists()

    services.allocation_continuous(district=city, now=placement.expires_at + dt.timedelta(minutes=2))
    nxt = Placement.objects.get(status=PlacementStatus.OFFERED)
    assert nxt.application != offered
    assert timezone.localdate(nxt.offered_at) == timezone.localdate(placement.expires_at + dt.timedelta(minutes=2))


def test_a_reminder_goes_out_once_before_the_end(offered, django_capture_on_commit_callbacks):
    placement = offer_of(offered)
    calendar = WorkingCalendar.current()
    end_day = timezone.localtime(placement.expires_at).date()
    early = placement.offered_at
    assert services.placements_remind_due(now=early) == 0
    # The working day 3 working days before the end.
    day = end_day
    for _ in range(3):
        day -= dt.timedelta(days=1)
        while not calendar.is_working_day(day):
            day -= dt.timedelta(days=1)
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(10)))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.placements_remind_due(now=moment) == 1
    assert services.placements_remind_due(now=moment + dt.timedelta(hours=1)) == 0
    assert Message.objects.filter(template="preschool_referral_reminder").count() == 1
    assert Event.objects.filter(application=offered, kind=EventKind.REMINDED).count() == 1
