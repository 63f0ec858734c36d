"""The operator console: an operator signs in at a counter (window) and calls, serves, holds and
transfers citizens' tickets.

    /queue/<center>/console/                                   choose a counter
    /queue/<center>/console/<counter>/                         the console of window <counter>
    /queue/<center>/console/<counter>/panel/                   its panel alone (re-fetched live)
    /queue/<center>/console/<counter>/sign-in/                 POST: sign in at this counter
    /queue/<center>/console/<counter>/sign-out/                POST: sign out
    /queue/<center>/console/<counter>/state/                   POST state=serving|break|back_office
    /queue/<center>/console/<counter>/call/                    POST: call the next ticket
    /queue/<center>/console/<counter>/tickets/<id>/<action>/   POST action: recall, start, no-show,
                                                               hold, resume, finish, transfer

Every action is one call of darcha.queues.services and a plain form POST: without JavaScript it
answers with a redirect back to the console (or, refused, the console page with the reason); asked
by htmx it answers with the panel, which replaces itself. A refusal keeps its meaning in the status
code — 409 the queue's state does not allow it, 400 invalid input, 403 not allowed — and its
translated reason in the panel.

Only operators and managers of the center (and superusers, `core.access`) open its consoles; everyone
else gets 403, and anonymous visitors the login page. The refusal's status and reason come from
`core.errors.attempt`.
"""

from __future__ import annotations

import datetime as dt
from functools import wraps

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from darcha.core import access
from darcha.core.choices import Role
from darcha.core.errors import Refused, attempt
from darcha.core.models import Organization

from ..choices import OperatorState, QueueRefusal, TicketStatus
from ..models import Counter, OperatorSession, Ticket
from ..selectors import (
    active_counters,
    center_counter,
    center_or_404,
    center_services_listed,
    center_ticket,
    counter_console,
    counters_with_sessions,
    open_session,
    queue_settings,
    session_elsewhere,
)
from ..services import (
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

POLL_SECONDS = 15  # the fallback refresh when the live stream is not there
HELD_SHORTCUTS = 9  # held tickets 1–9 are returned with the digit keys

# action in the address → (service function, what the operator reads after it)
TICKET_ACTIONS = {
    "recall": (ticket_recall, gettext_lazy("Ticket %(ticket)s is called again.")),
    "start": (ticket_start, gettext_lazy("Serving ticket %(ticket)s.")),
    "no-show": (ticket_no_show, gettext_lazy("Ticket %(ticket)s is marked as not come.")),
    "hold": (ticket_hold, gettext_lazy("Ticket %(ticket)s is on hold; you may call the next citizen meanwhile.")),
    "resume": (ticket_resume, gettext_lazy("Ticket %(ticket)s is back at the counter.")),
    "finish": (ticket_finish, gettext_lazy("Ticket %(ticket)s is served.")),
}
STATE_NOTICES = {
    OperatorState.SERVING: gettext_lazy("You are at the counter."),
    OperatorState.BREAK: gettext_lazy("You are on a break."),
    OperatorState.BACK_OFFICE: gettext_lazy("You are doing back-office work."),
}
STATE_KEYS = {OperatorState.SERVING: "A", OperatorState.BREAK: "B", OperatorState.BACK_OFFICE: "O"}


# --- access -----------------------------------------------------------------------------------
def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def console_access(view):
    """Resolve the center (and counter) of the address for its operators and managers only (and
    superusers: `core.access`)."""

    @wraps(view)
    def wrapper(request, center: str, counter: int | None = None, **kwargs):
        if not request.user.is_authenticated:
            back = (
                reverse("queues:console_page", args=[center, counter])
                if counter is not None
                else reverse("queues:console_choose", args=[center])
            )
            login = redirect_to_login(back)
            if _is_htmx(request):  # an expired session: the whole page goes to the login form
                response = HttpResponse(status=204)
                response["HX-Redirect"] = login["Location"]
                return response
            return login
        center_obj = center_or_404(center, active=False)
        message = _("Only the operators and managers of this center use its consoles.")
        access.require_role(request.user, access.CENTER_STAFF, center_obj, message)
        if counter is None:
            return view(request, center_obj, **kwargs)
        counter_obj = center_counter(center_obj, counter)
        if counter_obj is None:
            raise Http404
        return view(request, center_obj, counter_obj, **kwargs)

    return wrapper


# --- the panel (constant number of queries, whatever the queue's length) -------------------------
def _clock(seconds: float) -> str:
    """12:05 or 1:02:05 — the same format console.js keeps ticking."""
    seconds = max(int(seconds), 0)
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


def _minutes(delta: dt.timedelta) -> int:
    return max(int(delta.total_seconds() // 60), 0)


def _panel_context(request, center: Organization, counter: Counter, **extra) -> dict:
    now = timezone.now()
    console = counter_console(counter, now)
    session = console["session"]
    current = console["current"]
    mine = session is not None and session.operator_id == request.user.pk
    context = {
        "center": center,
        "counter": counter,
        "now": now,
        "session": session,
        "mine": mine,
        "is_manager": access.has_role(request.user, Role.CENTER_MANAGER, center),
        "serving_state": mine and session.state == OperatorState.SERVING,
        "current": current,
        "held": [
            {
                "ticket": ticket,
                "key": str(number) if number <= HELD_SHORTCUTS else "",
                "mine": mine and ticket.operator_id == request.user.pk,
            }
            for number, ticket in enumerate(console["held"], start=1)
        ],
        "waiting_count": console["waiting_count"],
        "waiting_priority": console["waiting_priority"],
        "oldest_wait_minutes": console["oldest_wait_minutes"],
        "states": [(value, label, STATE_KEYS[value]) for value, label in OperatorState.choices],
        "poll_seconds": POLL_SECONDS,
        "panel_url": reverse("queues:console_panel", args=[center.code, counter.number]),
        "page_url": reverse("queues:console_page", args=[center.code, counter.number]),
        "stream_url": reverse("queues:board_stream", args=[center.code]),
        "error": None,
        "notice": None,
        "transfer_open": False,
        **extra,
    }
    if session is not None:
        context["state_clock"] = _clock((now - session.state_since).total_seconds())
    if not mine:
        context["elsewhere"] = session_elsewhere(request.user, counter)
    if current is not None:
        needed = queue_settings(center).recalls_before_no_show
        called = current.status == TicketStatus.CALLED
        since = (current.last_called_at if called else current.started_at) or now
        context.update(
            called=called,
            waited_minutes=_minutes((current.called_at or now) - current.queued_at),
            since=since,
            since_clock=_clock((now - since).total_seconds()),
            recalls_needed=needed,
            no_show_ready=called and current.recalls >= needed,
            no_show_hint=ngettext(
                "Call the citizen again first: %(needed)d recall is needed before a no-show (%(done)d so far).",
                "Call the citizen again first: %(needed)d recalls are needed before a no-show (%(done)d so far).",
                needed,
            )
            % {"needed": needed, "done": current.recalls},
        )
        if mine:
            context["transfer_services"] = center_services_listed(center)
            context["transfer_counters"] = [other for other in active_counters(center) if other.pk != counter.pk]
    return context


def _render(request, center, counter, *, fragment: bool, status: int = 200, **extra) -> HttpResponse:
    context = _panel_context(request, center, counter, **extra)
    if fragment:
        return render(request, "queues/console/_panel.html", context, status=status)
    context["issue_url"] = reverse("queues:ticket_issue", args=[center.code])
    return render(request, "queues/console/page.html", context, status=status)


def _act(request, center: Organization, counter: Counter, run, notice) -> HttpResponse:
    """Run one service call; answer with the panel (htmx) or a redirect, or with the refusal."""
    result = attempt(run)
    if not result.ok:
        return _render(request, center, counter, fragment=_is_htmx(request), status=result.status, error=result.message)
    text = notice(result.value) if callable(notice) else str(notice)
    if _is_htmx(request):
        return _render(request, center, counter, fragment=True, notice=text)
    messages.success(request, text)
    response = HttpResponseRedirect(reverse("queues:console_page", args=[center.code, counter.number]))
    response.status_code = 303  # see the console again, by GET
    return response


def _ticket_here(center: Organization, counter: Counter, ticket_id: int) -> Ticket:
    ticket = center_ticket(center, ticket_id)
    if ticket is None:
        raise Http404
    if ticket.counter_id != counter.pk:
        raise Refused(
            _("Ticket %(ticket)s is not at this counter any more.") % {"ticket": ticket.display},
            QueueRefusal.NOT_HERE,
        )
    return ticket


def _session_here(counter: Counter) -> OperatorSession:
    session = open_session(counter)
    if session is None:
        raise Refused(_("Nobody is signed in at this counter."), QueueRefusal.NOT_SIGNED_IN)
    return session


def _pick(options: list, value: str, message: str):
    """The chosen one of the options offered in the transfer dialog; None when left empty."""
    if not value:
        return None
    found = next((option for option in options if str(option.pk) == value), None)
    if found is None:
        raise ValidationError(message, code="invalid_choice")
    return found


# --- pages ------------------------------------------------------------------------------------
@never_cache
@require_GET
@console_access
def console_choose(request, center: Organization):
    counters = counters_with_sessions(center, with_services=True)
    return render(
        request,
        "queues/console/choose.html",
        {
            "center": center,
            "rows": counters.rows,
            "mine": counters.session_of(request.user),
            "issue_url": reverse("queues:ticket_issue", args=[center.code]),
        },
    )


@never_cache
@require_GET
@console_access
def console_page(request, center: Organization, counter: Counter):
    return _render(request, center, counter, fragment=False, transfer_open=request.GET.get("transfer") == "1")


@never_cache
@require_GET
@console_access
def console_panel(request, center: Organization, counter: Counter):
    return _render(request, center, counter, fragment=True)


# --- actions ----------------------------------------------------------------------------------
@require_POST
@console_access
def console_sign_in(request, center: Organization, counter: Counter):
    return _act(
        request,
        center,
        counter,
        lambda: operator_sign_in(actor=request.user, counter=counter),
        _("You are signed in at %(counter)s.") % {"counter": counter},
    )


@require_POST
@console_access
def console_sign_out(request, center: Organization, counter: Counter):
    return _act(
        request,
        center,
        counter,
        lambda: operator_sign_out(actor=request.user, session=_session_here(counter)),
        _("Signed out of %(counter)s.") % {"counter": counter},
    )


@require_POST
@console_access
def console_state(request, center: Organization, counter: Counter):
    state = request.POST.get("state", "")
    return _act(
        request,
        center,
        counter,
        lambda: operator_set_state(actor=request.user, session=_session_here(counter), state=state),
        lambda session: str(STATE_NOTICES[session.state]),
    )


@require_POST
@console_access
def console_call(request, center: Organization, counter: Counter):
    def notice(ticket):
        if ticket is None:
            return _("Nobody is waiting for this counter.")
        return _("Ticket %(ticket)s is called to %(counter)s.") % {"ticket": ticket.display, "counter": counter}

    return _act(request, center, counter, lambda: ticket_call_next(actor=request.user, counter=counter), notice)


@require_POST
@console_access
def console_ticket_action(request, center: Organization, counter: Counter, ticket: int, action: str):
    # Linking the application created at this visit (a later issue) belongs to "finish": the cases app
    # records the ticket on the application it opens (DESIGN §2: cases refers to queues, never the
    # reverse), and the panel's current-ticket card shows it where its template says.
    service_call, message = TICKET_ACTIONS[action]
    return _act(
        request,
        center,
        counter,
        lambda: service_call(actor=request.user, ticket=_ticket_here(center, counter, ticket)),
        lambda done: message % {"ticket": done.display},
    )


@require_POST
@console_access
def console_transfer(request, center: Organization, counter: Counter, ticket: int):
    def run():
        here = _ticket_here(center, counter, ticket)
        service = _pick(
            center_services_listed(center), request.POST.get("service", ""), _("Choose a service from the list.")
        )
        target = _pick(active_counters(center), request.POST.get("counter", ""), _("Choose a counter from the list."))
        return ticket_transfer(actor=request.user, ticket=here, service=service, counter=target)

    def notice(done):
        target = done.target_counter or done.service.name
        return _("Ticket %(ticket)s is transferred to %(target)s and keeps its place in the queue.") % {
            "ticket": done.display,
            "target": target,
        }

    return _act(request, center, counter, run, notice)


PREFIX = "<slug:center>/console/<int:counter>/"
urlpatterns = [
    path("<slug:center>/console/", console_choose, name="console_choose"),
    path(PREFIX, console_page, name="console_page"),
    path(PREFIX + "panel/", console_panel, name="console_panel"),
    path(PREFIX + "sign-in/", console_sign_in, name="console_sign_in"),
    path(PREFIX + "sign-out/", console_sign_out, name="console_sign_out"),
    path(PREFIX + "state/", console_state, name="console_state"),
    path(PREFIX + "call/", console_call, name="console_call"),
    path(PREFIX + "tickets/<int:ticket>/transfer/", console_transfer, name="console_transfer"),
    *[
        path(
            PREFIX + f"tickets/<int:ticket>/{action}/",
            console_ticket_action,
            {"action": action},
            name="console_" + action.replace("-", "_"),
        )
        for action in TICKET_ACTIONS
    ],
]
