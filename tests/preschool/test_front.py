"""The operator's kindergarten application at the center: a child registered with a privilege (a scan)
and ranked choices; every bad input shown on the form with what was typed and uploaded kept, nothing
written; who may open the pages; the list of programs by kindergarten, filtered by the child's age."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from darcha.cases.models import PendingUpload
from darcha.core.choices import OrganizationKind, Role
from darcha.core.models import Person
from darcha.preschool import ages
from darcha.preschool.choices import AgeGroup, BenefitStatus, Channel, Relation
from darcha.preschool.models import ApplicationBenefit, Child, EnrollmentApplication
from tests.factories import PDF, OrganizationFactory, staff
from tests.preschool import helpers

EN = "/en"
PINFL = "31203901230017"


def text(response) -> str:
    return response.content.decode()


def offered(body: str, rank: int = 1) -> set[int]:
    """The program ids a rank's list offers."""
    start = body.index(f'<select name="choice_{rank}"')
    options = body[start : body.index("</select>", start)]
    return {int(value) for value in re.findall(r'<option value="(\d+)"', options)}


def counts() -> tuple[int, int, int, int]:
    return (
        EnrollmentApplication.objects.count(),
        Child.objects.count(),
        Person.objects.count(),
        ApplicationBenefit.objects.count(),
    )


def born_aged(years: int) -> dt.date:
    """A date of birth that makes the child `years` old on the next reference date (a month past a birthday)."""
    day = ages.reference_date(ages.school_year_for(timezone.now()))
    return day.replace(year=day.year - years) - dt.timedelta(days=31)


@pytest.fixture
def city(db):
    return helpers.district("test-city")


@pytest.fixture
def center(city):
    return OrganizationFactory(code="center-1", kind=OrganizationKind.CENTER, parent=city, name_uz="Markaz 1")


@pytest.fixture
def gardens(city):
    first, second = helpers.kindergarten(city, 1), helpers.kindergarten(city, 2)
    return {
        "g1_3": helpers.program(first, AgeGroup.G3),
        "g1_5": helpers.program(first, AgeGroup.G5),
        "g2_3": helpers.program(second, AgeGroup.G3),
    }


@pytest.fixture
def large_family(db):
    return helpers.benefit("large-family")


@pytest.fixture
def poor_family(db):
    return helpers.benefit("poor-family", center_obtains=True)


@pytest.fixture
def operator(center):
    return staff("operator", center, Role.OPERATOR)


@pytest.fixture
def op(client, operator):
    client.force_login(operator)
    return client


def new_url(center) -> str:
    return f"{EN}/preschool/front/{center.code}/new/"


def scan(name="certificate.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


def form_data(gardens, benefit=None, **changes) -> dict:
    data = {
        "pinfl": PINFL,
        "passport": "",
        "name": "Karimova Dilnoza",
        "phone": "+998 90 123 45 67",
        "language": "uz",
        "relation": Relation.PARENT,
        "child_name": "Karimov Alisher",
        "birth_date": born_aged(3).isoformat(),
        "birth_certificate": "I-NA 1234567",
        "child_pinfl": "",
        "together": "",
        "staff_at": "",
        "choice_1": str(gardens["g2_3"].pk),
        "choice_2": str(gardens["g1_3"].pk),
        "choice_3": "",
    }
    if benefit is not None:
        data[f"benefit_{benefit.pk}"] = "on"
        data[f"reference_{benefit.pk}"] = ""
        data[f"evidence_{benefit.pk}"] = scan()
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


# --- the happy path -----------------------------------------------------------------------------------------
def test_operator_registers_a_child_with_a_privilege_scan_and_ranked_choices(
    op, center, city, gardens, large_family, poor_family
):
    data = form_data(gardens, large_family, **{f"benefit_{poor_family.pk}": "on"})
    response = op.post(new_url(center), data)
    assert response.status_code == 303, text(response)
    application = EnrollmentApplication.objects.get()
    assert response["Location"] == f"{EN}/preschool/front/{center.code}/applications/{application.number}/"
    assert application.channel == Channel.FRONT_OFFICE and application.center == center
    assert application.district == city and application.registered_by.username == "operator"
    assert application.child.birth_certificate == "I-NA1234567".replace(" ", "")
    assert application.applicant.pinfl == PINFL and application.applicant.name == "Karimova Dilnoza"
    assert [p.program for p in application.preferences.order_by("rank")] == [gardens["g2_3"], gardens["g1_3"]]
    scanned = application.benefits.get(benefit=large_family)
    assert scanned.status == BenefitStatus.CLAIMED and scanned.evidence_file and not scanned.obtained_by_center
    with scanned.evidence_file.open("rb") as handle:
        assert handle.read() == PDF
    by_center = application.benefits.get(benefit=poor_family)
    assert by_center.obtained_by_center and not by_center.evidence_file and not by_center.evidence_reference
    assert not PendingUpload.objects.exists()


def test_the_done_page_shows_the_number_access_code_and_the_receipt(op, center, gardens):
    response = op.post(new_url(center), form_data(gardens))
    application = EnrollmentApplication.objects.get()
    page = op.get(response["Location"])
    assert page.status_code == 200
    body = text(page)
    assert application.number in body and application.access_code in body
    assert f"/preschool/family/{application.number}/receipt.pdf" in body
    assert f"?together={application.number}" in body


def test_a_sibling_registered_together_takes_the_first_ones_choices(op, center, gardens):
    op.post(new_url(center), form_data(gardens))
    first = EnrollmentApplication.objects.get()
    page = op.get(new_url(center) + f"?together={first.number}")
    body = text(page)
    assert f'value="{first.number}"' in body and f'value="{PINFL}"' in body
    data = form_data(gardens, child_name="Karimova Aziza", birth_certificate="I-NA 1234568", together=first.number)
    response = op.post(new_url(center), data)
    assert response.status_code == 303, text(response)
    second = EnrollmentApplication.objects.exclude(pk=first.pk).get()
    first.refresh_from_db()
    assert second.together == first.together == first.number


# --- the list of programs -----------------------------------------------------------------------------------
def test_programs_are_grouped_by_kindergarten_and_filtered_by_the_childs_age(op, center, gardens):
    body = text(op.get(new_url(center)))
    assert body.count("<optgroup") == 2 * 3  # two kindergartens in each of the three ranks
    assert offered(body) == offered(body, 3) == {program.pk for program in gardens.values()}
    # htmx redraws the list when the date changes, posting only what the list needs (no files).
    assert 'hx-params="csrfmiddlewaretoken,refresh,birth_date,teaching,choice_1,choice_2,choice_3"' in body
    response = op.post(new_url(center), {"birth_date": born_aged(3).isoformat(), "refresh": "1"})
    assert response.status_code == 200
    body = text(response)
    assert offered(body) == {gardens["g1_3"].pk, gardens["g2_3"].pk}
    response = op.post(new_url(center), {"birth_date": born_aged(3).isoformat(), "refresh": "1", "teaching": "ru"})
    assert offered(text(response)) == set()
    assert "The child was not registered" not in body
    assert not EnrollmentApplication.objects.exists()


def test_a_campaign_open_to_the_region_lists_the_other_districts_groups(op, center, city, gardens):
    from darcha.preschool import services

    other_city = helpers.district("other-city")
    other_city.parent = city.parent
    other_city.save()
    elsewhere = helpers.program(helpers.kindergarten(other_city, 7), AgeGroup.G3)
    assert elsewhere.pk not in offered(text(op.get(new_url(center))))
    school_year = ages.school_year_for(timezone.now())
    services.campaign_create(actor=helpers.officer(city), district=city, school_year=school_year, district_only=False)
    body = text(op.get(new_url(center)))
    assert elsewhere.pk in offered(body) and "other-city shahri" in body


def test_the_applicant_is_found_by_pinfl(op, center, gardens):
    from darcha.core.audit import SYSTEM
    from darcha.core.services import person_register

    person_register(actor=SYSTEM, kind="individual", name="Karimova Dilnoza", pinfl=PINFL, phone="+998901112233")
    response = op.post(new_url(center), {"pinfl": PINFL, "find": "1"})
    assert response.status_code == 200
    body = text(response)
    assert "A registered applicant was found" in body and 'value="Karimova Dilnoza"' in body
    assert not EnrollmentApplication.objects.exists()


# --- bad input ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"birth_date": born_aged(7).isoformat()}, "too old for a kindergarten"),
        ({"choice_1": "g1_5", "choice_2": ""}, "too young for the group"),
        ({"birth_date": born_aged(5).isoformat(), "choice_2": ""}, "too old for the group"),
        ({"choice_1": "", "choice_2": ""}, "Choose at least one kindergarten group."),
        ({"child_name": ""}, "Type the child&#x27;s full name"),
        ({"birth_date": "31.02.2020"}, "Type the date of birth as day, month and year."),
        ({"pinfl": "", "passport": ""}, "An individual is identified by PINFL or passport number."),
        ({"together": "M26-9999999"}, "No application of this city or district has this number."),
    ],
)
def test_bad_input_is_shown_on_the_form_and_nothing_is_written(op, center, gardens, changes, message):
    changes = {key: str(gardens[value].pk) if value in gardens else value for key, value in changes.items()}
    before = counts()
    response = op.post(new_url(center), form_data(gardens, **changes))
    assert response.status_code == 400
    body = text(response)
    assert message in body, body
    assert "The child was not registered in the queue" in body
    assert 'value="Karimova Dilnoza"' in body  # what was typed is kept
    assert counts() == before


def test_a_privilege_without_evidence_is_refused_and_the_other_scans_are_kept(
    op, center, gardens, large_family, poor_family
):
    other = helpers.benefit("single-mother")
    data = form_data(gardens, large_family, **{f"benefit_{other.pk}": "on"})
    before = counts()
    response = op.post(new_url(center), data)
    assert response.status_code == 400
    body = text(response)
    assert "needs its evidence" in body
    assert counts() == before
    kept = PendingUpload.objects.get()
    assert kept.field == f"evidence_{large_family.pk}" and "kept: certificate.pdf" in body
    draft = kept.draft
    assert f'name="draft" value="{draft}"' in body

    # The next try brings the missing reference only: the kept scan goes with the application.
    data = form_data(gardens, **{f"benefit_{large_family.pk}": "on", f"benefit_{other.pk}": "on"})
    data[f"reference_{other.pk}"] = "Ma'lumotnoma No 15"
    data["draft"] = draft
    response = op.post(new_url(center), data)
    assert response.status_code == 303, text(response)
    application = EnrollmentApplication.objects.get()
    scanned = application.benefits.get(benefit=large_family)
    with scanned.evidence_file.open("rb") as handle:
        assert handle.read() == PDF
    assert application.benefits.get(benefit=other).evidence_reference == "Ma'lumotnoma No 15"
    assert not PendingUpload.objects.exists()


def test_a_scan_that_is_not_a_pdf_or_image_is_refused_beside_its_category(op, center, gardens, large_family):
    data = form_data(gardens, large_family)
    data[f"evidence_{large_family.pk}"] = SimpleUploadedFile("virus.pdf", b"MZ\x90\x00" * 20)
    before = counts()
    response = op.post(new_url(center), data)
    assert response.status_code == 400
    body = text(response)
    assert "“virus.pdf” is not a PDF, JPEG, PNG file." in body
    assert f'id="id_evidence_{large_family.pk}-errors"' in body  # beside its category's file field
    assert counts() == before and not PendingUpload.objects.exists()


def test_a_child_already_in_the_queue_is_refused(op, center, gardens):
    assert op.post(new_url(center), form_data(gardens)).status_code == 303
    before = counts()
    response = op.post(new_url(center), form_data(gardens, name="Karimov Jasur"))
    assert response.status_code == 409
    assert "already in a kindergarten queue" in text(response)
    assert counts() == before
    assert Person.objects.get(pinfl=PINFL).name == "Karimova Dilnoza"  # the refused try renamed nobody


# --- who may ------------------------------------------------------------------------------------------------
def test_anonymous_visitors_get_the_login_page(client, center):
    for response in (client.get(new_url(center)), client.post(new_url(center), {})):
        assert response.status_code == 302 and "/login/" in response["Location"]


def test_an_agency_clerk_is_refused(client, center, gardens):
    agency = OrganizationFactory(code="tax", kind=OrganizationKind.AGENCY)
    client.force_login(staff("clerk", agency, Role.AGENCY_CLERK))
    assert client.get(new_url(center)).status_code == 403
    before = counts()
    assert client.post(new_url(center), form_data(gardens)).status_code == 403
    assert counts() == before


def test_an_operator_of_another_citys_center_cannot_choose_this_citys_programs(client, center, gardens):
    other_city = helpers.district("other-city")
    other_center = OrganizationFactory(code="center-2", kind=OrganizationKind.CENTER, parent=other_city)
    helpers.program(helpers.kindergarten(other_city, 7), AgeGroup.G3)
    client.force_login(staff("other.operator", other_center, Role.OPERATOR))
    assert client.get(new_url(center)).status_code == 403  # not their center
    body = text(client.get(new_url(other_center)))
    assert offered(body).isdisjoint(program.pk for program in gardens.values())  # only their city's groups
    before = counts()
    response = client.post(new_url(other_center), form_data(gardens))
    assert response.status_code == 400
    assert "this district&#x27;s queue takes only its own kindergartens" in text(response)
    assert counts() == before


def test_a_center_outside_any_city_has_no_queue(client, db):
    lone = OrganizationFactory(code="lone-center", kind=OrganizationKind.CENTER)
    client.force_login(staff("lone.operator", lone, Role.OPERATOR))
    response = client.get(new_url(lone))
    assert response.status_code == 409 and "not under a city or district" in text(response)


def test_the_desk_links_the_application_and_the_privilege_checks(op, center, city):
    body = text(op.get(f"{EN}/desk/"))
    assert f"/preschool/front/{center.code}/new/" in body
    assert f"/preschool/privileges/{city.code}/" in body


@pytest.mark.parametrize("prefix", ["", "/ru", "/uz-cyrl"])
def test_the_date_input_is_read_in_every_language(op, center, gardens, prefix):
    response = op.post(f"{prefix}/preschool/front/{center.code}/new/", form_data(gardens))
    assert response.status_code == 303
    assert EnrollmentApplication.objects.get().child.birth_date == born_aged(3)
