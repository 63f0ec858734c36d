"""The queue's REST API: centers and their services, tickets (idempotent issue, the live position),
free slots, booking with the phone code, check-in and cancellation, the counters' console for staff;
the refusals and limits of the pages, and list endpoints whose cost does not grow with the data.
Who may use the staff endpoints is the matrix of test_api_permissions.py."""

from __future__ import annotations

import datetime as dt
import itertools
import re

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.utils import timezone

from darcha.core.choices import OrganizationKind, Role
from darcha.core.idempotency import HEADER, REPLAYED_HEADER
from darcha.core.models import IdempotentRequest, User
from darcha.core.services import api_token_create
from darcha.core.throttle import ClientLimit
from darcha.notify.models import Message
from darcha.notify.selectors import message_values
from darcha.queues import selectors
from darcha.queues.choices import OperatorState, Priority, TicketStatus
from darcha.queues.models import Appointment, AppointmentStatus, Counter, QueueSettings, SlotRule, Ticket, TicketEvent
from darcha.queues.services import operator_sign_in, ticket_call_next, ticket_hold, ticket_start
from darcha.queues.views import appointments as booking_views
from tests.factories import OrganizationFactory, ServiceFactory, TicketFactory, staff
from tests.queues.helpers import issue, set_hours

pytestmark = pytest.mark.django_db

API = "/api/v1/queue"
PHONE = "+998901234567"
OTHER_PHONE = "+998911112233"
EVERY_DAY = {weekday: (dt.time(9), dt.time(18)) for weekday in range(7)}


@pytest.fixture(autouse=True)
def _fresh_limits():
    cache.clear()  # the per-client limits (kiosk tickets, booking codes, check-in, lookups)


def post(client, url, data=None, **extra):
    return client.post(url, data or {}, content_type="application/json", **extra)


def open_every_day(center) -> None:
    set_hours(center, EVERY_DAY)


# --- centers ------------------------------------------------------------------------------------
def test_centers_with_todays_hours_and_the_tickets_waiting(client, hall):
    open_every_day(hall.center)
    set_hours(hall.other_center, {})  # no opening hours at all
    issue(hall, hall.a1)
    issue(hall, hall.a2)
    issue(hall, hall.b1)
    OrganizationFactory(code="no-counters", kind=OrganizationKind.CENTER)  # nothing to queue for: not listed
    response = client.get(f"{API}/centers/")
    assert response.status_code == 200
    rows = {row["code"]: row for row in response.json()["results"]}
    assert set(rows) == {"test-center", "other-center"}
    assert rows["test-center"]["waiting"] == 3 and rows["other-center"]["waiting"] == 0
    assert rows["test-center"]["hours_today"] == {"opens": "09:00", "closes": "18:00"}
    assert rows["other-center"]["hours_today"] is None  # no opening hours: closed today
    assert rows["test-center"]["name"] == "Sinov markazi"


def test_a_center_with_its_services_waiting_and_bookable(client, hall):
    SlotRule.objects.create(center=hall.center, service=hall.a2, is_active=False)  # closed to online booking
    issue(hall, hall.a1)
    issue(hall, hall.a1)
    response = client.get(f"{API}/centers/test-center/")
    assert response.status_code == 200
    services = {row["code"]: row for row in response.json()["services"]}
    assert set(services) == {"svc-a", "svc-a2", "svc-b", "svc-c"}  # svc-c2: no window serves it
    assert services["svc-a"]["waiting"] == 2 and services["svc-b"]["waiting"] == 0
    assert services["svc-a"]["bookable"] and not services["svc-a2"]["bookable"]
    assert services["svc-a"]["category"] == "cat-a"
    missing = client.get(f"{API}/centers/nowhere/")
    assert missing.status_code == 404 and missing.json()["code"] == "not_found"


def test_unknown_query_parameters_are_refused(client, hall):
    response = client.get(f"{API}/centers/", {"sort": "name"})
    assert response.status_code == 400 and "sort" in response.json()["errors"]


# --- tickets --------------------------------------------------------------------------------------
def test_an_anonymous_client_takes_a_ticket_as_the_kiosk_would(client, hall):
    issue(hall, hall.a1)
    response = post(
        client,
        f"{API}/centers/test-center/tickets/",
        {"service": "svc-a2", "priority": "elderly", "phone": "90 123 45 67"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    ticket = Ticket.objects.get(public_code=body["code"])
    assert body["number"] == ticket.display == "A-002" and body["status"] == "waiting"
    assert (ticket.priority, ticket.phone, ticket.service) == (Priority.ELDERLY, PHONE, hall.a2)
    assert body["position"]["ahead"] == 0  # a priority ticket goes before the general one
    assert body["live_url"] == f"http://testserver/queue/ticket/{ticket.public_code}/"
    assert TicketEvent.objects.get(ticket=ticket).operator is None  # issued as the kiosk, not as a user


def test_a_ticket_in_the_language_asked_for(client, hall):
    response = post(client, f"{API}/centers/test-center/tickets/?lang=ru", {"service": "svc-a"})
    ticket = Ticket.objects.get(public_code=response.json()["code"])
    assert ticket.language == "ru" and response.json()["live_url"].endswith(f"/ru/queue/ticket/{ticket.public_code}/")


def test_an_operator_with_a_token_issues_the_ticket_as_themselves(client, hall):
    _token, secret = api_token_create(actor=hall.operator, user=hall.operator, name="counter app")
    response = post(
        client, f"{API}/centers/test-center/tickets/", {"service": "svc-b"}, HTTP_AUTHORIZATION=f"Token {secret}"
    )
    assert response.status_code == 201, response.content
    ticket = Ticket.objects.get(public_code=response.json()["code"])
    assert TicketEvent.objects.get(ticket=ticket).operator == hall.operator


@override_settings(KIOSK_TICKETS_PER_CLIENT=2, KIOSK_TICKETS_PER_PHONE=1)
def test_anonymous_tickets_are_under_the_kiosks_limits(client, hall):
    url = f"{API}/centers/test-center/tickets/"
    assert (
        client.post("/queue/test-center/kiosk/issue/", {"service": "svc-a", "priority": "", "phone": ""}).status_code
        == 302
    )
    assert post(client, url, {"service": "svc-a", "phone": PHONE}, REMOTE_ADDR="10.0.0.5").status_code == 201
    by_phone = post(client, url, {"service": "svc-a", "phone": PHONE}, REMOTE_ADDR="10.0.0.6")
    assert by_phone.status_code == 429 and by_phone.json()["code"] == "throttled"
    assert post(client, url, {"service": "svc-a"}).status_code == 201  # the page's and the API's: one count
    refused = post(client, url, {"service": "svc-a"}, HTTP_IDEMPOTENCY_KEY="over")
    assert refused.status_code == 429 and refused.json()["code"] == "throttled"
    assert Ticket.objects.count() == 3 and not IdempotentRequest.objects.exists()
    client.force_login(hall.operator)  # the center's staff issue as at the counter: no kiosk limit
    assert post(client, url, {"service": "svc-a"}).status_code == 201


def test_the_same_idempotency_key_gives_the_same_ticket_and_nothing_new(client, hall):
    url = f"{API}/centers/test-center/tickets/"
    first = post(client, url, {"service": "svc-a"}, HTTP_IDEMPOTENCY_KEY="kiosk-7-0001")
    again = post(client, url, {"service": "svc-a"}, HTTP_IDEMPOTENCY_KEY="kiosk-7-0001")
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json() and again[REPLAYED_HEADER] == "true"
    assert Ticket.objects.count() == 1 and TicketEvent.objects.count() == 1
    row = IdempotentRequest.objects.get()
    assert row.user is None and row.client == "127.0.0.1"  # an anonymous caller's key is its address's
    # The same key for another ticket is the client's bug; another client's same key is its own.
    reused = post(client, url, {"service": "svc-b"}, HTTP_IDEMPOTENCY_KEY="kiosk-7-0001")
    assert reused.status_code == 422 and reused.json()["code"] == "idempotency_key_reused"
    elsewhere = post(client, url, {"service": "svc-a"}, HTTP_IDEMPOTENCY_KEY="kiosk-7-0001", REMOTE_ADDR="10.0.0.9")
    assert elsewhere.status_code == 201 and elsewhere.json()["code"] != first.json()["code"]
    assert Ticket.objects.count() == 2


def test_a_refused_ticket_remembers_no_key(client, hall):
    url = f"{API}/centers/test-center/tickets/"
    refused = post(client, url, {"service": "svc-c2"}, HTTP_IDEMPOTENCY_KEY="retry-me")
    assert refused.status_code == 400 and not IdempotentRequest.objects.exists()
    fixed = post(client, url, {"service": "svc-c"}, HTTP_IDEMPOTENCY_KEY="retry-me")
    assert fixed.status_code == 201 and Ticket.objects.count() == 1
    bad_key = post(client, url, {"service": "svc-c"}, HTTP_IDEMPOTENCY_KEY="x" * 129)
    assert bad_key.status_code == 400 and HEADER in bad_key.json()["errors"]


@pytest.mark.parametrize(
    ("data", "field", "text"),
    [
        ({"service": "svc-nope"}, "service", "No service has this code."),
        ({"service": "svc-c2"}, "non_field_errors", "No window of this center serves this service."),
        ({"service": "svc-a", "priority": "vip"}, "priority", ""),
        ({"service": "svc-a", "phone": "12345"}, "non_field_errors", "+998"),
        ({"service": "svc-a", "language": "de"}, "language", ""),
        ({}, "service", ""),
    ],
)
def test_bad_ticket_requests_are_400_and_issue_nothing(client, hall, data, field, text):
    response = post(client, f"{API}/centers/test-center/tickets/?lang=en", data)
    assert response.status_code == 400, response.content
    assert response.json()["code"] == "invalid"
    errors = response.json()["errors"][field]
    assert text in " ".join(errors)
    assert not Ticket.objects.exists()


def test_no_tickets_at_an_unknown_or_closed_center(client, hall):
    hall.other_center.is_active = False
    hall.other_center.save()
    for code in ("nowhere", "other-center"):
        response = post(client, f"{API}/centers/{code}/tickets/", {"service": "svc-a"})
        assert response.status_code == 404 and response.json()["code"] == "not_found"
    assert not Ticket.objects.exists()


# --- a ticket's live position ----------------------------------------------------------------------
def ahead_on_the_page(client, ticket) -> int:
    html = client.get(f"/queue/ticket/{ticket.public_code}/status/").content.decode()
    return int(re.search(r"data-ahead>(\d+)<", html).group(1))


def test_the_live_position_is_the_live_pages(client, hall):
    operator_sign_in(actor=hall.operator, counter=hall.counter1)
    tickets = [issue(hall, hall.a1, at=timezone.now() - dt.timedelta(minutes=10 - n)) for n in range(4)]
    issue(hall, hall.b1)  # another window's queue: not ahead
    last = tickets[-1]
    body = client.get(f"{API}/tickets/{last.public_code}/").json()
    position = selectors.ticket_position(last)
    shown = dict(body["position"])
    assert dt.datetime.fromisoformat(shown.pop("expected_at")) > timezone.now()  # now and the wait
    assert shown == {"ahead": 3, "wait_minutes": position.wait_minutes, "open_counters": 1}
    assert body["booked_at"] is None  # a walk-in
    assert body["position"]["ahead"] == ahead_on_the_page(client, last)
    assert (body["status"], body["counter"], body["stale"], body["final"]) == ("waiting", None, False, False)

    called = ticket_call_next(actor=hall.operator, counter=hall.counter1)
    assert (
        client.get(f"{API}/tickets/{last.public_code}/").json()["position"]["ahead"]
        == 2
        == ahead_on_the_page(client, last)
    )
    body = client.get(f"{API}/tickets/{called.public_code}/?lang=en").json()
    assert (body["status"], body["counter"], body["position"]) == ("called", "Window 1", None)


def test_a_ticket_of_an_earlier_day_is_stale_and_unknown_codes_are_404(client, hall):
    old = issue(hall, hall.a1, at=timezone.now() - dt.timedelta(days=1))
    body = client.get(f"{API}/tickets/{old.public_code}/").json()
    assert body["stale"] and body["final"] and body["position"] is None
    for code in ("no-such-code", "x" * 40):
        missing = client.get(f"{API}/tickets/{code}/")
        assert missing.status_code == 404 and missing.json()["code"] == "not_found"


# --- slots and booking ----------------------------------------------------------------------------
@pytest.fixture
def bookable(hall):
    """The test center open Mon–Fri 9–18, taking bookings of every service it serves; a weekday a week
    ahead (the API runs on the real clock)."""
    set_hours(hall.center, {weekday: (dt.time(9), dt.time(18)) for weekday in range(5)})
    SlotRule.objects.create(center=hall.center, slot_minutes=15, capacity=1, days_ahead=30)
    day = timezone.localdate() + dt.timedelta(days=7)
    while day.weekday() > 4:
        day += dt.timedelta(days=1)
    cache.clear()  # the per-address limits
    return hall, day


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def booking(day, time=(10, 30), **changes) -> dict:
    return {"service": "svc-a", "start": at(day, *time).isoformat(), "phone": "90 123 45 67", **changes}


def sms_code(phone: str = PHONE) -> str:
    return message_values(Message.objects.filter(template="otp", address=phone).latest("id"))["code"]


def book(client, day, time=(10, 30), phone=PHONE, **extra):
    data = booking(day, time, phone=phone)
    sent = post(client, f"{API}/centers/test-center/bookings/code/", data)
    assert sent.status_code == 202, sent.content
    return post(client, f"{API}/centers/test-center/bookings/", {**data, "code": sms_code(phone)}, **extra)


def test_free_slots_of_a_day(client, bookable):
    hall, day = bookable
    Appointment.objects.create(
        center=hall.center,
        service=hall.a1,
        start=at(day, 9, 15),
        end=at(day, 9, 30),
        phone=PHONE,
        code="11112222",
        created_at=timezone.now(),
    )
    response = client.get(f"{API}/centers/test-center/slots/", {"service": "svc-a", "day": day.isoformat()})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["day"] == day.isoformat() and day.isoformat() in body["days"]
    assert len(body["slots"]) == 36 and body["slots"][0]["start"] == at(day, 9).isoformat()
    assert [slot["free"] for slot in body["slots"][:3]] == [1, 0, 1]
    sunday = day + dt.timedelta(days=6 - day.weekday())
    closed = client.get(f"{API}/centers/test-center/slots/", {"service": "svc-a", "day": sunday.isoformat()}).json()
    assert closed["day"] != sunday.isoformat() and closed["day"] in closed["days"]  # the first day with a free place


@pytest.mark.parametrize(
    ("params", "field"),
    [({"service": "svc-c2"}, "service"), ({}, "service"), ({"service": "svc-a", "day": "tomorrow"}, "day")],
)
def test_slots_of_what_cannot_be_booked_are_400(client, bookable, params, field):
    response = client.get(f"{API}/centers/test-center/slots/", params)
    assert response.status_code == 400 and field in response.json()["errors"]


def test_booking_with_the_phone_code_as_on_the_booking_page(client, bookable, django_capture_on_commit_callbacks):
    hall, day = bookable
    sent = post(client, f"{API}/centers/test-center/bookings/code/", booking(day))
    assert sent.status_code == 202, sent.content
    assert sent.json() == {"phone": "+998 90 123 •• 67", "expires_in": 300}
    wrong = post(client, f"{API}/centers/test-center/bookings/", {**booking(day), "code": "000000"})
    assert wrong.status_code == 400 and not Appointment.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        booked = post(
            client,
            f"{API}/centers/test-center/bookings/",
            {**booking(day), "code": sms_code()},
            HTTP_IDEMPOTENCY_KEY="b1",
        )
    assert booked.status_code == 201, booked.content
    appointment = Appointment.objects.get()
    body = booked.json()
    assert (body["code"], body["status"], body["ticket"]) == (appointment.code, "booked", None)
    assert appointment.start == at(day, 10, 30) and appointment.phone == PHONE
    assert Message.objects.filter(template="appointment_booked", address=PHONE).exists()
    # A retry of the confirmation (the answer was lost) gets the same booking, not "wrong code".
    again = post(
        client, f"{API}/centers/test-center/bookings/", {**booking(day), "code": sms_code()}, HTTP_IDEMPOTENCY_KEY="b1"
    )
    assert again.status_code == 201 and again.json() == body and Appointment.objects.count() == 1


def test_a_full_slot_and_the_daily_limit_are_409_on_both_steps(client, bookable):
    hall, day = bookable
    assert book(client, day).status_code == 201
    full = post(client, f"{API}/centers/test-center/bookings/code/", booking(day, phone=OTHER_PHONE))
    assert full.status_code == 409 and full.json()["code"] == "slot_full"
    QueueSettings.objects.create(center=hall.center, bookings_per_day=1)
    limit = post(client, f"{API}/centers/test-center/bookings/code/", booking(day, (11, 0)))
    assert limit.status_code == 409 and limit.json()["code"] == "limit"
    assert Appointment.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"service": "svc-c2"}, "non_field_errors"),  # no window serves it
        ({"service": "nope"}, "service"),
        ({"phone": "12"}, "non_field_errors"),
        ({"start": "soon"}, "start"),
    ],
)
def test_bad_booking_requests_send_no_code(client, bookable, changes, field):
    _hall, day = bookable
    response = post(client, f"{API}/centers/test-center/bookings/code/", booking(day, **changes))
    assert response.status_code == 400 and field in response.json()["errors"], response.content
    assert not Message.objects.exists()


def test_a_time_not_offered_is_400(client, bookable):
    _hall, day = bookable
    for time in ((10, 5), (20, 0)):
        response = post(client, f"{API}/centers/test-center/bookings/code/", booking(day, time))
        assert response.status_code == 400, response.content
    assert not Message.objects.exists()


def test_code_requests_share_the_booking_pages_limit_per_client(client, bookable, monkeypatch):
    _hall, day = bookable
    monkeypatch.setitem(booking_views.LIMITS, "code", ClientLimit("booking-code", attempts=2, window=3600))
    page = client.post(
        "/queue/test-center/book/",
        {"service": "svc-a", "day": day.isoformat(), "time": "10:30", "phone": "+998930000001"},
        REMOTE_ADDR="10.1.2.3",
    )
    assert page.status_code == 303
    statuses = [
        post(
            client,
            f"{API}/centers/test-center/bookings/code/",
            booking(day, phone=f"+99893000000{n}"),
            REMOTE_ADDR="10.1.2.3",
        ).status_code
        for n in (2, 3)
    ]
    assert statuses == [202, 429]
    assert Message.objects.filter(template="otp").count() == 2
    other = post(client, f"{API}/centers/test-center/bookings/code/", booking(day), REMOTE_ADDR="10.9.9.9")
    assert other.status_code == 202


def test_codes_asked_too_often_for_one_phone_are_429(client, bookable, settings):
    _hall, day = bookable
    settings.NOTIFY_OTP_MAX_SENDS = 1
    assert post(client, f"{API}/centers/test-center/bookings/code/", booking(day)).status_code == 202
    again = post(client, f"{API}/centers/test-center/bookings/code/", booking(day), REMOTE_ADDR="10.0.0.2")
    assert again.status_code == 429 and again.json()["code"] == "throttled"


# --- check-in, lookup, cancellation ---------------------------------------------------------------
def appointment_now(hall, code="12345678", *, minutes_ago=0, center=None, status=AppointmentStatus.BOOKED):
    now = timezone.now()
    start = now.replace(second=0, microsecond=0) - dt.timedelta(minutes=minutes_ago)
    return Appointment.objects.create(
        center=center or hall.center,
        service=hall.a1,
        start=start,
        end=start + dt.timedelta(minutes=15),
        phone=PHONE,
        code=code,
        created_at=now,
        status=status,
    )


def test_check_in_gives_a_ticket_called_first_at_the_booked_time(client, hall):
    cache.clear()
    issue(hall, hall.a1)
    appointment = appointment_now(hall)
    response = post(client, f"{API}/centers/test-center/check-in/", {"code": "1234 5678"})
    assert response.status_code == 201, response.content
    appointment.refresh_from_db()
    body = response.json()
    assert body["booking"]["status"] == "checked_in" and body["ticket"]["code"] == appointment.ticket.public_code
    assert appointment.ticket.rank == 2 and body["ticket"]["position"]["ahead"] == 0  # before the general queue
    # The same code again (the answer was lost): the same ticket, while it waits.
    again = post(client, f"{API}/centers/test-center/check-in/", {"code": "12345678"})
    assert again.status_code == 200 and again.json()["ticket"]["code"] == body["ticket"]["code"]
    assert Ticket.objects.count() == 2


def test_a_late_visitor_joins_the_general_queue(client, hall):
    cache.clear()
    start = timezone.now() - dt.timedelta(minutes=30)
    if timezone.localdate(start) != timezone.localdate():
        pytest.skip("just after midnight: the booking would be yesterday's")
    appointment_now(hall, minutes_ago=30)
    body = post(client, f"{API}/centers/test-center/check-in/", {"code": "12345678"}).json()
    assert body["booking"]["late"] and Ticket.objects.get().rank == 0


@pytest.mark.parametrize(
    ("setup", "status", "code"),
    [
        ("cancelled", 409, "cancelled"),
        ("other_center", 409, "other_center"),
        ("unknown", 404, "not_found"),
        ("malformed", 400, "invalid"),
    ],
)
def test_check_in_refusals_issue_nothing(client, hall, setup, status, code):
    cache.clear()
    typed = "12345678"
    if setup == "cancelled":
        appointment_now(hall, status=AppointmentStatus.CANCELLED)
    elif setup == "other_center":
        appointment_now(hall, center=hall.other_center)
    elif setup == "malformed":
        typed = "12"
    response = post(client, f"{API}/centers/test-center/check-in/", {"code": typed})
    assert (response.status_code, response.json()["code"]) == (status, code)
    assert not Ticket.objects.exists()


def test_unknown_booking_codes_at_check_in_are_limited_per_client(client, hall, monkeypatch):
    cache.clear()
    monkeypatch.setitem(booking_views.LIMITS, "check_in", ClientLimit("booking-check-in", attempts=2, window=900))
    appointment_now(hall)
    statuses = [
        post(client, f"{API}/centers/test-center/check-in/", {"code": f"8765432{n}"}).status_code for n in (1, 2)
    ]
    refused = post(client, f"{API}/centers/test-center/check-in/", {"code": "12345678"})
    assert statuses == [404, 404] and refused.status_code == 429 and refused.json()["code"] == "throttled"
    assert not Ticket.objects.exists()


def test_lookup_and_cancel_by_code_and_phone(client, bookable, django_capture_on_commit_callbacks):
    hall, day = bookable
    appointment = Appointment.objects.get(code=book(client, day).json()["code"])
    url = f"{API}/bookings/{appointment.code}"
    assert post(client, f"{url}/lookup/", {"phone": OTHER_PHONE}).status_code == 404
    found = post(client, f"{url}/lookup/", {"phone": "90 123 45 67"})
    assert found.status_code == 200 and found.json()["start"] == at(day, 10, 30).isoformat()
    wrong = post(client, f"{url}/cancel/", {"phone": OTHER_PHONE})
    assert wrong.status_code == 404 and wrong.json()["code"] == "not_found"
    with django_capture_on_commit_callbacks(execute=True):
        cancelled = post(client, f"{url}/cancel/", {"phone": PHONE})
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "cancelled"
    assert Message.objects.filter(template="appointment_cancelled").exists()
    again = post(client, f"{url}/cancel/", {"phone": PHONE})
    assert again.status_code == 409 and again.json()["code"] == "not_cancellable"
    # The place is free again.
    slots = client.get(f"{API}/centers/test-center/slots/", {"service": "svc-a", "day": day.isoformat()}).json()
    assert next(s for s in slots["slots"] if s["start"] == at(day, 10, 30).isoformat())["free"] == 1


def test_wrong_code_and_phone_pairs_are_limited_per_client(client, bookable, monkeypatch):
    hall, _day = bookable
    monkeypatch.setitem(booking_views.LIMITS, "lookup", ClientLimit("booking-lookup", attempts=2, window=900))
    appointment = appointment_now(hall)
    url = f"{API}/bookings/{appointment.code}"
    statuses = [post(client, f"{url}/{step}/", {"phone": OTHER_PHONE}).status_code for step in ("lookup", "cancel")]
    refused = post(client, f"{url}/lookup/", {"phone": PHONE})  # the right pair: the limit is reached
    assert statuses == [404, 404] and refused.status_code == 429


# --- the counters' console (staff) -------------------------------------------------------------------
@pytest.fixture
def op(client, hall):
    client.force_login(hall.operator)
    return client


def counter_url(tail: str = "", number: int = 1) -> str:
    return f"{API}/centers/test-center/counters/{number}/{tail}"


def test_a_day_at_the_counter_through_the_api(op, hall):
    first = issue(hall, hall.a1, at=timezone.now() - dt.timedelta(minutes=5))
    second = issue(hall, hall.a2, priority=Priority.DISABILITY)
    state = op.get(counter_url()).json()
    assert state["session"] is None and state["current"] is None and state["waiting_count"] == 2

    state = post(op, counter_url("sign-in/")).json()
    assert state["session"]["operator"]["username"] == "op1" and state["session"]["state"] == "serving"

    state = post(op, counter_url("call/")).json()
    assert state["current"]["id"] == second.pk and state["current"]["status"] == "called"  # priority first
    assert state["waiting_count"] == 1 and state["recalls_before_no_show"] == 2

    early = post(op, counter_url(f"tickets/{second.pk}/no-show/"))
    assert early.status_code == 409 and early.json()["code"] == "recall_first"
    assert post(op, counter_url(f"tickets/{second.pk}/recall/")).json()["current"]["recalls"] == 1
    busy = post(op, counter_url("call/"))
    assert busy.status_code == 409 and busy.json()["code"] == "busy"

    assert post(op, counter_url(f"tickets/{second.pk}/start/")).json()["current"]["status"] == "serving"
    state = post(op, counter_url(f"tickets/{second.pk}/hold/")).json()
    assert state["current"] is None and [t["id"] for t in state["held"]] == [second.pk]
    assert post(op, counter_url("call/")).json()["current"]["id"] == first.pk
    refused = post(op, counter_url(f"tickets/{second.pk}/resume/"))
    assert refused.status_code == 409 and refused.json()["code"] == "busy"

    state = post(op, counter_url(f"tickets/{first.pk}/transfer/"), {"service": "svc-b"}).json()
    first.refresh_from_db()
    assert state["current"] is None and (first.status, first.service) == (TicketStatus.WAITING, hall.b1)
    assert post(op, counter_url(f"tickets/{second.pk}/resume/")).json()["current"]["id"] == second.pk
    assert post(op, counter_url(f"tickets/{second.pk}/finish/")).json()["current"] is None
    second.refresh_from_db()
    assert second.status == TicketStatus.DONE

    state = post(op, counter_url("state/"), {"state": "break"}).json()
    assert state["session"]["state"] == OperatorState.BREAK
    on_break = post(op, counter_url("call/"))
    assert on_break.status_code == 409 and on_break.json()["code"] == "not_serving"
    assert post(op, counter_url("sign-out/")).json()["session"] is None


def test_counter_refusals(op, hall):
    ticket = issue(hall, hall.a1)
    not_signed_in = post(op, counter_url("call/"))
    assert not_signed_in.status_code == 409 and not_signed_in.json()["code"] == "not_signed_in"
    nobody = post(op, counter_url("sign-out/"))
    assert nobody.status_code == 409 and nobody.json()["code"] == "not_signed_in"
    operator_sign_in(actor=hall.operator2, counter=hall.counter2)
    taken = post(op, counter_url("sign-in/", number=2))
    assert taken.status_code == 409 and taken.json()["code"] == "counter_taken"
    post(op, counter_url("sign-in/"))
    elsewhere = post(op, counter_url(f"tickets/{ticket.pk}/start/", number=1))
    assert elsewhere.status_code == 409 and elsewhere.json()["code"] == "not_here"  # not called to this counter
    bad_state = post(op, counter_url("state/"), {"state": "lunch"})
    assert bad_state.status_code == 400 and "state" in bad_state.json()["errors"]
    for address in (counter_url(number=99), counter_url("tickets/999999/start/"), counter_url(number="x")):
        response = post(op, address) if "tickets" in address else op.get(address)
        assert response.status_code == 404 and response.json()["code"] == "not_found", address
    transfer = post(op, counter_url(f"tickets/{ticket.pk}/transfer/"), {"counter": 42})
    assert transfer.status_code in (400, 409)


def test_a_transfer_to_a_window_keeps_the_place(op, hall):
    ticket = issue(hall, hall.a1)
    post(op, counter_url("sign-in/"))
    post(op, counter_url("call/"))
    unknown = post(op, counter_url(f"tickets/{ticket.pk}/transfer/"), {"counter": 42})
    assert unknown.status_code == 400 and "counter" in unknown.json()["errors"]
    neither = post(op, counter_url(f"tickets/{ticket.pk}/transfer/"), {})
    assert neither.status_code == 400
    assert post(op, counter_url(f"tickets/{ticket.pk}/transfer/"), {"counter": 3}).status_code == 200
    ticket.refresh_from_db()
    assert ticket.target_counter == hall.counter3 and ticket.status == TicketStatus.WAITING


def test_a_manager_signs_out_an_operator_but_does_not_serve_their_ticket(client, hall):
    ticket = issue(hall, hall.a1)
    operator_sign_in(actor=hall.operator, counter=hall.counter1)
    ticket_call_next(actor=hall.operator, counter=hall.counter1)
    client.force_login(hall.manager)
    other = post(client, counter_url(f"tickets/{ticket.pk}/start/"))
    assert other.status_code == 409 and other.json()["code"] == "other_counter"
    busy = post(client, counter_url("sign-out/"))
    assert busy.status_code == 409 and busy.json()["code"] == "busy"
    ticket_hold(actor=hall.operator, ticket=ticket_start(actor=hall.operator, ticket=ticket))
    assert post(client, counter_url("sign-out/")).json()["session"] is None


def test_the_counters_of_a_center(op, hall):
    operator_sign_in(actor=hall.operator2, counter=hall.counter2)
    rows = {row["number"]: row for row in op.get(f"{API}/centers/test-center/counters/").json()}
    assert set(rows) == {1, 2, 3}
    assert rows[1]["categories"] == ["cat-a"] and rows[3]["services"] == ["svc-c"] and rows[3]["name"] == "Soliq oynasi"
    assert rows[1]["session"] is None and rows[2]["session"]["operator"]["username"] == "op2"


def test_a_superuser_uses_every_counter(client, hall):
    client.force_login(User.objects.create_superuser("root", password="x" * 12))
    issue(hall, hall.a1)
    assert post(client, counter_url("sign-in/")).status_code == 200
    assert post(client, counter_url("call/")).json()["current"] is not None


# --- what the lists cost ---------------------------------------------------------------------------
def test_the_list_of_centers_costs_the_same_with_3n_centers(client, query_counts):
    numbers = itertools.count(1)

    def grow(n: int) -> None:
        for _ in range(n):  # a center open every day with a window and a waiting ticket
            center = OrganizationFactory(code=f"center-{next(numbers)}", kind=OrganizationKind.CENTER)
            open_every_day(center)
            service = ServiceFactory()
            Counter.objects.create(center=center, number=1).categories.add(service.category)
            TicketFactory(center=center, service=service)

    grow(2)
    query_counts.check("api.centers", lambda: client.get(f"{API}/centers/"))
    grow(4)
    query_counts.check("api.centers", lambda: client.get(f"{API}/centers/"))


def test_a_center_costs_the_same_with_3n_services(client, query_counts, hall):
    def grow(n: int) -> None:
        for _ in range(n):  # a service more in category A, waiting; one more of its own, by name
            issue(hall, ServiceFactory(category=hall.a1.category))
            service = ServiceFactory()
            hall.counter3.services.add(service)
            SlotRule.objects.create(center=hall.center, service=service, is_active=False)

    grow(2)
    query_counts.check("api.center", lambda: client.get(f"{API}/centers/test-center/"))
    grow(4)
    query_counts.check("api.center", lambda: client.get(f"{API}/centers/test-center/"))


def test_the_slots_cost_the_same_with_3n_bookings(client, query_counts, bookable):
    hall, day = bookable
    minutes = itertools.count(0, 15)

    def grow(n: int) -> None:
        for _ in range(n):
            start = at(day, 9) + dt.timedelta(minutes=next(minutes))
            Appointment.objects.create(
                center=hall.center,
                service=hall.a1,
                start=start,
                end=start + dt.timedelta(minutes=15),
                phone=PHONE,
                code=f"{start:%H%M}0000",
                created_at=timezone.now(),
            )

    params = {"service": "svc-a", "day": day.isoformat()}
    grow(3)
    query_counts.check("api.slots", lambda: client.get(f"{API}/centers/test-center/slots/", params))
    grow(6)
    query_counts.check("api.slots", lambda: client.get(f"{API}/centers/test-center/slots/", params))


def test_the_counters_and_a_console_cost_the_same_with_3n(op, query_counts, hall):
    operator_sign_in(actor=hall.operator, counter=hall.counter1)
    numbers = itertools.count(10)

    def grow(n: int) -> None:
        for _ in range(n):  # a window more, someone signed in at it; a ticket more on hold at window 1
            counter = Counter.objects.create(center=hall.center, number=next(numbers))
            counter.categories.add(hall.a1.category)
            counter.services.add(hall.b1)
            operator_sign_in(actor=staff(f"op-{counter.number}", hall.center, Role.OPERATOR), counter=counter)
            issue(hall, hall.a1, at=timezone.now() - dt.timedelta(hours=1))
            ticket = ticket_call_next(actor=hall.operator, counter=hall.counter1)
            ticket_hold(actor=hall.operator, ticket=ticket_start(actor=hall.operator, ticket=ticket))

    for n in (2, 4):
        grow(n)
        query_counts.check("api.counters", lambda: op.get(f"{API}/centers/test-center/counters/"))
        query_counts.check("api.counter", lambda: op.get(counter_url()))
