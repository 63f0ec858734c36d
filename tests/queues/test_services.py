"""The queue's service layer: operators at counters and every console action, allowed and refused."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction

from darcha.core.audit import audit_verify
from darcha.core.errors import Refused
from darcha.core.models import AuditEntry
from darcha.queues import events
from darcha.queues.choices import OperatorState, Priority, TicketAction, TicketStatus
from darcha.queues.models import OperatorSession, OperatorStateSpan, QueueSettings, Ticket, TicketEvent
from darcha.queues.services import (
    operator_set_state,
    operator_sign_in,
    operator_sign_out,
    ticket_call_next,
    ticket_finish,
    ticket_hold,
    ticket_no_show,
    ticket_recall,
    ticket_resume,
    ticket_start,
    ticket_transfer,
)
from tests.queues.helpers import issue, noon

MIN = dt.timedelta(minutes=1)


def at(minutes: int) -> dt.datetime:
    """Today, `minutes` after noon (negative: before)."""
    return noon() + minutes * MIN


def signed_in(hall, counter=None, operator=None):
    return operator_sign_in(actor=operator or hall.operator, counter=counter or hall.counter1, now=at(-60))


def called(hall, service=None, *, counter=None, operator=None, minutes=0):
    """A ticket issued ten minutes before and called now by the operator at counter 1 (or given)."""
    counter, operator = counter or hall.counter1, operator or hall.operator
    if not OperatorSession.objects.filter(counter=counter, operator=operator, ended_at__isnull=True).exists():
        signed_in(hall, counter, operator)
    ticket = issue(hall, service or hall.a1, at=at(minutes - 10))
    assert ticket_call_next(actor=operator, counter=counter, now=at(minutes)) == ticket
    return ticket


def serving(hall, service=None, **kwargs):
    ticket = called(hall, service, **kwargs)
    return ticket_start(actor=kwargs.get("operator") or hall.operator, ticket=ticket, now=at(1))


def refreshed(ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


# --- call next ------------------------------------------------------------------------------


def test_call_next_takes_priority_first_then_the_issue_time(hall):
    signed_in(hall)
    late_general = issue(hall, hall.a2, at=at(-5))
    early_general = issue(hall, hall.a1, at=at(-30))
    priority = issue(hall, hall.a1, at=at(-1), priority=Priority.DISABILITY)
    booked = issue(hall, hall.a2, at=at(-2), queued_at=at(-3), rank=2)
    order = []
    for minute in range(5):
        ticket = ticket_call_next(actor=hall.operator, counter=hall.counter1, now=at(minute))
        if ticket is None:
            break
        order.append(ticket)
        ticket_start(actor=hall.operator, ticket=ticket, now=at(minute))
        ticket_finish(actor=hall.operator, ticket=ticket, now=at(minute))
    assert order == [booked, priority, early_general, late_general]


def test_call_next_calls_only_what_the_counter_serves(hall):
    a = issue(hall, hall.a1, at=at(-30))
    b = issue(hall, hall.b1, at=at(-40))
    c = issue(hall, hall.c1, at=at(-50))
    signed_in(hall, hall.counter1)
    signed_in(hall, hall.counter2, hall.operator2)
    operator_sign_in(actor=hall.manager, counter=hall.counter3, now=at(-60))
    assert ticket_call_next(actor=hall.operator, counter=hall.counter1, now=noon()) == a
    assert ticket_call_next(actor=hall.operator2, counter=hall.counter2, now=noon()) == b
    assert ticket_call_next(actor=hall.manager, counter=hall.counter3, now=noon()) == c  # by service, not category


def test_call_next_marks_the_ticket_called_at_the_counter(hall):
    ticket = called(hall)
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.CALLED
    assert (ticket.counter, ticket.operator) == (hall.counter1, hall.operator)
    assert ticket.called_at == ticket.last_called_at == noon()
    assert TicketEvent.objects.filter(ticket=ticket, action=TicketAction.CALL, counter=hall.counter1).exists()


def test_call_next_with_nobody_waiting_returns_none(hall):
    signed_in(hall)
    issue(hall, hall.b1, at=at(-5))  # another counter's
    issue(hall, hall.a1, at=at(5))  # booked for later: not yet
    assert ticket_call_next(actor=hall.operator, counter=hall.counter1, now=noon()) is None


def test_call_next_skips_yesterdays_tickets(hall):
    signed_in(hall)
    issue(hall, hall.a1, at=at(-24 * 60))
    assert ticket_call_next(actor=hall.operator, counter=hall.counter1, now=noon()) is None


def test_two_counters_serving_the_same_service_never_get_the_same_ticket(hall):
    hall.counter3.categories.add(hall.a1.category)
    first, second = issue(hall, hall.a1, at=at(-20)), issue(hall, hall.a1, at=at(-10))
    signed_in(hall, hall.counter1)
    signed_in(hall, hall.counter3, hall.operator2)
    got = {
        ticket_call_next(actor=hall.operator, counter=hall.counter1, now=noon()),
        ticket_call_next(actor=hall.operator2, counter=hall.counter3, now=noon()),
    }
    assert got == {first, second}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
@pytest.mark.django_db(transaction=True)
def test_call_next_skips_a_ticket_locked_by_another_counter(hall):
    first, second = issue(hall, hall.a1, at=at(-20)), issue(hall, hall.a1, at=at(-10))
    signed_in(hall)
    locked, release = threading.Event(), threading.Event()

    def other_counter_holds_the_first():
        try:
            with transaction.atomic():
                Ticket.objects.select_for_update().get(pk=first.pk)
                locked.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=other_counter_holds_the_first)
    thread.start()
    try:
        assert locked.wait(10)
        assert ticket_call_next(actor=hall.operator, counter=hall.counter1, now=noon()) == second
    finally:
        release.set()
        thread.join()


def test_call_next_refused_without_a_session_on_a_break_or_while_busy(hall):
    issue(hall, hall.a1, at=at(-20))
    issue(hall, hall.a1, at=at(-10))
    with pytest.raises(Refused) as error:
        ticket_call_next(actor=hall.operator, counter=hall.counter1, now=noon())
    assert error.value.code == "not_signed_in"
    session = signed_in(hall)
    operator_set_state(actor=hall.operator, session=session, state=OperatorState.BREAK, now=at(-1))
    with pytest.raises(Refused) as error:
        ticket_call_next(actor=hall.operator, counter=hall.counter1, now=noon())
    assert error.value.code == "not_serving"
    operator_set_state(actor=hall.operator, session=session, state=OperatorState.SERVING, now=noon())
    ticket_call_next(actor=hall.operator, counter=hall.counter1, now=noon())
    with pytest.raises(Refused) as error:
        ticket_call_next(actor=hall.operator, counter=hall.counter1, now=at(1))
    assert error.value.code == "busy"


def test_call_next_at_a_counter_someone_else_signed_in_to_is_refused(hall):
    issue(hall, hall.a1, at=at(-10))
    signed_in(hall)
    with pytest.raises(Refused) as error:
        ticket_call_next(actor=hall.operator2, counter=hall.counter1, now=noon())
    assert error.value.code == "not_signed_in"


@pytest.mark.parametrize("who", ["clerk", "stranger"])
def test_people_from_elsewhere_cannot_call(hall, who):
    issue(hall, hall.a1, at=at(-10))
    signed_in(hall)
    with pytest.raises(PermissionDenied):
        ticket_call_next(actor=getattr(hall, who), counter=hall.counter1, now=noon())


# --- recall, start, no-show -------------------------------------------------------------------


def test_recall_counts_and_moves_the_last_call_time(hall):
    ticket = called(hall)
    ticket_recall(actor=hall.operator, ticket=ticket, now=at(1))
    ticket = ticket_recall(actor=hall.operator, ticket=ticket, now=at(2))
    assert (ticket.recalls, ticket.status) == (2, TicketStatus.CALLED)
    assert ticket.called_at == noon() and ticket.last_called_at == at(2)
    assert TicketEvent.objects.filter(ticket=ticket, action=TicketAction.RECALL).count() == 2


def test_recall_refused_once_service_started_and_for_waiting_tickets(hall):
    waiting = issue(hall, hall.a2, at=at(-5))
    ticket = serving(hall)
    for target in (ticket, waiting):
        with pytest.raises(Refused) as error:
            ticket_recall(actor=hall.operator, ticket=target, now=at(2))
        assert error.value.code == "wrong_status"


def test_start_begins_service(hall):
    ticket = ticket_start(actor=hall.operator, ticket=called(hall), now=at(1))
    assert (ticket.status, ticket.started_at) == (TicketStatus.SERVING, at(1))
    with pytest.raises(Refused):
        ticket_start(actor=hall.operator, ticket=ticket, now=at(2))


def test_another_operator_cannot_act_on_my_ticket(hall):
    ticket = called(hall)
    for action in (ticket_recall, ticket_start, ticket_no_show):
        with pytest.raises(Refused) as error:
            action(actor=hall.operator2, ticket=ticket, now=at(1))
        assert error.value.code == "other_counter"


@pytest.mark.parametrize("needed", [0, 1, 2, 3])
def test_no_show_needs_the_configured_number_of_recalls(hall, needed):
    if needed != 2:  # 2 is the default, used without a settings row
        QueueSettings.objects.create(center=hall.center, recalls_before_no_show=needed)
    ticket = called(hall)
    for recall in range(needed):
        with pytest.raises(Refused) as error:
            ticket_no_show(actor=hall.operator, ticket=ticket, now=at(recall + 1))
        assert error.value.code == "recall_first"
        ticket_recall(actor=hall.operator, ticket=ticket, now=at(recall + 1))
    ticket = ticket_no_show(actor=hall.operator, ticket=ticket, now=at(10))
    assert (ticket.status, ticket.finished_at) == (TicketStatus.NO_SHOW, at(10))
    # The counter is free again.
    issue(hall, hall.a1, at=at(5))
    assert ticket_call_next(actor=hall.operator, counter=hall.counter1, now=at(11)) is not None


def test_no_show_refused_once_the_citizen_came(hall):
    QueueSettings.objects.create(center=hall.center, recalls_before_no_show=0)
    with pytest.raises(Refused) as error:
        ticket_no_show(actor=hall.operator, ticket=serving(hall), now=at(3))
    assert error.value.code == "wrong_status"


# --- hold, resume, finish ---------------------------------------------------------------------


def test_hold_frees_the_counter_and_resume_brings_the_ticket_back(hall):
    held = ticket_hold(actor=hall.operator, ticket=serving(hall), now=at(2))
    assert held.status == TicketStatus.ON_HOLD and held.counter == hall.counter1
    other = issue(hall, hall.a2, at=at(-3))
    assert ticket_call_next(actor=hall.operator, counter=hall.counter1, now=at(3)) == other
    with pytest.raises(Refused) as error:
        ticket_resume(actor=hall.operator, ticket=held, now=at(4))
    assert error.value.code == "busy"
    ticket_start(actor=hall.operator, ticket=other, now=at(4))
    ticket_finish(actor=hall.operator, ticket=other, now=at(5))
    resumed = ticket_resume(actor=hall.operator, ticket=held, now=at(6))
    assert resumed.status == TicketStatus.SERVING
    assert ticket_finish(actor=hall.operator, ticket=resumed, now=at(7)).status == TicketStatus.DONE
    assert list(TicketEvent.objects.filter(ticket=held).values_list("action", flat=True)) == [
        TicketAction.ISSUE,
        TicketAction.CALL,
        TicketAction.START,
        TicketAction.HOLD,
        TicketAction.RESUME,
        TicketAction.FINISH,
    ]


def test_hold_refused_before_start_and_resume_refused_unless_held(hall):
    ticket = called(hall)
    with pytest.raises(Refused):
        ticket_hold(actor=hall.operator, ticket=ticket, now=at(1))
    with pytest.raises(Refused):
        ticket_resume(actor=hall.operator, ticket=ticket, now=at(1))


def test_finish_needs_a_started_ticket_and_happens_once(hall):
    ticket = called(hall)
    with pytest.raises(Refused):
        ticket_finish(actor=hall.operator, ticket=ticket, now=at(1))
    ticket_start(actor=hall.operator, ticket=ticket, now=at(1))
    done = ticket_finish(actor=hall.operator, ticket=ticket, now=at(9))
    assert (done.status, done.finished_at) == (TicketStatus.DONE, at(9))
    with pytest.raises(Refused):
        ticket_finish(actor=hall.operator, ticket=ticket, now=at(10))


# --- transfer ---------------------------------------------------------------------------------


def test_transfer_to_a_counter_keeps_the_queue_time_and_goes_to_that_counter_only(hall):
    ticket = serving(hall)  # a1, issued at 11:50
    newer = issue(hall, hall.b1, at=at(-5))
    moved = ticket_transfer(actor=hall.operator, ticket=ticket, counter=hall.counter2, now=at(3))
    assert moved.status == TicketStatus.WAITING
    assert moved.queued_at == at(-10) and moved.service == hall.a1  # same service, same place in the queue
    assert (moved.counter, moved.operator, moved.started_at, moved.target_counter) == (None, None, None, hall.counter2)
    # Counter 1 serves a1, but the ticket was sent to counter 2: only counter 2 calls it, before newer tickets.
    issue(hall, hall.a2, at=at(2))
    assert ticket_call_next(actor=hall.operator, counter=hall.counter1, now=at(4)) != moved
    signed_in(hall, hall.counter2, hall.operator2)
    assert ticket_call_next(actor=hall.operator2, counter=hall.counter2, now=at(5)) == moved
    moved.refresh_from_db()
    assert (moved.counter, moved.target_counter) == (hall.counter2, None)
    ticket_start(actor=hall.operator2, ticket=moved, now=at(6))
    ticket_finish(actor=hall.operator2, ticket=moved, now=at(7))
    assert ticket_call_next(actor=hall.operator2, counter=hall.counter2, now=at(8)) == newer


def test_transfer_to_a_service_goes_to_the_counters_serving_it(hall):
    ticket = called(hall)
    moved = ticket_transfer(actor=hall.operator, ticket=ticket, service=hall.c1, now=at(1))
    assert (moved.service, moved.target_counter, moved.queued_at) == (hall.c1, None, at(-10))
    signed_in(hall, hall.counter2, hall.operator2)
    assert ticket_call_next(actor=hall.operator2, counter=hall.counter2, now=at(2)) is None
    signed_in(hall, hall.counter3, hall.manager)
    assert ticket_call_next(actor=hall.manager, counter=hall.counter3, now=at(2)) == moved
    event = TicketEvent.objects.get(ticket=ticket, action=TicketAction.TRANSFER)
    assert event.data == {"from_counter": 1, "service": hall.c1.code, "to_counter": None}


def test_transfer_places_the_ticket_by_its_original_issue_time(hall):
    signed_in(hall, hall.counter2, hall.operator2)
    ticket = called(hall, minutes=0)  # queued at 11:50
    later = issue(hall, hall.b1, at=at(-2))
    earlier = issue(hall, hall.b1, at=at(-30))
    ticket_transfer(actor=hall.operator, ticket=ticket, service=hall.b1, now=at(1))
    order = []
    for minute in range(2, 5):
        got = ticket_call_next(actor=hall.operator2, counter=hall.counter2, now=at(minute))
        order.append(got)
        ticket_start(actor=hall.operator2, ticket=got, now=at(minute))
        ticket_finish(actor=hall.operator2, ticket=got, now=at(minute))
    assert order == [earlier, ticket, later]


def test_transfer_keeps_the_priority(hall):
    signed_in(hall)
    ticket = issue(hall, hall.a1, at=at(-10), priority=Priority.ELDERLY)
    ticket_call_next(actor=hall.operator, counter=hall.counter1, now=noon())
    moved = ticket_transfer(actor=hall.operator, ticket=ticket, service=hall.b1, now=at(1))
    assert (moved.priority, moved.rank) == (Priority.ELDERLY, 1)


def test_transfer_starts_the_recall_count_afresh(hall):
    ticket = called(hall)
    ticket_recall(actor=hall.operator, ticket=ticket, now=at(1))
    ticket_recall(actor=hall.operator, ticket=ticket, now=at(2))
    moved = ticket_transfer(actor=hall.operator, ticket=ticket, counter=hall.counter2, now=at(3))
    assert moved.recalls == 0  # the next counter must call the citizen again before a no-show


def test_transfer_of_a_held_ticket(hall):
    held = ticket_hold(actor=hall.operator, ticket=serving(hall), now=at(2))
    moved = ticket_transfer(actor=hall.operator, ticket=held, counter=hall.counter3, now=at(3))
    assert (moved.status, moved.target_counter) == (TicketStatus.WAITING, hall.counter3)


def test_transfer_refusals(hall):
    ticket = called(hall)
    with pytest.raises(ValidationError) as error:
        ticket_transfer(actor=hall.operator, ticket=ticket, now=at(1))
    assert error.value.code == "transfer_target"
    with pytest.raises(ValidationError) as error:
        ticket_transfer(actor=hall.operator, ticket=ticket, counter=hall.foreign_counter, now=at(1))
    assert error.value.code == "other_center"
    with pytest.raises(ValidationError) as error:
        ticket_transfer(actor=hall.operator, ticket=ticket, service=hall.c2, now=at(1))
    assert error.value.code == "no_counter"
    assert refreshed(ticket).status == TicketStatus.CALLED  # nothing changed
    waiting = issue(hall, hall.a1, at=at(-1))
    with pytest.raises(Refused) as error:
        ticket_transfer(actor=hall.operator, ticket=waiting, counter=hall.counter2, now=at(1))
    assert error.value.code == "wrong_status"
    with pytest.raises(Refused) as error:
        ticket_transfer(actor=hall.operator2, ticket=ticket, counter=hall.counter2, now=at(1))
    assert error.value.code == "other_counter"


@pytest.mark.parametrize("who", ["clerk", "stranger"])
def test_people_from_elsewhere_cannot_touch_a_ticket(hall, who):
    ticket = called(hall)
    actor = getattr(hall, who)
    for action, kwargs in [
        (ticket_recall, {}),
        (ticket_start, {}),
        (ticket_no_show, {}),
        (ticket_hold, {}),
        (ticket_resume, {}),
        (ticket_finish, {}),
        (ticket_transfer, {"counter": hall.counter2}),
    ]:
        with pytest.raises(PermissionDenied):
            action(actor=actor, ticket=ticket, now=at(1), **kwargs)
    assert refreshed(ticket).status == TicketStatus.CALLED


# --- operators at counters --------------------------------------------------------------------


def test_sign_in_opens_a_session_with_a_serving_span(hall):
    session = operator_sign_in(actor=hall.operator, counter=hall.counter1, now=at(-60))
    assert (session.operator, session.counter, session.state) == (hall.operator, hall.counter1, OperatorState.SERVING)
    assert session.started_at == session.state_since == at(-60) and session.ended_at is None
    assert list(session.spans.values_list("state", "started_at", "ended_at")) == [
        (OperatorState.SERVING, at(-60), None)
    ]
    again = operator_sign_in(actor=hall.operator, counter=hall.counter1, now=at(-30))
    assert again == session and OperatorSession.objects.count() == 1


def test_one_open_session_per_operator_moving_counters_signs_out_of_the_first(hall):
    first = operator_sign_in(actor=hall.operator, counter=hall.counter1, now=at(-60))
    second = operator_sign_in(actor=hall.operator, counter=hall.counter2, now=at(-30))
    first.refresh_from_db()
    assert first.ended_at == at(-30) and second.ended_at is None
    assert first.spans.get().ended_at == at(-30)
    assert OperatorSession.objects.filter(operator=hall.operator, ended_at__isnull=True).get() == second


def test_moving_counters_refused_while_a_ticket_is_at_the_first(hall):
    called(hall)
    with pytest.raises(Refused) as error:
        operator_sign_in(actor=hall.operator, counter=hall.counter2, now=at(1))
    assert error.value.code == "busy"


def test_one_open_session_per_counter(hall):
    signed_in(hall)
    with pytest.raises(Refused) as error:
        operator_sign_in(actor=hall.operator2, counter=hall.counter1, now=at(-30))
    assert error.value.code == "counter_taken"
    assert "Shahzoda Testova" in error.value.message


@pytest.mark.parametrize("field", ["operator", "counter"])
def test_the_database_itself_allows_one_open_session(hall, field):
    signed_in(hall)
    other = {"operator": hall.operator2, "counter": hall.counter2}
    values = {"operator": hall.operator, "counter": hall.counter1, **({k: v for k, v in other.items() if k != field})}
    with pytest.raises(IntegrityError), transaction.atomic():
        OperatorSession.objects.create(**values, started_at=noon(), state_since=noon())


def test_sign_in_at_a_closed_counter_is_refused(hall):
    hall.counter2.is_active = False
    hall.counter2.save()
    with pytest.raises(Refused) as error:
        operator_sign_in(actor=hall.operator, counter=hall.counter2, now=noon())
    assert error.value.code == "counter_closed"


@pytest.mark.parametrize("who", ["clerk", "stranger"])
def test_people_from_elsewhere_cannot_sign_in(hall, who):
    with pytest.raises(PermissionDenied):
        operator_sign_in(actor=getattr(hall, who), counter=hall.counter1, now=noon())
    assert not OperatorSession.objects.exists()


def test_state_changes_record_spans_with_times(hall):
    session = signed_in(hall)  # 11:00
    session = operator_set_state(actor=hall.operator, session=session, state=OperatorState.BREAK, now=at(-40))
    assert (session.state, session.state_since) == (OperatorState.BREAK, at(-40))
    operator_set_state(actor=hall.operator, session=session, state=OperatorState.BACK_OFFICE, now=at(-30))
    operator_set_state(actor=hall.operator, session=session, state=OperatorState.SERVING, now=at(-10))
    operator_set_state(actor=hall.operator, session=session, state=OperatorState.SERVING, now=at(-5))  # no change
    operator_sign_out(actor=hall.operator, session=session, now=noon())
    spans = list(OperatorStateSpan.objects.filter(session=session).values_list("state", "started_at", "ended_at"))
    assert spans == [
        (OperatorState.SERVING, at(-60), at(-40)),
        (OperatorState.BREAK, at(-40), at(-30)),
        (OperatorState.BACK_OFFICE, at(-30), at(-10)),
        (OperatorState.SERVING, at(-10), noon()),
    ]
    session.refresh_from_db()
    assert session.ended_at == noon()


def test_state_change_refusals(hall):
    session = signed_in(hall)
    with pytest.raises(ValidationError) as error:
        operator_set_state(actor=hall.operator, session=session, state="lunch", now=noon())
    assert error.value.code == "state"
    called(hall)
    with pytest.raises(Refused) as error:
        operator_set_state(actor=hall.operator, session=session, state=OperatorState.BREAK, now=at(1))
    assert error.value.code == "busy"
    operator_sign_out_refused(hall, session)


def operator_sign_out_refused(hall, session):
    with pytest.raises(Refused) as error:
        operator_sign_out(actor=hall.operator, session=session, now=at(2))
    assert error.value.code == "busy"
    session.refresh_from_db()
    assert session.ended_at is None


def test_state_change_after_sign_out_is_refused(hall):
    session = signed_in(hall)
    operator_sign_out(actor=hall.operator, session=session, now=at(-1))
    operator_sign_out(actor=hall.operator, session=session, now=at(0))  # twice: nothing happens
    with pytest.raises(Refused) as error:
        operator_set_state(actor=hall.operator, session=session, state=OperatorState.BREAK, now=noon())
    assert error.value.code == "not_signed_in"


def test_sign_out_keeps_held_tickets_at_the_counter(hall):
    held = ticket_hold(actor=hall.operator, ticket=serving(hall), now=at(2))
    operator_sign_out(actor=hall.operator, session=OperatorSession.objects.get(), now=at(3))
    assert refreshed(held).status == TicketStatus.ON_HOLD


@pytest.mark.parametrize("who", ["clerk", "stranger", "operator2"])
def test_only_the_operator_or_a_manager_changes_a_session(hall, who):
    session = signed_in(hall)
    with pytest.raises(PermissionDenied):
        operator_set_state(actor=getattr(hall, who), session=session, state=OperatorState.BREAK, now=noon())
    with pytest.raises(PermissionDenied):
        operator_sign_out(actor=getattr(hall, who), session=session, now=noon())
    session.refresh_from_db()
    assert (session.state, session.ended_at) == (OperatorState.SERVING, None)


def test_a_manager_may_sign_an_operator_out(hall):
    session = signed_in(hall)
    operator_sign_out(actor=hall.manager, session=session, now=noon())
    session.refresh_from_db()
    assert session.ended_at == noon()
    assert AuditEntry.objects.filter(action="operator_sign_out", actor=hall.manager).exists()


# --- audit and live events --------------------------------------------------------------------


def test_every_action_is_audited_and_the_chain_holds(hall):
    session = signed_in(hall)
    operator_set_state(actor=hall.operator, session=session, state=OperatorState.BREAK, now=at(-50))
    operator_set_state(actor=hall.operator, session=session, state=OperatorState.SERVING, now=at(-40))
    QueueSettings.objects.create(center=hall.center, recalls_before_no_show=1)
    first = called(hall)
    ticket_recall(actor=hall.operator, ticket=first, now=at(1))
    ticket_no_show(actor=hall.operator, ticket=first, now=at(2))
    second = called(hall, minutes=3)
    ticket_start(actor=hall.operator, ticket=second, now=at(4))
    ticket_hold(actor=hall.operator, ticket=second, now=at(5))
    ticket_resume(actor=hall.operator, ticket=second, now=at(6))
    ticket_transfer(actor=hall.operator, ticket=second, counter=hall.counter2, now=at(7))
    third = serving(hall, minutes=8)
    ticket_finish(actor=hall.operator, ticket=third, now=at(9))
    operator_sign_out(actor=hall.operator, session=session, now=at(10))
    mine = AuditEntry.objects.filter(actor=hall.operator)
    assert set(mine.values_list("action", flat=True)) == {
        "operator_sign_in",
        "operator_set_state",
        "ticket_call",
        "ticket_recall",
        "ticket_no_show",
        "ticket_start",
        "ticket_hold",
        "ticket_resume",
        "ticket_transfer",
        "ticket_finish",
        "operator_sign_out",
    }
    transfer = mine.get(action="ticket_transfer")
    assert (transfer.object_type, transfer.object_id) == ("queues.ticket", str(second.pk))
    assert transfer.data == {"from_counter": 1, "service": hall.a1.code, "to_counter": 2}
    checked, broken = audit_verify()
    assert broken is None and checked == AuditEntry.objects.count()


def test_a_refused_action_leaves_no_trace(hall):
    ticket = called(hall)
    before = (AuditEntry.objects.count(), TicketEvent.objects.count())
    with pytest.raises(Refused):
        ticket_no_show(actor=hall.operator, ticket=ticket, now=at(1))
    assert (AuditEntry.objects.count(), TicketEvent.objects.count()) == before


def test_events_go_out_after_commit(hall, monkeypatch, django_capture_on_commit_callbacks):
    sent = []
    monkeypatch.setattr(events, "publish", lambda center_id, event: sent.append((center_id, event)))
    with django_capture_on_commit_callbacks(execute=True):
        ticket = called(hall)
    assert (hall.center.pk, "called") in [(c, e["type"]) for c, e in sent]
    call = next(e for _c, e in sent if e["type"] == "called")
    assert call["ticket"] == ticket.display and call["counter"] == 1
    sent.clear()
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        ticket_recall(actor=hall.operator, ticket=ticket, now=at(1))
    assert sent == [] and len(callbacks) == 1  # nothing before the commit


def test_a_sign_in_racing_another_is_a_conflict_not_a_crash(hall, monkeypatch):
    # Two sign-ins at one moment both pass the checks; the database's constraint turns the second away.
    from darcha.queues import services

    signed_in(hall, hall.counter2)
    monkeypatch.setattr(services, "_end_session", lambda actor, session, now: None)  # as if not yet seen
    with pytest.raises(Refused) as error:
        operator_sign_in(actor=hall.operator, counter=hall.counter1, now=noon())
    assert error.value.code == "counter_taken"
    assert OperatorSession.objects.filter(ended_at__isnull=True).count() == 1
