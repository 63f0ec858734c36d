"""One superuser rule everywhere (core.access): a superuser may act as any role at any organization — at the
operator console, the operator's ticket form, intake, the manager board and the API alike — and a user
without a role is refused at every one of them. (These screens disagreed before core.access.)"""

import pytest
from django.urls import reverse

from darcha.core.choices import OrganizationKind
from darcha.core.models import Organization, User
from darcha.queues.models import Counter, OperatorSession, Ticket
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def center(demo):
    return Organization.objects.filter(kind=OrganizationKind.CENTER, counters__isnull=False).distinct().first()


@pytest.fixture
def superuser(demo):
    user = User.objects.get(username="admin")
    assert user.is_superuser and not user.memberships.filter(organization__kind=OrganizationKind.CENTER).exists()
    return user


def _screens(center):
    counter = Counter.objects.filter(center=center, is_active=True).order_by("number").first()
    return counter, {
        "console": ("get", reverse("queues:console_page", args=[center.code, counter.number])),
        "console sign-in": ("post", reverse("queues:console_sign_in", args=[center.code, counter.number])),
        "operator's ticket form": ("get", reverse("queues:ticket_issue", args=[center.code])),
        "intake": ("get", reverse("cases:front_new", args=[center.code])),
        "front-office list": ("get", reverse("cases:front_list", args=[center.code])),
        "manager board": ("get", reverse("queues:manager_board", args=[center.code])),
        "API applications": ("get", "/api/v1/applications/?center=" + center.code),
        "API tasks": ("get", "/api/v1/tasks/"),
    }


def test_a_superuser_may_act_at_every_screen(client, center, superuser, working_hours):
    client.force_login(superuser)
    counter, screens = _screens(center)
    for name, (method, url) in screens.items():
        response = getattr(client, method)(url)
        assert response.status_code in (200, 303), f"{name}: {response.status_code}"
    assert OperatorSession.objects.filter(counter=counter, operator=superuser, ended_at__isnull=True).exists()
    issued = client.post(
        reverse("queues:ticket_issue", args=[center.code]),
        {"service": _first_served_service(center).code, "priority": "", "language": "uz"},
    )
    assert issued.status_code == 303, issued.content.decode()[:500]
    assert Ticket.objects.filter(center=center).exists()
    registered = client.post("/api/v1/applications/", _application_body(center), content_type="application/json")
    assert registered.status_code == 201, registered.content.decode()[:500]


def test_a_user_without_a_role_is_refused_at_every_screen(client, center):
    client.force_login(UserFactory(username="nobody"))
    _counter, screens = _screens(center)
    for name, (method, url) in screens.items():
        response = getattr(client, method)(url)
        if name.startswith("API"):
            # The API answers a caller without roles with an empty, scoped list.
            assert response.status_code == 200 and response.json()["count"] == 0, name
        else:
            assert response.status_code == 403, f"{name}: {response.status_code}"
    refused = client.post("/api/v1/applications/", _application_body(center), content_type="application/json")
    assert refused.status_code == 403 and refused.json()["code"] == "forbidden"


def _first_served_service(center):
    from darcha.queues.selectors import center_services

    return next(iter(center_services(center)))


def _application_body(center) -> dict:
    from darcha.catalog.choices import VersionStatus
    from darcha.catalog.models import Service
    from tests.factories import _pinfl

    service = Service.objects.filter(is_active=True, versions__status=VersionStatus.PUBLISHED).first()
    return {
        "service": service.code,
        "center": center.code,
        "applicant": {"kind": "individual", "name": "Superuser Test", "pinfl": _pinfl(424242), "language": "uz"},
        "documents": list(service.documents.values_list("pk", flat=True)),
        "fee": {"payment_reference": "P-SUPER-1"},
    }
