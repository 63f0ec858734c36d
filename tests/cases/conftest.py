"""Cases fixtures: a center with an operator, the two-agency service of the issue's story with a
clerk at each agency and a head at the second, an applicant, and an application. Helpers are in
tests/cases/helpers.py; uploads go to the session's MEDIA_ROOT (tests/conftest.py)."""

import pytest

from darcha.core.choices import Role
from darcha.core.models import Organization
from tests import layers
from tests.cases.helpers import BUILDING_PERMIT, aliyev, center_1, center_2, city_leader, staff, submit


@pytest.fixture
def center(db):
    return center_1()


@pytest.fixture
def other_center(db):
    return center_2()


@pytest.fixture
@BUILDING_PERMIT.serves
def service(request, db):
    """The two-agency service of the issue's story: built once per worker (a layer: tests/layers.py),
    a fresh object for each test."""
    return layers.fetch(BUILDING_PERMIT.value(request))


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
def hokim(center):
    """Leadership of the city's hokimiyat; the center is in the city."""
    return city_leader(center)


@pytest.fixture
def applicant(db):
    return aliyev()


@pytest.fixture
def application(service, applicant, center, operator):
    return submit(service, applicant, center, operator)
