"""A campaign considers each child's choices in the group of its age on the campaign's reference date (the
same kindergarten, language and regime), without moving the stored preferences early; children too young
for every group then are not in it. And the demo's replay switch: notices muted are neither stored nor sent."""

import datetime as dt

import pytest
from django.utils import timezone

from darcha.core.models import AuditEntry
from darcha.notify import services as notify
from darcha.notify.models import Message
from darcha.preschool import services
from darcha.preschool.choices import AgeGroup, PlacementStatus, Regime, TeachingLanguage
from darcha.preschool.models import Placement, Position
from darcha.preschool.services.campaigns import referral_code_matches
from tests.preschool import helpers

pytestmark = pytest.mark.django_db

TZ = timezone.get_fixed_timezone(5 * 60)


def at(year, month, day, hour=10) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=TZ)


@pytest.fixture
def city():
    return helpers.district("reference-city")


@pytest.fixture
def officer(city):
    return helpers.officer(city)


def run(city, officer, school_year: int):
    campaign = services.campaign_create(actor=officer, district=city, school_year=school_year)
    return services.campaign_run(actor=officer, campaign=campaign)


def offer_of(application) -> Placement | None:
    return Placement.objects.filter(application=application, status=PlacementStatus.OFFERED).first()


def test_a_newborn_of_2025_is_placed_in_the_3_4_group_for_1_september_2028(city, officer):
    garden = helpers.kindergarten(city, 1)
    early = helpers.program(garden, age_group=AgeGroup.EARLY, seats=1)
    group_3 = helpers.program(garden, age_group=AgeGroup.G3, seats=1)
    helpers.program(garden, age_group=AgeGroup.G3, seats=5, language=TeachingLanguage.RU)  # another language
    helpers.program(garden, age_group=AgeGroup.G3, seats=5, regime=Regime.H12)  # another regime
    newborn = helpers.enroll(city, [early], birth_date=dt.date(2025, 3, 1), now=at(2025, 3, 20))

    campaign = run(city, officer, 2028)

    assert offer_of(newborn).program == group_3
    # The stored choice moves only on the day (age_groups_advance): the family's list is as it chose it.
    assert list(newborn.preferences.values_list("program_id", flat=True)) == [early.pk]
    assert campaign.report["placed"] == 1 and campaign.report["choices_skipped"] == 0


def test_the_same_child_is_placed_in_the_early_group_for_1_september_2027(city, officer):
    garden = helpers.kindergarten(city, 1)
    early = helpers.program(garden, age_group=AgeGroup.EARLY, seats=1)
    helpers.program(garden, age_group=AgeGroup.G3, seats=1)
    newborn = helpers.enroll(city, [early], birth_date=dt.date(2025, 3, 1), now=at(2025, 3, 20))

    run(city, officer, 2027)  # 2 on 1 September 2027: a state kindergarten's early group takes it

    assert offer_of(newborn).program == early


def test_a_choice_whose_kindergarten_has_no_group_of_that_age_is_skipped_and_reported(city, officer):
    only_early = helpers.kindergarten(city, 1)
    early = helpers.program(only_early, age_group=AgeGroup.EARLY, seats=3)
    other = helpers.kindergarten(city, 2)
    early_there = helpers.program(other, age_group=AgeGroup.EARLY, seats=1)
    group_3_there = helpers.program(other, age_group=AgeGroup.G3, seats=1)
    child = helpers.enroll(city, [early, early_there], birth_date=dt.date(2025, 3, 1), now=at(2025, 3, 20))

    campaign = run(city, officer, 2028)

    # The first kindergarten has no 3–4 group: that choice is skipped, the second stands for its 3–4 group.
    assert offer_of(child).program == group_3_there
    assert campaign.report["choices_skipped"] == 1
    assert campaign.report["children_with_choices_skipped"] == 1
    assert Placement.objects.filter(program__in=[early, early_there]).count() == 0


def test_a_child_with_every_choice_skipped_waits(city, officer):
    only_early = helpers.kindergarten(city, 1)
    early = helpers.program(only_early, age_group=AgeGroup.EARLY, seats=3)
    child = helpers.enroll(city, [early], birth_date=dt.date(2025, 3, 1), now=at(2025, 3, 20))

    campaign = run(city, officer, 2028)

    assert offer_of(child) is None
    assert campaign.report["waiting"] == 1 and campaign.report["choices_skipped"] == 1


def test_children_too_young_for_every_group_are_not_in_the_campaign(city, officer):
    garden = helpers.kindergarten(city, 1)
    early = helpers.program(garden, age_group=AgeGroup.EARLY, seats=5)
    helpers.program(garden, age_group=AgeGroup.G3, seats=5)
    old_enough = helpers.enroll(city, [early], birth_date=dt.date(2025, 3, 1), now=at(2025, 3, 20))
    # 1 on 1 September 2027: a state kindergarten's early group takes children from 2.
    too_young = helpers.enroll(city, [early], birth_date=dt.date(2026, 3, 1), now=at(2026, 3, 20))

    campaign = run(city, officer, 2027)

    assert offer_of(old_enough).program == early and offer_of(too_young) is None
    report = campaign.report
    assert report["placed"] == 1 and report["waiting"] == 0, "the too young child is not waiting for this campaign"
    assert report["not_old_enough"] == 1 and report["applications"] == 1
    assert sum(counts.get("waiting", 0) for counts in report["by_category"].values()) == 0


def test_continuous_allocation_offers_the_group_of_the_campaigns_reference_date(city, officer):
    garden = helpers.kindergarten(city, 1)
    early = helpers.program(garden, age_group=AgeGroup.EARLY, seats=1)
    group_3 = helpers.program(garden, age_group=AgeGroup.G3, seats=0)
    child = helpers.enroll(city, [early], birth_date=dt.date(2025, 3, 1), now=at(2025, 3, 20))
    run(city, officer, 2028)
    assert offer_of(child) is None  # the 3–4 group has no seat; the early group is not its age then

    services.program_seats_set(actor=officer, program=group_3, seats=1)
    services.allocation_continuous(district=city)

    assert offer_of(child).program == group_3


def test_positions_are_counted_in_the_group_of_the_coming_reference_date_under_the_familys_choice(city):
    garden = helpers.kindergarten(city, 1)
    early = helpers.program(garden, age_group=AgeGroup.EARLY, seats=0)
    helpers.program(garden, age_group=AgeGroup.G3, seats=0)
    # 3 on the coming 1 September (2027, seen from 2027-05-01), its choice still the early group.
    first = helpers.enroll(city, [early], birth_date=dt.date(2024, 3, 1), now=at(2025, 3, 20))
    second = helpers.enroll(city, [early], birth_date=dt.date(2024, 4, 1), now=at(2025, 3, 21))

    services.positions_refresh(district=city, now=at(2027, 5, 1))

    positions = dict(Position.objects.values_list("application_id", "position"))
    assert positions == {first.pk: 1, second.pk: 2}
    assert set(Position.objects.values_list("program_id", flat=True)) == {early.pk}


def test_muted_notices_are_neither_stored_nor_sent_and_the_referral_code_is_kept_in_memory(
    city, officer, django_capture_on_commit_callbacks
):
    garden = helpers.kindergarten(city, 1)
    group_3 = helpers.program(garden, age_group=AgeGroup.G3, seats=1)
    audits = AuditEntry.objects.filter(action__in=["message_send", "preschool_notices_queue"])
    with notify.notices_muted() as muted, django_capture_on_commit_callbacks(execute=True):
        child = helpers.enroll(city, [group_3], birth_date=dt.date(2024, 3, 1))
        run(city, officer, 2027)
    assert not Message.objects.exists() and not audits.exists()
    assert muted.last("preschool_registered", child).context["code"] == child.access_code
    code = muted.last("preschool_referral", child).context["code"]
    placement = offer_of(child)
    assert referral_code_matches(placement, code)

    # Outside the mute the family is told again.
    with django_capture_on_commit_callbacks(execute=True):
        helpers.enroll(city, [group_3], birth_date=dt.date(2024, 5, 1))
    assert Message.objects.filter(template="preschool_registered").count() == 1
    assert notify.muted_notices() is None
