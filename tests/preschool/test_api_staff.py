"""Staff API: the district's applications (masked identifiers unless the role needs them), the referrals a
kindergarten expects, enrolment by the family's code and seats per group — by session or token, scoped by
core.access, refusals as JSON with stable codes, and nothing changed by a refused request."""

from __future__ import annotations

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from darcha.core.audit import SYSTEM
from darcha.core.choices import OrganizationKind, Role
from darcha.core.services import api_token_create, person_register
from darcha.preschool import ages
from darcha.preschool import services as preschool
from darcha.preschool.choices import AgeGroup, EnrollmentStatus, PlacementStatus, Relation
from darcha.preschool.models import Placement, Program
from tests.factories import OrganizationFactory, staff
from tests.preschool import helpers
from tests.preschool.test_front import born_aged

API = "/api/v1/preschool/staff/"
CODE = "246810"
PINFL = "31203901230017"


@pytest.fixture
def city(db):
    return helpers.district("test-city")


@pytest.fixture
def center(city):
    return helpers.center(city, "center-1")


@pytest.fixture
def first(city):
    return helpers.kindergarten(city, 1)


@pytest.fixture
def second(city):
    return helpers.kindergarten(city, 2)


@pytest.fixture
def groups(first, second):
    return helpers.program(first, AgeGroup.G3, seats=1), helpers.program(second, AgeGroup.G3, seats=1)


@pytest.fixture
def operator(center):
    return staff("operator", center, Role.OPERATOR)


@pytest.fixture
def officer(city):
    return helpers.officer(city)


@pytest.fixture
def director(first):
    return helpers.director(first)


@pytest.fixture
def applications(city, center, groups, operator):
    """At the center (by its operator), choosing the first kindergarten; and from the registry office
    (no center), choosing the second, then the first."""
    one, two = groups
    mother = person_register(actor=SYSTEM, kind="individual", name="Karimova Dilnoza", pinfl=PINFL)
    at_center = preschool.application_register(
        actor=operator,
        child_name="Karimov Alisher",
        birth_date=born_aged(3),
        birth_certificate="I-NA1234567",
        applicant=mother,
        relation=Relation.PARENT,
        district=city,
        choices=[one],
        phone="+998901234567",
        center=center,
    )
    father = person_register(actor=SYSTEM, kind="individual", name="Rahimov Bobur", passport="AB1234567")
    elsewhere = preschool.application_register(
        actor=SYSTEM,
        child_name="Rahimova Zarina",
        birth_date=born_aged(3),
        birth_certificate="I-NA7654321",
        applicant=father,
        relation=Relation.PARENT,
        district=city,
        choices=[two, one],
        phone="+998907654321",
    )
    return at_center, elsewhere


def api(user=None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


def rows(response) -> dict[str, dict]:
    assert response.status_code == 200, response.content
    return {row["number"]: row for row in response.json()["results"]}


# --- applications -------------------------------------------------------------------------------------------
def test_the_officer_sees_the_districts_applications_in_full(officer, applications):
    at_center, elsewhere = applications
    listed = rows(api(officer).get(API + "applications/"))
    assert list(listed) == [at_center.number, elsewhere.number]  # queue order
    row = listed[at_center.number]
    assert row["identifiers_masked"] is False
    assert row["child"]["birth_certificate"] == "I-NA1234567" and row["applicant"]["identifier"] == PINFL
    assert row["phone"] == "+998901234567" and row["center"] == "center-1" and row["district"] == "test-city"
    assert [c["kindergarten"] for c in listed[elsewhere.number]["choices"]] == ["test-city-mtt-2", "test-city-mtt-1"]
    assert row["seat"] is None and row["status"] == EnrollmentStatus.WAITING


def test_an_operator_sees_in_full_only_what_their_center_registered(operator, applications):
    at_center, elsewhere = applications
    listed = rows(api(operator).get(API + "applications/"))
    assert set(listed) == {at_center.number, elsewhere.number}
    assert listed[at_center.number]["identifiers_masked"] is False
    masked = listed[elsewhere.number]
    assert masked["identifiers_masked"] is True
    assert masked["child"]["birth_certificate"] == "I-NA…4321" and masked["applicant"]["identifier"] == "AB12…4567"
    assert masked["phone"] == "+998…4321"
    assert "7654321" not in str(masked)


def test_a_director_sees_the_applications_choosing_the_kindergarten_masked(client, second, applications):
    at_center, elsewhere = applications
    listed = rows(api(helpers.director(second, "director.two")).get(API + "applications/"))
    assert list(listed) == [elsewhere.number]
    assert listed[elsewhere.number]["identifiers_masked"] is True


def test_detail_with_positions_and_history(officer, applications):
    at_center, _elsewhere = applications
    response = api(officer).get(API + f"applications/{at_center.number}/")
    assert response.status_code == 200
    body = response.json()
    assert body["number"] == at_center.number and body["history"][0]["kind"] == "registered"
    assert isinstance(body["positions"], list)


def test_filters_and_unknown_parameters(officer, applications):
    at_center, elsewhere = applications
    client = api(officer)
    assert list(rows(client.get(API + "applications/", {"number": elsewhere.number}))) == [elsewhere.number]
    assert rows(client.get(API + "applications/", {"status": "left"})) == {}
    assert rows(client.get(API + "applications/", {"district": "other"})) == {}
    response = client.get(API + "applications/", {"sort": "name"})
    assert response.status_code == 400 and response.json()["code"] == "invalid"
    response = client.get(API + "applications/", {"status": "nonsense"})
    assert response.status_code == 400 and "status" in response.json()["errors"]
    response = client.get(API + "applications/", {"district": "a\x00b"})
    assert response.status_code == 400 and "district" in response.json()["errors"]
    assert client.get(API + "applications/M26%00/").status_code == 404


def test_others_are_refused_or_see_nothing(db, city, applications):
    at_center, _elsewhere = applications
    clerk = staff("clerk", OrganizationFactory(code="tax", kind=OrganizationKind.AGENCY), Role.AGENCY_CLERK)
    for address in ("applications/", f"applications/{at_center.number}/", "referrals/", "programs/"):
        response = api(clerk).get(API + address)
        assert response.status_code == 403 and response.json()["code"] == "forbidden", address
        response = api().get(API + address)
        assert response.status_code in (401, 403) and response.json()["code"] == "not_authenticated", address
    other_city = helpers.district("other-city")
    stranger = staff("other.operator", helpers.center(other_city, "center-2"), Role.OPERATOR)
    assert rows(api(stranger).get(API + "applications/")) == {}
    response = api(stranger).get(API + f"applications/{at_center.number}/")
    assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_a_token_opens_the_api_as_its_user(officer, applications):
    _row, token = api_token_create(actor=officer, user=officer, name="district system")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert len(rows(client.get(API + "applications/"))) == 2


# --- referrals and enrolment --------------------------------------------------------------------------------
@pytest.fixture
def referred(monkeypatch, city, officer, applications):
    """The main campaign run: each child offered its first choice (one seat each), every code CODE."""
    monkeypatch.setattr("darcha.preschool.services.campaigns.new_referral_code", lambda: CODE)
    campaign = preschool.campaign_create(actor=officer, district=city, school_year=ages.school_year_for(timezone.now()))
    preschool.campaign_run(actor=officer, campaign=campaign)
    at_center, _elsewhere = applications
    return Placement.objects.get(application=at_center, status=PlacementStatus.OFFERED)


def test_the_director_lists_the_referrals_expected_and_enrols_with_the_code(director, referred):
    client = api(director)
    response = client.get(API + "referrals/")
    assert response.status_code == 200
    (row,) = response.json()["results"]
    assert row["id"] == referred.pk and row["birth_certificate"] == "I-NA1234567" and row["status"] == "offered"
    address = API + f"referrals/{referred.pk}/enrol/"

    response = client.post(address, {"code": "135791"}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "referral_code"
    referred.refresh_from_db()
    assert referred.status == PlacementStatus.OFFERED

    response = client.post(address, {}, format="json")
    assert response.status_code == 400 and "code" in response.json()["errors"]

    response = client.post(address, {"code": CODE}, format="json")
    assert response.status_code == 200 and response.json()["status"] == "enrolled"
    referred.refresh_from_db()
    assert referred.status == PlacementStatus.ENROLLED and referred.enrolled_by == director
    assert client.get(API + "referrals/").json()["results"] == []  # no longer expected
    assert len(client.get(API + "referrals/", {"status": "all"}).json()["results"]) == 1

    response = client.post(address, {"code": CODE}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "referral_used"


def test_an_expired_referral_is_refused(director, referred):
    Placement.objects.filter(pk=referred.pk).update(expires_at=timezone.now() - timezone.timedelta(days=1))
    response = api(director).post(API + f"referrals/{referred.pk}/enrol/", {"code": CODE}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "referral_expired"
    referred.refresh_from_db()
    assert referred.status == PlacementStatus.OFFERED


def test_another_kindergartens_director_cannot_see_or_enrol(second, referred):
    client = api(helpers.director(second, "director.two"))
    assert referred.pk not in [row["id"] for row in client.get(API + "referrals/").json()["results"]]
    response = client.post(API + f"referrals/{referred.pk}/enrol/", {"code": CODE}, format="json")
    assert response.status_code == 404
    referred.refresh_from_db()
    assert referred.status == PlacementStatus.OFFERED


# --- seats --------------------------------------------------------------------------------------------------
def test_seats_per_group(director, groups, referred):
    one, _two = groups
    client = api(director)
    listed = client.get(API + "programs/").json()["results"]
    assert [(row["id"], row["seats"], row["held"], row["free"]) for row in listed] == [(one.pk, 1, 1, 0)]
    address = API + f"programs/{one.pk}/seats/"

    response = client.post(address, {"seats": 5}, format="json")
    assert response.status_code == 200
    assert (response.json()["seats"], response.json()["held"]) == (5, 1)

    response = client.post(address, {"seats": 0}, format="json")
    assert response.status_code == 409 and response.json()["code"] == "seats_below_held"
    response = client.post(address, {"seats": -1}, format="json")
    assert response.status_code == 400 and "seats" in response.json()["errors"]
    assert Program.objects.get(pk=one.pk).seats == 5


def test_the_officer_sets_seats_of_any_kindergarten_of_the_district_and_others_may_not(officer, operator, groups):
    _one, two = groups
    response = api(officer).post(API + f"programs/{two.pk}/seats/", {"seats": 3}, format="json")
    assert response.status_code == 200 and response.json()["seats"] == 3
    # An operator sees applications but runs no kindergarten: no group is theirs.
    assert api(operator).get(API + "programs/").json()["results"] == []
    response = api(operator).post(API + f"programs/{two.pk}/seats/", {"seats": 9}, format="json")
    assert response.status_code == 404
    assert Program.objects.get(pk=two.pk).seats == 3
