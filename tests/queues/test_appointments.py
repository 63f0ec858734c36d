"""Appointments: the slot calendar (pure), booking with a phone code, capacity and the daily limit
(also under concurrency on PostgreSQL), cancellation, check-in at the kiosk, and the pages."""

import datetime as dt
import threading

import pytest
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import connection
from django.urls import reverse
from django.utils import timezone, translation

from darcha.core.audit import SYSTEM
from darcha.core.calendar import WorkingCalendar
from darcha.core.choices import OrganizationKind
from darcha.core.errors import Refused
from darcha.core.models import AuditEntry
from darcha.core.services import holidays_seed
from darcha.notify.models import Message, PhoneCode
from darcha.notify.selectors import message_values
from darcha.queues import selectors, slots
from darcha.queues.appointments import OTP_PURPOSE, appointment_book, appointment_cancel, appointment_check_in
from darcha.queues.choices import TicketStatus
from darcha.queues.models import Appointment, AppointmentStatus, Counter, QueueSettings, SlotRule
from darcha.queues.services import operator_sign_in, ticket_call_next, ticket_issue
from tests.factories import OrganizationFactory, ServiceFactory
from tests.queues.helpers import set_hours

WEEK = {weekday: (dt.time(9), dt.time(18)) for weekday in range(5)} | {5: (dt.time(9), dt.time(15))}
# 2026: Ramazon hayit Fri 20 March, Navruz Sat 21 March (so Mon 23 March off), 12 December a working Saturday.
CALENDAR_2026 = WorkingCalendar(
    frozenset({dt.date(2026, 3, 20), dt.date(2026, 3, 21), dt.date(2026, 3, 23)}), frozenset({dt.date(2026, 12, 12)})
)
PHONE = "+998901234567"
OTHER_PHONE = "+998911112233"


def at(day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
    return slots.local(day, dt.time(hour, minute))


MONDAY = dt.date(2026, 3, 9)
TUESDAY = dt.date(2026, 3, 10)
SUNDAY_BEFORE = dt.date(2026, 3, 8)


# --- the calendar, computed -------------------------------------------------------------------
def test_a_weekday_has_slots_from_opening_to_closing():
    day_slots = slots.day_slots(MONDAY, slots.Policy(), WEEK, CALENDAR_2026, now=at(SUNDAY_BEFORE, 12))
    assert len(day_slots) == 36
    assert day_slots[0].start == at(MONDAY, 9) and day_slots[-1].end == at(MONDAY, 18)


def test_the_last_slot_ends_by_closing_time():
    day_slots = slots.day_slots(MONDAY, slots.Policy(slot_minutes=25), WEEK, CALENDAR_2026, now=at(SUNDAY_BEFORE, 12))
    assert day_slots[-1].start == at(MONDAY, 17, 20) and day_slots[-1].end == at(MONDAY, 17, 45)
    assert all(slot.end <= at(MONDAY, 18) for slot in day_slots)


def test_no_slot_that_has_begun():
    day_slots = slots.day_slots(MONDAY, slots.Policy(), WEEK, CALENDAR_2026, now=at(MONDAY, 10, 7))
    assert day_slots[0].start == at(MONDAY, 10, 15)
    assert slots.day_slots(MONDAY, slots.Policy(), WEEK, CALENDAR_2026, now=at(MONDAY, 18)) == []


def test_holidays_and_saturdays():
    now = at(dt.date(2026, 3, 16), 8)
    policy = slots.Policy(days_ahead=30)
    # Navruz on Saturday 21 March: closed although the center opens on Saturdays; 20 and 23 March off too.
    for day in (dt.date(2026, 3, 20), dt.date(2026, 3, 21), dt.date(2026, 3, 23), dt.date(2026, 3, 22)):
        assert slots.day_slots(day, policy, WEEK, CALENDAR_2026, now=now) == [], day
    # An ordinary Saturday: the center's Saturday hours, the last slot ending at 15:00.
    saturday = slots.day_slots(dt.date(2026, 3, 28), policy, WEEK, CALENDAR_2026, now=now)
    assert saturday[0].start == at(dt.date(2026, 3, 28), 9) and saturday[-1].end == at(dt.date(2026, 3, 28), 15)
    assert slots.open_days(now.date(), policy, WEEK, CALENDAR_2026)[:6] == [
        dt.date(2026, 3, 16),
        dt.date(2026, 3, 17),
        dt.date(2026, 3, 18),
        dt.date(2026, 3, 19),
        dt.date(2026, 3, 24),
        dt.date(2026, 3, 25),
    ]


def test_a_transferred_working_saturday_opens_only_with_saturday_hours():
    now, day = at(dt.date(2026, 12, 1), 8), dt.date(2026, 12, 12)
    policy = slots.Policy(days_ahead=30)
    worked = slots.day_slots(day, policy, WEEK, CALENDAR_2026, now=now)
    assert worked[0].start == at(day, 9) and worked[-1].end == at(day, 15)
    weekdays_only = {weekday: hours for weekday, hours in WEEK.items() if weekday < 5}
    assert slots.day_slots(day, policy, weekdays_only, CALENDAR_2026, now=now) == []


def test_booking_is_open_only_within_the_horizon():
    policy = slots.Policy(days_ahead=7)
    now = at(MONDAY, 8)
    assert slots.day_slots(MONDAY + dt.timedelta(days=7), policy, WEEK, CALENDAR_2026, now=now)
    assert slots.day_slots(MONDAY + dt.timedelta(days=8), policy, WEEK, CALENDAR_2026, now=now) == []
    assert slots.open_days(MONDAY, policy, WEEK, CALENDAR_2026)[-1] == MONDAY + dt.timedelta(days=7)


def test_free_places_are_the_capacity_less_the_bookings():
    booked = {at(MONDAY, 9): 2, at(MONDAY, 9, 15): 1}
    day_slots = slots.day_slots(
        MONDAY, slots.Policy(capacity=2), WEEK, CALENDAR_2026, now=at(SUNDAY_BEFORE, 12), booked=booked
    )
    assert [slot.free for slot in day_slots[:3]] == [0, 1, 2]


@pytest.mark.django_db
def test_the_seeded_2026_calendar_closes_navruz_and_opens_12_december(center):
    holidays_seed(actor=SYSTEM, years=[2026])
    calendar = WorkingCalendar.current()
    policy = slots.Policy(days_ahead=60)
    navruz = dt.date(2026, 3, 21)
    assert slots.day_slots(navruz, policy, WEEK, calendar, now=at(dt.date(2026, 3, 1), 8)) == []
    assert slots.day_slots(dt.date(2026, 12, 12), policy, WEEK, calendar, now=at(dt.date(2026, 11, 20), 8))


# --- fixtures ---------------------------------------------------------------------------------
@pytest.fixture
def bookable(center, service_a, counter):
    """The test center open Mon–Fri 9–18 and Saturday 9–15, taking bookings of service A."""
    set_hours(center, WEEK)
    SlotRule.objects.create(center=center, slot_minutes=15, capacity=1, days_ahead=14)
    return center, service_a


def send_code(phone: str, now: dt.datetime) -> str:
    from darcha.notify.services import otp_send

    otp_send(actor=SYSTEM, phone=phone, purpose=OTP_PURPOSE, now=now)
    return message_values(Message.objects.filter(template="otp", address=phone).latest("id"))["code"]


def book(center, service, start, *, phone=PHONE, now=None):
    if now is None:
        # Sunday noon, then a quarter of an hour later for each code already sent to this phone
        # (the notify app sends one phone at most three codes in 15 minutes).
        now = at(SUNDAY_BEFORE, 12) + dt.timedelta(minutes=16) * PhoneCode.objects.filter(phone=phone).count()
    return appointment_book(
        actor=SYSTEM,
        center=center,
        service=service,
        start=start,
        phone=phone,
        otp_code=send_code(phone, now),
        language="ru",
        now=now,
    )


# --- booking ----------------------------------------------------------------------------------
@pytest.mark.django_db
def test_booking_with_the_phone_code(bookable, django_capture_on_commit_callbacks):
    center, service = bookable
    with django_capture_on_commit_callbacks(execute=True):
        appointment = book(center, service, at(MONDAY, 10, 30))
    assert appointment.status == AppointmentStatus.BOOKED
    assert appointment.end == at(MONDAY, 10, 45)
    assert len(appointment.code) == 8 and appointment.code.isdigit()
    assert AuditEntry.objects.filter(action="appointment_book", object_id=str(appointment.pk)).exists()
    message = Message.objects.get(template="appointment_booked", object_id=str(appointment.pk))
    assert message.address == PHONE and message.language == "ru"
    assert message_values(message)["code"] == appointment.display_code
    assert message.context["when"] == "09.03.2026 10:30"


@pytest.mark.django_db
def test_a_wrong_code_books_nothing(bookable):
    center, service = bookable
    now = at(SUNDAY_BEFORE, 12)
    code = send_code(PHONE, now)
    wrong = "000000" if code != "000000" else "111111"
    with pytest.raises(ValidationError) as error:
        appointment_book(
            actor=SYSTEM, center=center, service=service, start=at(MONDAY, 10), phone=PHONE, otp_code=wrong, now=now
        )
    assert error.value.code == "otp_wrong"
    assert not Appointment.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("start", "code"),
    [
        (at(SUNDAY_BEFORE, 11), "past"),
        (at(MONDAY + dt.timedelta(days=20), 10), "horizon"),
        (at(SUNDAY_BEFORE + dt.timedelta(days=7), 10), "closed"),  # a Sunday
        (at(MONDAY, 10, 5), "slot"),  # not a slot's start
        (at(MONDAY, 8, 45), "slot"),  # before opening
        (at(MONDAY, 17, 50), "slot"),  # would end after closing
    ],
)
def test_times_that_cannot_be_booked(bookable, start, code):
    center, service = bookable
    with pytest.raises(ValidationError) as error:
        book(center, service, start)
    assert error.value.code == code
    assert str(error.value.messages[0])
    assert not Appointment.objects.exists()


@pytest.mark.django_db
def test_a_service_no_counter_serves_cannot_be_booked(bookable):
    center, _service = bookable
    with pytest.raises(ValidationError) as error:
        book(center, ServiceFactory(code="elsewhere"), at(MONDAY, 10))
    assert error.value.code == "service"


@pytest.mark.django_db
def test_an_inactive_rule_closes_booking(bookable, service_a2):
    center, service = bookable
    SlotRule.objects.create(center=center, service=service, is_active=False)
    assert list(selectors.bookable_services(center)) == [service_a2]
    with pytest.raises(ValidationError) as error:
        book(center, service, at(MONDAY, 10))
    assert error.value.code == "service"


@pytest.mark.django_db
def test_a_slot_takes_no_more_than_its_capacity(bookable):
    center, service = bookable
    book(center, service, at(MONDAY, 10))
    with pytest.raises(Refused) as error:
        book(center, service, at(MONDAY, 10), phone=OTHER_PHONE)
    assert error.value.code == "slot_full"
    SlotRule.objects.filter(center=center).update(capacity=2)
    book(center, service, at(MONDAY, 10), phone=OTHER_PHONE)
    assert Appointment.objects.filter(start=at(MONDAY, 10)).count() == 2


@pytest.mark.django_db
def test_a_service_rule_overrides_the_center_default(bookable):
    center, service = bookable
    SlotRule.objects.create(center=center, service=service, slot_minutes=30, capacity=3, days_ahead=30)
    appointment = book(center, service, at(MONDAY + dt.timedelta(days=21), 9, 30))  # beyond the default 14 days
    assert appointment.end - appointment.start == dt.timedelta(minutes=30)


@pytest.mark.django_db
def test_the_daily_limit_per_phone_and_center(bookable):
    center, service = bookable
    QueueSettings.objects.create(center=center, bookings_per_day=1)
    first = book(center, service, at(MONDAY, 10))
    with pytest.raises(Refused) as error:
        book(center, service, at(MONDAY, 15))
    assert error.value.code == "limit"
    book(center, service, at(TUESDAY, 10))  # another day is fine
    book(center, service, at(MONDAY, 15), phone=OTHER_PHONE)  # another person too
    appointment_cancel(actor=SYSTEM, code=first.code, phone=PHONE, now=at(SUNDAY_BEFORE, 12))
    book(center, service, at(MONDAY, 11))  # a cancelled booking does not count
    assert Appointment.objects.filter(phone=PHONE).count() == 3


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="row locks need PostgreSQL")
def test_concurrent_bookings_never_exceed_the_capacity(monkeypatch):
    from darcha.notify import services as notify

    center = OrganizationFactory(code="race-center", kind=OrganizationKind.CENTER)
    service = ServiceFactory(code="race-service")
    Counter.objects.create(center=center, number=1).services.add(service)
    set_hours(center, WEEK)
    SlotRule.objects.create(center=center, capacity=2)
    QueueSettings.objects.create(center=center, bookings_per_day=1)
    monkeypatch.setattr(notify, "otp_verify", lambda **kwargs: True)
    now, start = at(SUNDAY_BEFORE, 12), at(MONDAY, 10)
    # Eight different people race for two places; one of them tries twice at once (daily limit 1).
    phones = [f"+99890{n:07d}" for n in range(7)] + ["+998900000000"]
    outcomes, barrier = [], threading.Barrier(len(phones))

    def attempt(phone):
        try:
            barrier.wait()
            appointment_book(
                actor=SYSTEM, center=center, service=service, start=start, phone=phone, otp_code="1", now=now
            )
            outcomes.append("booked")
        except (Refused, ValidationError) as error:
            outcomes.append(error.code)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt, args=(phone,)) for phone in phones]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert outcomes.count("booked") == 2
    assert Appointment.objects.filter(center=center, start=start).count() == 2
    assert set(outcomes) <= {"booked", "slot_full", "limit"}


# --- cancellation -----------------------------------------------------------------------------
@pytest.mark.django_db
def test_cancel_by_code_and_phone(bookable, django_capture_on_commit_callbacks):
    center, service = bookable
    appointment = book(center, service, at(MONDAY, 10))
    with pytest.raises(Refused) as error:
        appointment_cancel(actor=SYSTEM, code=appointment.code, phone=OTHER_PHONE, now=at(SUNDAY_BEFORE, 13))
    assert error.value.code == "not_found"
    with django_capture_on_commit_callbacks(execute=True):
        appointment_cancel(actor=SYSTEM, code=appointment.display_code, phone="90 123 45 67", now=at(SUNDAY_BEFORE, 13))
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED
    assert Message.objects.filter(template="appointment_cancelled", object_id=str(appointment.pk)).count() == 1
    book(center, service, at(MONDAY, 10), phone=OTHER_PHONE)  # the place is free again
    with pytest.raises(Refused) as error:
        appointment_cancel(actor=SYSTEM, code=appointment.code, phone=PHONE, now=at(SUNDAY_BEFORE, 14))
    assert error.value.code == "not_cancellable"


@pytest.mark.django_db
def test_a_booking_cannot_be_cancelled_after_its_time(bookable):
    center, service = bookable
    appointment = book(center, service, at(MONDAY, 10))
    with pytest.raises(Refused) as error:
        appointment_cancel(actor=SYSTEM, code=appointment.code, phone=PHONE, now=at(MONDAY, 10, 1))
    assert error.value.code == "past"


# --- check-in at the kiosk --------------------------------------------------------------------
KIOSK = SYSTEM


@pytest.mark.django_db
def test_early_check_in_waits_then_is_called_first(bookable, counter, operator):
    center, service = bookable
    appointment = book(center, service, at(MONDAY, 10, 30))
    general = ticket_issue(actor=SYSTEM, center=center, service=service, now=at(MONDAY, 9, 50))
    appointment = appointment_check_in(actor=KIOSK, center=center, code=appointment.code, now=at(MONDAY, 10))
    ticket = appointment.ticket
    assert appointment.status == AppointmentStatus.CHECKED_IN and not appointment.late
    assert ticket.rank == 2 and ticket.queued_at == at(MONDAY, 10, 30) and ticket.phone == PHONE
    operator_sign_in(actor=operator, counter=counter, now=at(MONDAY, 9))
    # Before the booked time the general ticket is called ...
    assert ticket_call_next(actor=operator, counter=counter, now=at(MONDAY, 10, 5)) == general
    general.refresh_from_db()
    general.status = TicketStatus.DONE
    general.save()
    later = ticket_issue(actor=SYSTEM, center=center, service=service, now=at(MONDAY, 10, 10))
    assert ticket_call_next(actor=operator, counter=counter, now=at(MONDAY, 10, 20)) == later
    later.status = TicketStatus.DONE
    later.save()
    ticket_issue(actor=SYSTEM, center=center, service=service, now=at(MONDAY, 10, 25))
    # ... and at its time the booked visitor goes before everyone waiting.
    assert ticket_call_next(actor=operator, counter=counter, now=at(MONDAY, 10, 31)) == ticket


@pytest.mark.django_db
def test_check_in_within_the_grace_keeps_the_booked_place(bookable):
    center, service = bookable
    appointment = book(center, service, at(MONDAY, 10, 30))
    appointment = appointment_check_in(actor=KIOSK, center=center, code=appointment.code, now=at(MONDAY, 10, 39))
    assert not appointment.late and appointment.ticket.rank == 2 and appointment.ticket.queued_at == at(MONDAY, 10, 30)


@pytest.mark.django_db
def test_a_late_visitor_joins_the_general_queue(bookable):
    center, service = bookable
    QueueSettings.objects.create(center=center, late_grace_minutes=5)
    appointment = book(center, service, at(MONDAY, 10, 30))
    appointment = appointment_check_in(actor=KIOSK, center=center, code=appointment.code, now=at(MONDAY, 10, 36))
    assert appointment.late and appointment.status == AppointmentStatus.CHECKED_IN
    assert appointment.ticket.rank == 0 and appointment.ticket.queued_at == at(MONDAY, 10, 36)


@pytest.mark.django_db
def test_check_in_refusals_save_nothing(bookable):
    center, service = bookable
    appointment = book(center, service, at(TUESDAY, 10))
    other = OrganizationFactory(code="other-center", kind=OrganizationKind.CENTER)
    cases = [
        (center, "99999999", at(TUESDAY, 9), "not_found"),
        (other, appointment.code, at(TUESDAY, 9), "other_center"),
        (center, appointment.code, at(MONDAY, 9), "not_today"),
        (center, appointment.code, at(dt.date(2026, 3, 11), 9), "past"),
    ]
    for where, code, now, expected in cases:
        with pytest.raises(Refused) as error:
            appointment_check_in(actor=KIOSK, center=where, code=code, now=now)
        assert error.value.code == expected
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.BOOKED and appointment.ticket is None
    appointment_check_in(actor=KIOSK, center=center, code=appointment.code, now=at(TUESDAY, 9, 55))
    with pytest.raises(Refused) as error:
        appointment_check_in(actor=KIOSK, center=center, code=appointment.code, now=at(TUESDAY, 9, 56))
    assert error.value.code == "checked_in"
    cancelled = book(center, service, at(TUESDAY, 11), phone=OTHER_PHONE)
    appointment_cancel(actor=SYSTEM, code=cancelled.code, phone=OTHER_PHONE, now=at(SUNDAY_BEFORE, 13))
    with pytest.raises(Refused) as error:
        appointment_check_in(actor=KIOSK, center=center, code=cancelled.code, now=at(TUESDAY, 10, 55))
    assert error.value.code == "cancelled"


# --- the pages --------------------------------------------------------------------------------
@pytest.fixture
def soon(bookable):
    """A free slot some days from now (the pages run on the real clock)."""
    center, service = bookable
    SlotRule.objects.filter(center=center).update(days_ahead=30)
    day = timezone.localdate() + dt.timedelta(days=7)
    while day.weekday() > 4:
        day += dt.timedelta(days=1)
    cache.clear()  # the per-address limits
    return center, service, day


@pytest.mark.django_db
def test_the_booking_pages_from_choice_to_cancellation(client, soon, django_capture_on_commit_callbacks):
    center, service, day = soon
    page = client.get(reverse("queues:booking_start", args=[center.code]))
    assert page.status_code == 200 and service.name_uz in page.content.decode()
    when = client.get(
        reverse("queues:booking_when", args=[center.code]),
        {"service": service.code, "day": day.isoformat()},
        headers={"HX-Request": "true"},
    )
    assert 'value="10:30"' in when.content.decode()

    data = {"service": service.code, "day": day.isoformat(), "time": "10:30", "phone": "90 123 45 67"}
    response = client.post(reverse("queues:booking_start", args=[center.code]), data)
    assert response.status_code == 303 and response["Location"].endswith("/book/confirm/")
    confirm = client.get(response["Location"])
    assert "+998 90 123 •• 67" in confirm.content.decode()

    wrong = client.post(response["Location"], {"code": "12"})
    assert wrong.status_code == 400 and not Appointment.objects.exists()
    code = message_values(Message.objects.filter(template="otp").latest("id"))["code"]
    with django_capture_on_commit_callbacks(execute=True):
        booked = client.post(response["Location"], {"code": code})
    appointment = Appointment.objects.get()
    assert booked.status_code == 303 and booked["Location"] == reverse("queues:booking_detail", args=[appointment.code])
    assert appointment.start == at(day, 10, 30) and appointment.phone == PHONE
    detail = client.get(booked["Location"]).content.decode()
    assert appointment.display_code in detail and "10:30" in detail

    # Someone else's browser must give the phone first.
    stranger = client.__class__()
    assert appointment.display_code not in stranger.get(booked["Location"]).content.decode()
    assert stranger.post(booked["Location"], {"phone": OTHER_PHONE}).status_code == 404
    assert stranger.post(booked["Location"], {"phone": PHONE}).status_code == 303
    assert appointment.display_code in stranger.get(booked["Location"]).content.decode()

    cancelled = client.post(booked["Location"], {"cancel": "1"})
    assert cancelled.status_code == 303
    appointment.refresh_from_db()
    assert appointment.status == AppointmentStatus.CANCELLED


@pytest.mark.django_db
def test_bad_input_gets_a_message_and_saves_nothing(client, soon):
    center, service, day = soon
    with translation.override("en"):
        url = reverse("queues:booking_start", args=[center.code])
    cases = [
        ({"service": service.code, "day": day.isoformat(), "phone": PHONE}, "Choose a time."),
        ({"service": service.code, "day": day.isoformat(), "phone": "12"}, "Enter an Uzbek phone number"),
        ({"service": service.code, "day": day.isoformat(), "time": "10:30", "phone": "12345"}, "+998"),
        ({"service": "nope", "day": day.isoformat(), "time": "10:30", "phone": PHONE}, "cannot be booked online"),
        ({"service": service.code, "day": day.isoformat(), "time": "10:05", "phone": PHONE}, "Choose one of the times"),
    ]
    for data, text in cases:
        response = client.post(url, data)
        assert response.status_code == 400, data
        assert text in response.content.decode(), data
    assert not Appointment.objects.exists() and not Message.objects.exists()


@pytest.mark.django_db
def test_code_requests_are_limited_per_client_address(client, soon, monkeypatch):
    from darcha.core.throttle import ClientLimit
    from darcha.queues.views import appointments as views

    center, service, day = soon
    monkeypatch.setitem(views.LIMITS, "code", ClientLimit("booking-code", attempts=2, window=3600))
    url = reverse("queues:booking_start", args=[center.code])
    statuses = []
    for n in range(3):
        data = {"service": service.code, "day": day.isoformat(), "time": "10:30", "phone": f"+99893000000{n}"}
        statuses.append(client.post(url, data, REMOTE_ADDR="10.1.2.3").status_code)
    assert statuses == [303, 303, 429]
    assert Message.objects.filter(template="otp").count() == 2
    # Another address is not affected.
    data = {"service": service.code, "day": day.isoformat(), "time": "10:30", "phone": "+998930000009"}
    assert client.post(url, data, REMOTE_ADDR="10.9.9.9").status_code == 303


@pytest.mark.django_db
def test_kiosk_check_in_gives_the_ticket_page(client, soon):
    center, service, _day = soon
    now = timezone.now()
    start = now.replace(second=0, microsecond=0)  # just now: within the grace, so a booked-time ticket
    appointment = Appointment.objects.create(
        center=center, service=service, start=start, end=start, phone=PHONE, code="12345678", created_at=now
    )
    url = reverse("queues:booking_check_in", args=[center.code])
    assert client.get(url).status_code == 200
    missing = client.post("/en" + url, {"code": "8765 4321"})
    assert missing.status_code == 404 and "No booking has this code" in missing.content.decode()
    assert client.post(url, {"code": "12"}).status_code == 400
    response = client.post(url, {"code": "1234 5678"})
    appointment.refresh_from_db()
    assert response.status_code == 303 and appointment.ticket.public_code in response["Location"]
    # The same code again prints the same ticket (it was not taken from the printer, say).
    again = client.post(url, {"code": "12345678"})
    assert again.status_code == 303 and again["Location"] == response["Location"]
    assert Appointment.objects.get().ticket == appointment.ticket


@pytest.mark.django_db
def test_kiosk_check_in_says_when_the_visitor_is_late(client, soon):
    center, service, _day = soon
    now = timezone.now()
    start = now - dt.timedelta(minutes=30)
    if timezone.localdate(start) != timezone.localdate(now):
        pytest.skip("just after midnight: the booking would be yesterday's")
    Appointment.objects.create(
        center=center, service=service, start=start, end=now, phone=PHONE, code="23456789", created_at=now
    )
    with translation.override("en"):
        url = reverse("queues:booking_check_in", args=[center.code])
    response = client.post(url, {"code": "23456789"})
    assert response.status_code == 200
    assert "general queue" in response.content.decode()
    assert Appointment.objects.get().ticket.rank == 0
