"""The partner API: the registry office's system puts a newborn in the queue, idempotently by birth record."""

import datetime as dt

import pytest
from django.test import override_settings
from django.utils import timezone, translation
from django.utils.translation import gettext
from rest_framework.test import APIClient

from darcha.core.choices import OrganizationKind, Role
from darcha.core.services import api_token_create
from darcha.preschool.choices import AgeGroup, Channel, KindergartenKind, TeachingLanguage
from darcha.preschool.models import Child, EnrollmentApplication, Event
from tests.factories import OrganizationFactory, staff
from tests.preschool import helpers

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("partners")]

URL = "/api/v1/preschool/births/"


@pytest.fixture
def partners():
    with override_settings(PRESCHOOL_BIRTH_PARTNERS=["test-fhdyo"]):
        yield


@pytest.fixture
def city():
    place = helpers.district("namangan-test")
    garden = helpers.kindergarten(place, 12)
    no_early = helpers.kindergarten(place, 7)
    return {
        "place": place,
        "garden": garden,
        "early": helpers.program(garden, AgeGroup.EARLY),
        "early_ru": helpers.program(garden, AgeGroup.EARLY, language=TeachingLanguage.RU),
        "g3": helpers.program(garden, AgeGroup.G3),
        "no_early_g3": helpers.program(no_early, AgeGroup.G3),
    }


def client_of(organization, username: str) -> APIClient:
    user = staff(username, organization, Role.AGENCY_CLERK)
    _token, secret = api_token_create(actor=user, user=user, name="births")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}", HTTP_ACCEPT_LANGUAGE="en")  # messages as written
    return client


@pytest.fixture
def registry_office(city):
    office = OrganizationFactory(code="test-fhdyo", kind=OrganizationKind.AGENCY, parent=city["place"])
    return client_of(office, "fhdyo-clerk")


def birth(**changes) -> dict:
    today = timezone.localdate()
    body = {
        "birth_record": "FHDYO-2026-000001",
        "registered_at": (timezone.now() - dt.timedelta(hours=2)).isoformat(),
        "district": "namangan-test",
        "language": "uz",
        "child": {
            "name": "Aliyeva Madina",
            "birth_date": (today - dt.timedelta(days=8)).isoformat(),
            "birth_certificate": "I-NA 1234567",
        },
        "applicant": {"name": "Aliyeva Dilnoza", "pinfl": "41203901230122", "phone": "+998901234567"},
        "kindergartens": [{"kindergarten": "namangan-test-mtt-12"}, {"kindergarten": "namangan-test-mtt-7"}],
    }
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(body.get(key), dict):
            body[key] = {**body[key], **value}
        else:
            body[key] = value
    return body


def unchanged() -> tuple:
    return EnrollmentApplication.objects.count(), Child.objects.count(), Event.objects.count()


def test_a_newborn_joins_the_queue_with_the_kindergartens_of_the_form(city, registry_office):
    response = registry_office.post(URL, birth(), format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    application = EnrollmentApplication.objects.get(number=body["number"])
    assert application.channel == Channel.BIRTH_REGISTRATION
    assert application.birth_record == "FHDYO-2026-000001"
    assert abs(application.queue_date - timezone.now() + dt.timedelta(hours=2)) < dt.timedelta(minutes=1)
    # The early group where there is one; a kindergarten without one takes it at 3.
    assert [(c["kindergarten"], c["age_group"]) for c in body["choices"]] == [
        ("namangan-test-mtt-12", AgeGroup.EARLY),
        ("namangan-test-mtt-7", AgeGroup.G3),
    ]
    assert application.applicant.pinfl == "41203901230122"
    assert "access_code" not in body


def test_the_group_in_the_language_asked_for(city, registry_office):
    body = birth(kindergartens=[{"kindergarten": "namangan-test-mtt-12", "language": "ru"}])
    response = registry_office.post(URL, body, format="json")
    assert response.status_code == 201
    application = EnrollmentApplication.objects.get(number=response.json()["number"])
    assert application.preferences.get().program == city["early_ru"]


def test_a_resend_returns_the_same_application(city, registry_office):
    first = registry_office.post(URL, birth(), format="json")
    before = unchanged()
    again = registry_office.post(URL, birth(kindergartens=[{"kindergarten": "namangan-test-mtt-7"}]), format="json")
    assert again.status_code == 200
    assert again.json() == first.json()
    assert unchanged() == before


def test_only_a_partners_clerk_may_register_births(city):
    tax = OrganizationFactory(code="test-tax", kind=OrganizationKind.AGENCY, parent=city["place"])
    response = client_of(tax, "tax-clerk").post(URL, birth(), format="json")
    assert response.status_code == 403 and response.json()["code"] == "forbidden"
    assert APIClient().post(URL, birth(), format="json").status_code == 401
    assert unchanged() == (0, 0, 0)


def test_bad_fields_are_field_errors_in_the_callers_language(city, registry_office):
    body = birth(
        district="nowhere",
        child={"birth_date": "not a date"},
        kindergartens=[{"kindergarten": "no-such-mtt"}],
    )
    body.pop("birth_record")
    response = registry_office.post(f"{URL}?lang=ru", body, format="json")
    assert response.status_code == 400
    payload = response.json()
    with translation.override("ru"):
        assert payload["detail"] == gettext("The request has invalid parameters.")
    assert {"birth_record", "district", "child"} <= set(payload["errors"])
    assert "birth_date" in payload["errors"]["child"]
    assert unchanged() == (0, 0, 0)


def test_an_unknown_kindergarten_is_named_by_its_place_in_the_list(city, registry_office):
    body = birth(kindergartens=[{"kindergarten": "namangan-test-mtt-12"}, {"kindergarten": "no-such-mtt"}])
    response = registry_office.post(URL, body, format="json")
    assert response.status_code == 400
    errors = response.json()["errors"]["kindergartens"]
    assert errors[0] == {} and errors[1]["kindergarten"] == ["No kindergarten has this code."]
    assert unchanged() == (0, 0, 0)


def test_a_kindergarten_of_another_district_is_refused(city, registry_office):
    elsewhere = helpers.district("yangikurgan-test", kind=OrganizationKind.DISTRICT)
    helpers.program(helpers.kindergarten(elsewhere, 3), AgeGroup.EARLY)
    body = birth(kindergartens=[{"kindergarten": "yangikurgan-test-mtt-3"}])
    response = registry_office.post(URL, body, format="json")
    assert response.status_code == 400
    [message] = response.json()["errors"]["kindergartens"]
    assert message.startswith("3-son MTT is not in namangan-test shahri")
    assert unchanged() == (0, 0, 0)


def test_a_child_too_old_for_any_group_there(city, registry_office):
    helpers.kindergarten(city["place"], 30, kind=KindergartenKind.PRIVATE)  # no groups at all
    body = birth(kindergartens=[{"kindergarten": "namangan-test-mtt-30"}])
    response = registry_office.post(URL, body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"]["kindergartens"][0]["kindergarten"] == [
        "This kindergarten has no group the child can join."
    ]


def test_a_child_already_in_a_queue_is_a_conflict(city, registry_office):
    registry_office.post(URL, birth(), format="json")
    before = unchanged()
    response = registry_office.post(URL, birth(birth_record="FHDYO-2026-000002"), format="json")
    assert response.status_code == 409 and response.json()["code"] == "duplicate_child"
    assert unchanged() == before


def test_a_bad_parent_identifier_is_under_applicant(city, registry_office):
    response = registry_office.post(URL, birth(applicant={"pinfl": "123"}), format="json")
    assert response.status_code == 400
    assert "pinfl" in response.json()["errors"]["applicant"]
    assert unchanged() == (0, 0, 0)


def test_the_endpoint_is_in_the_openapi_schema(client):
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200
    operation = response.json()["paths"][URL]["post"]
    assert set(operation["responses"]) >= {"200", "201", "400", "403", "409"}
