"""The public kindergarten registry: the landing page, the list with its filters, a kindergarten's page
with each group's seats, children placed, free places, queues, fees and last cutoff — in four languages,
from the page cache, with no CSRF cookie.

The registry only reads: the queue rows it reads (applications with their choices, privileges, referrals,
a finished campaign's cutoffs) are written here directly, in the exact states the counts must tell apart
(a child holding a lower choice still waits for a higher one; a claimed privilege is not yet one). The
services that write them in real life are tested by their owners."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.utils import timezone

from darcha.preschool.choices import (
    AgeGroup,
    BenefitStatus,
    CampaignStatus,
    EnrollmentStatus,
    KindergartenKind,
    LocationClass,
    PlacementStatus,
    Regime,
    TeachingLanguage,
)
from darcha.preschool.models import (
    ApplicationBenefit,
    Campaign,
    Child,
    EnrollmentApplication,
    Placement,
    Preference,
)
from darcha.preschool.selectors import registry_kindergarten
from tests.factories import PersonFactory
from tests.preschool import helpers

pytestmark = pytest.mark.django_db

LANGUAGES = ("", "/uz-cyrl", "/ru", "/en")
_serial = itertools.count(1)


def queued(*choices, status=EnrollmentStatus.WAITING, since: dt.datetime | None = None, privilege=None):
    """A child in the queue who ranked `choices` (programs) in that order; `privilege`: (benefit, status)."""
    n = next(_serial)
    now = timezone.now()
    child = Child.objects.create(
        name=f"Bola {n}", birth_date=dt.date(2022, 1, 1) + dt.timedelta(days=n), birth_certificate=f"I-NM {n:07}"
    )
    application = EnrollmentApplication.objects.create(
        number=f"T-{n:06}",
        access_code="123456",
        child=child,
        applicant=PersonFactory(),
        relation="parent",
        district=choices[0].kindergarten.organization.parent,
        queue_date=since or now - dt.timedelta(days=400 - n),
        lottery=n,
        status=status,
        created_at=now,
        updated_at=now,
    )
    for rank, program in enumerate(choices, 1):
        Preference.objects.create(application=application, rank=rank, program=program)
    if privilege is not None:
        benefit, benefit_status = privilege
        ApplicationBenefit.objects.create(
            application=application, benefit=benefit, status=benefit_status, created_at=now
        )
    return application


def referral(application, program, status=PlacementStatus.OFFERED):
    now = timezone.now()
    return Placement.objects.create(
        application=application, program=program, status=status, offered_at=now, expires_at=now + dt.timedelta(days=21)
    )


def finished_campaign(place, *, finished_at: dt.datetime, **fields) -> Campaign:
    now = timezone.now()
    return Campaign.objects.create(
        district=place,
        school_year=finished_at.year,
        reference_date=dt.date(finished_at.year, 9, 1),
        status=CampaignStatus.DONE,
        created_at=now,
        finished_at=finished_at,
        seed="seed",
        **fields,
    )


@pytest.fixture
def city(db):
    return helpers.district("namangan")


@pytest.fixture
def world(city):
    """Two kindergartens of Namangan city and one of another district, their groups and a queue:

    No. 7 "Quvonch" (state, mahalla Navbahor): 3–4 Uzbek 9 h, 3 seats; 4–5 Russian 10.5 h, 1 seat.
    No. 12 "Baxtli bolalik" (private): 3–4 Uzbek 9 h, 2 seats.
    In the 3–4 Uzbek group of No. 7: one child attends (enrolled), one holds a referral, so one seat is free;
    waiting for it: a child with a confirmed privilege, one whose privilege is only claimed, one holding a
    referral to its second choice (No. 12), and a child who left the queue does not count.
    """
    helpers.fee_table()
    seven = helpers.kindergarten(
        city, 7, mahalla="Navbahor", director_name="Karimova Dilnoza", latitude="40.998300", longitude="71.672600"
    )
    seven.organization.name_uz, seven.organization.name_ru = "7-son MTT «Quvonch»", "ДОУ № 7 «Кувонч»"
    seven.organization.address, seven.organization.phone = "Navbahor koʻchasi, 5", "+998692270707"
    seven.organization.save()
    seven.save()
    twelve = helpers.kindergarten(city, 12, kind=KindergartenKind.PRIVATE, mahalla="Bogʻishamol")
    twelve.organization.name_uz = "12-son MTT «Baxtli bolalik»"
    twelve.organization.save()
    twelve.save()
    elsewhere = helpers.district("uychi", kind="district")
    far = helpers.kindergarten(elsewhere, 3, location_class=LocationClass.OTHER)

    g3 = helpers.program(seven, AgeGroup.G3, seats=3)
    g4ru = helpers.program(seven, AgeGroup.G4, seats=1, language=TeachingLanguage.RU, regime=Regime.H10)
    t3 = helpers.program(twelve, AgeGroup.G3, seats=2)
    far3 = helpers.program(far, AgeGroup.G3, seats=5)

    privilege = helpers.benefit()
    referral(queued(g3, status=EnrollmentStatus.ENROLLED), g3, PlacementStatus.ENROLLED)
    referral(queued(g3, t3, status=EnrollmentStatus.OFFERED), g3)
    queued(g3, privilege=(privilege, BenefitStatus.CONFIRMED))
    queued(g3, t3, privilege=(privilege, BenefitStatus.CLAIMED))
    holding_second = queued(g3, t3, status=EnrollmentStatus.OFFERED)
    referral(holding_second, t3)
    queued(g3, status=EnrollmentStatus.LEFT)
    queued(t3)
    queued(g4ru)
    referral(queued(g4ru, status=EnrollmentStatus.ENROLLED), g4ru, PlacementStatus.ENROLLED)
    return {
        "city": city,
        "seven": seven,
        "twelve": twelve,
        "far": far,
        "g3": g3,
        "g4ru": g4ru,
        "t3": t3,
        "far3": far3,
        "privilege": privilege,
    }


def figures(program):
    garden = registry_kindergarten(program.kindergarten.organization.code)
    return next(p for p in garden.registry_programs if p.pk == program.pk)


def test_a_groups_counts_tell_placed_free_and_waiting_apart(world):
    g3 = figures(world["g3"])
    assert (g3.seats, g3.enrolled, g3.held, g3.free) == (3, 1, 2, 1)
    # Waiting: the privileged child, the claimed one, the one holding its second choice (not the child who
    # holds a referral here, nor the one who left).
    assert (g3.queue, g3.queue_privileged) == (3, 1)
    t3 = figures(world["t3"])
    # No. 12's group: its referral holder waits for nothing lower; the child who ranked it second behind
    # a seat it holds at No. 7 does not wait for it; the claimed one and the one who chose it first do.
    assert (t3.held, t3.free, t3.queue, t3.queue_privileged) == (1, 1, 2, 0)
    g4 = figures(world["g4ru"])
    assert (g4.enrolled, g4.free, g4.queue) == (1, 0, 1)
