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
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation

from darcha.core import pagecache
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
    Cutoff,
    EnrollmentApplication,
    FeeRate,
    Placement,
    Preference,
)
from darcha.preschool.selectors import (
    cutoff_words,
    fee_rates_on,
    monthly_fee,
    programs_with_figures,
    registry_kindergarten,
)
from tests.factories import CategoryFactory, PersonFactory, ServiceFactory
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
    assert (g3.seats, g3.enrolled, g3.offered, g3.held, g3.free) == (3, 1, 1, 2, 1)
    # Waiting: the privileged child, the claimed one, the one holding its second choice (not the child who
    # holds a referral here, nor the one who left).
    assert (g3.queue, g3.queue_privileged) == (3, 1)
    t3 = figures(world["t3"])
    # No. 12's group: its referral holder waits for nothing lower; the child who ranked it second behind
    # a seat it holds at No. 7 does not wait for it; the claimed one and the one who chose it first do.
    assert (t3.held, t3.free, t3.queue, t3.queue_privileged) == (1, 1, 2, 0)
    g4 = figures(world["g4ru"])
    assert (g4.enrolled, g4.free, g4.queue) == (1, 0, 1)


def test_the_one_statement_figures_agree_with_the_pages(world):
    """programs_with_figures (the desks' few groups, one statement) counts as the registry's grouped read."""
    names = ("held", "enrolled", "offered", "free", "queue", "queue_privileged", "last_cutoff_id")
    for program in programs_with_figures():
        shown = figures(program)
        assert {n: getattr(program, n) for n in names} == {n: getattr(shown, n) for n in names}, program


def test_free_places_never_go_below_zero_and_an_expired_privilege_does_not_count(world):
    g4 = world["g4ru"]
    g4.seats = 0  # fewer seats than children held (the department's desk never allows it; old data might)
    g4.save()
    assert figures(g4).free == 0
    ApplicationBenefit.objects.filter(status=BenefitStatus.CONFIRMED).update(
        valid_until=timezone.localdate() - dt.timedelta(days=1)
    )
    assert figures(world["g3"]).queue_privileged == 0


def test_the_kindergarten_page_shows_contacts_and_each_group(client, world):
    html = client.get("/en/preschool/kindergartens/namangan-mtt-7/").content.decode()
    for text in (
        "Karimova Dilnoza",
        "Navbahor",
        "+998 69 227 07 07",
        "openstreetmap.org/?mlat=40.998300&amp;mlon=71.672600",
    ):
        assert text in html, text
    assert "3–4 years · Uzbek · 9 hours" in html and "4–5 years · Russian · 10.5 hours" in html
    assert "240\u202f000" in html and "170\u202f000" in html  # a regional centre's 9 hours: one child, each of several


def test_pages_render_in_four_languages(client, world):
    pages = ("/preschool/", "/preschool/kindergartens/", "/preschool/kindergartens/namangan-mtt-7/")
    for prefix in LANGUAGES:
        for page in pages:
            response = client.get(prefix + page)
            assert response.status_code == 200, prefix + page
            html = response.content.decode()
            assert f'lang="{prefix.strip("/") or "uz"}"' in html
    assert "ДОУ № 7 «Кувонч»" in client.get("/ru/preschool/kindergartens/").content.decode()
    assert "7-son MTT «Quvonch»" in client.get("/preschool/kindergartens/").content.decode()


def test_the_landing_page_explains_and_links(client, world):
    html = client.get("/en/preschool/").content.decode()
    assert 'href="/en/preschool/kindergartens/"' in html
    assert "Baxtli bola" in html and 'href="/en/queue/"' in html
    assert world["privilege"].name_en in html or world["privilege"].name_uz in html
    for name in ("preschool:apply", "preschool:track"):  # the family's pages, once they exist
        try:
            with translation.override("en"):
                address = reverse(name)
        except NoReverseMatch:
            continue
        assert f'href="{address}"' in html, name


def test_the_landing_page_names_tiers_only_when_there_are_several(client, world):
    assert "Tier 1" not in client.get("/en/preschool/").content.decode()
    helpers.benefit("orphan", tier=2)
    pagecache.content_changed(kind="preschool")
    html = client.get("/en/preschool/").content.decode()
    assert "Tier 1" in html and "Tier 2" in html


def test_the_landing_page_links_the_desks_services_once_they_are_in_the_catalog(client, world):
    assert "/services/category/baxtli-bola/" not in client.get("/en/preschool/").content.decode()
    ServiceFactory(category=CategoryFactory(code="baxtli-bola"))
    pagecache.content_changed(kind="preschool")
    assert 'href="/en/services/category/baxtli-bola/"' in client.get("/en/preschool/").content.decode()


def test_the_home_page_links_to_the_preschool_section(client, db):
    html = client.get("/en/").content.decode()
    assert 'href="/en/preschool/"' in html and 'href="/en/preschool/kindergartens/"' in html


def listed(client, query: str = "") -> list[str]:
    html = client.get(f"/en/preschool/kindergartens/?{query}", HTTP_HX_REQUEST="true").content.decode()
    return [code for code in ("namangan-mtt-7", "namangan-mtt-12", "uychi-mtt-3") if f"/{code}/" in html]


def test_filters_narrow_the_list(client, world):
    assert listed(client) == ["namangan-mtt-7", "namangan-mtt-12", "uychi-mtt-3"]
    assert listed(client, "district=namangan") == ["namangan-mtt-7", "namangan-mtt-12"]
    assert listed(client, "district=uychi") == ["uychi-mtt-3"]
    assert listed(client, "kind=private") == ["namangan-mtt-12"]
    assert listed(client, "language=ru") == ["namangan-mtt-7"]
    assert listed(client, "regime=10.5") == ["namangan-mtt-7"]
    assert listed(client, "age=4-5") == ["namangan-mtt-7"]
    assert listed(client, "age=5-6") == []
    # Free places: No. 7's Russian group is full, so with it asked for, nothing is left.
    assert listed(client, "free=1") == ["namangan-mtt-7", "namangan-mtt-12", "uychi-mtt-3"]
    assert listed(client, "free=1&language=ru") == []
    referral(queued(world["far3"]), world["far3"], PlacementStatus.ENROLLED)
    world["far3"].seats = 1
    world["far3"].save()
    assert listed(client, "free=1&district=uychi") == []


def test_the_list_shows_only_the_groups_asked_for(client, world):
    html = client.get("/en/preschool/kindergartens/?language=ru", HTTP_HX_REQUEST="true").content.decode()
    assert "4–5 years · Russian · 10.5 hours" in html and "3–4 years · Uzbek" not in html


@pytest.mark.parametrize(
    "query, found",
    [
        ("q=12", ["namangan-mtt-12"]),
        ("q=quvonch", ["namangan-mtt-7"]),
        ("q=Кувонч", ["namangan-mtt-7"]),
        ("q=Навбаҳор", ["namangan-mtt-7"]),  # the mahalla, typed in Cyrillic
        ("q=boghishamol", []),
        ("q=bogishamol", ["namangan-mtt-12"]),  # the okina folded away
        ("q=Baxtli+bolalik", ["namangan-mtt-12"]),
        ("q=Бахтли", ["namangan-mtt-12"]),
    ],
)
def test_search_by_name_number_or_mahalla_in_either_script(client, world, query, found):
    assert listed(client, query) == found


def test_bad_filter_values_and_pages_do_not_break_the_list(client, world):
    for query in (
        "page=abc",
        "page=-1",
        "page=99999",
        "kind=alien&language=xx&age=9-10&district=nowhere",
        "q=" + "x" * 5000,
        "free=yes",
        "district=%00&q=%00",
    ):
        assert client.get(f"/preschool/kindergartens/?{query}").status_code == 200, query


def test_the_list_is_paged(client, world, monkeypatch):
    from darcha.preschool.views import registry

    monkeypatch.setattr(registry, "PAGE_SIZE", 2)
    first = client.get("/en/preschool/kindergartens/?district=&kind=").content.decode()
    assert "Page 1 of 2" in first and 'rel="next"' in first and "district=&amp;kind=&amp;page=2" in first
    second = client.get("/en/preschool/kindergartens/?page=2", HTTP_HX_REQUEST="true").content.decode()
    assert "/uychi-mtt-3/" in second and "/namangan-mtt-7/" not in second


def test_an_unknown_kindergarten_is_a_translated_404(client, world):
    response = client.get("/ru/preschool/kindergartens/no-such-mtt/")
    assert response.status_code == 404 and "не найдена" in response.content.decode()


# --- fees ---------------------------------------------------------------------------------------------------


def test_the_fee_is_the_table_row_in_force_on_the_day(world):
    seven, g3 = world["seven"], world["g3"]
    FeeRate.objects.create(
        valid_from=dt.date(2026, 1, 1), location_class=LocationClass.REGIONAL_CENTRE, regime=Regime.H9, amount=250_000
    )
    before = monthly_fee(seven, g3, fee_rates_on(dt.date(2024, 12, 31)))
    assert not before.known
    in_2025 = monthly_fee(seven, g3, fee_rates_on(dt.date(2025, 6, 1)))
    assert (in_2025.one, in_2025.each, in_2025.valid_from) == (240_000, 170_000, dt.date(2025, 1, 1))
    # The 2026 row replaces the one-child amount; the several-children one stays the 2025 row's.
    in_2026 = monthly_fee(seven, g3, fee_rates_on(dt.date(2026, 1, 1)))
    assert (in_2026.one, in_2026.each, in_2026.valid_from) == (250_000, 170_000, dt.date(2026, 1, 1))
    # A kindergarten of another class has its own row, or none.
    assert not monthly_fee(world["far"], world["far3"], fee_rates_on(dt.date(2026, 1, 1))).known


def test_a_private_kindergarten_sets_its_own_fee(client, world):
    garden = registry_kindergarten("namangan-mtt-12")
    assert garden.registry_programs[0].fee.own_price
    html = client.get("/en/preschool/kindergartens/namangan-mtt-12/").content.decode()
    assert "Set by the kindergarten" in html


def test_the_page_shows_todays_fee(client, world):
    FeeRate.objects.create(
        valid_from=timezone.localdate() + dt.timedelta(days=1),
        location_class=LocationClass.REGIONAL_CENTRE,
        regime=Regime.H9,
        amount=999_000,
    )
    html = client.get("/en/preschool/kindergartens/namangan-mtt-7/").content.decode()
    assert "999\u202f000" not in html and "240\u202f000" in html


# --- cutoffs ------------------------------------------------------------------------------------------------


def cutoff(**fields) -> Cutoff:
    return Cutoff(placed=3, **fields)


@pytest.mark.parametrize(
    "fields, words",
    [
        ({"tier": 0}, "Last admitted: general list, in the queue since 14 March 2023"),
        ({"tier": None}, "Last admitted: general list, in the queue since 14 March 2023"),
        ({"tier": 1}, "Last admitted: privileged list, in the queue since 14 March 2023"),
        ({"tier": 2}, "Last admitted: privileged list, tier 2, in the queue since 14 March 2023"),
        (
            {"tier": 0, "sibling": True, "staff": True},
            "Last admitted: general list, a brother or sister attends this kindergarten, a parent works at this "
            "kindergarten, in the queue since 14 March 2023",
        ),
    ],
)
def test_a_cutoff_in_plain_words(fields, words):
    since = dt.datetime(2023, 3, 14, 10, 0, tzinfo=dt.UTC)
    with translation.override("en"):
        assert cutoff_words(cutoff(queue_date=since, **fields)) == words


def test_no_cutoff_yet_in_plain_words():
    with translation.override("en"):
        assert cutoff_words(None) == "No child has been admitted to this group by an allocation yet."


def test_the_page_shows_the_latest_finished_campaigns_cutoff(client, world):
    city, g3 = world["city"], world["g3"]
    now = timezone.now()
    old = finished_campaign(city, finished_at=now - dt.timedelta(days=400))
    Cutoff.objects.create(campaign=old, program=g3, placed=3, tier=1, queue_date=now - dt.timedelta(days=900))
    last = finished_campaign(city, finished_at=now - dt.timedelta(days=30))
    Cutoff.objects.create(
        campaign=last, program=g3, placed=2, tier=0, queue_date=dt.datetime(2023, 3, 14, 9, tzinfo=dt.UTC)
    )
    unfinished = Campaign.objects.create(
        district=city,
        school_year=2027,
        reference_date=dt.date(2027, 9, 1),
        status=CampaignStatus.RUNNING,
        created_at=now,
    )
    Cutoff.objects.create(campaign=unfinished, program=g3, placed=1, tier=2, queue_date=now)
    nobody = finished_campaign(city, finished_at=now - dt.timedelta(days=1))
    Cutoff.objects.create(campaign=nobody, program=g3, placed=0, tier=None)  # a continuous run that placed none
    assert figures(g3).cutoff.campaign_id == last.pk
    html = client.get("/en/preschool/kindergartens/namangan-mtt-7/").content.decode()
    assert "Last admitted: general list, in the queue since 14 March 2023" in html
    assert "2 children admitted" in html
    assert "No child has been admitted to this group by an allocation yet." in html  # the Russian group


# --- the page cache -----------------------------------------------------------------------------------------


@pytest.fixture
def held(settings):
    # The versions are read again only when one changes here (or after an hour): tests/core/test_pagecache.py.
    settings.PAGE_CACHE_VERSION_SECONDS = 3600
    pagecache.content_version("preschool")


@pytest.mark.parametrize(
    "page", ["/preschool/", "/ru/preschool/kindergartens/?free=1", "/en/preschool/kindergartens/namangan-mtt-7/"]
)
def test_anonymous_pages_come_from_the_cache_with_no_csrf_cookie(client, world, held, page):
    first = client.get(page)
    assert first.status_code == 200 and not first.cookies
    assert "csrfmiddlewaretoken" not in first.content.decode()
    with CaptureQueriesContext(connection) as queries:
        second = client.get(page)
    assert len(queries) == 0 and second.content == first.content and not second.cookies
    assert second["ETag"] == first["ETag"]


def test_a_change_of_the_registry_gives_its_pages_a_new_version(client, world, held):
    page = "/en/preschool/kindergartens/namangan-mtt-7/"
    client.get(page)
    world["g3"].__class__.objects.filter(pk=world["g3"].pk).update(seats=30)  # behind the cache's back
    assert ">30<" not in client.get(page).content.decode()
    pagecache.content_changed(kind="preschool")  # what the services call
    assert ">30<" in client.get(page).content.decode()
