"""Tickets: the touch kiosk of a center, tickets issued by operators, the printable 80 mm ticket
and the live page its QR code opens (position, people ahead, estimated wait).

    /queue/<center>/kiosk/                              step 1: category
    /queue/<center>/kiosk/category/<category>/          step 2: service
    /queue/<center>/kiosk/service/<service>/            step 3: priority and phone
    /queue/<center>/kiosk/issue/                        POST: issue, then the ticket on screen
    /queue/<center>/kiosk/ticket/<code>/                the ticket on the kiosk screen, printed on load
    /queue/<center>/kiosk/device/                       a manager registers this browser as a kiosk terminal
    /queue/<center>/tickets/issue/                      an operator issues a ticket (GET form, POST)
    /queue/ticket/<code>/                               live page (the QR code's target)
    /queue/ticket/<code>/status/                        its fragment, polled by htmx
    /queue/ticket/<code>/print/                         printable 80 mm ticket

Every ticket is written by `services.ticket_issue`; these views only read and render. The kiosk's
tickets are limited per client address, per registered terminal and per phone number (`kiosks`).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse, translate_url
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from darcha.core import access
from darcha.core import hours as opening_rule
from darcha.core.audit import SystemActor
from darcha.core.choices import Role
from darcha.core.errors import attempt
from darcha.core.i18n import LANGUAGES
from darcha.core.links import absolute_url
from darcha.core.models import Organization
from darcha.core.qr import qr_svg

from .. import kiosks
from ..choices import Priority
from ..forms import KioskDeviceForm, OperatorIssueForm, TicketIssueForm, add_attempt_error
from ..models import Ticket
from ..selectors import (
    center_categories,
    center_opening,
    center_or_404,
    center_service,
    center_services,
    ticket_by_code,
    ticket_progress,
)
from ..services import ticket_issue

POLL_SECONDS = 10
KIOSK_IDLE_SECONDS = 60
KIOSK_DONE_SECONDS = 15


# --- helpers ----------------------------------------------------------------------------------
def _by_name(items):
    return sorted(items, key=lambda item: item.name.casefold())


def _ticket_not_found(request):
    return render(request, "queues/ticket/not_found.html", status=404)


def _live_url(request, ticket: Ticket) -> str:
    # In the language chosen at the kiosk: a citizen who picked Russian reads the live page in Russian.
    with translation.override(ticket.language or settings.LANGUAGE_CODE):
        return absolute_url(reverse("queues:ticket_live", args=[ticket.public_code]), request)


def _position_context(ticket: Ticket) -> dict:
    progress = ticket_progress(ticket)
    return {
        "ticket": ticket,
        "position": progress.position,
        "stale": progress.stale,
        "final": progress.final,
        "booked_at": progress.booked_at,
        "poll_seconds": POLL_SECONDS,
    }


def _slip_context(request, ticket: Ticket) -> dict:
    live_url = _live_url(request, ticket)
    return {
        **_position_context(ticket),
        "center": ticket.center,
        "live_url": live_url,
        "qr": qr_svg(live_url, label=_("QR code of the live queue page")),
    }


# --- the kiosk --------------------------------------------------------------------------------
def _kiosk_context(request, center: Organization, step: int, **extra) -> dict:
    with translation.override("uz"):
        home_uz = reverse("queues:kiosk_start", args=[center.code])
    current = request.get_full_path() if request.method == "GET" else reverse("queues:kiosk_start", args=[center.code])
    languages = [
        {"code": lang.code, "name": lang.native, "html_lang": lang.html, "url": translate_url(current, lang.code)}
        for lang in LANGUAGES
    ]
    return {
        "center": center,
        "step": step,
        "languages": languages,
        "home": reverse("queues:kiosk_start", args=[center.code]),
        "home_uz": home_uz,
        "idle_seconds": KIOSK_IDLE_SECONDS,
        **extra,
    }


def kiosk_closed(request, center: Organization, status: int = 200, opening: opening_rule.Opening | None = None):
    """The kiosk outside opening hours and on days off: when the center opens, and no way to a
    ticket (`services.ticket_issue` refuses one anyway). None while the center is open. (Left alone,
    the closed screen goes back to the start every minute, so the tiles are back at opening time.)"""
    opening = opening or center_opening(center, timezone.now())
    if opening.is_open:
        return None
    context = _kiosk_context(request, center, 4, opening=opening, closed_text=opening_rule.closed_text(opening))
    return render(request, "queues/kiosk/closed.html", context, status=status)


@never_cache
@require_GET
def kiosk_start(request, center):
    center = center_or_404(center)
    opening = center_opening(center, timezone.now())
    if closed := kiosk_closed(request, center, opening=opening):
        return closed
    categories = center_categories(center)
    # The start screen waits at the kiosk for hours: it reloads itself at closing time (kiosk.js).
    context = _kiosk_context(request, center, 1, categories=categories, reload_at=opening.closes_at)
    return render(request, "queues/kiosk/start.html", context)


@never_cache
@require_GET
def kiosk_category(request, center, category):
    center = center_or_404(center)
    if closed := kiosk_closed(request, center):
        return closed
    services = _by_name(center_services(center).filter(category__code=category))
    if not services:
        raise Http404
    category = services[0].category
    return render(
        request,
        "queues/kiosk/services.html",
        _kiosk_context(request, center, 2, category=category, services=services),
    )


def _render_details(request, center, service, form, status=200):
    return render(
        request,
        "queues/kiosk/details.html",
        _kiosk_context(request, center, 3, service=service, category=service.category, form=form, priorities=Priority),
        status=status,
    )


@never_cache
@require_GET
def kiosk_service(request, center, service):
    center = center_or_404(center)
    if closed := kiosk_closed(request, center):
        return closed
    service = center_service(center, service)
    if service is None:
        raise Http404
    return _render_details(request, center, service, TicketIssueForm(initial={"service": service.code}))


def _kiosk_actor(request, center: Organization) -> SystemActor:
    device = kiosks.device_of(request, center)
    return SystemActor(f"kiosk:{center.code}:{device.device_id}" if device else f"kiosk:{center.code}")


@never_cache
@require_POST
def kiosk_issue(request, center):
    center = center_or_404(center)
    if closed := kiosk_closed(request, center, status=409):
        return closed
    form = TicketIssueForm(request.POST)
    status = 400
    if form.is_valid():
        phone = form.cleaned_data["phone"]
        refused = kiosks.ticket_refused(request, center, phone)
        if refused is not None:
            status = 429
            form.add_error(refused.field, refused.message)
        else:
            issued = attempt(
                lambda: ticket_issue(
                    actor=_kiosk_actor(request, center),
                    center=center,
                    service=form.cleaned_data["service"],
                    priority=form.cleaned_data["priority"],
                    phone=phone,
                    language=translation.get_language() or settings.LANGUAGE_CODE,
                )
            )
            if issued.ok:
                ticket = issued.value
                kiosks.ticket_counted(request, center, ticket.phone)
                return HttpResponseRedirect(reverse("queues:kiosk_ticket", args=[center.code, ticket.public_code]))
            form.add_issue_error(issued)
    service = center_service(center, form.data.get("service", ""))
    if service is not None and not (status == 429 and form.non_field_errors()):
        return _render_details(request, center, service, form, status=status)
    # No service, one this center does not serve, or no more tickets from this kiosk now: back to
    # the first step, with the reason.
    categories = center_categories(center)
    errors = [error for errors in form.errors.values() for error in errors]
    return render(
        request,
        "queues/kiosk/start.html",
        _kiosk_context(request, center, 1, categories=categories, errors=errors),
        status=status,
    )


# --- registering a kiosk terminal -------------------------------------------------------------
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def kiosk_device(request, center):
    """A manager registers this browser as one of the center's kiosk terminals (see `kiosks`)."""
    center = center_or_404(center)
    access.require_role(
        request.user, Role.CENTER_MANAGER, center, _("Only a manager of this center registers its kiosks.")
    )
    device = kiosks.device_of(request, center)
    form = KioskDeviceForm(request.POST or None)
    status = 200
    if request.method == "POST" and request.POST.get("forget") and device is not None:
        kiosks.kiosk_forget(actor=request.user, center=center, device=device)
        response = HttpResponseRedirect(reverse("queues:kiosk_device", args=[center.code]), status=303)
        response.delete_cookie(kiosks.COOKIE, samesite="Lax")
        return response
    if request.method == "POST":
        status = 400
        if form.is_valid():
            registered = attempt(
                lambda: kiosks.kiosk_register(actor=request.user, center=center, name=form.cleaned_data["name"])
            )
            if registered.ok:
                _device, value = registered.value
                # The kiosk runs without a staff session: the manager is signed out on this browser.
                logout(request)
                response = HttpResponseRedirect(reverse("queues:kiosk_start", args=[center.code]), status=303)
                kiosks.set_cookie(request, response, value)
                return response
            add_attempt_error(form, registered, {"name": "name"})
            status = registered.status
    context = {
        "center": center,
        "device": device,
        "form": form,
        "limits": {
            "client": kiosks.client_limit().attempts,
            "device": kiosks.device_limit().attempts,
            "minutes": kiosks.client_limit().window // 60,
            "phone": kiosks.phone_limit().attempts,
            "phone_minutes": kiosks.phone_limit().window // 60,
        },
    }
    return render(request, "queues/kiosk/device.html", context, status=status)


@never_cache
@require_GET
def kiosk_ticket(request, center, code):
    center = center_or_404(center)
    ticket = ticket_by_code(code)
    if ticket is None or ticket.center_id != center.pk:
        return _ticket_not_found(request)
    context = {**_slip_context(request, ticket), **_kiosk_context(request, center, 4, done_seconds=KIOSK_DONE_SECONDS)}
    return render(request, "queues/kiosk/ticket.html", context)


# --- tickets issued by an operator ------------------------------------------------------------
@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def operator_issue(request, center):
    center = center_or_404(center)
    access.require_role(request.user, access.CENTER_STAFF, center, _("You do not work at this center."))
    form = OperatorIssueForm(
        request.POST or None, services=center_services(center), initial={"language": translation.get_language()}
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            issued = attempt(
                lambda: ticket_issue(
                    actor=request.user,
                    center=center,
                    service=form.cleaned_data["service"],
                    priority=form.cleaned_data["priority"],
                    phone=form.cleaned_data["phone"],
                    language=form.cleaned_data["language"] or translation.get_language() or settings.LANGUAGE_CODE,
                )
            )
            if issued.ok:
                url = reverse("queues:ticket_print", args=[issued.value.public_code])
                return HttpResponseRedirect(f"{url}?print=1", status=303)
            form.add_issue_error(issued)
            status = issued.status
    return render(request, "queues/ticket/issue.html", {"center": center, "form": form}, status=status)


# --- the ticket: live page, its fragment, the printout ----------------------------------------
def _stream_url(ticket: Ticket) -> str:
    # The center's event stream (the display board's); the page polls anyway.
    return reverse("queues:board_stream", args=[ticket.center.code])


@never_cache
@require_GET
def ticket_live(request, code):
    ticket = ticket_by_code(code)
    if ticket is None:
        return _ticket_not_found(request)
    context = {**_position_context(ticket), "center": ticket.center, "stream_url": _stream_url(ticket)}
    return render(request, "queues/ticket/live.html", context)


@never_cache
@require_GET
def ticket_status(request, code):
    ticket = ticket_by_code(code)
    if ticket is None:
        return _ticket_not_found(request)
    return render(request, "queues/ticket/_status.html", _position_context(ticket))


@never_cache
@require_GET
def ticket_print(request, code):
    ticket = ticket_by_code(code)
    if ticket is None:
        return _ticket_not_found(request)
    # Printed in the citizen's language (chosen at the kiosk, or by the operator for them).
    with translation.override(ticket.language or settings.LANGUAGE_CODE):
        context = {
            **_slip_context(request, ticket),
            "autoprint": request.GET.get("print") == "1",
            "may_issue": access.has_role(request.user, access.CENTER_STAFF, ticket.center),
        }
        return render(request, "queues/ticket/print.html", context)


urlpatterns = [
    # Ticket addresses first: "ticket" is not a center code.
    path("ticket/<slug:code>/", ticket_live, name="ticket_live"),
    path("ticket/<slug:code>/status/", ticket_status, name="ticket_status"),
    path("ticket/<slug:code>/print/", ticket_print, name="ticket_print"),
    path("<slug:center>/kiosk/", kiosk_start, name="kiosk_start"),
    path("<slug:center>/kiosk/category/<slug:category>/", kiosk_category, name="kiosk_category"),
    path("<slug:center>/kiosk/service/<slug:service>/", kiosk_service, name="kiosk_service"),
    path("<slug:center>/kiosk/issue/", kiosk_issue, name="kiosk_issue"),
    path("<slug:center>/kiosk/ticket/<slug:code>/", kiosk_ticket, name="kiosk_ticket"),
    path("<slug:center>/kiosk/device/", kiosk_device, name="kiosk_device"),
    path("<slug:center>/tickets/issue/", operator_issue, name="ticket_issue"),
]
