"""The receipt of a kindergarten application: one A4 page in the family's language with the number, the
access code, the child masked, the choices in order, the privileges and their check, the queue date,
and a QR code that a phone reads as the family's page link with the code."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone
from pypdf import PdfReader

from darcha.core.choices import OrganizationKind, Role
from darcha.core.links import absolute_url
from darcha.preschool import ages
from darcha.preschool import services as preschool
from darcha.preschool.choices import AgeGroup, Relation
from darcha.preschool.receipts import family_link, receipt_pdf
from tests.factories import OrganizationFactory, PersonFactory, staff
from tests.preschool import helpers
from tests.qrcodes import pdf_qr_codes

pytestmark = pytest.mark.django_db

MM = 72 / 25.4


def pdf_text(content: bytes) -> str:
    return " ".join("\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).split())


@pytest.fixture
def city(db):
    return helpers.district("test-city")


@pytest.fixture
def application(city):
    first, second = helpers.kindergarten(city, 12), helpers.kindergarten(city, 7)
    choices = [helpers.program(second, AgeGroup.G3), helpers.program(first, AgeGroup.G3)]
    day = ages.reference_date(ages.school_year_for(timezone.now()))
    return preschool.application_register(
        actor=preschool.FAMILY,
        child_name="Karimov Alisher",
        birth_date=day.replace(year=day.year - 3) - dt.timedelta(days=31),
        birth_certificate="INA1234567",
        applicant=PersonFactory(name="Karimova Dilnoza"),
        relation=Relation.PARENT,
        district=city,
        choices=choices,
        phone="+998901112233",
        language="uz",
        benefits=[
            preschool.BenefitClaim(benefit=helpers.benefit("large-family"), evidence_reference="Ma'lumotnoma 12/345")
        ],
        channel="online",
    )


def test_the_receipt_carries_what_the_family_needs(application):
    content = receipt_pdf(application)
    reader = PdfReader(io.BytesIO(content))
    assert len(reader.pages) == 1
    box = reader.pages[0].mediabox
    assert round(float(box.width) / MM) == 210 and round(float(box.height) / MM) == 297
    text = pdf_text(content)
    assert application.number in text and application.access_code in text
    assert "K. A." in text and "Karimov Alisher" not in text  # the child masked
    assert "INA…567" in text and "INA1234567" not in text
    assert "Karimova Dilnoza" in text
    assert text.index("7-son MTT") < text.index("12-son MTT")  # the choices in rank order
    assert "Imtiyoz large-family" in text and "Ma'lumotnoma 12/345" in text
    assert timezone.localtime(application.queue_date).strftime("%d.%m.%Y") in text
    assert f"/status {application.number} {application.access_code}" in text


def test_the_qr_code_reads_as_the_family_page_link(application, client):
    [link] = pdf_qr_codes(receipt_pdf(application))
    assert link == family_link(application)
    assert link == absolute_url(f"/preschool/family/{application.number}/?code={application.access_code}")
    # Opened by a phone: the family's page, the code dropped from the address.
    path = link.split("://", 1)[1].split("/", 1)[1]
    opened = client.get(f"/{path}")
    assert opened.status_code == 303
    assert client.get(opened["Location"]).status_code == 200


def test_the_receipt_is_in_the_familys_language(application):
    application.language = "ru"
    application.save(update_fields=["language"])
    text = pdf_text(receipt_pdf(application))
    assert "ДОУ № 7" in text  # the kindergarten's name in Russian
    assert "7-son MTT" not in text


def test_staff_of_the_district_open_the_receipt_others_do_not(client, application, city):
    url = f"/preschool/family/{application.number}/receipt.pdf"
    assert client.get(url).status_code == 303  # a visitor without the code: the tracking form
    center = OrganizationFactory(code="center-x", kind=OrganizationKind.CENTER, parent=city)
    client.force_login(staff("outsider", center, Role.OPERATOR))  # another center's operator
    assert client.get(url).status_code == 404
    client.force_login(helpers.officer(city))
    response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
