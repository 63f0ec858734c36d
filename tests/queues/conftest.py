"""Small queue fixtures: a center with two counters, categories with their own ticket prefixes,
and an operator working there."""

import pytest

from darcha.core.audit import SYSTEM
from darcha.core.choices import OrganizationKind, Role
from darcha.core.services import membership_grant
from darcha.queues.models import Counter
from tests.factories import CategoryFactory, OrganizationFactory, ServiceFactory, UserFactory


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
def category_a(db):
    return CategoryFactory(code="cat-a", ticket_prefix="A", position=1, name_uz="Kadastr", name_en="Cadastre")


@pytest.fixture
def category_b(db):
    return CategoryFactory(code="cat-b", ticket_prefix="B", position=2, name_uz="Pasport", name_en="Passports")


@pytest.fixture
def service_a(category_a):
    return ServiceFactory(code="svc-a", category=category_a, name_uz="Kadastr pasporti", name_en="Cadastre passport")


@pytest.fixture
def service_a2(category_a):
    return ServiceFactory(code="svc-a2", category=category_a, name_uz="Kadastr koʻchirmasi", name_en="Cadastre extract")


@pytest.fixture
def service_b(category_b):
    return ServiceFactory(code="svc-b", category=category_b, name_uz="Pasport olish", name_en="Getting a passport")


@pytest.fixture
def counter(center, category_a):
    """Window 1 serves the whole category A."""
    counter = Counter.objects.create(center=center, number=1)
    counter.categories.add(category_a)
    return counter


@pytest.fixture
def counter_b(center, service_b):
    """Window 2 serves one service of category B."""
    counter = Counter.objects.create(center=center, number=2)
    counter.services.add(service_b)
    return counter


@pytest.fixture
def operator(center):
    user = UserFactory(username="operator-test", first_name="Shahzoda")
    membership_grant(actor=SYSTEM, user=user, organization=center, role=Role.OPERATOR)
    return user
