"""Appointments: online booking, a booking's own page, and check-in at the kiosk.

    /queue/<center>/book/             step 1: service, day, free time, phone → a code by SMS
    /queue/<center>/book/when/        its day-and-time part, reloaded by htmx when the service or day changes
    /queue/<center>/book/confirm/     step 2: the code from the SMS → booked
    /queue/booking/<code>/            the booking: shown to whoever booked it here or gives its phone; cancel
    /queue/<center>/check-in/         kiosk: the booking code → a ticket called first at the booked time

Every write is a service function of `queues.appointments`, every read a selector; these views check
the shape of the input, keep the booking being confirmed in the session, and limit how often one
client address may ask for codes or try codes it does not know (`core.throttle.ClientLimit`).
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import formats, timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from darcha.catalog.models import Service
from darcha.core.audit import SystemActor
from darcha.core.errors import Attempt, attempt
from darcha.core.identifiers import format_phone, mask_identifier, validate_phone
from darcha.core.models import Organization
from darcha.core.throttle import TOO_MANY, ClientLimit
from darcha.notify import services as notify

from .. import appointments, selectors, slots
from ..choices import QueueRefusal, TicketStatus
from ..forms import add_attempt_error
from ..models import Appointment, AppointmentStatus
from ..selectors import center_or_404

CITIZEN = SystemActor("online-booking")
PENDING = "booking_pending"  # session key: the booking waiting for its phone code
OWNED = "booking_codes"  # session key: bookings this browser made or proved the phone of
# Per client address, in the shared cache.
LIMITS = {
    # SMS codes requested (the notify app limits each phone number too)
    "code": ClientLimit("booking-code", attempts=10, window=3600),
    # wrong code-and-phone pairs on a booking's page
    "lookup": ClientLimit("booking-lookup", attempts=10, window=900),
    # unknown codes typed at a kiosk
    "check_in": ClientLimit("booking-check-in", attempts=20, window=900),
}
LATE_CONTINUE_SECONDS = 12


# --- helpers ------------------------------------------------------------------------------------
def _language() -> str:
    return translation.get_language() or settings.LANGUAGE_CODE


def _masked_phone(phone: str) -> str:
    formatted = format_phone(phone)  # +998 90 123 45 67
    return formatted[:-5].rstrip() + " •• " + formatted[-2:] if len(formatted) > 8 else mask_identifier(phone)


def _owned(request) -> list[str]:
    return list(request.session.get(OWNED, []))


def _own(request, code: str) -> None:
    request.session[OWNED] = [*(c for c in _owned(request) if c != code), code][-20:]


def _day_label(day: dt.date) -> str:
    return f"{WEEKDAYS[day.weekday()]}, {formats.date_format(day, 'SHORT_DATE_FORMAT')}"


# --- forms --------------------------------------------------------------------------------------
class BookingForm(forms.Form):
    service = forms.ChoiceField(
        label=gettext_lazy("Service"), error_messages={"required": gettext_lazy("Choose a service.")}
    )
    day = forms.DateField(
        label=gettext_lazy("Day"),
        input_formats=["%Y-%m-%d"],
        error_messages={"required": gettext_lazy("Choose a day."), "invalid": gettext_lazy("Choose a day.")},
    )
    time = forms.TimeField(
        label=gettext_lazy("Time"),
        input_formats=["%H:%M"],
        error_messages={"required": gettext_lazy("Choose a time."), "invalid": gettext_lazy("Choose a time.")},
    )
    phone = forms.CharField(
        label=gettext_lazy("Mobile phone"),
        max_length=24,
        error_messages={"required": gettext_lazy("Enter your mobile phone number.")},
    )

    def __init__(self, *args, services, **kwargs):
        super().__init__(*args, **kwargs)
        self.services = {service.code: service for service in services}
        self.fields["service"].choices = [("", "")] + [(code, s.name) for code, s in self.services.items()]
        self.fields["service"].error_messages["invalid_choice"] = _(
            "This service cannot be booked online at this center."
        )

    def clean_phone(self) -> str:
        return validate_phone(self.cleaned_data["phone"])

    def cleaned_service(self) -> Service:
        return self.services[self.cleaned_data["service"]]

    def start(self) -> dt.datetime:
        return slots.local(self.cleaned_data["day"], self.cleaned_data["time"])


# Refusal codes of booking_check / appointment_book → the field to change.
ERROR_FIELDS = {
    "phone_format": "phone",
    "limit": "phone",
    "service": "service",
    "past": "time",
    "slot": "time",
    "slot_full": "time",
    "horizon": "day",
    "closed": "day",
}


# --- step 1: service, day, time, phone ----------------------------------------------------------
def _when_context(center: Organization, service: Service | None, day: dt.date | None, chosen: str = "") -> dict:
    """The day choices and the day's slots for the chosen service (the first day with a free place
    unless a day is chosen)."""
    if service is None:
        return {"service": None, "days": [], "day": None, "slots": [], "chosen_time": chosen}
    calendar = selectors.slot_calendar(center, service)
    days = calendar.days()
    if day not in days:
        day = calendar.first_free_day()
    day_slots = calendar.slots(day) if day else []
    return {
        "service": service,
        "days": [(d, _day_label(d)) for d in days],
        "day": day,
        "slots": day_slots,
        "has_free": any(slot.free for slot in day_slots),
        "chosen_time": chosen,
    }


def _parse_day(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def _start_page(request, center, form, services, status=200, **extra):
    data = form.data if form.is_bound else form.initial
    service = next((s for s in services if s.code == data.get("service")), None)
    context = {
        "center": center,
        "form": form,
        "services": services,
        **_when_context(center, service, _parse_day(data.get("day")), data.get("time", "")),
        **extra,
    }
    return render(request, "queues/booking/start.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def booking_start(request, center):
    center = center_or_404(center)
    services = selectors.bookable_services_listed(center)
    if request.method == "GET":
        pending = request.session.get(PENDING) or {}
        initial = {key: request.GET.get(key, "") for key in ("service", "day", "time")}
        if not initial["service"] and pending.get("center") == center.code:
            initial = {k: pending.get(k, "") for k in ("service", "day", "time", "phone")}
        return _start_page(request, center, BookingForm(initial=initial, services=services), services)

    form = BookingForm(request.POST, services=services)
    if not form.is_valid():
        return _start_page(request, center, form, services, status=400)
    service, start = form.cleaned_service(), form.start()
    checked = attempt(
        lambda: appointments.booking_check(
            center=center, service=service, start=start, phone=form.cleaned_data["phone"]
        )
    )
    if not checked.ok:
        add_attempt_error(form, checked, ERROR_FIELDS)
        return _start_page(request, center, form, services, status=checked.status)
    phone = checked.value
    if LIMITS["code"].reached(request):
        form.add_error(None, TOO_MANY)
        return _start_page(request, center, form, services, status=429)
    sent = _send_code(phone)
    if not sent.ok:
        status = _code_status(sent)
        form.add_error(None if status == 429 else "phone", sent.message)
        return _start_page(request, center, form, services, status=status)
    LIMITS["code"].count(request)
    request.session[PENDING] = {
        "center": center.code,
        "service": service.code,
        "day": start.date().isoformat(),
        "time": form.cleaned_data["time"].strftime("%H:%M"),
        "phone": phone,
    }
    return HttpResponseRedirect(reverse("queues:booking_confirm", args=[center.code]), status=303)


@never_cache
@require_GET
def booking_when(request, center):
    """The day-and-time part of step 1 (htmx), for the service and day chosen."""
    center = center_or_404(center)
    code = request.GET.get("service")
    service = next((s for s in selectors.bookable_services_listed(center) if s.code == code), None)
    context = {"center": center, **_when_context(center, service, _parse_day(request.GET.get("day")))}
    response = render(request, "queues/booking/_when.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


# --- step 2: the code from the SMS --------------------------------------------------------------
def _pending(request, center: Organization) -> dict | None:
    pending = request.session.get(PENDING)
    return pending if pending and pending.get("center") == center.code else None


def _send_code(phone: str) -> Attempt:
    return attempt(
        lambda: notify.otp_send(actor=CITIZEN, phone=phone, purpose=appointments.OTP_PURPOSE, language=_language())
    )


def _code_status(sent: Attempt) -> int:
    """Codes asked for too often for this phone number: 429, like the per-address limit."""
    return 429 if getattr(sent.error, "code", None) == "otp_rate" else sent.status


def _confirm_page(request, center, pending, status=200, errors=()):
    service = selectors.service_by_code(pending["service"])
    start = slots.local(dt.date.fromisoformat(pending["day"]), dt.time.fromisoformat(pending["time"]))
    context = {
        "center": center,
        "service": service,
        "start": start,
        "when": appointments.when_text(start),
        "phone": _masked_phone(pending["phone"]),
        "errors": list(errors),
    }
    return render(request, "queues/booking/confirm.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def booking_confirm(request, center):
    center = center_or_404(center)
    pending = _pending(request, center)
    if pending is None:
        messages.info(request, _("Choose a service and a time first."))
        return HttpResponseRedirect(reverse("queues:booking_start", args=[center.code]), status=303)
    if request.method == "GET":
        return _confirm_page(request, center, pending)
    if "resend" in request.POST:
        if LIMITS["code"].reached(request):
            return _confirm_page(request, center, pending, 429, [TOO_MANY])
        sent = _send_code(pending["phone"])
        if not sent.ok:
            return _confirm_page(request, center, pending, _code_status(sent), [sent.message])
        LIMITS["code"].count(request)
        messages.success(request, _("A new code has been sent."))
        return HttpResponseRedirect(reverse("queues:booking_confirm", args=[center.code]), status=303)

    service = selectors.service_by_code(pending["service"])
    code = "".join(request.POST.get("code", "").split())[:12]
    if service is None:
        return _confirm_page(request, center, pending, 400, [_("This service cannot be booked online at this center.")])
    if not code:
        return _confirm_page(request, center, pending, 400, [_("Enter the code from the SMS.")])
    booked = attempt(
        lambda: appointments.appointment_book(
            actor=CITIZEN,
            center=center,
            service=service,
            start=slots.local(dt.date.fromisoformat(pending["day"]), dt.time.fromisoformat(pending["time"])),
            phone=pending["phone"],
            otp_code=code,
            language=_language(),
        )
    )
    if not booked.ok:
        if getattr(booked.error, "code", None) in ERROR_FIELDS:
            # The booking itself no longer fits (the time was taken): back to step 1.
            return _start_again(request, center, pending, booked)
        return _confirm_page(request, center, pending, booked.status, [booked.message])
    appointment = booked.value
    request.session.pop(PENDING, None)
    _own(request, appointment.code)
    messages.success(request, _("You are booked. The booking code has also been sent to your phone."))
    return HttpResponseRedirect(reverse("queues:booking_detail", args=[appointment.code]), status=303)


def _start_again(request, center, pending, refused: Attempt):
    services = selectors.bookable_services_listed(center)
    form = BookingForm({**pending, "phone": format_phone(pending["phone"])}, services=services)
    form.is_valid()
    add_attempt_error(form, refused, ERROR_FIELDS)
    return _start_page(request, center, form, services, status=refused.status)


# --- the booking's page -------------------------------------------------------------------------
def _detail_page(request, appointment: Appointment | None, code: str, status=200, errors=()):
    context = {"appointment": appointment, "code": code, "errors": list(errors)}
    if appointment is not None:
        context.update(
            when=appointments.when_text(appointment.start),
            cancellable=appointment.status == AppointmentStatus.BOOKED and appointment.start > timezone.now(),
            grace=selectors.queue_settings(appointment.center).late_grace_minutes,
        )
    return render(request, "queues/booking/detail.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def booking_detail(request, code):
    code = selectors.normalize_code(code)
    appointment = selectors.appointment_by_code(code) if code in _owned(request) else None
    if request.method == "GET":
        return _detail_page(request, appointment, code)

    if appointment is None:  # the phone proves the booking is theirs
        if LIMITS["lookup"].reached(request):
            return _detail_page(request, None, code, 429, [TOO_MANY])
        appointment = selectors.appointment_find(code, request.POST.get("phone", ""))
        if appointment is None:
            LIMITS["lookup"].count(request)
            return _detail_page(request, None, code, 404, [_("No booking has this code and phone number.")])
        _own(request, code)
        if "cancel" not in request.POST:
            return HttpResponseRedirect(reverse("queues:booking_detail", args=[code]), status=303)
    if "cancel" in request.POST:
        cancelled = attempt(lambda: appointments.appointment_cancel(actor=CITIZEN, code=code, phone=appointment.phone))
        if not cancelled.ok:
            return _detail_page(request, appointment, code, cancelled.status, [cancelled.message])
        messages.success(request, _("Your booking has been cancelled."))
    return HttpResponseRedirect(reverse("queues:booking_detail", args=[code]), status=303)


# --- check-in at the kiosk ----------------------------------------------------------------------
def _kiosk_context(request, center: Organization) -> dict:
    """The kiosk frame (language buttons, idle return to the start screen), without its steps."""
    from .kiosk import _kiosk_context as kiosk_frame

    return kiosk_frame(request, center, 4)


def _ticket_page(center: Organization, ticket) -> str:
    """The kiosk's ticket screen, which prints the ticket on load."""
    return reverse("queues:kiosk_ticket", args=[center.code, ticket.public_code])


def _check_in_page(request, center, status=200, errors=(), code=""):
    context = {**_kiosk_context(request, center), "errors": list(errors), "code": code}
    return render(request, "queues/booking/check_in.html", context, status=status)


@never_cache
@require_http_methods(["GET", "POST"])
def booking_check_in(request, center):
    center = center_or_404(center)
    from .kiosk import kiosk_closed

    if closed := kiosk_closed(request, center, status=409 if request.method == "POST" else 200):
        return closed  # no ticket outside opening hours, booked or not
    if request.method == "GET":
        return _check_in_page(request, center)
    if LIMITS["check_in"].reached(request):
        return _check_in_page(request, center, 429, [TOO_MANY])
    typed = request.POST.get("code", "")
    code = selectors.normalize_code(typed)
    if not code:
        return _check_in_page(request, center, 400, [_("A booking code has eight digits.")], typed[:20])
    kiosk = SystemActor(f"kiosk:{center.code}")
    checked_in = attempt(lambda: appointments.appointment_check_in(actor=kiosk, center=center, code=code))
    if not checked_in.ok:
        refusal = getattr(checked_in.error, "code", None)
        if refusal == QueueRefusal.CHECKED_IN:
            # Checked in already and still waiting (the ticket was not taken from the printer, say): print it again.
            again = selectors.appointment_by_code(code, center=center)
            if again and again.ticket_id and again.ticket.status == TicketStatus.WAITING:
                return HttpResponseRedirect(_ticket_page(center, again.ticket), status=303)
        status = checked_in.status
        if refusal == QueueRefusal.NOT_FOUND:
            LIMITS["check_in"].count(request)
            status = 404
        return _check_in_page(request, center, status, [checked_in.message], typed[:20])
    appointment = checked_in.value
    if not appointment.late:
        return HttpResponseRedirect(_ticket_page(center, appointment.ticket), status=303)
    context = {
        **_kiosk_context(request, center),
        "appointment": appointment,
        "ticket": appointment.ticket,
        "booked_at": timezone.localtime(appointment.start),
        "grace": selectors.queue_settings(center).late_grace_minutes,
        "ticket_url": _ticket_page(center, appointment.ticket),
        "done_seconds": LATE_CONTINUE_SECONDS,
    }
    return render(request, "queues/booking/checked_in_late.html", context)


urlpatterns = [
    path("booking/<str:code>/", booking_detail, name="booking_detail"),
    path("<slug:center>/book/", booking_start, name="booking_start"),
    path("<slug:center>/book/when/", booking_when, name="booking_when"),
    path("<slug:center>/book/confirm/", booking_confirm, name="booking_confirm"),
    path("<slug:center>/check-in/", booking_check_in, name="booking_check_in"),
]
