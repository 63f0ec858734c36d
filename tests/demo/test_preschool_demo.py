"""The Namangan demo's kindergartens (issue 12, item 8): the registry's data, the queue played through the
services (the tests' demo layer loads the quick queue), the main campaign and its referrals, the preschool
demo users and the center's "Baxtli bola" desk; the full queue's children checked as generated."""

import datetime as dt
import statistics
from collections import Counter
from zoneinfo import ZoneInfo

import pytest
from django.urls import reverse
from django.utils import timezone

from darcha.catalog.models import Category, Service
from darcha.core.audit import SYSTEM
from darcha.core.choices import OrganizationKind
from darcha.core.models import AuditEntry, Organization, User
from darcha.demo.children import BIRTH_REGISTRATION_SINCE, Place, make_children
from darcha.demo.loader import demo_login_lines
from darcha.demo.preschool import PLACES, current_school_year
from darcha.demo.reader import load_region
from darcha.preschool.ages import age_group_on, old_enough
from darcha.preschool.choices import (
    AgeGroup,
    BenefitStatus,
    CampaignKind,
    CampaignStatus,
    Channel,
    EnrollmentStatus,
    EventKind,
    KindergartenKind,
    LocationClass,
    PlacementStatus,
    Regime,
    TeachingLanguage,
)
from darcha.preschool.models import (
    ApplicationBenefit,
    Benefit,
    Campaign,
    Cutoff,
    EnrollmentApplication,
    Event,
    FeeRate,
    Kindergarten,
    Placement,
    Program,
)
from darcha.queues.models import Counter as ServiceCounter
from darcha.queues.selectors import center_categories, center_services

pytestmark = pytest.mark.django_db

DATA = load_region("namangan")
PRESCHOOL = DATA["preschool"]
QUEUE = PRESCHOOL["queue"]
# Where each place's kindergartens are (°N, °E): Namangan city, and the town of Yangiqoʻrgʻon with its villages.
CENTRES = {"namangan-city": (41.0, 71.67), "yangikurgan-district": (41.19, 71.72)}
TZ = ZoneInfo("Asia/Tashkent")


def full_queue(today: dt.date = dt.date(2026, 12, 2)):
    gardens = DATA["kindergartens"]
    places = [
        Place(code, [(k["code"], float(k["latitude"]), float(k["longitude"])) for k in gardens if k["place"] == code])
        for code in PLACES
    ]
    return make_children({**QUEUE, "benefits": PRESCHOOL["benefits"]}, places, today=today, tz=TZ)


# --- the registry's data ------------------------------------------------------------------------


def test_forty_kindergartens_of_every_kind_in_both_places(demo):
    gardens = list(Kindergarten.objects.select_related("organization__parent"))
    assert len(gardens) == len(DATA["kindergartens"]) >= 40
    for code, (latitude, longitude) in CENTRES.items():
        here = [g for g in gardens if g.organization.parent.code == code]
        assert {g.kind for g in here} == set(KindergartenKind.values), code
        kinds = Counter(g.kind for g in here)
        assert kinds[KindergartenKind.STATE] > len(here) / 2, "most are state kindergartens"
        for garden in here:
            assert garden.organization.kind == OrganizationKind.KINDERGARTEN
            assert abs(float(garden.latitude) - latitude) < 0.1 and abs(float(garden.longitude) - longitude) < 0.1
            assert garden.mahalla and garden.director_name and garden.organization.address
            assert garden.organization.name_uz and garden.organization.name_ru and garden.organization.name_en
    state = Kindergarten.objects.filter(kind=KindergartenKind.STATE, number="12").select_related("organization")
    assert {g.organization.short_name_uz for g in state} == {"12-son MTT"}
    assert {g.organization.short_name_ru for g in state} == {"ДОУ № 12"}


def test_programs_cover_every_age_group_language_and_regime(demo):
    programs = Program.objects.all()
    assert {p.age_group for p in programs} == set(AgeGroup.values)
    assert {p.language for p in programs} == set(TeachingLanguage.values)
    assert {p.regime for p in programs} == set(Regime.values)
    assert all(p.seats > 0 for p in programs)
    assert not Kindergarten.objects.filter(programs__isnull=True).exists()
    # A newborn may choose any kindergarten: each takes an early group (a state one from 2 years).
    assert set(Program.objects.filter(age_group=AgeGroup.EARLY).values_list("kindergarten", flat=True)) == set(
        Kindergarten.objects.values_list("pk", flat=True)
    )


def test_each_place_has_its_preschool_department(demo):
    for code in PLACES:
        departments = Organization.objects.filter(parent__code=code, kind=OrganizationKind.PRESCHOOL_DEPARTMENT)
        assert departments.count() == 1, code


def test_the_fee_table_of_2025(demo):
    rates = {
        (r.location_class, r.regime, r.several_children): r.amount
        for r in FeeRate.objects.filter(valid_from=dt.date(2025, 1, 1))
    }
    # The figures issue 12 quotes from Cabinet resolution 246; the rest are marked illustrative in the TOML.
    assert rates[(LocationClass.TASHKENT, Regime.H9, False)] == 272_000
    assert rates[(LocationClass.TASHKENT, Regime.H9, True)] == 194_000
    assert rates[(LocationClass.TASHKENT, Regime.SHORT, False)] == 51_000
    assert len(rates) == len(LocationClass.values) * len(Regime.values) * 2
    for location_class in LocationClass.values:
        for regime in Regime.values:
            assert rates[(location_class, regime, True)] < rates[(location_class, regime, False)]
            assert rates[(location_class, regime, False)] <= rates[(LocationClass.TASHKENT, regime, False)]


def test_the_privileged_categories(demo):
    benefits = {b.code: b for b in Benefit.objects.all()}
    assert len(benefits) == 10
    assert {b.tier for b in benefits.values()} == {1}, "no law orders them: one tier ahead of the general list"
    assert benefits["poor-family"].valid_from == dt.date(2025, 1, 1)
    assert {code for code, b in benefits.items() if b.valid_from == dt.date(2021, 5, 20)} == set(benefits) - {
        "poor-family"
    }
    assert {code for code, b in benefits.items() if b.center_obtains} == {
        "poor-family",
        "disabled-parent",
        "single-mother",
    }
    for benefit in benefits.values():
        assert benefit.name_uz and benefit.name_ru and benefit.name_en
        assert benefit.evidence_uz and benefit.evidence_ru and benefit.evidence_en


# --- the queue ------------------------------------------------------------------------------------


def test_the_full_queue_has_realistic_shares():
    families, children = full_queue()
    assert len(children) == QUEUE["children"] == 5000
    assert full_queue()[1][1234].name == children[1234].name, "seeded: the same children again"
    today = dt.date(2026, 12, 2)
    ages = Counter((today - c.birth_date).days // 365 for c in children)
    assert set(ages) == set(range(7)), "born over the last seven years: 0 to 6 full years"
    assert ages[0] > ages[6]
    channels = Counter(c.channel for c in children)
    assert 0.65 < channels[Channel.BIRTH_REGISTRATION] / len(children) < 0.8, "most are queued at birth"
    assert all(c.birth_date >= BIRTH_REGISTRATION_SINCE - dt.timedelta(days=20) for c in children if c.birth_record)
    assert all(c.registered_at.date() >= c.birth_date for c in children)
    assert all(c.registered_at.date() < today for c in children)
    privileged = [c for c in children if c.benefit]
    assert 0.12 < len(privileged) / len(children) < 0.18
    assert Counter(c.benefit for c in privileged).most_common(1)[0][0] == "poor-family"
    ranked = Counter(c.choices for c in children)
    for choices, share in QUEUE["choices"].items():
        assert abs(ranked[int(choices)] / len(children) - float(share)) < 0.03, choices
    twins = [c for c in children if c.twin_of is not None]
    assert twins and all(children[c.twin_of].birth_date == c.birth_date for c in twins)
    assert all(children[c.twin_of].family is c.family for c in twins)
    siblings = Counter(c.family.index for c in children if c.twin_of is None)
    assert sum(1 for n in siblings.values() if n > 1) > 100, "brothers and sisters from one applicant"
    assert 0.6 < Counter(c.family.place for c in children)["namangan-city"] / len(children) < 0.75
    assert 0.08 < sum(1 for f in families if f.language == "ru") / len(families) < 0.16
    assert len({c.birth_certificate for c in children}) == len(children)
    assert len({c.pinfl for c in children}) == len(children)
    assert len({f.applicant_pinfl for f in families}) == len(families)


def test_families_choose_kindergartens_near_each_other(demo):
    """Choices are mostly near home, so a family's kindergartens are closer together than two of its place
    taken at random."""
    from itertools import combinations

    from darcha.demo.children import distance

    points = {g.pk: (float(g.latitude), float(g.longitude)) for g in Kindergarten.objects.all()}
    place_of = dict(Kindergarten.objects.values_list("pk", "organization__parent__code"))
    chosen: dict[int, list[int]] = {}
    for application, garden in EnrollmentApplication.objects.filter(district__code__in=PLACES).values_list(
        "pk", "preferences__program__kindergarten"
    ):
        if garden is not None:
            chosen.setdefault(application, []).append(garden)
    apart = [distance(points[a], points[b]) for gardens in chosen.values() for a, b in combinations(gardens, 2)]
    random_pairs = [distance(points[a], points[b]) for a, b in combinations(points, 2) if place_of[a] == place_of[b]]
    assert apart and statistics.median(apart) < statistics.median(random_pairs) / 2


def test_the_queue_was_registered_through_the_services(demo):
    applications = EnrollmentApplication.objects.filter(district__code__in=PLACES)
    count = applications.count()
    assert count == QUEUE["quick_children"], "the tests' demo layer loads the quick queue"
    assert AuditEntry.objects.filter(action="preschool_application_register").count() == count
    assert Event.objects.filter(kind=EventKind.REGISTERED).count() == count
    assert set(applications.values_list("channel", flat=True)) >= {Channel.BIRTH_REGISTRATION, Channel.FRONT_OFFICE}
    by_birth = applications.filter(channel=Channel.BIRTH_REGISTRATION)
    assert by_birth.count() > count / 2 and not by_birth.filter(birth_record__isnull=True).exists()
    district_of = dict(Program.objects.values_list("pk", "kindergarten__organization__parent_id"))
    registered = dict(Event.objects.filter(kind=EventKind.REGISTERED).values_list("application_id", "data"))
    for application in applications.prefetch_related("preferences"):
        # Ranked at registration: 1 to 3 of its own district's groups (a lapsed referral's group or one with
        # no group for the next age is dropped later).
        chosen = registered[application.pk]["choices"]
        assert 1 <= len(chosen) <= 3 and {district_of[p] for p in chosen} == {application.district_id}
        assert len(application.preferences.all()) <= 3
        assert application.queue_date == application.created_at
    # Families with two children in the queue share the applicant (sibling priority follows from it).
    assert Counter(applications.values_list("applicant_id", flat=True)).most_common(1)[0][1] >= 2


def test_privileges_are_claimed_and_checked(demo):
    claims = ApplicationBenefit.objects.filter(application__district__code__in=PLACES)
    assert claims.exists()
    assert claims.filter(status=BenefitStatus.CONFIRMED).exists()
    for claim in claims.select_related("benefit"):
        assert claim.obtained_by_center == claim.benefit.center_obtains
        assert claim.obtained_by_center or claim.evidence_reference
        if claim.status in (BenefitStatus.CONFIRMED, BenefitStatus.REJECTED):
            assert claim.decided_by is not None and claim.decided_at >= claim.created_at
        assert claim.benefit.valid_from <= timezone.localdate(claim.created_at)


def test_a_main_campaign_run_in_each_place_with_placements(demo):
    today = timezone.localdate()
    year = current_school_year(today, PRESCHOOL["campaign"]["run_on"])
    for code in PLACES:
        (campaign,) = Campaign.objects.filter(district__code=code, kind=CampaignKind.MAIN)
        assert campaign.status == CampaignStatus.DONE and campaign.school_year == year
        assert campaign.max_choices == PRESCHOOL["campaign"]["max_choices"] and campaign.seed
        assert campaign.run_by.username in {"officer", "officer.yk"}
        assert campaign.finished_at.date() < today
        assert campaign.placements.exists() and Cutoff.objects.filter(campaign=campaign, placed__gt=0).exists()
        # Every child placed in the group of its age on the reference date, and old enough for it.
        for placement in campaign.placements.select_related("application__child", "program__kindergarten"):
            born, program = placement.application.child.birth_date, placement.program
            assert age_group_on(born, campaign.reference_date) == program.age_group, placement
            assert old_enough(program, born, campaign.reference_date), placement


def test_referrals_open_lapsed_and_taken_up(demo):
    now = timezone.now()
    referrals = Placement.objects.filter(application__district__code__in=PLACES)
    states = Counter(referrals.values_list("status", flat=True))
    assert states[PlacementStatus.ENROLLED] > states[PlacementStatus.LAPSED] > 0
    assert states[PlacementStatus.LEFT] >= PRESCHOOL["referrals"]["left"]
    open_now = referrals.filter(status=PlacementStatus.OFFERED)
    assert open_now.exists() and all(p.expires_at > now for p in open_now), "open: still to be taken up"
    for placement in referrals.filter(status=PlacementStatus.ENROLLED).select_related("application"):
        assert placement.enrolled_by is not None and placement.enrolled_at >= placement.offered_at
        assert placement.application.status in (EnrollmentStatus.ENROLLED, EnrollmentStatus.LEFT)
    for placement in referrals.filter(status=PlacementStatus.LAPSED):
        assert placement.ended_at > placement.expires_at


# --- the demo users and the desk ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("username", "page"),
    [
        ("director", reverse("preschool:kindergarten_desk", args=["namangan-city-mtt-12"])),
        ("officer", reverse("preschool:department_desk", args=["namangan-city"])),
        ("officer.yk", reverse("preschool:department_desk", args=["yangikurgan-district"])),
    ],
)
def test_the_preschool_users_sign_in_and_reach_their_desk(client, demo, username, page):
    response = client.post(reverse("core:login"), {"username": username, "password": DATA["password"]})
    assert response.status_code == 302, username
    desk = client.get(response["Location"])
    assert desk.status_code == 200
    assert page.split("/desk/", 1)[1] in desk.content.decode(), "the desk links to the preschool desk"
    assert client.get(page).status_code == 200


def test_the_director_leads_the_kindergarten_she_directs(demo):
    director = User.objects.get(username="director")
    garden = Kindergarten.objects.get(organization=director.memberships.get().organization)
    assert garden.director_name == f"{director.last_name} {director.first_name}"


def test_the_banner_lists_the_preschool_logins(demo):
    text = "\n".join(demo_login_lines())
    for username in ("director", "officer", "officer.yk"):
        assert f"\n{username} " in text


def test_the_baxtli_bola_desk(demo):
    desk = PRESCHOOL["desk"]
    category = Category.objects.get(code=desk["category"])
    assert category.ticket_prefix == "BB" and category.name_uz.startswith("«Baxtli bola»")
    center = Organization.objects.get(code=DATA["center"])
    (window,) = ServiceCounter.objects.filter(center=center, categories=category)
    assert window.number == 9
    assert category in center_categories(center)
    services = set(center_services(center).filter(category=category).values_list("code", flat=True))
    assert services == {s["code"] for s in desk["services"]}
    # A visitor takes a ticket for a consultation at the kiosk, on a working morning.
    from darcha.queues.services import ticket_issue

    monday = timezone.localdate() + dt.timedelta(days=7 - timezone.localdate().weekday())
    ticket = ticket_issue(
        actor=SYSTEM,
        center=center,
        service=Service.objects.get(code="kindergarten-consultation"),
        now=dt.datetime.combine(monday, dt.time(10), tzinfo=TZ),
    )
    assert ticket.prefix == "BB"
