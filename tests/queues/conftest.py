"""The queue fixtures: one small center, the same for every queue test.

    window 1 (`counter`)   serves category A: services svc-a, svc-a2
    window 2 (`counter_b`) serves category B: service svc-b
    window 3 (`counter_c`) serves service svc-c only (by service, not by category C)
    nobody serves svc-c2 (category C)

Another center (`other_center`) has a window serving category A (`foreign_counter`). Staff: two
operators and a manager of the center, a clerk of the agency that provides the services, an
operator of the other center. Ask for the pieces a test needs, or for `hall`, all of them at once
(with the short names the console and service tests use; built once per worker, see tests/layers.py).
Helpers are in tests/queues/helpers.py. The centers keep the demo's week (Monday–Friday 09:00–18:00,
Saturday until 15:00) and the clock is at 10:00 of a working weekday (`_open_hours`).
"""

from types import SimpleNamespace

import pytest

from tests import layers
from tests.queues.helpers import (
    HALL,
    make_agency,
    make_category,
    make_center,
    make_counter,
    make_other_center,
    make_service,
    make_staff,
)


@pytest.fixture(autouse=True)
def _open_hours(working_hours):
    """Every queue test runs at 10:00 of a working weekday (tests/conftest.py: `working_hours`); a test of
    other times passes `now` to the service, or sets the clock itself."""
    return working_hours


@pytest.fixture
@HALL.serves
def hall(request, db) -> SimpleNamespace:
    """Everything at once, with the short names the console and service tests use (fresh objects)."""
    return SimpleNamespace(**layers.fetch(HALL.value(request)))


# --- the pieces, one fixture each (the same rows as the hall's) ------------------------------------
@pytest.fixture
def center(db):
    return make_center()


@pytest.fixture
def other_center(db):
    return make_other_center()


@pytest.fixture
def agency(db):
    return make_agency()


@pytest.fixture
def category_a(db):
    return make_category("a")


@pytest.fixture
def category_b(db):
    return make_category("b")


@pytest.fixture
def category_c(db):
    return make_category("c")


@pytest.fixture
def service_a(category_a, agency):
    return make_service("service_a", category_a, agency)


@pytest.fixture
def service_a2(category_a, agency):
    return make_service("service_a2", category_a, agency)


@pytest.fixture
def service_b(category_b, agency):
    return make_service("service_b", category_b, agency)


@pytest.fixture
def service_c(category_c, agency):
    return make_service("service_c", category_c, agency)


@pytest.fixture
def service_c2(category_c, agency):
    return make_service("service_c2", category_c, agency)


@pytest.fixture
def counter(center, category_a):
    """Window 1 serves the whole category A."""
    return make_counter(center, 1, categories=[category_a])


@pytest.fixture
def counter_b(center, category_b):
    """Window 2 serves the whole category B."""
    return make_counter(center, 2, categories=[category_b])


@pytest.fixture
def counter_c(center, service_c):
    """Window 3 ("Soliq oynasi") serves one service of category C."""
    return make_counter(center, 3, services=[service_c], label="Soliq oynasi")


@pytest.fixture
def foreign_counter(other_center, category_a):
    return make_counter(other_center, 1, categories=[category_a])


@pytest.fixture
def operator(center):
    return make_staff("operator", center)


@pytest.fixture
def operator2(center):
    return make_staff("operator2", center)


@pytest.fixture
def manager(center):
    return make_staff("manager", center)


@pytest.fixture
def clerk(agency):
    return make_staff("clerk", agency)


@pytest.fixture
def stranger(other_center):
    return make_staff("stranger", other_center)
