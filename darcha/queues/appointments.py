"""Appointments: every write (book, cancel, check in at the kiosk, no-shows, reminders), and the
checks the booking page runs before it sends a phone code. Writes are keyword-only, atomic and
audited; messages to the citizen go out after commit, through the `notify` app. The reads (the
bookable services, the slot calendar, lookups by code) are `selectors`; the slot arithmetic is `slots`.

Bad input (a time that is not offered, a wrong phone code) is a ValidationError; a booking the
state does not allow (the slot just filled, the daily limit, a cancelled booking at check-in) is
`core.errors.Refused` with a `QueueRefusal` code.

Capacity: a booking locks its slot's row (AppointmentSlot) and counts the bookings holding the
slot while it holds the lock, so two people never take the last place together. The daily limit
per phone is counted under a lock on (center, phone, day): a PostgreSQL advisory lock (SQLite
runs one writer at a time anyway).
"""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import zlib

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from darcha.catalog.models import Service
from darcha.core.audit import SYSTEM, audit_record
from darcha.core.calendar import WorkingCalendar
from darcha.core.choices import OrganizationKind
from darcha.core.errors import Refused
from darcha.core.i18n import language_or_default
from darcha.core.identifiers import validate_phone
from darcha.core.models import Organization
from darcha.notify import services as notify

from . import selectors, slots
from .choices import BOOKED_RANK, QueueRefusal, TicketStatus
from .models import Appointment, AppointmentSlot, AppointmentStatus, SlotRule
from .selectors import CODE_LENGTH, normalize_code, queue_settings
from .services import ticket_issue

log = logging.getLogger(__name__)

OTP_PURPOSE = "booking"
# Booking codes: eight digits (selectors.CODE_LENGTH); a hundred million codes, so random ones
# rarely collide and cannot be guessed in the few tries allowed.
CODE_ALPHABET = "0123456789"
_LIMIT_LOCK_KEY = 7_311_845_021  # pg_advisory_xact_lock namespace of the daily limit per phone


def when_text(moment: dt.datetime) -> str:
    """ "14.12.2026 10:30" — the same in every language, for messages and pages."""
    return formats.date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


# --- checks shared by the booking page and appointment_book -------------------------------------
def _require_center(center: Organization) -> None:
    if center.kind != OrganizationKind.CENTER or not center.is_active:
        raise ValidationError(_("Appointments are made at public service centers only."), code="not_center")


def _require_bookable(center: Organization, service: Service) -> SlotRule:
    _require_center(center)
    if not selectors.bookable_services(center).filter(pk=service.pk).exists():
        raise ValidationError(_("This service cannot be booked online at this center."), code="service")
    return selectors.slot_rule(center, service)


def _require_slot(center: Organization, service: Service, rule: SlotRule, start: dt.datetime, now) -> slots.Slot:
    if timezone.is_naive(start):
        raise ValueError("appointment times are aware datetimes")
    day = timezone.localdate(start)
    rule_policy = selectors.slot_policy(rule)
    first, last = slots.horizon(timezone.localdate(now), rule_policy)
    if start <= now:
        raise ValidationError(_("This time has already passed. Choose a later time."), code="past")
    if not first <= day <= last:
        raise ValidationError(
            _("Bookings are open for the next %(days)d days only.") % {"days": rule.days_ahead}, code="horizon"
        )
    calendar, hours = WorkingCalendar.current(), selectors.opening_hours(center)
    if slots.day_hours(day, hours, calendar) is None:
        raise ValidationError(
            _("The center does not receive visitors on %(date)s.")
            % {"date": formats.date_format(day, "SHORT_DATE_FORMAT")},
            code="closed",
        )
    slot = slots.find_slot(slots.day_slots(day, rule_policy, hours, calendar, now=now), start)
    if slot is None:
        raise ValidationError(_("Choose one of the times offered."), code="slot")
    return slot


def _check_room(center: Organization, service: Service, slot: slots.Slot, phone: str) -> None:
    if selectors.slot_holding(center, service, slot.start) >= slot.capacity:
        raise Refused(_("This time has just been taken. Choose another time."), QueueRefusal.SLOT_FULL)
    limit = queue_settings(center).bookings_per_day
    if selectors.bookings_that_day(center, phone, timezone.localdate(slot.start)) >= limit:
        raise Refused(
            _("This phone number already has %(limit)d booking(s) at this center on that day, the most allowed.")
            % {"limit": limit},
            QueueRefusal.LIMIT,
        )


def booking_check(
    *, center: Organization, service: Service, start: dt.datetime, phone: str, now: dt.datetime | None = None
) -> str:
    """Everything but the phone code: the page runs it before sending a code, so nobody is sent a
    code for a booking that cannot be made. Returns the phone in E.164 form."""
    now = now or timezone.now()
    phone = validate_phone(phone)
    rule = _require_bookable(center, service)
    _check_room(center, service, _require_slot(center, service, rule, start, now), phone)
    return phone


# --- writes -------------------------------------------------------------------------------------
def _lock_slot(center: Organization, service: Service, start: dt.datetime) -> None:
    AppointmentSlot.objects.bulk_create(
        [AppointmentSlot(center=center, service=service, start=start)], ignore_conflicts=True
    )
    AppointmentSlot.objects.select_for_update().get(center=center, service=service, start=start)


def _lock_phone_day(center: Organization, phone: str, day: dt.date) -> None:
    if connection.vendor == "postgresql":
        key = zlib.crc32(f"{center.pk}|{phone}|{day.isoformat()}".encode()) - 2**31
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_LIMIT_LOCK_KEY % 2**31, key])


def _new_code() -> str:
    for _attempt in range(20):
        code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
        if not selectors.appointment_code_taken(code):
            return code
    raise RuntimeError("no free booking code after 20 draws")  # a hundred million codes: does not happen


def _context(appointment: Appointment) -> dict:
    with translation.override(appointment.language):
        return {
            "code": appointment.display_code,
            "service": appointment.service.name,
            "center": appointment.center.name,
            "when": when_text(appointment.start),
        }


def _send(appointment: Appointment, template: str, context: dict) -> None:
    try:
        notify.message_send_preferred(
            actor=SYSTEM,
            phone=appointment.phone,
            template=template,
            context=context,
            language=appointment.language,
            related=appointment,
        )
    except Exception:  # the booking stands; the message's failure is the notify app's to record
        log.exception("could not send %s for appointment %s", template, appointment.pk)


def _notify_on_commit(appointment: Appointment, template: str) -> None:
    context = _context(appointment)
    transaction.on_commit(lambda: _send(appointment, template, context))


def appointment_book(
    *,
    actor,
    center: Organization,
    service: Service,
    start: dt.datetime,
    phone: str,
    otp_code: str,
    language: str = "uz",
    now: dt.datetime | None = None,
) -> Appointment:
    """Book a slot for a phone number proven by the code sent to it (`notify.otp_send`)."""
    now = now or timezone.now()
    phone = booking_check(center=center, service=service, start=start, phone=phone, now=now)
    rule = selectors.slot_rule(center, service)
    # Verified outside the booking's transaction: a wrong code counts even though nothing is booked.
    if not notify.otp_verify(actor=actor, phone=phone, purpose=OTP_PURPOSE, code=str(otp_code or "").strip(), now=now):
        raise ValidationError(_("The code is wrong or has expired."), code="otp")
    with transaction.atomic():
        _lock_slot(center, service, start)
        _lock_phone_day(center, phone, timezone.localdate(start))
        slot = slots.Slot(start, start + dt.timedelta(minutes=rule.slot_minutes), rule.capacity)
        _check_room(center, service, slot, phone)
        appointment = Appointment.objects.create(
            center=center,
            service=service,
            start=start,
            end=slot.end,
            phone=phone,
            language=language_or_default(language),
            code=_new_code(),
            created_at=now,
        )
        audit_record(
            actor=actor,
            action="appointment_book",
            obj=appointment,
            data={"center": center.code, "service": service.code, "start": start},
        )
        _notify_on_commit(appointment, "appointment_booked")
    return appointment


def appointment_cancel(*, actor, code: str, phone: str, now: dt.datetime | None = None) -> Appointment:
    """The citizen cancels by code and phone; the place is free again at once."""
    now = now or timezone.now()
    not_found = Refused(_("No booking has this code and phone number."), QueueRefusal.NOT_FOUND)
    try:
        phone = validate_phone(phone)
    except ValidationError:
        raise not_found from None
    with transaction.atomic():
        appointment = (
            Appointment.objects.select_for_update(of=("self",))
            .select_related("center", "service")
            .filter(code=normalize_code(code), phone=phone)
            .first()
        )
        if appointment is None:
            raise not_found
        if appointment.status != AppointmentStatus.BOOKED:
            raise Refused(
                _("This booking is %(status)s and cannot be cancelled.")
                % {"status": appointment.get_status_display().lower()},
                QueueRefusal.NOT_CANCELLABLE,
            )
        if appointment.start <= now:
            raise Refused(_("The time of this booking has passed."), QueueRefusal.PAST)
        appointment.status = AppointmentStatus.CANCELLED
        appointment.cancelled_at = now
        appointment.save(update_fields=["status", "cancelled_at"])
        audit_record(actor=actor, action="appointment_cancel", obj=appointment, data={"start": appointment.start})
        _notify_on_commit(appointment, "appointment_cancelled")
    return appointment


def appointment_check_in(*, actor, center: Organization, code: str, now: dt.datetime | None = None) -> Appointment:
    """At the kiosk, by the booking code: a ticket that is called first at the booked time.

    Early: the ticket waits until its time (a ticket queued in the future is not called).
    Up to `late_grace_minutes` late: still first in line. Later: a general-queue ticket from now
    (`appointment.late` is set, and the page says so)."""
    now = now or timezone.now()
    with transaction.atomic():
        appointment = (
            Appointment.objects.select_for_update(of=("self",))
            .select_related("center", "service", "ticket")
            .filter(code=normalize_code(code))
            .first()
        )
        if appointment is None:
            raise Refused(_("No booking has this code. Check the code in your SMS."), QueueRefusal.NOT_FOUND)
        if appointment.center_id != center.pk:
            raise Refused(
                _("This booking is for another center: %(center)s.") % {"center": appointment.center.name},
                QueueRefusal.OTHER_CENTER,
            )
        if appointment.status in (AppointmentStatus.CHECKED_IN, AppointmentStatus.SERVED):
            ticket = appointment.ticket.display if appointment.ticket_id else "—"
            raise Refused(
                _("This booking has already been checked in: ticket %(ticket)s.") % {"ticket": ticket},
                QueueRefusal.CHECKED_IN,
            )
        if appointment.status == AppointmentStatus.CANCELLED:
            raise Refused(_("This booking was cancelled."), QueueRefusal.CANCELLED)
        day, today = timezone.localdate(appointment.start), timezone.localdate(now)
        if appointment.status == AppointmentStatus.NO_SHOW or day < today:
            raise Refused(_("The day of this booking has passed."), QueueRefusal.PAST)
        if day > today:
            raise Refused(
                _("This booking is for %(when)s. Please come on that day.") % {"when": when_text(appointment.start)},
                QueueRefusal.NOT_TODAY,
            )
        late = now > appointment.start + dt.timedelta(minutes=queue_settings(center).late_grace_minutes)
        ticket = ticket_issue(
            actor=actor,
            center=center,
            service=appointment.service,
            phone=appointment.phone,
            language=appointment.language,
            queued_at=now if late else appointment.start,
            rank=0 if late else BOOKED_RANK,
            now=now,
        )
        appointment.status = AppointmentStatus.CHECKED_IN
        appointment.ticket = ticket
        appointment.checked_in_at = now
        appointment.late = late
        appointment.save(update_fields=["status", "ticket", "checked_in_at", "late"])
        audit_record(
            actor=actor,
            action="appointment_check_in",
            obj=appointment,
            data={"ticket": ticket.display, "late": late},
        )
    return appointment


def _day_over(appointment: Appointment, now: dt.datetime, calendar: WorkingCalendar, hours_of: dict) -> bool:
    day = timezone.localdate(appointment.start)
    if day < timezone.localdate(now):
        return True
    if appointment.center_id not in hours_of:
        hours_of[appointment.center_id] = selectors.opening_hours(appointment.center_id)
    closes = slots.closing_time(day, hours_of[appointment.center_id], calendar)
    return closes is None or now >= closes


def appointment_mark_no_shows(*, actor=SYSTEM, now: dt.datetime | None = None) -> int:
    """Bookings never checked in by the end of their day (the center's closing time) → "did not
    come". Until then a late visitor may still check in, into the general queue."""
    now = now or timezone.now()
    calendar, hours_of = WorkingCalendar.current(), {}
    with transaction.atomic():
        due = [
            appointment
            for appointment in Appointment.objects.select_for_update(of=("self",))
            .select_related("center")
            .filter(status=AppointmentStatus.BOOKED, start__lt=now)
            if _day_over(appointment, now, calendar, hours_of)
        ]
        if due:
            Appointment.objects.filter(pk__in=[a.pk for a in due]).update(status=AppointmentStatus.NO_SHOW)
            audit_record(
                actor=actor,
                action="appointment_mark_no_shows",
                data={"appointments": [a.code for a in due], "at": now},
            )
    return len(due)


def appointments_settle(*, actor=SYSTEM) -> int:
    """Checked-in bookings follow their ticket: served when it was served, "did not come" when the
    visitor did not answer the calls."""
    outcomes = {TicketStatus.DONE: AppointmentStatus.SERVED, TicketStatus.NO_SHOW: AppointmentStatus.NO_SHOW}
    changed = 0
    with transaction.atomic():
        for ticket_status, status in outcomes.items():
            ids = list(
                Appointment.objects.select_for_update(of=("self",))
                .filter(status=AppointmentStatus.CHECKED_IN, ticket__status=ticket_status)
                .values_list("pk", flat=True)
            )
            if ids:
                Appointment.objects.filter(pk__in=ids).update(status=status)
                audit_record(actor=actor, action="appointments_settle", data={"status": status, "ids": ids})
                changed += len(ids)
    return changed


def appointments_remind(*, actor=SYSTEM, now: dt.datetime | None = None) -> int:
    """One reminder the day before, to bookings made before today (today's got their confirmation)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    tomorrow = slots.local(today + dt.timedelta(days=1), dt.time.min)
    with transaction.atomic():
        due = list(
            Appointment.objects.select_for_update(of=("self",))
            .select_related("center", "service")
            .filter(
                status=AppointmentStatus.BOOKED,
                reminded_at__isnull=True,
                start__gte=tomorrow,
                start__lt=tomorrow + dt.timedelta(days=1),
                created_at__lt=slots.local(today, dt.time.min),
            )
        )
        if due:
            Appointment.objects.filter(pk__in=[a.pk for a in due]).update(reminded_at=now)
            audit_record(actor=actor, action="appointments_remind", data={"appointments": [a.code for a in due]})
            for appointment in due:
                _notify_on_commit(appointment, "appointment_reminder")
    return len(due)
