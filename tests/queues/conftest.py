"""The queue fixtures: one small center, the same for every queue test.

    window 1 (`counter`)   serves category A: services svc-a, svc-a2
    window 2 (`counter_b`) serves category B: service svc-b
    window 3 (`counter_c`) serves service svc-c only (by service, not by category C)
    nobody serves svc-c2 (category C)

Another center (`other_center`) has a window serving category A (`foreign_counter`). Staff: two
operators and a manager of the center, a clerk of the agency that provides the services, an
operator of the other center. Ask for the pieces a test needs, or for `hall`, all of them at once
(with the short names the console and service tests use; built once per worker, see tests/layers.py).
Helpers are in tests/queues/helpers.py.
"""

from types import SimpleNamespace

import pytest

from darcha.core.choices import OrganizationKind, Role
from darcha.queues.models import Counter
from tests import layers
from tests.factories import CategoryFactory, OrganizationFactory, ServiceFactory, staff


# --- the pieces, built -----------------------------------------------------------------------------
def _center():
    return OrganizationFactory(
        code="test-center",
        kind=OrganizationKind.CENTER,
        name_uz="Sinov markazi",
        name_ru="Тестовый центр",
        name_en="Test center",
    )


def _other_center():
    return OrganizationFactory(code="other-center", kind=OrganizationKind.CENTER, name_uz="Boshqa markaz")


def _agency():
    return OrganizationFactory(code="test-agency", kind=OrganizationKind.AGENCY, name_uz="Sinov idorasi")


def _category(code, prefix, position, name_uz):
    return CategoryFactory(code=code, ticket_prefix=prefix, position=position, name_uz=name_uz)


def _service(code, category, agency, name_uz):
    # Names in Uzbek only: the English pages the tests read show them (the fallback language).
    return ServiceFactory(code=code, category=category, responsible_agency=agency, name_uz=name_uz)


def _counter(center, number, *, categories=(), services=(), label=""):
    counter = Counter.objects.create(center=center, number=number, label=label)
    counter.categories.add(*categories)
    counter.services.add(*services)
    return counter


def _build_hall() -> dict:
    center, other_center, agency = _center(), _other_center(), _agency()
    category_a = _category("cat-a", "A", 1, "Kadastr")
    category_b = _category("cat-b", "B", 2, "Pasport")
    category_c = _category("cat-c", "C", 3, "Boshqa")
    service_c = _service("svc-c", category_c, agency, "Soliq maʼlumotnomasi")
    pieces = {
        "center": center,
        "other_center": other_center,
        "agency": agency,
        "a1": _service("svc-a", category_a, agency, "Kadastr pasporti"),
        "a2": _service("svc-a2", category_a, agency, "Kadastr koʻchirmasi"),
        "b1": _service("svc-b", category_b, agency, "Pasport olish"),
        "c1": service_c,
        "c2": _service("svc-c2", category_c, agency, "Hech kim xizmat qilmaydi"),
        "counter1": _counter(center, 1, categories=[category_a]),
        "counter2": _counter(center, 2, categories=[category_b]),
        "counter3": _counter(center, 3, services=[service_c], label="Soliq oynasi"),
        "foreign_counter": _counter(other_center, 1, categories=[category_a]),
        "operator": staff("op1", center, Role.OPERATOR, first_name="Shahzoda", last_name="Testova"),
        "operator2": staff("op2", center, Role.OPERATOR, first_name="Jasur", last_name="Testova"),
        "manager": staff("mgr", center, Role.CENTER_MANAGER, first_name="Dilnoza", last_name="Testova"),
        "clerk": staff("clerk1", agency, Role.AGENCY_CLERK),
        "stranger": staff("op-other", other_center, Role.OPERATOR),
    }
    return layers.refs(pieces)


# The whole hall is shared rows (tests/layers.py): built once per worker for the tests that ask for it.
HALL = layers.Layer(build=_build_hall)


@pytest.fixture
@HALL.serves
def hall(request, db) -> SimpleNamespace:
    """Everything at once, with the short names the console and service tests use (fresh objects)."""
    return SimpleNamespace(**layers.fetch(HALL.value(request)))


# --- the pieces, one fixture each (the same rows as the hall's) ------------------------------------
@pytest.fixture
def center(db):
    return _center()


@pytest.fixture
def other_center(db):
    return _other_center()


@pytest.fixture
def agency(db):
    return _agency()


@pytest.fixture
def category_a(db):
    return _category("cat-a", "A", 1, "Kadastr")


@pytest.fixture
def category_b(db):
    return _category("cat-b", "B", 2, "Pasport")


@pytest.fixture
def category_c(db):
    return _category("cat-c", "C", 3, "Boshqa")


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
    return _counter(center, 1, categories=[category_a])


@pytest.fixture
def counter_b(center, category_b):
    """Window 2 serves the whole category B."""
    return _counter(center, 2, categories=[category_b])


@pytest.fixture
def counter_c(center, service_c):
    """Window 3 ("Soliq oynasi") serves one service of category C."""
    return _counter(center, 3, services=[service_c], label="Soliq oynasi")


@pytest.fixture
def foreign_counter(other_center, category_a):
    return _counter(other_center, 1, categories=[category_a])


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
