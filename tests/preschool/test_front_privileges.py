"""Privilege checks: the district's officer and its centers' operators see the claims awaiting a decision
with their evidence (the scan only through the permission-checked view), confirm or reject with a note;
others are refused, and a refused decision changes nothing."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from darcha.core.audit import SYSTEM
from darcha.core.choices import OrganizationKind, Role
from darcha.core.services import person_register
from darcha.preschool import services
from darcha.preschool.choices import AgeGroup, BenefitStatus, Relation
from darcha.preschool.models import ApplicationBenefit, Event
from tests.factories import PDF, PNG, OrganizationFactory, staff
from tests.preschool import helpers
from tests.preschool.test_front import EN, born_aged, text


@pytest.fixture
def city(db):
    return helpers.district("test-city")


@pytest.fixture
def center(city):
    return OrganizationFactory(code="center-1", kind=OrganizationKind.CENTER, parent=city)


@pytest.fixture
def garden_program(city):
    return helpers.program(helpers.kindergarten(city, 1), AgeGroup.G3)


@pytest.fixture
def large_family(db):
    return helpers.benefit("large-family")


@pytest.fixture
def poor_family(db):
    return helpers.benefit("poor-family", center_obtains=True)


def register(city, center, program, claims, certificate="I-NA1234567"):
    applicant = person_register(actor=SYSTEM, kind="individual", name="Karimova Dilnoza", pinfl="31203901230017")
    return services.application_register(
        actor=SYSTEM,
        child_name="Karimov Alisher",
        birth_date=born_aged(3),
        birth_certificate=certificate,
        applicant=applicant,
        relation=Relation.PARENT,
        district=city,
        choices=[program],
        benefits=claims,
        center=center,
    )


@pytest.fixture
def application(city, center, garden_program, large_family, poor_family):
    scan = SimpleUploadedFile("certificate.pdf", PDF, content_type="application/pdf")
    return register(
        city,
        center,
        garden_program,
        [
            services.BenefitClaim(benefit=large_family, evidence_file=scan),
            services.BenefitClaim(benefit=poor_family, obtained_by_center=True),
        ],
    )


@pytest.fixture
def scanned(application, large_family):
    return application.benefits.get(benefit=large_family)


def list_url(city) -> str:
    return f"{EN}/preschool/privileges/{city.code}/"


def claim_url(city, claim, tail: str = "") -> str:
    return f"{list_url(city)}{claim.pk}/{tail}"


@pytest.fixture
def operator(center):
    return staff("operator", center, Role.OPERATOR)


@pytest.fixture
def officer(city):
    return helpers.officer(city)


def test_the_list_shows_the_claims_awaiting_a_decision(client, city, operator, application, scanned):
    client.force_login(operator)
    response = client.get(list_url(city))
    assert response.status_code == 200
    body = text(response)
    assert application.number in body and "Karimov Alisher" in body
    assert body.count(f"/preschool/privileges/{city.code}/") >= 2
    assert "the center obtains it" in body and "scan" in body
    assert "/media/" not in body  # the scan has no public address


@pytest.mark.parametrize("who", ["operator", "officer"])
def test_staff_confirm_a_privilege_after_seeing_the_scan(client, request, city, scanned, who):
    user = request.getfixturevalue(who)
    client.force_login(user)
    page = client.get(claim_url(city, scanned))
    assert page.status_code == 200 and claim_url(city, scanned, "evidence/") in text(page)
    scan = client.get(claim_url(city, scanned, "evidence/"))
    assert scan.status_code == 200 and scan["Content-Type"] == "application/pdf"
    assert b"".join(scan.streaming_content) == PDF
    assert scan["X-Content-Type-Options"] == "nosniff" and "sandbox" in scan["Content-Security-Policy"]
    assert "no-store" in scan["Cache-Control"]

    response = client.post(claim_url(city, scanned), {"decision": "confirm", "note": "Ma'lumotnoma ko'rildi"})
    assert response.status_code == 303 and response["Location"] == list_url(city)
    scanned.refresh_from_db()
    assert scanned.status == BenefitStatus.CONFIRMED and scanned.decided_by == user
    assert scanned.note == "Ma'lumotnoma ko'rildi"
    assert Event.objects.filter(application=scanned.application, data__status=BenefitStatus.CONFIRMED).exists()
    assert application_number_not_listed(client, city, scanned)


def application_number_not_listed(client, city, claim) -> bool:
    return f"/{claim.pk}/" not in text(client.get(list_url(city)))


def test_a_rejection_needs_a_note_and_then_is_recorded(client, city, operator, scanned):
    client.force_login(operator)
    response = client.post(claim_url(city, scanned), {"decision": "reject", "note": " "})
    assert response.status_code == 400
    assert "Say why the privilege is rejected" in text(response)
    scanned.refresh_from_db()
    assert scanned.status == BenefitStatus.CLAIMED
    response = client.post(claim_url(city, scanned), {"decision": "reject", "note": "The certificate is expired"})
    assert response.status_code == 303
    scanned.refresh_from_db()
    assert scanned.status == BenefitStatus.REJECTED and scanned.note == "The certificate is expired"


def test_a_decided_privilege_cannot_be_decided_again(client, city, operator, scanned):
    client.force_login(operator)
    assert client.post(claim_url(city, scanned), {"decision": "confirm"}).status_code == 303
    response = client.post(claim_url(city, scanned), {"decision": "reject", "note": "No"})
    assert response.status_code == 409 and "checked already" in text(response)
    scanned.refresh_from_db()
    assert scanned.status == BenefitStatus.CONFIRMED


def test_no_choice_of_decision_is_bad_input(client, city, operator, scanned):
    client.force_login(operator)
    response = client.post(claim_url(city, scanned), {"note": "?"})
    assert response.status_code == 400 and "Choose whether the privilege is confirmed or rejected." in text(response)


def test_an_image_scan_is_shown_on_the_page(client, city, center, garden_program, operator, large_family):
    scan = SimpleUploadedFile("certificate.png", PNG, content_type="image/png")
    application = register(
        city, center, garden_program, [services.BenefitClaim(benefit=large_family, evidence_file=scan)]
    )
    claim = application.benefits.get()
    client.force_login(operator)
    page = text(client.get(claim_url(city, claim)))
    assert f'<img class="ps-scan" src="{claim_url(city, claim, "evidence/")}"' in page
    assert client.get(claim_url(city, claim, "evidence/"))["Content-Type"] == "image/png"


def test_a_claim_without_a_scan_has_no_scan_to_serve(client, city, operator, application, poor_family):
    client.force_login(operator)
    claim = application.benefits.get(benefit=poor_family)
    page = text(client.get(claim_url(city, claim)))
    assert "obtains this evidence from the state register" in page
    assert client.get(claim_url(city, claim, "evidence/")).status_code == 404


# --- who may ------------------------------------------------------------------------------------------------
def test_anonymous_visitors_get_the_login_page(client, city, scanned):
    for address in (list_url(city), claim_url(city, scanned), claim_url(city, scanned, "evidence/")):
        response = client.get(address)
        assert response.status_code == 302 and "/login/" in response["Location"], address
    response = client.post(claim_url(city, scanned), {"decision": "confirm"})
    assert response.status_code == 302
    scanned.refresh_from_db()
    assert scanned.status == BenefitStatus.CLAIMED


@pytest.mark.parametrize("who", ["clerk", "other_operator", "director"])
def test_others_are_refused(client, city, scanned, who):
    if who == "clerk":
        user = staff("clerk", OrganizationFactory(code="tax", kind=OrganizationKind.AGENCY), Role.AGENCY_CLERK)
    elif who == "other_operator":
        other_city = helpers.district("other-city")
        other_center = OrganizationFactory(code="center-2", kind=OrganizationKind.CENTER, parent=other_city)
        user = staff("other.operator", other_center, Role.OPERATOR)
    else:
        user = helpers.director(helpers.kindergarten(city, 9))
    client.force_login(user)
    for address in (list_url(city), claim_url(city, scanned), claim_url(city, scanned, "evidence/")):
        assert client.get(address).status_code == 403, address
    assert client.post(claim_url(city, scanned), {"decision": "confirm"}).status_code == 403
    scanned.refresh_from_db()
    assert scanned.status == BenefitStatus.CLAIMED


def test_a_claim_of_another_district_is_not_found_here(client, city, center, operator, large_family):
    other_city = helpers.district("other-city")
    program = helpers.program(helpers.kindergarten(other_city, 3), AgeGroup.G3)
    claims = [services.BenefitClaim(benefit=large_family, evidence_reference="No 5")]
    other = register(other_city, None, program, claims, "I-NA7654321")
    claim = other.benefits.get()
    client.force_login(operator)
    assert client.get(claim_url(city, claim)).status_code == 404
    assert client.get(claim_url(city, claim, "evidence/")).status_code == 404
    assert client.post(claim_url(city, claim), {"decision": "confirm"}).status_code == 404
    assert ApplicationBenefit.objects.get(pk=claim.pk).status == BenefitStatus.CLAIMED


def test_the_list_filters_by_category_and_pages(client, city, operator, application, monkeypatch):
    client.force_login(operator)
    body = text(client.get(list_url(city), {"category": "poor-family"}))
    table = body[body.index("<table") :]
    assert "Imtiyoz poor-family" in table and "Imtiyoz large-family" not in table
    assert table.count(">Check</a>") == 1 and "1 privilege awaits a decision" in body
    assert text(client.get(list_url(city))).count(">Check</a>") == 2
    monkeypatch.setattr("darcha.preschool.views.front.PAGE_SIZE", 1)
    first, second = (text(client.get(list_url(city), {"page": n})) for n in (1, 2))
    assert first.count(">Check</a>") == second.count(">Check</a>") == 1
    assert "Page 2 of 2" in second and 'rel="prev"' in second
