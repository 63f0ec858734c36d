"""The kindergarten director's desk: who may open it (the director, the district's officer; a director of
another kindergarten and an officer of another district 403), what it shows (seats, held, free and queue
per group; the referrals expected with masked identifiers, paused ones with their reason; the children by
group), and each action through its form with its refusals: enrolment by the family's SMS code (wrong,
reused, expired), a child leaving, the state's pause and its resume, closing and reopening; the desk's
cost does not grow with the children (query_counts.json, "desk.kindergarten")."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from darcha.core.audit import SYSTEM
from darcha.preschool import ages
from darcha.preschool import services as preschool
from darcha.preschool.choices import AgeGroup, PlacementStatus, Relation
from darcha.preschool.models import Kindergarten, Placement
from tests.factories import PersonFactory
from tests.preschool import helpers

pytestmark = pytest.mark.django_db

EN = "/en"  # the texts asserted are the English originals
CODE = "246810"  # every referral's SMS code in these tests (the run draws them through new_referral_code)
WRONG = "135791"


# --- builders -----------------------------------------------------------------------------------
_serial = iter(range(1, 10**6))


def born_aged(years: int) -> dt.date:
    """A child `years` old on the next reference date (a month past a birthday)."""
    day = ages.reference_date(ages.school_year_for(timezone.now()))
    return day.replace(year=day.year - years) - dt.timedelta(days=31)


def register(place, choices, *, name: str | None = None, **fields):
    """A child put in the queue through the intake service (by the system, as the demo loader does); those
    registered first queue a day earlier, so the lottery never decides between them."""
    n = next(_serial)
    values = {
        "actor": SYSTEM,
        "child_name": name or f"Bola Desk {n}",
        "birth_date": born_aged(3),
        "birth_certificate": f"I-NA{n:07d}",
        "applicant": PersonFactory(),
        "relation": Relation.PARENT,
        "district": place,
        "choices": list(choices),
        "phone": "+998901234567",
        "language": "en",
        "queue_date": timezone.now() - dt.timedelta(days=10**5 - n),
    }
    values.update(fields)
    return preschool.application_register(**values)


def run_campaign(place, officer, monkeypatch):
    """The main campaign, run at once, every referral with the code CODE."""
    monkeypatch.setattr("darcha.preschool.services.campaigns.new_referral_code", lambda: CODE)
    campaign = preschool.campaign_create(
        actor=officer, district=place, school_year=ages.school_year_for(timezone.now())
    )
    return preschool.campaign_run(actor=officer, campaign=campaign)


def desk_url(garden: Kindergarten, tail: str = "") -> str:
    return f"{EN}/preschool/desk/kindergarten/{garden.organization.code}/{tail}"


def text(response) -> str:
    return response.content.decode()


def placement_of(application) -> Placement:
    return Placement.objects.get(
        application=application, status__in=(PlacementStatus.OFFERED, PlacementStatus.ENROLLED)
    )


# --- fixtures -----------------------------------------------------------------------------------
@pytest.fixture
def city():
    return helpers.district("desk-city")


@pytest.fixture
def garden(city):
    return helpers.kindergarten(city, 12)


@pytest.fixture
def other_garden(city):
    return helpers.kindergarten(city, 7)


@pytest.fixture
def group(garden):
    return helpers.program(garden, AgeGroup.G3, seats=2)


@pytest.fixture
def other_group(other_garden):
    return helpers.program(other_garden, AgeGroup.G3, seats=1)


@pytest.fixture
def director(garden):
    return helpers.director(garden, "desk.director")


@pytest.fixture
def officer(city):
    return helpers.officer(city, "desk.officer")


@pytest.fixture
def referred(city, group, other_group, officer, monkeypatch):
    """Three children ranked the group of 2 seats first: the two who queued first get a referral there, the
    third one at her second choice, another kindergarten (and still waits for the first)."""
    children = [
        register(city, [group, other_group], name="Aliyeva Malika"),
        register(city, [group], name="Karimov Bobur"),
        register(city, [group, other_group], name="Toshmatov Sardor"),
    ]
    run_campaign(city, officer, monkeypatch)
    return children


# --- access -------------------------------------------------------------------------------------
def test_anonymous_visitors_go_to_the_login_page(client, garden):
    response = client.get(desk_url(garden))
    assert response.status_code == 302 and response["Location"].startswith(f"{EN}/login/?next=")
    response = client.post(desk_url(garden, "close/"), {"reason": "Ta'mir"})
    assert response.status_code == 302 and "close" not in response["Location"]
    garden.refresh_from_db()
    assert garden.closed_since is None


def test_the_director_and_the_districts_officer_open_the_desk(client, garden, director, officer):
    for user in (director, officer):
        client.force_login(user)
        response = client.get(desk_url(garden))
        assert response.status_code == 200, user
        assert garden.name in text(response)
    # Only the officer is offered the seat changes and the way up to the district.
    assert "Change seats" in text(response)
    client.force_login(director)
    assert "Change seats" not in text(client.get(desk_url(garden)))


def test_a_director_of_another_kindergarten_and_an_officer_of_another_district_are_refused(
    client, garden, other_garden, referred
):
    stranger = helpers.director(other_garden, "other.director")
    elsewhere = helpers.district("far-city")
    far_officer = helpers.officer(elsewhere, "far.officer")
    placement = placement_of(referred[1])
    for user in (stranger, far_officer):
        client.force_login(user)
        assert client.get(desk_url(garden)).status_code == 403
        response = client.post(desk_url(garden, f"referrals/{placement.pk}/enrol/"), {"code": CODE})
        assert response.status_code == 403
        assert client.post(desk_url(garden, "close/"), {"reason": "Ta'mir"}).status_code == 403
    placement.refresh_from_db()
    garden.refresh_from_db()
    assert placement.status == PlacementStatus.OFFERED and garden.closed_since is None


def test_a_referral_of_another_kindergarten_is_not_found_here(client, garden, other_garden, director, referred):
    elsewhere = placement_of(referred[2])
    assert elsewhere.program.kindergarten == other_garden
    client.force_login(director)
    response = client.post(desk_url(garden, f"referrals/{elsewhere.pk}/enrol/"), {"code": CODE})
    assert response.status_code == 404


# --- what the desk shows ------------------------------------------------------------------------
def test_the_desk_shows_seats_held_free_and_queue_and_the_referrals_with_masked_identifiers(
    client, garden, director, referred
):
    client.force_login(director)
    page = text(client.get(desk_url(garden)))
    referrals = page[page.index('id="desk-referrals"') : page.index('id="desk-attending"')]
    for application in referred[:2]:
        assert application.child.name in referrals and application.number in referrals
        # The birth certificate is masked (its first and last two characters only).
        assert application.child.birth_certificate not in page
        assert f"{application.child.birth_certificate[:2]}…{application.child.birth_certificate[-2:]}" in referrals
    # The third child's referral is to another kindergarten.
    assert referred[2].child.name not in page
    assert "working days left" in referrals


def test_the_desk_lists_what_each_group_holds(client, garden, group, director, referred):
    client.force_login(director)
    page = text(client.get(desk_url(garden)))
    groups = page[page.index('id="desk-groups"') : page.index('id="desk-referrals"')]
    cells = [cell.rsplit(">", 1)[-1] for cell in groups.split("</td>")]
    # seats, referred, enrolled, free (strong), queue, privileged
    assert [c for c in cells if c.isdigit()][:5] == ["2", "2", "0", "1", "0"]
    assert "<strong>0</strong>" in groups


def test_figures_per_group(client, garden, group, director, referred):
    from darcha.preschool.selectors import desk_programs

    (row,) = desk_programs(garden)
    assert (row.seats, row.held, row.offered, row.enrolled, row.free, row.queue) == (2, 2, 2, 0, 0, 1)


# --- enrolment by the family's code -------------------------------------------------------------
def test_enrolment_with_the_right_code_and_the_refusals_of_a_wrong_reused_or_expired_one(
    client, garden, director, referred
):
    client.force_login(director)
    placement = placement_of(referred[1])
    address = desk_url(garden, f"referrals/{placement.pk}/enrol/")

    response = client.post(address, {"code": WRONG})
    assert response.status_code == 409
    assert "The code does not match this referral" in text(response)
    placement.refresh_from_db()
    assert placement.status == PlacementStatus.OFFERED

    response = client.post(address, {"code": ""})
    assert response.status_code == 400 and "Enter the code the family received by SMS" in text(response)

    response = client.post(address, {"code": CODE})
    assert response.status_code == 303 and response["Location"] == desk_url(garden)
    placement.refresh_from_db()
    assert placement.status == PlacementStatus.ENROLLED and placement.enrolled_by == director
    page = text(client.get(desk_url(garden)))
    assert "is enrolled in the group" in page
    attending = page[page.index('id="desk-attending"') :]
    assert referred[1].child.name in attending

    response = client.post(address, {"code": CODE})
    assert response.status_code == 409 and "has been used already" in text(response)

    expired = placement_of(referred[0])
    Placement.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - dt.timedelta(days=1))
    response = client.post(desk_url(garden, f"referrals/{expired.pk}/enrol/"), {"code": CODE})
    assert response.status_code == 409 and "This referral expired on" in text(response)
    expired.refresh_from_db()
    assert expired.status == PlacementStatus.OFFERED


# --- a child leaving ----------------------------------------------------------------------------
def test_a_child_leaving_frees_the_seat(client, garden, group, director, referred):
    client.force_login(director)
    placement = placement_of(referred[1])
    client.post(desk_url(garden, f"referrals/{placement.pk}/enrol/"), {"code": CODE})
    address = desk_url(garden, f"children/{placement.pk}/leave/")

    response = client.post(address, {"reason": "  "})
    assert response.status_code == 400 and "Write why the child leaves" in text(response)
    placement.refresh_from_db()
    assert placement.status == PlacementStatus.ENROLLED

    response = client.post(address, {"reason": "The family moved to Tashkent"})
    assert response.status_code == 303
    placement.refresh_from_db()
    assert placement.status == PlacementStatus.LEFT
    from darcha.preschool.selectors import desk_programs

    (row,) = desk_programs(garden)
    assert row.held == 1 and row.free == 1
    assert "has left the kindergarten" in text(client.get(desk_url(garden)))


# --- the state's delay --------------------------------------------------------------------------
def test_a_pause_with_its_reason_and_the_resume(client, garden, director, referred):
    client.force_login(director)
    placement = placement_of(referred[0])

    response = client.post(desk_url(garden, f"referrals/{placement.pk}/pause/"), {"reason": ""})
    assert response.status_code == 400 and "Write why the delay is the state" in text(response)

    response = client.post(desk_url(garden, f"referrals/{placement.pk}/pause/"), {"reason": "Medical commission late"})
    assert response.status_code == 303
    placement.refresh_from_db()
    assert placement.paused_at is not None and placement.pause_reason == "Medical commission late"
    page = text(client.get(desk_url(garden)))
    assert "Medical commission late" in page and "The term is stopped" in page

    response = client.post(desk_url(garden, f"referrals/{placement.pk}/pause/"), {"reason": "Again"})
    assert response.status_code == 409

    response = client.post(desk_url(garden, f"referrals/{placement.pk}/resume/"))
    assert response.status_code == 303
    placement.refresh_from_db()
    assert placement.paused_at is None
    response = client.post(desk_url(garden, f"referrals/{placement.pk}/resume/"))
    assert response.status_code == 409 and "This referral is not paused" in text(response)


def test_closing_for_repairs_and_reopening(client, garden, director, referred):
    client.force_login(director)
    response = client.post(desk_url(garden, "close/"), {"reason": ""})
    assert response.status_code == 400
    garden.refresh_from_db()
    assert garden.closed_since is None

    response = client.post(desk_url(garden, "close/"), {"reason": "Roof repairs"})
    assert response.status_code == 303
    garden.refresh_from_db()
    assert garden.closed_since is not None and garden.closed_reason == "Roof repairs"
    page = text(client.get(desk_url(garden)))
    assert "Roof repairs" in page and "Reopen the kindergarten" in page
    # A family that comes while it is closed is not enrolled.
    placement = placement_of(referred[1])
    response = client.post(desk_url(garden, f"referrals/{placement.pk}/enrol/"), {"code": CODE})
    assert response.status_code == 409 and "The kindergarten is closed" in text(response)

    response = client.post(desk_url(garden, "reopen/"))
    assert response.status_code == 303
    garden.refresh_from_db()
    assert garden.closed_since is None
    assert client.post(desk_url(garden, "reopen/")).status_code == 409


# --- the desk panel -----------------------------------------------------------------------------
def test_the_directors_desk_panel(client, garden, director, referred):
    client.force_login(director)
    page = text(client.get(f"{EN}/desk/"))
    assert "Open the kindergarten desk" in page and desk_url(garden) in page
    assert "referrals expected" in page


# --- what the desk costs ------------------------------------------------------------------------
def test_the_desk_does_not_grow_with_the_children(
    client, city, garden, group, other_group, director, officer, query_counts, monkeypatch
):
    second = helpers.program(garden, AgeGroup.G4, seats=3)
    monkeypatch.setattr("darcha.preschool.services.campaigns.new_referral_code", lambda: CODE)

    def grow(n: int) -> None:
        for _ in range(n):
            register(city, [group, other_group])
            register(city, [second], birth_date=born_aged(4))
        campaign = preschool.campaign_create(
            actor=officer, district=city, school_year=ages.school_year_for(timezone.now())
        )
        preschool.campaign_run(actor=officer, campaign=campaign)

    client.force_login(director)
    grow(2)
    enrolled = Placement.objects.filter(program__kindergarten=garden, status=PlacementStatus.OFFERED).first()
    preschool.placement_enrol(actor=director, placement=enrolled, code=CODE)
    query_counts.check("desk.kindergarten", lambda: client.get(desk_url(garden)))
    query_counts.check("desk.director_panel", lambda: client.get(f"{EN}/desk/"))
    grow(6)
    query_counts.check("desk.kindergarten", lambda: client.get(desk_url(garden)))
    query_counts.check("desk.director_panel", lambda: client.get(f"{EN}/desk/"))


# --- no inline code -----------------------------------------------------------------------------
def test_the_desk_has_no_inline_code(client, garden, director, referred):
    from tests.core.test_security_headers import check

    client.force_login(director)
    placement = placement_of(referred[1])
    check(client.get(desk_url(garden)), "kindergarten desk")
    # The page as a refusal brings it back, with its message beside the form.
    check(client.post(desk_url(garden, f"referrals/{placement.pk}/enrol/"), {"code": WRONG}), "refused enrolment")
    check(client.get(f"{EN}/desk/"), "director's desk panel")
