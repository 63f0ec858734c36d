"""Cases fixtures: a center with an operator, the two-agency service of the issue's story with a
clerk at each agency and a head at the second, an applicant, and files to upload."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from darcha.cases.services import Fee, Intake, application_submit
from darcha.core.audit import SYSTEM
from darcha.core.choices import OrganizationKind, PersonKind, Role
from darcha.core.models import Organization
from darcha.core.services import membership_grant, person_register
from tests.factories import OrganizationFactory, UserFactory, two_agency_service

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\0" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\0" * 64


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def pdf_file(name="scan.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def real_pdf() -> bytes:
    """A real one-page PDF, as an agency's system would produce."""
    import weasyprint

    return weasyprint.HTML(string="<p>Ruxsatnoma / Разрешение</p>").write_pdf()


def staff(username, organization, role):
    user = UserFactory(username=username, phone="", email=f"{username}@example.org")
    membership_grant(actor=SYSTEM, user=user, organization=organization, role=role)
    return user


@pytest.fixture
def center(db):
    return OrganizationFactory(code="center-1", kind=OrganizationKind.CENTER, name_uz="Markaz 1")


@pytest.fixture
def other_center(db):
    return OrganizationFactory(code="center-2", kind=OrganizationKind.CENTER, name_uz="Markaz 2")


@pytest.fixture
def service(db):
    return two_agency_service(code="building-permit", name_uz="Qurilish ruxsatnomasi", name_en="Building permit")


@pytest.fixture
def operator(center):
    return staff("operator", center, Role.OPERATOR)


@pytest.fixture
def manager(center):
    return staff("manager", center, Role.CENTER_MANAGER)


@pytest.fixture
def land_clerk(service):
    return staff("land.clerk", Organization.objects.get(code="land"), Role.AGENCY_CLERK)


@pytest.fixture
def arch_clerk(service):
    return staff("arch.clerk", Organization.objects.get(code="arch"), Role.AGENCY_CLERK)


@pytest.fixture
def arch_head(service):
    return staff("arch.head", Organization.objects.get(code="arch"), Role.AGENCY_HEAD)


@pytest.fixture
def applicant(db):
    return person_register(
        actor=SYSTEM,
        kind=PersonKind.INDIVIDUAL,
        name="Aliyev Vali",
        pinfl="31203901230017",
        phone="+998901234567",
        language="uz",
    )


def submit(service, applicant, center, operator, **changes):
    documents = list(service.documents.order_by("position"))
    intake = Intake(
        service=service,
        applicant=applicant,
        center=center,
        presented=[documents[0]],
        uploads=[(documents[0], pdf_file()), (documents[1], SimpleUploadedFile("plan.png", PNG))],
        fee=Fee(payment_reference="PAY-1"),
    )
    for key, value in changes.items():
        setattr(intake, key, value)
    return application_submit(actor=operator, intake=intake)


@pytest.fixture
def application(service, applicant, center, operator):
    return submit(service, applicant, center, operator)
