"""The operator console: access, every action through its endpoint (with and without htmx), refusals
with their status codes, and a page whose cost does not grow with the queue."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from darcha.core.models import User
from darcha.queues.choices import OperatorState, Priority, TicketStatus
from darcha.queues.models import OperatorSession, QueueSettings, Ticket
from darcha.queues.services import operator_sign_in, ticket_call_next, ticket_hold, ticket_start
from tests.queues.helpers import issue

HTMX = {"HTTP_HX_REQUEST": "true"}
EN = "/en"  # the texts asserted are the English originals (other languages are checked to render)


def url(hall, tail: str = "", number: int = 1) -> str:
    return f"{EN}/queue/{hall.center.code}/console/{number}/{tail}"


def choose_url(hall) -> str:
    return f"{EN}/queue/{hall.center.code}/console/"


def ticket_url(hall, ticket, action: str, number: int = 1) -> str:
    return url(hall, f"tickets/{ticket.pk}/{action}/", number)


@pytest.fixture
def op(client, hall):
    """The client, logged in as the first operator of the center."""
    client.force_login(hall.operator)
    return client


@pytest.fixture
def at_counter(op, hall):
    """The first operator, signed in at counter 1."""
    operator_sign_in(actor=hall.operator, counter=hall.counter1)
    return op


def text(response) -> str:
    return response.content.decode()


# --- access -----------------------------------------------------------------------------------
def test_anonymous_visitors_go_to_the_login_page(client, hall):
    for address in (url(hall), choose_url(hall), url(hall, "panel/")):
        response = client.get(address)
        assert response.status_code == 302 and response["Location"].startswith(f"{EN}/login/?next=")
    response = client.post(url(hall, "call/"))
    assert response.status_code == 302 and response["Location"] == f"{EN}/login/?next={url(hall)}"
    response = client.get(url(hall, "panel/"), **HTMX)
    assert response["HX-Redirect"].startswith(f"{EN}/login/?next=")
    assert not Ticket.objects.exists() and not OperatorSession.objects.exists()


@pytest.mark.parametrize("who", ["clerk", "stranger"])
def test_only_staff_of_the_center_may_open_its_consoles(client, hall, who):
    client.force_login(getattr(hall, who))
    for address in (url(hall), choose_url(hall), url(hall, "panel/")):
        assert client.get(address).status_code == 403
    assert client.post(url(hall, "sign-in/")).status_code == 403
    assert not OperatorSession.objects.exists()


def test_a_superuser_opens_the_console_as_everywhere_else(client, hall):
    # The one superuser rule (core.access): a superuser holds every role at every organization.
    client.force_login(User.objects.create_superuser("root", password="x" * 12))
    assert client.get(url(hall)).status_code == 200


def test_unknown_center_counter_or_ticket_is_404(op, hall):
    assert op.get(f"{EN}/queue/nowhere/console/1/").status_code == 404
    assert op.get(url(hall, number=9)).status_code == 404
    assert op.get(f"{EN}/queue/{hall.agency.code}/console/").status_code == 404  # an agency has no counters
    assert op.post(url(hall, "tickets/999999/start/")).status_code == 404


def test_actions_are_post_only(at_counter, hall):
    assert at_counter.get(url(hall, "call/")).status_code == 405
    assert at_counter.get(url(hall, "sign-in/")).status_code == 405


def test_a_manager_opens_every_console_of_the_center(client, hall):
    client.force_login(hall.manager)
    for number in (1, 2, 3):
        assert client.get(url(hall, number=number)).status_code == 200


# --- the page ---------------------------------------------------------------------------------
def test_console_page_before_sign_in(op, hall):
    response = op.get(url(hall))
    html = text(response)
    assert response.status_code == 200
    assert "Sign in at this counter" in html and 'data-key="L"' in html
    assert f'href="{EN}/queue/{hall.center.code}/tickets/issue/"' in html  # the operator's issue form
    assert f'data-stream-url="{EN}/queue/{hall.center.code}/board/stream/"' in html  # the board's live events
    assert 'data-key="N"' in html and "disabled" in html  # call next waits for the sign-in
    assert "queues/console.js" in html and "queues/console.css" in html


def test_sign_in_without_javascript_redirects_back_with_a_message(op, hall):
    response = op.post(url(hall, "sign-in/"))
    assert response.status_code == 303 and response["Location"] == url(hall)
    session = OperatorSession.objects.get()
    assert (session.operator, session.counter, session.ended_at) == (hall.operator, hall.counter1, None)
    html = text(op.get(url(hall)))
    assert "You are signed in at Window 1." in html
    assert "Shahzoda Testova" in html and 'aria-pressed="true"' in html


def test_sign_in_with_htmx_answers_with_the_panel(op, hall):
    response = op.post(url(hall, "sign-in/"), **HTMX)
    html = text(response)
    assert response.status_code == 200 and "<html" not in html and html.lstrip().startswith('<section id="console"')
    assert "You are signed in at Window 1." in html


def test_the_whole_visit_with_htmx(at_counter, hall):
    ticket = issue(hall, hall.a1)
    response = at_counter.post(url(hall, "call/"), **HTMX)
    html = text(response)
    assert response.status_code == 200
    assert ticket.display in html and hall.a1.name_uz in html
    assert "Ticket A-001 is called to Window 1." in html
    assert Ticket.objects.get().status == TicketStatus.CALLED

    response = at_counter.post(ticket_url(hall, ticket, "recall"), **HTMX)
    assert response.status_code == 200 and Ticket.objects.get().recalls == 1
    response = at_counter.post(ticket_url(hall, ticket, "start"), **HTMX)
    assert response.status_code == 200 and "Being served" in text(response)
    response = at_counter.post(ticket_url(hall, ticket, "finish"), **HTMX)
    assert response.status_code == 200 and "Ticket A-001 is served." in text(response)
    assert Ticket.objects.get().status == TicketStatus.DONE
    assert "No citizen at the counter" in text(response)


def test_call_next_with_nobody_waiting_says_so(at_counter, hall):
    issue(hall, hall.b1)  # counter 2's
    response = at_counter.post(url(hall, "call/"), **HTMX)
    assert response.status_code == 200 and "Nobody is waiting for this counter." in text(response)


def test_counts_are_what_call_next_can_call(at_counter, hall):
    now = timezone.now()
    issue(hall, hall.a1, at=now - dt.timedelta(minutes=3), queued_at=now + dt.timedelta(minutes=20), rank=2)
    html = text(at_counter.get(url(hall, "panel/")))
    assert "data-waiting>0<" in html and "-" not in html.split("Longest wait")[1][:60]  # booked for later
    response = at_counter.post(url(hall, "call/"), **HTMX)
    assert "Nobody is waiting for this counter." in text(response)
    issue(hall, hall.a2, priority=Priority.VETERAN)
    issue(hall, hall.a2)
    html = text(at_counter.get(url(hall, "panel/")))
    assert "data-waiting>2<" in html and "of them priority</dt><dd>1<" in html


def test_the_panel_shows_the_current_ticket_and_its_buttons(at_counter, hall):
    issue(hall, hall.a1, priority=Priority.DISABILITY)
    ticket = ticket_call_next(actor=hall.operator, counter=hall.counter1)
    html = text(at_counter.get(url(hall, "panel/")))
    assert ticket.display in html and "Person with a disability" in html
    for key in "RSXHFT":
        assert f'data-key="{key}"' in html
    assert "2 recalls are needed before a no-show (0 so far)" in html  # the tooltip of the disabled button
    assert 'id="transfer-dialog"' in html and hall.c1.name_uz in html and "Soliq oynasi" in html


# --- refusals, with status codes and translated reasons in the panel ---------------------------
def test_call_next_without_signing_in_is_a_conflict(op, hall):
    issue(hall, hall.a1)
    response = op.post(url(hall, "call/"), **HTMX)
    assert response.status_code == 409 and "Sign in at this counter first." in text(response)
    assert "<html" not in text(response)
    response = op.post(url(hall, "call/"))  # without JavaScript: the whole page, same code
    assert (
        response.status_code == 409 and "<html" in text(response) and "Sign in at this counter first." in text(response)
    )
    assert Ticket.objects.get().status == TicketStatus.WAITING


def test_in_uzbek_and_russian_the_page_works_too(at_counter, hall):
    for prefix in ("", "/ru", "/uz-cyrl"):
        assert at_counter.get(prefix + url(hall).removeprefix(EN)).status_code == 200


def test_no_show_before_enough_recalls_is_a_conflict(at_counter, hall):
    issue(hall, hall.a1)
    ticket = ticket_call_next(actor=hall.operator, counter=hall.counter1)
    response = at_counter.post(ticket_url(hall, ticket, "no-show"), **HTMX)
    assert response.status_code == 409 and "2 recalls are needed before a no-show (0 so far)" in text(response)
    at_counter.post(ticket_url(hall, ticket, "recall"), **HTMX)
    html = text(at_counter.post(ticket_url(hall, ticket, "recall"), **HTMX))
    assert "recalls are needed" not in html  # the no-show button is enabled now
    response = at_counter.post(ticket_url(hall, ticket, "no-show"), **HTMX)
    assert response.status_code == 200 and Ticket.objects.get().status == TicketStatus.NO_SHOW


def test_the_no_show_rule_follows_the_center_settings(at_counter, hall):
    QueueSettings.objects.create(center=hall.center, recalls_before_no_show=0)
    issue(hall, hall.a1)
    ticket = ticket_call_next(actor=hall.operator, counter=hall.counter1)
    assert at_counter.post(ticket_url(hall, ticket, "no-show"), **HTMX).status_code == 200


def test_acting_twice_is_a_conflict_not_an_error(at_counter, hall):
    issue(hall, hall.a1)
    ticket = ticket_call_next(actor=hall.operator, counter=hall.counter1)
    assert at_counter.post(ticket_url(hall, ticket, "start"), **HTMX).status_code == 200
    response = at_counter.post(ticket_url(hall, ticket, "start"), **HTMX)  # a double press of S
    assert response.status_code == 409 and "this action is not possible now" in text(response)
    response = at_counter.post(url(hall, "call/"), **HTMX)  # N while serving
    assert response.status_code == 409 and "Finish the current ticket" in text(response)


def test_a_ticket_of_another_counter_is_refused(at_counter, hall):
    ticket = issue(hall, hall.b1)
    operator_sign_in(actor=hall.operator2, counter=hall.counter2)
    ticket_call_next(actor=hall.operator2, counter=hall.counter2)
    response = at_counter.post(ticket_url(hall, ticket, "finish"), **HTMX)
    assert response.status_code == 409 and "is not at this counter" in text(response)
    response = at_counter.post(ticket_url(hall, ticket, "start", number=2), **HTMX)  # at its counter, not mine
    assert response.status_code == 409 and "being served at another counter" in text(response)
    assert Ticket.objects.get().status == TicketStatus.CALLED


def test_a_colleague_cannot_sign_me_out_but_the_manager_can(client, at_counter, hall):
    client.force_login(hall.operator2)
    response = client.post(url(hall, "sign-out/"), **HTMX)
    assert response.status_code == 403 and "center manager" in text(response)
    client.force_login(hall.manager)
    assert client.post(url(hall, "sign-out/"), **HTMX).status_code == 200
    assert OperatorSession.objects.get().ended_at is not None


# --- state, sign-out ------------------------------------------------------------------------------
def test_state_switch_and_time_in_state(at_counter, hall):
    response = at_counter.post(url(hall, "state/"), {"state": OperatorState.BREAK}, **HTMX)
    html = text(response)
    assert response.status_code == 200 and "You are on a break." in html
    assert "Return to the counter first." in html  # and call-next is disabled
    session = OperatorSession.objects.get()
    assert (
        session.state == OperatorState.BREAK
        and f'data-since="{timezone.localtime(session.state_since).isoformat()}' in html
    )
    assert at_counter.post(url(hall, "state/"), {"state": "lunch"}, **HTMX).status_code == 400
    assert at_counter.post(url(hall, "state/"), {"state": OperatorState.BACK_OFFICE}).status_code == 303
    assert OperatorSession.objects.get().spans.count() == 3


def test_a_break_with_a_citizen_at_the_counter_is_refused(at_counter, hall):
    issue(hall, hall.a1)
    ticket_call_next(actor=hall.operator, counter=hall.counter1)
    response = at_counter.post(url(hall, "state/"), {"state": OperatorState.BREAK}, **HTMX)
    assert response.status_code == 409 and "Finish the current ticket first." in text(response)


def test_sign_out(at_counter, hall):
    response = at_counter.post(url(hall, "sign-out/"))
    assert response.status_code == 303
    assert OperatorSession.objects.get().ended_at is not None
    response = at_counter.post(url(hall, "sign-out/"), **HTMX)
    assert response.status_code == 409 and "Nobody is signed in at this counter." in text(response)


# --- hold and return, transfer -------------------------------------------------------------------
def test_hold_then_return_with_the_held_list(at_counter, hall):
    issue(hall, hall.a1)
    ticket = ticket_start(actor=hall.operator, ticket=ticket_call_next(actor=hall.operator, counter=hall.counter1))
    html = text(at_counter.post(ticket_url(hall, ticket, "hold"), **HTMX))
    assert "Ticket A-001 is on hold" in html
    assert f'action="{ticket_url(hall, ticket, "resume")}"' in html and 'data-key="1"' in html
    response = at_counter.post(ticket_url(hall, ticket, "resume"), **HTMX)
    assert response.status_code == 200 and Ticket.objects.get().status == TicketStatus.SERVING


def test_returning_a_held_ticket_while_serving_another_is_refused(at_counter, hall):
    issue(hall, hall.a1)
    issue(hall, hall.a2)
    first = ticket_start(actor=hall.operator, ticket=ticket_call_next(actor=hall.operator, counter=hall.counter1))
    ticket_hold(actor=hall.operator, ticket=first)
    ticket_call_next(actor=hall.operator, counter=hall.counter1)
    response = at_counter.post(ticket_url(hall, first, "resume"), **HTMX)
    assert response.status_code == 409 and "Finish the current ticket" in text(response)


def test_transfer_to_a_counter_or_a_service(at_counter, hall):
    issue(hall, hall.a1)
    ticket = ticket_call_next(actor=hall.operator, counter=hall.counter1)
    queued_at = ticket.queued_at
    response = at_counter.post(ticket_url(hall, ticket, "transfer"), {"counter": hall.counter3.pk}, **HTMX)
    assert response.status_code == 200 and "transferred to Soliq oynasi" in text(response)
    ticket.refresh_from_db()
    assert (ticket.status, ticket.target_counter, ticket.queued_at) == (TicketStatus.WAITING, hall.counter3, queued_at)

    issue(hall, hall.a2)
    ticket = ticket_call_next(actor=hall.operator, counter=hall.counter1)
    response = at_counter.post(ticket_url(hall, ticket, "transfer"), {"service": hall.b1.pk, "counter": ""})
    assert response.status_code == 303
    ticket.refresh_from_db()
    assert (ticket.service, ticket.target_counter) == (hall.b1, None)


def test_transfer_refusals_are_bad_requests(at_counter, hall):
    issue(hall, hall.a1)
    ticket = ticket_call_next(actor=hall.operator, counter=hall.counter1)
    for data, reason in [
        ({}, "Choose the service or the counter to transfer to."),
        ({"service": "abc"}, "Choose a service from the list."),
        ({"service": hall.c2.pk}, "Choose a service from the list."),  # no counter serves it
        ({"counter": hall.foreign_counter.pk}, "Choose a counter from the list."),
    ]:
        response = at_counter.post(ticket_url(hall, ticket, "transfer"), data, **HTMX)
        assert response.status_code == 400 and reason in text(response), data
    assert Ticket.objects.get().status == TicketStatus.CALLED


def test_the_transfer_dialog_opens_without_javascript(at_counter, hall):
    issue(hall, hall.a1)
    ticket_call_next(actor=hall.operator, counter=hall.counter1)
    assert 'aria-labelledby="transfer-title" open' in text(at_counter.get(url(hall) + "?transfer=1"))
    assert 'aria-labelledby="transfer-title" open' not in text(at_counter.get(url(hall)))


# --- cost (tests/querycounts.py) --------------------------------------------------------------------
@pytest.mark.parametrize("fragment", [False, True])
def test_the_page_costs_the_same_with_3n_tickets(at_counter, hall, query_counts, fragment):
    def serve_and_hold():
        ticket = ticket_start(actor=hall.operator, ticket=ticket_call_next(actor=hall.operator, counter=hall.counter1))
        ticket_hold(actor=hall.operator, ticket=ticket)

    name, address = ("console.panel", url(hall, "panel/")) if fragment else ("console.page", url(hall))
    for _ in range(3):
        issue(hall, hall.a1)
    serve_and_hold()
    ticket_call_next(actor=hall.operator, counter=hall.counter1)  # one held, one called, one waiting
    query_counts.check(name, lambda: at_counter.get(address))

    for number in range(6):
        issue(hall, hall.a2 if number % 2 else hall.b1, priority=Priority.ELDERLY if number % 5 == 0 else "")
    ticket_start(actor=hall.operator, ticket=Ticket.objects.get(status=TicketStatus.CALLED))
    ticket_hold(actor=hall.operator, ticket=Ticket.objects.get(status=TicketStatus.SERVING))
    serve_and_hold()
    ticket_call_next(actor=hall.operator, counter=hall.counter1)  # three held, one called, two waiting
    html = text(query_counts.check(name, lambda: at_counter.get(address)))
    waiting = Ticket.objects.filter(status=TicketStatus.WAITING, service__category=hall.a1.category).count()
    assert waiting == 2 and f"data-waiting>{waiting}<" in html
    assert html.count("/resume/") == 2 * 3  # three Return forms (action and hx-post)


# --- the chooser and the desk --------------------------------------------------------------------
def test_choosing_a_counter_shows_who_works_where(client, hall):
    operator_sign_in(actor=hall.operator2, counter=hall.counter2)
    client.force_login(hall.operator)
    html = text(client.get(choose_url(hall)))
    assert "Window 1" in html and "Soliq oynasi" in html and "Jasur Testova" in html
    assert f'href="{url(hall, number=3)}"' in html
    operator_sign_in(actor=hall.operator, counter=hall.counter1)
    html = text(client.get(choose_url(hall)))
    assert "You are signed in at Window 1." in html


@pytest.mark.parametrize("who", ["operator", "manager"])
def test_the_desk_links_operators_and_managers_to_the_console(client, hall, who):
    client.force_login(getattr(hall, who))
    html = text(client.get(f"{EN}/desk/"))
    assert "Operator console" in html and f'href="{choose_url(hall)}"' in html


def test_the_desk_shows_who_works_at_which_counter(client, hall):
    operator_sign_in(actor=hall.operator, counter=hall.counter3)
    client.force_login(hall.manager)
    html = text(client.get(f"{EN}/desk/"))
    assert "1 of 3 counters staffed now" in html and "Shahzoda Testova" in html
    client.force_login(hall.operator)
    html = text(client.get(f"{EN}/desk/"))
    assert "You are signed in at Soliq oynasi." in html and f'href="{url(hall, number=3)}"' in html


def test_the_desk_of_a_clerk_has_no_console(client, hall):
    client.force_login(hall.clerk)
    assert "/console/" not in text(client.get(f"{EN}/desk/"))


# --- administration ------------------------------------------------------------------------------
def test_admin_lists_tickets_sessions_and_settings_read_only(client, hall):
    issue(hall, hall.a1)
    operator_sign_in(actor=hall.operator, counter=hall.counter1)
    ticket = ticket_call_next(actor=hall.operator, counter=hall.counter1)
    client.force_login(User.objects.create_superuser("root", password="x" * 12))
    for address in (
        "/admin/queues/ticket/",
        "/admin/queues/ticket/?status__exact=called&q=1",
        "/admin/queues/ticket/?q=A-001",
        f"/admin/queues/ticket/{ticket.pk}/change/",
        "/admin/queues/operatorsession/",
        f"/admin/queues/operatorsession/{OperatorSession.objects.get().pk}/change/",
        "/admin/queues/queuesettings/",
        "/admin/queues/queuesettings/add/",
        "/admin/queues/counter/",
    ):
        assert client.get(address).status_code == 200, address
    html = text(client.get(f"/admin/queues/ticket/{ticket.pk}/change/"))
    assert ticket.public_code not in html  # the live page's key does not leak
    assert client.get("/admin/queues/ticket/add/").status_code == 403
    assert client.post(f"/admin/queues/ticket/{ticket.pk}/delete/", {"post": "yes"}).status_code == 403
