"""Opening hours in the queue (issue 9, item 3): outside them, and on days off, the kiosk says when the
center opens and issues nothing, nor does an operator, the API or a booking's check-in; after closing the
console calls only those who took a ticket while the center was open; a booked visitor's ticket shows the
appointment time and the estimate counts from it. The centers page and the desk follow the same rule.

The test center keeps the demo's week (Monday–Friday 09:00–18:00, Saturday until 15:00); the clock is at
10:00 of a working weekday unless a test sets it (`set_clock`, or `now` passed to a service)."""

import datetime as dt

import pytest

from darcha.core.audit import SYSTEM
from darcha.core.choices import HolidayKind
from darcha.core.errors import Refused
from darcha.core.models import Holiday
from darcha.queues.appointments import appointment_check_in
from darcha.queues.choices import BOOKED_RANK, QueueRefusal, TicketStatus
from darcha.queues.models import Appointment, Ticket
from darcha.queues.selectors import ticket_progress
from darcha.queues.services import operator_sign_in, ticket_call_next, ticket_finish, ticket_issue, ticket_start
from tests.queues.helpers import at, set_clock

pytestmark = pytest.mark.django_db

EN_KIOSK = "/en/queue/test-center/kiosk/"
API_TICKETS = "/api/v1/queue/centers/test-center/tickets/"


def text(response) -> str:
    return response.content.decode()


def refused_code(run) -> QueueRefusal:
    with pytest.raises(Refused) as refused:
        run()
    return refused.value.code


def a_saturday(day: dt.date) -> dt.date:
    return day + dt.timedelta(days=(5 - day.weekday()) % 7)


# --- no ticket while closed ------------------------------------------------------------------------
def test_no_ticket_is_issued_at_night_after_closing_or_on_a_day_off(hall):
    saturday = a_saturday(at(dt.time(10)).date())
    Holiday.objects.create(date=saturday + dt.timedelta(days=2), kind=HolidayKind.DAY_OFF, name_uz="Bayram")
    closed = [
        at(dt.time(1, 45)),
        at(dt.time(8, 59)),
        at(dt.time(18)),
        at(dt.time(15), saturday),  # Saturdays until 15:00
        at(dt.time(11), saturday + dt.timedelta(days=1)),  # Sunday
        at(dt.time(11), saturday + dt.timedelta(days=2)),  # a Monday off
    ]
    for now in closed:
        code = refused_code(lambda now=now: ticket_issue(actor=SYSTEM, center=hall.center, service=hall.a1, now=now))
        assert code == QueueRefusal.CENTER_CLOSED, now
    operator_code = refused_code(
        lambda: ticket_issue(actor=hall.operator, center=hall.center, service=hall.a1, now=at(dt.time(1, 45)))
    )
    assert operator_code == QueueRefusal.CENTER_CLOSED
    assert not Ticket.objects.exists()
    assert ticket_issue(actor=SYSTEM, center=hall.center, service=hall.a1, now=at(dt.time(14, 59), saturday))


def test_the_kiosk_at_night_says_when_the_center_opens_and_offers_no_ticket(client, hall, monkeypatch):
    set_clock(monkeypatch, at(dt.time(1, 45)))
    start = client.get(EN_KIOSK)
    assert start.status_code == 200
    assert "Closed. Opens today at 09:00" in text(start)
    assert "/kiosk/category/" not in text(start) and "data-closed" in text(start)
    for page in (f"{EN_KIOSK}category/cat-a/", f"{EN_KIOSK}service/svc-a/", "/en/queue/test-center/check-in/"):
        shown = client.get(page)
        assert shown.status_code == 200 and "Closed. Opens today at 09:00" in text(shown), page
        assert 'name="service"' not in text(shown) and 'name="code"' not in text(shown), page
    issued = client.post(f"{EN_KIOSK}issue/", {"service": "svc-a", "priority": "", "phone": ""})
    assert issued.status_code == 409 and "Closed. Opens today at 09:00" in text(issued)
    assert not Ticket.objects.exists()


def test_the_kiosk_after_saturdays_closing_points_to_monday(client, hall, monkeypatch):
    saturday = a_saturday(at(dt.time(10)).date())
    set_clock(monkeypatch, at(dt.time(15, 30), saturday))
    assert "Closed. Opens Monday at 09:00" in text(client.get(EN_KIOSK))
    # In the page's language: the sentence goes through the catalog, whatever it says there.
    assert client.get(f"/ru{EN_KIOSK[3:]}").status_code == 200


def test_the_api_refuses_a_ticket_at_night_with_its_code(client, hall, monkeypatch):
    set_clock(monkeypatch, at(dt.time(1, 45)))
    response = client.post(API_TICKETS, {"service": "svc-a"}, content_type="application/json")
    assert response.status_code == 409 and response.json()["code"] == "center_closed"
    assert not Ticket.objects.exists()


def test_an_operator_issues_no_ticket_at_night(client, hall, monkeypatch):
    set_clock(monkeypatch, at(dt.time(1, 45)))
    client.force_login(hall.operator)
    response = client.post("/en/queue/test-center/tickets/issue/", {"service": "svc-a", "priority": "", "phone": ""})
    assert response.status_code == 409 and "Closed. Opens today at 09:00" in text(response)
    assert not Ticket.objects.exists()


def test_a_booking_is_not_checked_in_while_the_center_is_closed(hall):
    start = at(dt.time(9, 30))
    appointment = Appointment.objects.create(
        center=hall.center,
        service=hall.a1,
        start=start,
        end=start + dt.timedelta(minutes=15),
        phone="+998901234567",
        code="12345678",
        created_at=start - dt.timedelta(days=1),
    )
    code = refused_code(
        lambda: appointment_check_in(actor=SYSTEM, center=hall.center, code="12345678", now=at(dt.time(1, 45)))
    )
    assert code == QueueRefusal.CENTER_CLOSED
    appointment.refresh_from_db()
    assert appointment.ticket is None and not Ticket.objects.exists()


# --- the console after closing ----------------------------------------------------------------------
def test_after_closing_the_console_serves_the_hall_and_nobody_new(hall):
    operator_sign_in(actor=hall.operator, counter=hall.counter1, now=at(dt.time(9)))
    in_hall = ticket_issue(actor=SYSTEM, center=hall.center, service=hall.a1, now=at(dt.time(17, 50)))
    # A ticket that got in after closing (written by hand, as the queue had let anyone before).
    late = ticket_issue(actor=SYSTEM, center=hall.center, service=hall.a1, now=at(dt.time(17, 55)))
    Ticket.objects.filter(pk=late.pk).update(issued_at=at(dt.time(18, 5)), queued_at=at(dt.time(18, 5)))
    called = ticket_call_next(actor=hall.operator, counter=hall.counter1, now=at(dt.time(18, 10)))
    assert called == in_hall
    ticket_start(actor=hall.operator, ticket=called, now=at(dt.time(18, 11)))
    ticket_finish(actor=hall.operator, ticket=called, now=at(dt.time(18, 20)))
    code = refused_code(lambda: ticket_call_next(actor=hall.operator, counter=hall.counter1, now=at(dt.time(18, 21))))
    assert code == QueueRefusal.CENTER_CLOSED
    assert Ticket.objects.get(pk=late.pk).status == TicketStatus.WAITING


def test_at_night_the_console_calls_nobody(hall):
    operator_sign_in(actor=hall.operator, counter=hall.counter1, now=at(dt.time(1, 40)))
    stray = ticket_issue(actor=SYSTEM, center=hall.center, service=hall.a1, now=at(dt.time(10)))
    Ticket.objects.filter(pk=stray.pk).update(issued_at=at(dt.time(1, 30)), queued_at=at(dt.time(1, 30)))
    code = refused_code(lambda: ticket_call_next(actor=hall.operator, counter=hall.counter1, now=at(dt.time(1, 45))))
    assert code == QueueRefusal.CENTER_CLOSED
    assert Ticket.objects.get(pk=stray.pk).status == TicketStatus.WAITING


def test_the_console_page_says_why_it_calls_nobody_at_night(client, hall, monkeypatch):
    operator_sign_in(actor=hall.operator, counter=hall.counter1, now=at(dt.time(1, 40)))
    set_clock(monkeypatch, at(dt.time(1, 45)))
    client.force_login(hall.operator)
    response = client.post("/en/queue/test-center/console/1/call/")
    assert response.status_code in (303, 409)
    shown = text(client.get("/en/queue/test-center/console/1/")) if response.status_code == 303 else text(response)
    assert "Closed. Opens today at 09:00" in shown


# --- a booked visitor's ticket ----------------------------------------------------------------------
def test_a_booked_visitors_estimate_counts_from_the_appointment_time(hall):
    ticket = ticket_issue(  # as a check-in at 09:40 for a 10:30 booking makes it
        actor=SYSTEM,
        center=hall.center,
        service=hall.a1,
        queued_at=at(dt.time(10, 30)),
        rank=BOOKED_RANK,
        now=at(dt.time(9, 40)),
    )
    progress = ticket_progress(ticket, now=at(dt.time(9, 40)))
    assert progress.booked_at == at(dt.time(10, 30))
    assert progress.position.expected_at == at(dt.time(10, 30))
    assert progress.position.wait_minutes == 50  # not the ten minutes of a walk-in with nobody ahead
    walk_in = ticket_issue(actor=SYSTEM, center=hall.center, service=hall.a1, now=at(dt.time(9, 41)))
    assert ticket_progress(walk_in, now=at(dt.time(9, 41))).booked_at is None


def test_the_live_page_and_the_slip_show_the_appointment_time(client, hall, monkeypatch):
    ticket = ticket_issue(
        actor=SYSTEM,
        center=hall.center,
        service=hall.a1,
        queued_at=at(dt.time(10, 30)),
        rank=BOOKED_RANK,
        now=at(dt.time(9, 40)),
        language="en",
    )
    set_clock(monkeypatch, at(dt.time(9, 45)))
    live = text(client.get(f"/en/queue/ticket/{ticket.public_code}/"))
    assert "Your appointment" in live and "called at about 10:30" in live and "~" not in live.split("data-wait")[1][:40]
    slip = text(client.get(f"/en/queue/ticket/{ticket.public_code}/print/"))
    assert "Your appointment" in slip and "10:30" in slip and "called at about 10:30" in slip
    kiosk = text(client.get(f"{EN_KIOSK}ticket/{ticket.public_code}/"))
    assert "Your appointment is at 10:30" in kiosk


# --- the centers page and the desk -----------------------------------------------------------------
def test_the_centers_page_says_closed_on_a_saturday_off(client, hall, monkeypatch):
    saturday = a_saturday(at(dt.time(10)).date())
    Holiday.objects.update_or_create(date=saturday, defaults={"kind": HolidayKind.DAY_OFF, "name_uz": "Bayram"})
    set_clock(monkeypatch, at(dt.time(11), saturday))
    html = text(client.get("/en/queue/"))
    assert "Closed today" in html and "Open today" not in html


def test_the_centers_page_says_when_a_closed_center_opens(client, hall, monkeypatch):
    set_clock(monkeypatch, at(dt.time(1, 45)))
    html = text(client.get("/en/queue/"))
    assert "Open today 09:00–18:00" in html and "Closed. Opens today at 09:00" in html
    set_clock(monkeypatch, at(dt.time(10)))
    assert "open now" in text(client.get("/en/queue/"))


def test_the_api_gives_a_booked_tickets_time_and_expected_call(client, hall, monkeypatch):
    ticket = ticket_issue(
        actor=SYSTEM,
        center=hall.center,
        service=hall.a1,
        queued_at=at(dt.time(10, 30)),
        rank=BOOKED_RANK,
        now=at(dt.time(9, 40)),
    )
    set_clock(monkeypatch, at(dt.time(9, 40)))
    data = client.get(f"/api/v1/queue/tickets/{ticket.public_code}/").json()
    assert dt.datetime.fromisoformat(data["booked_at"]) == at(dt.time(10, 30))
    assert dt.datetime.fromisoformat(data["position"]["expected_at"]) == at(dt.time(10, 30))
    assert data["position"]["wait_minutes"] == 50


def test_the_kiosks_start_screen_reloads_itself_at_closing_time(client, hall, monkeypatch):
    set_clock(monkeypatch, at(dt.time(17, 30)))
    page = text(client.get(EN_KIOSK))
    assert f'data-reload-at="{int(at(dt.time(18)).timestamp())}"' in page and "/kiosk/category/" in page
