"""The main campaign and continuous allocation (services.campaigns): who gets which referral, what is
written (referrals with codes, events, cutoffs, the report, notices, one audit entry), the refusals,
and the cascade when a seat frees."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from darcha.core.errors import Forbidden, Refused
from darcha.core.models import AuditEntry
from darcha.notify.models import Message
from darcha.notify.templates import MASK
from darcha.preschool import services
from darcha.preschool.choices import (
    CampaignKind,
    CampaignStatus,
    EnrollmentStatus,
    EventKind,
    PlacementStatus,
    PreschoolRefusal,
)
from darcha.preschool.models import Campaign, Cutoff, EnrollmentApplication, Event, Placement
from darcha.preschool.services.campaigns import referral_code_matches
from tests.factories import PersonFactory
from tests.preschool import helpers

pytestmark = pytest.mark.django_db

SCHOOL_YEAR = 2027


# --- builders shared by the referral, seat and job tests -------------------------------------------

_QUEUE_START = timezone.now() - dt.timedelta(days=60)
_queued = iter(range(10**6))


def queued(place, choices, **fields) -> EnrollmentApplication:
    """A child in the queue, later than every child queued before it (queue dates a minute apart), so
    the tests' order does not rest on the lottery."""
    fields.setdefault("queue_date", _QUEUE_START + dt.timedelta(minutes=next(_queued)))
    return helpers.enroll(place, choices, **fields)


def privileged(place, officer, choices, benefit=None, **fields) -> EnrollmentApplication:
    """A child with a confirmed privilege (tier 1 unless the benefit says otherwise)."""
    benefit = benefit or helpers.benefit(code=f"privilege-{EnrollmentApplication.objects.count()}", center_obtains=True)
    application = queued(
        place, choices, benefits=[services.BenefitClaim(benefit=benefit, obtained_by_center=True)], **fields
    )
    services.benefit_decide(actor=officer, claim=application.benefits.get(), confirm=True)
    return application


def run_main(place, officer, **fields) -> Campaign:
    campaign = services.campaign_create(actor=officer, district=place, school_year=SCHOOL_YEAR, **fields)
    return services.campaign_run(actor=officer, campaign=campaign)


def offer_of(application) -> Placement | None:
    return Placement.objects.filter(application=application, status=PlacementStatus.OFFERED).first()


def referral(application) -> tuple[Placement, str]:
    """The open referral of a child and the code its SMS carried (read from the sealed message)."""
    from darcha.notify import sealing

    placement = offer_of(application)
    message = (
        Message.objects.filter(template="preschool_referral", object_id=str(application.pk)).order_by("-id").first()
    )
    return placement, sealing.unseal(message.sealed)["code"]


@pytest.fixture
def city():
    return helpers.district("campaign-city")


@pytest.fixture
def officer(city):
    return helpers.officer(city)


@pytest.fixture
def gardens(city):
    """Two kindergartens, one 3–4 group of one seat each."""
    first, second = helpers.kindergarten(city, 1), helpers.kindergarten(city, 2)
    return helpers.program(first, seats=1), helpers.program(second, seats=1)


# --- creating ------------------------------------------------------------------------------------


def test_create_checks_the_officer_and_the_number_of_choices(city, officer):
    other = helpers.district("other-city")
    stranger = helpers.officer(other, username="stranger")
    with pytest.raises(Forbidden):
        services.campaign_create(actor=stranger, district=city, school_year=SCHOOL_YEAR)
    with pytest.raises(ValidationError) as error:
        services.campaign_create(actor=officer, district=city, school_year=SCHOOL_YEAR, max_choices=6)
    assert "max_choices" in error.value.message_dict
    assert not Campaign.objects.exists()

    campaign = services.campaign_create(actor=officer, district=city, school_year=SCHOOL_YEAR, max_choices=1)
    assert campaign.status == CampaignStatus.DRAFT
    assert campaign.reference_date.isoformat() == "2027-09-01"
    assert len(campaign.seed) == 32


# --- the main campaign ---------------------------------------------------------------------------


def test_main_campaign_places_by_priority_and_writes_everything(city, officer, gardens):
    first, second = gardens
    general = queued(city, [first, second])
    favoured = privileged(city, officer, [first, second])
    late = queued(city, [first])
    seen = []

    campaign = services.campaign_create(actor=officer, district=city, school_year=SCHOOL_YEAR)
    campaign = services.campaign_run(actor=officer, campaign=campaign, progress=seen.append)

    assert campaign.status == CampaignStatus.DONE and campaign.progress == 100
    assert seen == sorted(seen) and seen[-1] == 100
    # The privileged child takes the first choice; the earlier general child its second; the last waits.
    assert offer_of(favoured).program == first
    assert offer_of(general).program == second
    assert offer_of(late) is None
    statuses = dict(EnrollmentApplication.objects.values_list("pk", "status"))
    assert statuses == {
        favoured.pk: EnrollmentStatus.OFFERED,
        general.pk: EnrollmentStatus.OFFERED,
        late.pk: EnrollmentStatus.WAITING,
    }

    placement, code = referral(favoured)
    assert referral_code_matches(placement, code)
    assert not referral_code_matches(placement, f"{(int(code) + 1) % 10**6:06d}")
    assert placement.campaign == campaign and placement.expires_at > timezone.now()
    message = Message.objects.get(template="preschool_referral", object_id=str(favoured.pk))
    assert message.context["code"] == MASK and code not in message.body and message.sealed

    offered = Event.objects.filter(kind=EventKind.OFFERED)
    assert sorted(offered.values_list("application_id", flat=True)) == sorted([favoured.pk, general.pk])
    cutoffs = {c.program_id: c for c in Cutoff.objects.filter(campaign=campaign)}
    assert cutoffs[first.pk].tier == 1 and cutoffs[first.pk].placed == 1
    assert cutoffs[second.pk].tier == 0  # the general list

    report = campaign.report
    assert (report["placed"], report["waiting"], report["applications"]) == (2, 1, 3)
    assert report["seed"] == campaign.seed
    assert report["by_category"]["general"] == {"placed": 1, "waiting": 1}
    assert report["by_age_group"]["3-4"] == {"placed": 2, "waiting": 1}
    entry = AuditEntry.objects.get(action="preschool_campaign_run")
    assert entry.data["seed"] == campaign.seed and entry.data["placed"] == 2


def test_twins_placed_together_or_waiting_together(city, officer):
    small = helpers.program(helpers.kindergarten(city, 1), seats=1)
    applicant = PersonFactory()
    twin = queued(city, [small], applicant=applicant)
    other_twin = queued(city, [small], applicant=applicant, together_with=twin)
    single = queued(city, [small])

    run_main(city, officer)

    # One seat cannot take both twins: they wait together, and the seat goes to the next child.
    assert offer_of(twin) is None and offer_of(other_twin) is None
    assert offer_of(single).program == small


def test_choices_beyond_the_campaigns_number_are_not_considered(city, officer, gardens):
    first, second = gardens
    taker = privileged(city, officer, [first])
    hopeful = queued(city, [first, second])

    run_main(city, officer, max_choices=1)

    assert offer_of(taker).program == first
    assert offer_of(hopeful) is None  # its second choice is beyond the one the campaign allows


def test_sibling_priority_where_a_brother_holds_a_referral(city, officer, gardens):
    first, _second = gardens
    older_group = helpers.program(first.kindergarten, age_group="4-5", seats=1)
    parent = PersonFactory()
    older = queued(city, [older_group], applicant=parent, birth_date=dt.date(2023, 3, 1))
    run_main(city, officer)
    assert offer_of(older).program == older_group

    stranger = queued(city, [first])
    brother = queued(city, [first], applicant=parent)  # later in the queue than the stranger
    services.allocation_continuous(district=city)

    # The brother of a child holding a referral at that kindergarten goes first.
    assert offer_of(brother).program == first and offer_of(stranger) is None


def test_refusals_change_nothing(city, officer, gardens):
    queued(city, [gardens[0]])
    done = run_main(city, officer)
    with pytest.raises(Refused) as error:
        services.campaign_run(actor=officer, campaign=done)
    assert error.value.code == PreschoolRefusal.CAMPAIGN_STATE

    running = services.campaign_start(
        actor=officer, campaign=services.campaign_create(actor=officer, district=city, school_year=SCHOOL_YEAR + 1)
    )
    draft = services.campaign_create(actor=officer, district=city, school_year=SCHOOL_YEAR + 1)
    with pytest.raises(Refused) as error:
        services.campaign_run(actor=officer, campaign=draft)
    assert error.value.code == PreschoolRefusal.CAMPAIGN_RUNNING
    assert str(error.value) == "Another campaign of this district is running; wait until it is done."

    stranger = helpers.officer(helpers.district("far-city"), username="far")
    with pytest.raises(Forbidden):
        services.campaign_run(actor=stranger, campaign=draft)
    draft.refresh_from_db()
    running.refresh_from_db()
    assert draft.status == CampaignStatus.DRAFT and running.status == CampaignStatus.RUNNING
    assert Placement.objects.count() == 1


def test_start_queues_the_run_as_a_task(city, officer, gardens, django_capture_on_commit_callbacks):
    child = queued(city, [gardens[0]])
    campaign = services.campaign_create(actor=officer, district=city, school_year=SCHOOL_YEAR)
    with django_capture_on_commit_callbacks(execute=True):
        started = services.campaign_start(actor=officer, campaign=campaign)
    assert started.status == CampaignStatus.RUNNING and started.run_by == officer
    task = DBTaskResult.objects.get(task_path="darcha.preschool.tasks.run_campaign")
    assert task.args_kwargs["args"] == [campaign.pk, officer.pk]
    assert offer_of(child) is None  # nothing before the worker runs it

    from darcha.preschool.services.campaigns import campaign_execute_queued

    done = campaign_execute_queued(campaign_id=campaign.pk, user_id=officer.pk)
    assert done.status == CampaignStatus.DONE
    assert offer_of(child).program == gardens[0]
    # Run again (the task reclaimed after a worker died): nothing more.
    campaign_execute_queued(campaign_id=campaign.pk, user_id=officer.pk)
    assert Placement.objects.count() == 1


# --- continuous allocation -----------------------------------------------------------------------


def test_continuous_allocation_waits_for_the_main_campaign_and_for_a_free_seat(city, officer, gardens):
    queued(city, [gardens[0]])
    assert services.allocation_continuous(district=city) is None  # no main campaign yet
    run_main(city, officer)
    queued(city, [gardens[0]])
    assert services.allocation_continuous(district=city) is None  # the seat is held


def test_cascade_a_freed_seat_reaches_the_next_family_the_same_day(city, officer, gardens):
    first, second = gardens
    favoured = privileged(city, officer, [first])
    climber = queued(city, [first, second])  # second choice now, first when it frees
    waiting = queued(city, [second])
    run_main(city, officer)
    assert offer_of(favoured).program == first
    old_offer = offer_of(climber)
    assert old_offer.program == second and offer_of(waiting) is None

    services.placement_decline(actor=services.FAMILY, placement=offer_of(favoured))
    run = services.allocation_continuous(district=city)

    assert run.kind == CampaignKind.CONTINUOUS and run.status == CampaignStatus.DONE
    # The climber moves up to its first choice; the seat it leaves goes to the next family, in one run.
    assert offer_of(climber).program == first
    old_offer.refresh_from_db()
    assert old_offer.status == PlacementStatus.WITHDRAWN
    assert offer_of(waiting).program == second
    assert timezone.localdate(offer_of(waiting).offered_at) == timezone.localdate()
    moved = Event.objects.filter(application=climber, kind=EventKind.OFFERED).latest("id")
    assert moved.data["replaces"] == second.pk
    assert run.report["placed"] == 2 and run.report["moved_up"] == 1
    # Each referral's family is told, with its own code.
    assert Message.objects.filter(template="preschool_referral", object_id=str(waiting.pk)).count() == 1


def test_an_enrolled_child_keeps_its_place_until_it_takes_a_transfer_up(city, officer, gardens):
    first, second = gardens
    favoured = privileged(city, officer, [first])
    mover = queued(city, [first, second])
    waiting = queued(city, [second])
    run_main(city, officer)
    director = helpers.director(second.kindergarten)
    placement, code = referral(mover)
    services.placement_enrol(actor=director, placement=placement, code=code)

    services.placement_decline(actor=services.FAMILY, placement=offer_of(favoured))
    services.allocation_continuous(district=city)

    # A transfer referral to the first choice; the place at the second stays the child's meanwhile.
    transfer = offer_of(mover)
    assert transfer.program == first
    assert Placement.objects.get(application=mover, status=PlacementStatus.ENROLLED).program == second
    assert offer_of(waiting) is None

    transfer, code = referral(mover)
    services.placement_enrol(
        actor=helpers.director(first.kindergarten, "first-director"), placement=transfer, code=code
    )
    services.allocation_continuous(district=city)
    assert offer_of(waiting).program == second  # the old place freed by the transfer
    assert Placement.objects.get(application=mover, status=PlacementStatus.LEFT).end_reason == "transferred"


def test_twins_take_two_seats_together(city, officer):
    pair = helpers.program(helpers.kindergarten(city, 1), seats=2)
    applicant = PersonFactory()
    twin = queued(city, [pair], applicant=applicant)
    other_twin = queued(city, [pair], applicant=applicant, together_with=twin)
    run_main(city, officer)
    assert offer_of(twin).program == pair and offer_of(other_twin).program == pair


def test_a_closed_kindergarten_is_offered_to_nobody(city, officer, gardens):
    first, second = gardens
    helpers.director(first.kindergarten)
    services.kindergarten_close(actor=officer, kindergarten=first.kindergarten, reason="repairs")
    child = queued(city, [first, second])
    run_main(city, officer)
    assert offer_of(child).program == second


def test_a_family_that_chose_its_channel_is_told_through_it(city, officer, gardens):
    from darcha.notify.choices import Channel
    from darcha.notify.services import channel_preference_set

    channel_preference_set(actor=officer, phone="+998901112233", channel=Channel.CONSOLE)
    chosen = queued(city, [gardens[0]], phone="+998901112233")
    plain = queued(city, [gardens[1]])
    run_main(city, officer)
    by_child = {m.object_id: m.channel for m in Message.objects.filter(template="preschool_referral")}
    assert by_child == {str(chosen.pk): Channel.CONSOLE, str(plain.pk): Channel.SMS}
