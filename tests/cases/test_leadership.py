"""What leadership sees of applications: figures and masked applicants, the same on its desk and through
the API (`selectors.with_sight`, `applicant_shown`, `application_figures`).

The hokim leads the city center 1 is in. Two applications are taken at center 1, one at center 2
(outside the city); the land agency's task of one of center 1's is overdue.
"""

import datetime as dt

import pytest
from django.utils import timezone

from darcha.cases import selectors
from darcha.cases.models import Task
from darcha.core.choices import PersonKind, Role
from darcha.core.identifiers import mask_name
from darcha.core.models import Organization
from tests.cases.helpers import APPLICANT_SECRETS, staff, submit
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def story(service, applicant, center, other_center, operator, hokim):
    late = submit(service, applicant, center, operator)
    Task.objects.filter(application=late).update(due_at=timezone.now() - dt.timedelta(days=11))
    submit(service, applicant, center, operator)
    submit(service, applicant, other_center, staff("operator2", other_center, Role.OPERATOR))
    return late


def test_the_desk_shows_leadership_the_citys_figures_and_no_applicant(client, hokim, story):
    client.force_login(hokim)
    body = client.get("/en/desk/").content.decode()
    assert "Applications: Shahar" in body
    # Two applications in the city, both in progress, one of them overdue; center 2's is not counted.
    figures = selectors.application_figures(hokim)
    assert figures == {
        "total": 2,
        "overdue": 1,
        "by_status": {"in_progress": 2, "waiting_citizen": 0, "ready": 0, "closed": 0},
    }
    assert '<span class="stat__value">2</span> <span class="stat__label">In progress</span>' in body
    assert '<span class="stat__value">1</span> <span class="stat__label">Overdue</span>' in body
    assert not [secret for secret in APPLICANT_SECRETS if secret in body]


def test_the_api_gives_leadership_the_same_figures_as_its_desk(client, hokim, story):
    client.force_login(hokim)
    assert client.get("/api/v1/applications/figures/").json() == selectors.application_figures(hokim)


def test_leadership_opens_no_document_of_an_application_it_sees(client, hokim, story, operator):
    document = story.documents.exclude(file="").first()
    assert selectors.application_detail(hokim, story.number) is not None  # it sees the application, masked
    assert selectors.document_for(hokim, story.number, document.pk) is None
    assert selectors.document_for(operator, story.number, document.pk) == document
    client.force_login(hokim)
    assert client.get(f"/en/applications/{story.number}/documents/{document.pk}/").status_code == 404


def test_one_rule_shows_the_applicant_per_sight(applicant):
    full = selectors.applicant_shown(applicant, selectors.SIGHT_FULL)
    named = selectors.applicant_shown(applicant, selectors.SIGHT_NAMED)
    masked = selectors.applicant_shown(applicant, selectors.SIGHT_MASKED)
    unknown = selectors.applicant_shown(applicant, None)
    assert (full.name, full.identifier, full.phone) == ("Aliyev Vali", "31203901230017", "+998901234567")
    assert (named.name, named.identifier, named.phone) == ("Aliyev Vali", "3120…0017", "+998…4567")
    assert (masked.name, masked.identifier, masked.phone) == ("A. V.", "3120…0017", "")
    assert unknown == masked  # a read that did not ask for the sight shows the applicant masked


def test_a_legal_entitys_name_is_shown_to_leadership():
    company = PersonFactory(kind=PersonKind.LEGAL_ENTITY, name="Bogʻbon MChJ", pinfl=None, stir="301234567")
    shown = selectors.applicant_shown(company, selectors.SIGHT_MASKED)
    assert (shown.name, shown.identifier) == ("Bogʻbon MChJ", "30…67")


def test_initials():
    assert mask_name("Aliyev Vali Karimovich") == "A. V. K."
    assert mask_name("Иванов  Иван") == "И. И."
    assert mask_name("  ") == "" and mask_name("") == ""


def test_an_administrator_of_the_city_sees_the_name_with_identifiers_masked(client, hokim, story):
    city = Organization.objects.get(code="city")
    admin = staff("city.admin", city, Role.ADMINISTRATOR)
    client.force_login(admin)
    applicants = [item["applicant"] for item in client.get("/api/v1/applications/").json()["results"]]
    assert (
        applicants
        == [{"kind": "individual", "name": "Aliyev Vali", "identifier": "3120…0017", "phone": "+998…4567"}] * 2
    )
