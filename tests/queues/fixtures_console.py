"""A small center for the queue service and console tests: three counters, four services, staff.

    counter 1 serves category A (services a1, a2)
    counter 2 serves category B (service b1)
    counter 3 serves service c1 only (by service, not by category)

Staff: two operators and a manager of the center, a clerk of an agency, an operator of another
center. Writes go through the service functions, as in the application.
"""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from darcha.core.audit import SYSTEM
from darcha.core.choices import OrganizationKind, Role
from darcha.core.services import membership_grant
from darcha.queues.models import Counter
from darcha.queues.services import ticket_issue
from tests.factories import CategoryFactory, OrganizationFactory, ServiceFactory, UserFactory


def noon() -> dt.datetime:
    """Today at 12:00 in Tashkent: a fixed moment that is always "today" for the queue."""
    return timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(12)))


def _staff(username: str, organization, role: str, first_name: str = ""):
    user = UserFactory(username=username, first_name=first_name, last_name="Testova" if first_name else "")
    membership_grant(actor=SYSTEM, user=user, organization=organization, role=role)
    return user


def build_hall() -> SimpleNamespace:
    center = OrganizationFactory(code="test-center", kind=OrganizationKind.CENTER, name_uz="Sinov markazi")
    other_center = OrganizationFactory(code="other-center", kind=OrganizationKind.CENTER, name_uz="Boshqa markaz")
    agency = OrganizationFactory(code="test-agency", kind=OrganizationKind.AGENCY, name_uz="Sinov idorasi")
    cat_a = CategoryFactory(code="cat-a", ticket_prefix="A", position=1, name_uz="Fuqarolik holati")
    cat_b = CategoryFactory(code="cat-b", ticket_prefix="B", position=2, name_uz="Mulk")
    cat_c = CategoryFactory(code="cat-c", ticket_prefix="C", position=3, name_uz="Boshqa")
    a1 = ServiceFactory(code="a1", category=cat_a, responsible_agency=agency, name_uz="Tugʻilishni qayd etish")
    a2 = ServiceFactory(code="a2", category=cat_a, responsible_agency=agency, name_uz="Nikohni qayd etish")
    b1 = ServiceFactory(code="b1", category=cat_b, responsible_agency=agency, name_uz="Kadastr pasporti")
    c1 = ServiceFactory(code="c1", category=cat_c, responsible_agency=agency, name_uz="Soliq maʼlumotnomasi")
    c2 = ServiceFactory(code="c2", category=cat_c, responsible_agency=agency, name_uz="Hech kim xizmat qilmaydi")
    counter1 = Counter.objects.create(center=center, number=1)
    counter1.categories.set([cat_a])
    counter2 = Counter.objects.create(center=center, number=2)
    counter2.categories.set([cat_b])
    counter3 = Counter.objects.create(center=center, number=3, label="Soliq oynasi")
    counter3.services.set([c1])
    foreign_counter = Counter.objects.create(center=other_center, number=1)
    foreign_counter.categories.set([cat_a])
    return SimpleNamespace(
        center=center,
        other_center=other_center,
        agency=agency,
        a1=a1,
        a2=a2,
        b1=b1,
        c1=c1,
        c2=c2,
        counter1=counter1,
        counter2=counter2,
        counter3=counter3,
        foreign_counter=foreign_counter,
        operator=_staff("op1", center, Role.OPERATOR, "Shahzoda"),
        operator2=_staff("op2", center, Role.OPERATOR, "Jasur"),
        manager=_staff("mgr", center, Role.CENTER_MANAGER, "Dilnoza"),
        clerk=_staff("clerk1", agency, Role.AGENCY_CLERK),
        stranger=_staff("op-other", other_center, Role.OPERATOR),
    )


@pytest.fixture
def hall(db) -> SimpleNamespace:
    return build_hall()


def issue(hall, service, *, at: dt.datetime | None = None, priority: str = "", **kwargs):
    """A ticket issued by the kiosk (the system actor) at `at` (default: a minute ago)."""
    if at is None:  # a minute ago, but never yesterday (the queue is per day)
        midnight = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(0)))
        at = max(timezone.now() - dt.timedelta(minutes=1), midnight)
    return ticket_issue(actor=SYSTEM, center=hall.center, service=service, priority=priority, now=at, **kwargs)
