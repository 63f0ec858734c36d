"""Under concurrency on PostgreSQL: numbers never repeat, and no two counters get one ticket.

Each thread has its own database connection, as each server worker does.
"""

import secrets
import threading
from collections import Counter as Tally

import pytest
from django.db import connection
from django.utils import timezone

from darcha.core.audit import SYSTEM
from darcha.core.choices import OrganizationKind, Role
from darcha.core.services import membership_grant
from darcha.queues.choices import TicketAction, TicketStatus
from darcha.queues.models import Counter, Ticket, TicketEvent
from darcha.queues.services import operator_sign_in, ticket_call_next, ticket_issue
from tests.factories import OrganizationFactory, ServiceFactory, UserFactory
from tests.queues.helpers import set_hours

THREADS = 8

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks (SKIP LOCKED) need PostgreSQL"),
]


def run_in_threads(work, count=THREADS):
    errors, barrier = [], threading.Barrier(count)

    def runner(index):
        try:
            barrier.wait()
            work(index)
        except Exception as error:  # noqa: BLE001 — reported by the test below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=runner, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    assert not errors, errors[:3]


@pytest.fixture
def center_with_counters():
    center = OrganizationFactory(kind=OrganizationKind.CENTER)
    set_hours(center)  # open: the clock is at 10:00 of a working day (tests/queues/conftest.py)
    service = ServiceFactory()
    counters, operators = [], []
    for number in range(1, THREADS + 1):
        counter = Counter.objects.create(center=center, number=number)
        counter.services.add(service)
        operator = UserFactory()
        membership_grant(actor=SYSTEM, user=operator, organization=center, role=Role.OPERATOR)
        operator_sign_in(actor=operator, counter=counter)
        counters.append(counter)
        operators.append(operator)
    return center, service, counters, operators


def test_eight_threads_issuing_1000_tickets_get_consecutive_numbers(center_with_counters):
    center, service, _, _ = center_with_counters

    def issue(_index):
        for _ in range(1000 // THREADS):
            ticket_issue(actor=SYSTEM, center=center, service=service)

    run_in_threads(issue)
    numbers = sorted(Ticket.objects.filter(center=center).values_list("number", flat=True))
    assert numbers == list(range(1, 1001))


def test_eight_counters_calling_next_over_2000_tickets_call_each_exactly_once(center_with_counters):
    center, service, counters, operators = center_with_counters
    now, day = timezone.now(), timezone.localdate()
    Ticket.objects.bulk_create(
        [
            Ticket(
                center=center,
                day=day,
                prefix="A",
                number=n,
                service=service,
                issued_at=now,
                queued_at=now,
                public_code=secrets.token_urlsafe(9),
            )
            for n in range(1, 2001)
        ]
    )
    called_by = [[] for _ in range(THREADS)]

    def call(index):
        while True:
            ticket = ticket_call_next(actor=operators[index], counter=counters[index])
            if ticket is None:
                return
            called_by[index].append(ticket.pk)
            # The operator is done with this citizen: free the counter for the next call.
            Ticket.objects.filter(pk=ticket.pk).update(status=TicketStatus.DONE)

    run_in_threads(call)
    all_calls = [pk for calls in called_by for pk in calls]
    assert len(all_calls) == 2000 and len(set(all_calls)) == 2000
    events = Tally(TicketEvent.objects.filter(action=TicketAction.CALL).values_list("ticket_id", flat=True))
    assert set(events.values()) == {1} and len(events) == 2000
    assert sum(1 for calls in called_by if calls) > 1  # the work really was shared between counters
