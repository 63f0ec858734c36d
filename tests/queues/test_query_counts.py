"""What the queue's lists cost: the same number of queries with N and with 3N rows (tests/querycounts.py).

The console's page and panel are measured in test_console.py, the manager's board and the statistics
(page and CSV) in test_stats.py; here the kiosk, the list of centers, the display board's snapshot
and the appointments' slot list.
"""

import datetime as dt
import itertools

import pytest
from django.utils import timezone

from darcha.core.audit import SYSTEM
from darcha.core.choices import OrganizationKind
from darcha.notify.models import Message
from darcha.notify.selectors import message_values
from darcha.notify.services import otp_send
from darcha.queues import slots
from darcha.queues.appointments import OTP_PURPOSE, appointment_book
from darcha.queues.choices import Priority
from darcha.queues.models import Counter, SlotRule
from darcha.queues.services import operator_sign_in, ticket_call_next, ticket_finish, ticket_start
from darcha.queues.views import board
from tests.factories import OrganizationFactory, ServiceFactory
from tests.queues.helpers import issue, set_hours

pytestmark = pytest.mark.django_db

KIOSK = "/queue/test-center/kiosk/"


def test_the_kiosk_lists_cost_the_same_with_3n_services(client, query_counts, counter, category_a, subtests):
    def grow(n: int) -> None:
        for _ in range(n):  # a service more in category A, and a category more with a service of its own
            ServiceFactory(category=category_a)
            counter.categories.add(ServiceFactory().category)

    for n in (2, 4):  # N, then 3N
        grow(n)
        for name, address in {"kiosk.start": KIOSK, "kiosk.services": f"{KIOSK}category/cat-a/"}.items():
            with subtests.test(name, rows=n):
                query_counts.check(name, lambda address=address: client.get(address))


def test_the_list_of_centers_costs_the_same_with_3n_centers(client, query_counts):
    numbers = itertools.count(1)

    def grow(n: int) -> None:
        for _ in range(n):  # a center open every day, taking bookings, with a window
            center = OrganizationFactory(code=f"center-{next(numbers)}", kind=OrganizationKind.CENTER)
            set_hours(center, {weekday: (dt.time(9), dt.time(18)) for weekday in range(7)})
            SlotRule.objects.create(center=center, slot_minutes=15, capacity=1, days_ahead=14)
            Counter.objects.create(center=center, number=1).categories.add(ServiceFactory().category)

    grow(2)
    query_counts.check("centers", lambda: client.get("/queue/"))
    grow(4)
    query_counts.check("centers", lambda: client.get("/queue/"))


def test_the_board_costs_the_same_with_3n_tickets(client, query_counts, hall, subtests):
    """Tickets of every service waiting, some with a priority; every window calling."""
    for counter, operator in ((hall.counter1, hall.operator), (hall.counter2, hall.operator2)):
        operator_sign_in(actor=operator, counter=counter)

    called = {}

    def grow(n: int) -> None:
        for i in range(n):
            for service in (hall.a1, hall.a2, hall.b1, hall.c1):
                issue(hall, service, priority=Priority.ELDERLY if i % 3 == 0 else "")
        for counter, operator in ((hall.counter1, hall.operator), (hall.counter2, hall.operator2)):
            if called.get(counter.pk):  # the one called before is served, the next one called
                ticket_finish(actor=operator, ticket=ticket_start(actor=operator, ticket=called[counter.pk]))
            called[counter.pk] = ticket_call_next(actor=operator, counter=counter)

    for n in (3, 6):  # N, then 3N
        grow(n)
        for name, work in {
            "board.snapshot": lambda: board._snapshot(hall.center, "latn"),
            "board.snapshot_cyrillic": lambda: board._snapshot(hall.center, "cyrl"),
            "board.page": lambda: client.get("/queue/test-center/board/"),
        }.items():
            with subtests.test(name, rows=n):
                query_counts.check(name, work)


def test_the_slot_list_costs_the_same_with_3n_appointments(client, query_counts, center, service_a, counter):
    set_hours(center, {weekday: (dt.time(9), dt.time(18)) for weekday in range(7)})
    SlotRule.objects.create(center=center, slot_minutes=15, capacity=1, days_ahead=30)
    day = timezone.localdate() + dt.timedelta(days=7)
    times = (slots.local(day, dt.time(9)) + dt.timedelta(minutes=15 * i) for i in itertools.count())
    phones = (f"+9989012{n:05d}" for n in itertools.count())

    def grow(n: int) -> None:
        for _ in range(n):  # a booking more on that day, each from a phone of its own
            phone = next(phones)
            otp_send(actor=SYSTEM, phone=phone, purpose=OTP_PURPOSE)
            code = message_values(Message.objects.filter(template="otp", address=phone).latest("id"))["code"]
            appointment_book(
                actor=SYSTEM, center=center, service=service_a, start=next(times), phone=phone, otp_code=code
            )

    address = f"/queue/test-center/book/when/?service={service_a.code}&day={day.isoformat()}"
    grow(2)
    query_counts.check("appointments.slots", lambda: client.get(address, headers={"HX-Request": "true"}))
    grow(4)
    query_counts.check("appointments.slots", lambda: client.get(address, headers={"HX-Request": "true"}))


def test_a_tickets_live_status_costs_the_same_with_5_and_50_waiting(client, query_counts, hall, subtests):
    """The live page and the fragment it polls: a lookup and one aggregate, however many wait ahead
    (counted in the waiting tickets' index, not read row by row). The ticket polled is the last one
    of its queue; priority tickets and another queue's tickets wait beside it."""
    operator_sign_in(actor=hall.operator, counter=hall.counter1)
    issue(hall, hall.a1)
    served = ticket_call_next(actor=hall.operator, counter=hall.counter1)
    ticket_finish(actor=hall.operator, ticket=ticket_start(actor=hall.operator, ticket=served))  # a service time
    waiting_ahead = 0

    def grow(n: int) -> None:
        nonlocal waiting_ahead
        for i in range(n):
            # svc-a and svc-a2 share window 1's queue; svc-b is window 2's and never ahead
            issue(hall, hall.a1 if i % 2 else hall.a2, priority=Priority.ELDERLY if i % 5 == 0 else "")
            issue(hall, hall.b1)
            waiting_ahead += 1

    for n in (5, 45):  # 5, then 50 waiting in the ticket's queue
        grow(n)
        ticket = issue(hall, hall.a1)
        with subtests.test("ticket.status", waiting=waiting_ahead):
            response = query_counts.check(
                "ticket.status", lambda ticket=ticket: client.get(f"/queue/ticket/{ticket.public_code}/status/")
            )
            assert f"<dd data-ahead>{waiting_ahead}</dd>" in response.content.decode()
        with subtests.test("ticket.live", waiting=waiting_ahead):
            query_counts.check("ticket.live", lambda ticket=ticket: client.get(f"/queue/ticket/{ticket.public_code}/"))
        waiting_ahead += 1  # the one polled stays in the queue
