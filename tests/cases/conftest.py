"""Cases fixtures: a center with an operator, the two-agency service of the issue's story with a
clerk at each agency and a head at the second, an applicant, and an application. Helpers are in
tests/cases/helpers.py."""

import pytest

from darcha.core.choices import OrganizationKind, Role
from darcha.core.models import Organization
from tests.cases.helpers import staff, submit
from tests.factories import OrganizationFactory, PersonFactory, two_agency_service


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


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
    return PersonFactory(name="Aliyev Vali", pinfl="31203901230017", phone="+998901234567")


@pytest.fixture
def application(service, applicant, center, operator):
    return submit(service, applicant, center, operator)
