"""What the desk costs, for each role: the same number of queries with N and with 3N rows behind its
panels (applications and tasks, tickets and windows, the agency's services, the city's organizations);
see tests/querycounts.py."""

import datetime as dt
import itertools

import pytest
from django.utils import timezone

from darcha.cases import services as cases
from darcha.cases.choices import TaskStatus
from darcha.cases.models import Task
from darcha.core.choices import OrganizationKind, Role
from darcha.queues.models import Counter
from tests.factories import (
    ApplicationFactory,
    OrganizationFactory,
    PersonFactory,
    ServiceFactory,
    TicketFactory,
    staff,
    two_agency_service,
)
from tests.queues.helpers import set_hours

pytestmark = pytest.mark.django_db


@pytest.fixture
def office():
    """A region and its city with a hokimiyat and a center; the two-agency service; one member of
    staff for every role."""
    region = OrganizationFactory(code="region", kind=OrganizationKind.REGION)
    city = OrganizationFactory(code="city", kind=OrganizationKind.CITY, parent=region)
    hokimiyat = OrganizationFactory(code="city-hokimiyat", kind=OrganizationKind.HOKIMIYAT, parent=city)
    center = OrganizationFactory(code="center", kind=OrganizationKind.CENTER, parent=city)
    service = two_agency_service()
    land = service.versions.get().steps.get(code="land-check").agency
    arch = service.responsible_agency
    users = {
        Role.ADMINISTRATOR: staff("admin", region, Role.ADMINISTRATOR),
        Role.CENTER_MANAGER: staff("manager", center, Role.CENTER_MANAGER),
        Role.OPERATOR: staff("operator", center, Role.OPERATOR),
        Role.AGENCY_CLERK: staff("clerk", land, Role.AGENCY_CLERK),
        Role.AGENCY_HEAD: staff("head", land, Role.AGENCY_HEAD),
        Role.PRESS_SECRETARY: staff("press", hokimiyat, Role.PRESS_SECRETARY),
        Role.LEADERSHIP: staff("leader", hokimiyat, Role.LEADERSHIP),
    }
    return {"city": city, "center": center, "service": service, "land": land, "arch": arch, "users": users}


def test_the_desk_costs_the_same_with_3n_rows(client, query_counts, office, subtests, working_hours):
    users, center, service = office["users"], office["center"], office["service"]
    set_hours(center)  # open: the desk's tickets are taken at 10:00 of a working day
    applicant = PersonFactory()
    numbers = itertools.count(1)

    def grow(n: int) -> None:
        for _ in range(n):
            i = next(numbers)
            when = timezone.now() - dt.timedelta(days=30) if i % 2 else None
            application = ApplicationFactory(
                service=service, applicant=applicant, center=center, operator=users[Role.OPERATOR], now=when
            )
            if i % 3 == 0:
                task = Task.objects.get(application=application, status=TaskStatus.OPEN)
                cases.task_claim(actor=users[Role.AGENCY_CLERK], task=task)
            Counter.objects.create(center=center, number=i).services.add(service)
            TicketFactory(center=center, service=service)
            ServiceFactory.with_parallel_procedure(responsible_agency=office["land"])
            OrganizationFactory(kind=OrganizationKind.AGENCY, parent=office["city"])
        cases.tasks_escalate(now=timezone.now())
        assert Task.objects.filter(status=TaskStatus.OPEN, due_at__lt=timezone.now()).exists()

    for n in (2, 4):  # N, then 3N
        grow(n)
        for role, user in users.items():
            with subtests.test(str(role.value), rows=n):
                client.force_login(user)
                query_counts.check(f"desk.{role}", lambda: client.get("/desk/"))
