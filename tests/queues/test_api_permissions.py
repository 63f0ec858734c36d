"""Who may use the queue API's staff endpoints: a matrix of roles × every counter endpoint.

The center (under a city whose hokimiyat's leadership oversees it) has its windows 1–3 (conftest.py).
Roles: an anonymous caller, an operator and the manager of the center, an operator of another center,
an agency clerk, the city's leadership and a superuser. Only the center's operators and managers (and
superusers, `core.access`) use its counters, as at the console: the others — leadership too, which sees
figures, not people — get 403 and change nothing.
For each endpoint the state is prepared so that an allowed caller succeeds (signed in at window 1, a
ticket called there and brought to the status the action needs); a refused caller meets the same state,
prepared by the center's own operator. The public endpoints answer everyone alike.
"""

from __future__ import annotations

import pytest
from django.core.cache import cache

from darcha.core.audit import SYSTEM
from darcha.core.choices import OrganizationKind, Role
from darcha.core.models import AuditEntry, Organization, User
from darcha.core.services import membership_grant
from darcha.queues.choices import OperatorState, TicketStatus
from darcha.queues.models import OperatorSession, Ticket
from darcha.queues.services import (
    operator_sign_in,
    ticket_call_next,
    ticket_hold,
    ticket_recall,
    ticket_start,
)
from tests import layers
from tests.factories import OrganizationFactory, UserFactory
from tests.queues.helpers import HALL, issue

pytestmark = pytest.mark.django_db

API = "/api/v1/queue/centers/test-center/counters"
ROLES = ["anonymous", "operator", "manager", "operator_other", "clerk", "leadership", "superuser"]
ALLOWED = {"operator", "manager", "superuser"}


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()  # the kiosk's limits on anonymous tickets


def _build_world():
    """The center under a city whose hokimiyat's leadership oversees it; a leader and a superuser."""
    center = layers.fetch(HALL.built)["center"]
    region = OrganizationFactory(code="region", kind=OrganizationKind.REGION)
    city = OrganizationFactory(code="city", kind=OrganizationKind.CITY, parent=region)
    hokimiyat = OrganizationFactory(code="city-hokimiyat", kind=OrganizationKind.HOKIMIYAT, parent=city)
    Organization.objects.filter(pk=center.pk).update(parent=city)
    center.refresh_from_db()
    center.save()  # its path under the city
    leader = UserFactory(username="hokim")
    membership_grant(actor=SYSTEM, user=leader, organization=hokimiyat, role=Role.LEADERSHIP)
    return layers.refs({"leadership": leader, "superuser": User.objects.create_superuser("root", password="x" * 12)})


# Built once per worker on the hall (tests/layers.py).
WORLD = layers.Layer(build=_build_world, parent=HALL)


@pytest.fixture
@WORLD.serves
def world(request, hall):
    users = {
        "anonymous": None,
        "operator": hall.operator,
        "manager": hall.manager,
        "operator_other": hall.stranger,
        "clerk": hall.clerk,
        **layers.fetch(WORLD.value(request)),
    }
    return hall, users


def _signed_in(hall, actor):
    operator_sign_in(actor=actor, counter=hall.counter1)


def _called(hall, actor) -> Ticket:
    _signed_in(hall, actor)
    issue(hall, hall.a1)
    return ticket_call_next(actor=actor, counter=hall.counter1)


def _serving(hall, actor) -> Ticket:
    return ticket_start(actor=actor, ticket=_called(hall, actor))


def _recalled_twice(hall, actor) -> Ticket:
    ticket = _called(hall, actor)
    return ticket_recall(actor=actor, ticket=ticket_recall(actor=actor, ticket=ticket))


def _held(hall, actor) -> Ticket:
    return ticket_hold(actor=actor, ticket=_serving(hall, actor))


def _waiting(hall, actor) -> Ticket:
    _signed_in(hall, actor)
    return issue(hall, hall.a1)


# endpoint → (method, path after /counters/, the state it needs (made by whom), what it changes)
ENDPOINTS = {
    "list": ("get", "", None, None),
    "retrieve": ("get", "1/", None, None),
    "sign-in": ("post", "1/sign-in/", None, "session"),
    "sign-out": ("post", "1/sign-out/", _signed_in, "session"),
    "state": ("post", "1/state/", _signed_in, "state"),
    "call": ("post", "1/call/", _waiting, "ticket"),
    "recall": ("post", "1/tickets/{ticket}/recall/", _called, "ticket"),
    "start": ("post", "1/tickets/{ticket}/start/", _called, "ticket"),
    "no-show": ("post", "1/tickets/{ticket}/no-show/", _recalled_twice, "ticket"),
    "hold": ("post", "1/tickets/{ticket}/hold/", _serving, "ticket"),
    "resume": ("post", "1/tickets/{ticket}/resume/", _held, "ticket"),
    "finish": ("post", "1/tickets/{ticket}/finish/", _serving, "ticket"),
    "transfer": ("post", "1/tickets/{ticket}/transfer/", _called, "ticket"),
}
BODIES = {"state": {"state": OperatorState.BREAK}, "transfer": {"service": "svc-b"}}


def _snapshot(ticket: Ticket | None):
    sessions = list(OperatorSession.objects.order_by("pk").values_list("pk", "ended_at", "state"))
    tickets = list(Ticket.objects.order_by("pk").values_list("pk", "status", "service", "recalls", "operator"))
    return sessions, tickets


@pytest.mark.parametrize("endpoint", list(ENDPOINTS))
@pytest.mark.parametrize("role", ROLES)
def test_counter_endpoints(client, world, role, endpoint):
    hall, users = world
    user = users[role]
    method, tail, prepare, _changes = ENDPOINTS[endpoint]
    # The state the action needs, made by the caller if it may act, else by the center's operator.
    actor = user if role in ALLOWED else hall.operator
    ticket = prepare(hall, actor) if prepare else None
    if user is not None:
        client.force_login(user)
    before = _snapshot(ticket)
    audited = AuditEntry.objects.count()
    address = f"{API}/{tail.format(ticket=ticket.pk if ticket else 0)}"
    if method == "get":
        response = client.get(address)
    else:
        response = client.post(address, BODIES.get(endpoint, {}), content_type="application/json")

    if role not in ALLOWED:
        assert response.status_code == 403, (role, endpoint, response.content)
        expected = "not_authenticated" if role == "anonymous" else "forbidden"
        assert response.json()["code"] == expected
        assert _snapshot(ticket) == before and AuditEntry.objects.count() == audited
        return
    assert response.status_code == 200, (role, endpoint, response.content)
    if endpoint == "list":
        assert [row["number"] for row in response.json()] == [1, 2, 3]
        return
    state = response.json()
    assert state["number"] == 1
    if endpoint == "retrieve":
        return
    assert _snapshot(ticket) != before  # the action took place, as `user`
    if endpoint == "sign-in":
        assert state["session"]["operator"]["username"] == user.username
    elif endpoint == "sign-out":
        assert state["session"] is None
    elif endpoint == "state":
        assert state["session"]["state"] == OperatorState.BREAK
    else:
        ticket = Ticket.objects.get(pk=ticket.pk) if ticket else Ticket.objects.get()
        expected = {
            "call": TicketStatus.CALLED,
            "recall": TicketStatus.CALLED,
            "start": TicketStatus.SERVING,
            "no-show": TicketStatus.NO_SHOW,
            "hold": TicketStatus.ON_HOLD,
            "resume": TicketStatus.SERVING,
            "finish": TicketStatus.DONE,
            "transfer": TicketStatus.WAITING,
        }[endpoint]
        assert ticket.status == expected
        if endpoint in ("call", "recall", "start", "hold", "resume"):
            assert ticket.operator == user


def test_another_centers_counters_are_refused_to_this_centers_staff(client, world):
    hall, users = world
    for role in ("operator", "manager"):
        client.force_login(users[role])
        response = client.get("/api/v1/queue/centers/other-center/counters/1/")
        assert response.status_code == 403 and response.json()["code"] == "forbidden"
    assert client.get("/api/v1/queue/centers/nowhere/counters/").status_code == 404


# --- the public endpoints answer everyone alike -----------------------------------------------------
@pytest.mark.parametrize("role", ROLES)
def test_public_endpoints_answer_every_caller(client, world, role):
    hall, users = world
    if users[role] is not None:
        client.force_login(users[role])
    ticket = issue(hall, hall.a1, phone="+998901112233")
    for address in (
        "/api/v1/queue/centers/",
        "/api/v1/queue/centers/test-center/",
        f"/api/v1/queue/tickets/{ticket.public_code}/",
    ):
        response = client.get(address)
        assert response.status_code == 200, (role, address)
        assert "901112233" not in response.content.decode(), (role, address)  # nobody reads a visitor's phone
    issued = client.post(
        "/api/v1/queue/centers/test-center/tickets/", {"service": "svc-a"}, content_type="application/json"
    )
    assert issued.status_code == 201, (role, issued.content)
    # The center's staff issue as themselves; anyone else as the kiosk would.
    operator = Ticket.objects.get(public_code=issued.json()["code"]).events.get().operator
    assert operator == (users[role] if role in ALLOWED else None)
