"""The queue fixtures: one small center, the same for every queue test.

    window 1 (`counter`)   serves category A: services svc-a, svc-a2
    window 2 (`counter_b`) serves category B: service svc-b
    window 3 (`counter_c`) serves service svc-c only (by service, not by category C)
    nobody serves svc-c2 (category C)

Another center (`other_center`) has a window serving category A (`foreign_counter`). Staff: two
operators and a manager of the center, a clerk of the agency that provides the services, an
operator of the other center. Ask for the pieces a test needs, or for `hall`, all of them at once
(with the short names the console and service tests use). Helpers are in tests/queues/helpers.py.
"""

from types import SimpleNamespace

import pytest

from darcha.core.choices import OrganizationKind, Role
from darcha.queues.models import Counter
from tests.factories import CategoryFactory, OrganizationFactory, ServiceFactory, staff


@pytest.fixture
def center(db):
    return OrganizationFactory(
        code="test-center",
        kind=OrganizationKind.CENTER,
        name_uz="Sinov markazi",
        name_ru="Тестовый центр",
        name_en="Test center",
    )


@pytest.fixture
def other_center(db):
    return OrganizationFactory(code="other-center", kind=OrganizationKind.CENTER, name_uz="Boshqa markaz")


@pytest.fixture
def agency(db):
    return OrganizationFactory(code="test-agency", kind=OrganizationKind.AGENCY, name_uz="Sinov idorasi")


@pytest.fixture
def category_a(db):
    return CategoryFactory(code="cat-a", ticket_prefix="A", position=1, name_uz="Kadastr")


@pytest.fixture
def category_b(db):
    return CategoryFactory(code="cat-b", ticket_prefix="B", position=2, name_uz="Pasport")


@pytest.fixture
def category_c(db):
    return CategoryFactory(code="cat-c", ticket_prefix="C", position=3, name_uz="Boshqa")


def _service(code, category, agency, name_uz):
    # Names in Uzbek only: the English pages the tests read show them (the fallback language).
    return ServiceFactory(code=code, category=category, responsible_agency=agency, name_uz=name_uz)


@pytest.fixture
def service_a(category_a, agency):
    return _service("svc-a", category_a, agency, "Kadastr pasporti")


@pytest.fixture
def service_a2(category_a, agency):
    return _service("svc-a2", category_a, agency, "Kadastr koʻchirmasi")


@pytest.fixture
def service_b(category_b, agency):
    return _service("svc-b", category_b, agency, "Pasport olish")


@pytest.fixture
def service_c(category_c, agency):
    return _service("svc-c", category_c, agency, "Soliq maʼlumotnomasi")


@pytest.fixture
def service_c2(category_c, agency):
    return _service("svc-c2", category_c, agency, "Hech kim xizmat qilmaydi")


@pytest.fixture
def counter(center, category_a):
    """Window 1 serves the whole category A."""
    counter = Counter.objects.create(center=center, number=1)
    counter.categories.add(category_a)
    return counter


@pytest.fixture
def counter_b(center, category_b):
    """Window 2 serves the whole category B."""
    counter = Counter.objects.create(center=center, number=2)
    counter.categories.add(category_b)
    return counter


@pytest.fixture
def counter_c(center, service_c):
    """Window 3 ("Soliq oynasi") serves one service of category C."""
    counter = Counter.objects.create(center=center, number=3, label="Soliq oynasi")
    counter.services.add(service_c)
    return counter


@pytest.fixture
def foreign_counter(other_center, category_a):
    counter = Counter.objects.create(center=other_center, number=1)
    counter.categories.add(category_a)
    return counter


@pytest.fixture
def operator(center):
    return staff("op1", center, Role.OPERATOR, first_name="Shahzoda", last_name="Testova")


@pytest.fixture
def operator2(center):
    return staff("op2", center, Role.OPERATOR, first_name="Jasur", last_name="Testova")


@pytest.fixture
def manager(center):
    return staff("mgr", center, Role.CENTER_MANAGER, first_name="Dilnoza", last_name="Testova")


@pytest.fixture
def clerk(agency):
    return staff("clerk1", agency, Role.AGENCY_CLERK)


@pytest.fixture
def stranger(other_center):
    return staff("op-other", other_center, Role.OPERATOR)


@pytest.fixture
def hall(
    center,
    other_center,
    agency,
    service_a,
    service_a2,
    service_b,
    service_c,
    service_c2,
    counter,
    counter_b,
    counter_c,
    foreign_counter,
    operator,
    operator2,
    manager,
    clerk,
    stranger,
) -> SimpleNamespace:
    return SimpleNamespace(
        center=center,
        other_center=other_center,
        agency=agency,
        a1=service_a,
        a2=service_a2,
        b1=service_b,
        c1=service_c,
        c2=service_c2,
        counter1=counter,
        counter2=counter_b,
        counter3=counter_c,
        foreign_counter=foreign_counter,
        operator=operator,
        operator2=operator2,
        manager=manager,
        clerk=clerk,
        stranger=stranger,
    )
