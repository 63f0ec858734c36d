"""REST API v1 of the queue: for a mobile app, a partner's kiosk or display, the national portal —
and, for a center's staff, its counters.

Public (anonymous; the same rules and limits as the kiosk and the booking pages):

    GET  /api/v1/queue/centers/                                 centers: today's hours, tickets waiting
    GET  /api/v1/queue/centers/<center>/                        one, with its services (waiting, bookable)
    POST /api/v1/queue/centers/<center>/tickets/                take a ticket (Idempotency-Key)
    GET  /api/v1/queue/tickets/<code>/                          a ticket's live position (its public code)
    GET  /api/v1/queue/centers/<center>/slots/?service=&day=    free times of a service on a day
    POST /api/v1/queue/centers/<center>/bookings/code/          booking, step 1: the phone code by SMS
    POST /api/v1/queue/centers/<center>/bookings/               booking, step 2: the code → booked
    POST /api/v1/queue/centers/<center>/check-in/               check in with the booking code → a ticket
    POST /api/v1/queue/bookings/<code>/lookup/                  a booking, by its code and phone
    POST /api/v1/queue/bookings/<code>/cancel/                  cancel it, by its code and phone

Staff (the center's operators and managers, superusers: `core.access`, as the console):

    GET  /api/v1/queue/centers/<center>/counters/                                 the windows, who is signed in
    GET  /api/v1/queue/centers/<center>/counters/<number>/                        one window's console
    POST …/counters/<number>/sign-in/ | sign-out/ | state/ | call/
    POST …/counters/<number>/tickets/<id>/recall/ | start/ | no-show/ | hold/ | resume/ | finish/ | transfer/

Views are thin: every write is one call of `queues.services` or `queues.appointments` (the console's
and the booking pages' own), every read a selector. Refusals propagate to `core.api.exception_handler`:
invalid input 400, a state that does not allow it 409 with a `QueueRefusal` code, not the caller's to
do 403; a limit reached is 429 `throttled`. Every staff action answers the counter's console afterwards.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import exceptions, mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.parsers import JSONParser
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response

from darcha.catalog.api import StrictQueryMixin
from darcha.core import access, idempotency
from darcha.core.api import ErrorSerializer
from darcha.core.audit import SystemActor
from darcha.core.errors import Refused, attempt
from darcha.core.links import absolute_url
from darcha.core.throttle import TOO_MANY
from darcha.notify import services as notify

from . import appointments, kiosks, selectors
from .choices import QueueRefusal, TicketStatus
from .models import Appointment, Counter, Ticket
from .serializers import (
    BookingConfirmSerializer,
    BookingPhoneSerializer,
    BookingRequestSerializer,
    BookingSerializer,
    CenterDetailSerializer,
    CenterSerializer,
    CheckedInSerializer,
    CheckInSerializer,
    CodeSentSerializer,
    CounterSerializer,
    CounterStateSerializer,
    SlotsSerializer,
    StateSerializer,
    TicketIssueSerializer,
    TicketSerializer,
    TransferSerializer,
)
from .services import (
    operator_set_state,
    operator_sign_in,
    operator_sign_out,
    ticket_call_next,
    ticket_finish,
    ticket_hold,
    ticket_issue,
    ticket_no_show,
    ticket_recall,
    ticket_resume,
    ticket_start,
    ticket_transfer,
)

# The booking pages' limits (one budget per client for the pages and the API) and their masked phone.
from .views.appointments import LIMITS, _masked_phone

BOOKING_ACTOR = SystemActor("api:online-booking")

ERROR = OpenApiResponse(ErrorSerializer, description='`{"code", "detail", "errors"}`')
CONFLICT = OpenApiResponse(ErrorSerializer, description="A `QueueRefusal` code: the state does not allow it")
THROTTLED = OpenApiResponse(ErrorSerializer, description="`throttled`: too many attempts from this client")
CENTER = OpenApiParameter("center", str, OpenApiParameter.PATH, description="Center code")
NUMBER = OpenApiParameter(
    "number", {"type": "integer", "minimum": 1, "maximum": 32767}, OpenApiParameter.PATH, description="Window number"
)
TICKET_ID = OpenApiParameter(
    "ticket", {"type": "integer", "minimum": 1, "maximum": 2**63 - 1}, OpenApiParameter.PATH, description="Ticket id"
)
IDEMPOTENCY_KEY = OpenApiParameter(
    idempotency.HEADER,
    str,
    OpenApiParameter.HEADER,
    required=False,
    description=(
        "Up to 128 printable ASCII characters, unique per request (e.g. a UUID); kept 24 hours, per user, or per "
        "client address for anonymous callers. A retry with the same key and the same body gets the first answer "
        "again (header `Idempotent-Replayed: true`) and creates nothing; the same key with a different body is "
        "422 `idempotency_key_reused`. Only successful answers are remembered: after a 400/409/429 nothing was "
        "created and the key may be used again."
    ),
)


class QueueApiMixin(StrictQueryMixin):
    """Strict query parameters (the catalog's rule) and no NUL characters in the address: PostgreSQL
    text cannot hold them, so they are refused here rather than failing in the database."""

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        bad = sorted(name for name, values in request.query_params.lists() if any("\x00" in v for v in values))
        if bad:
            raise exceptions.ValidationError({name: [_("Null characters are not allowed.")] for name in bad})
        if any("\x00" in str(value) for value in kwargs.values()):
            raise exceptions.NotFound(_("Not found."))


def _language(chosen: str = "") -> str:
    return chosen or translation.get_language() or settings.LANGUAGE_CODE


def _throttled() -> exceptions.Throttled:
    return exceptions.Throttled(detail=str(TOO_MANY))


def live_url(request):
    """The ticket's live page, absolute (darcha.core.links, as the kiosk's QR code), in the ticket's language."""

    def build(ticket: Ticket) -> str:
        with translation.override(ticket.language or settings.LANGUAGE_CODE):
            path = reverse("queues:ticket_live", args=[ticket.public_code])
        return absolute_url(path, request)

    return build


def _ticket_body(request, ticket: Ticket) -> dict:
    return TicketSerializer(selectors.ticket_progress(ticket), context={"live_url": live_url(request)}).data


def _public_actor(request, center):
    """Who takes a ticket or checks in: the center's staff member who asks, else the API as a kiosk."""
    if access.has_role(request.user, access.CENTER_STAFF, center):
        return request.user
    return SystemActor(f"api:{center.code}")


def _service(code: str, field: str, message: str):
    service = selectors.service_by_code(code)
    if service is None:
        raise exceptions.ValidationError({field: [message]})
    return service


def _input(serializer_class, request):
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


# --- centers, tickets, bookings: public ------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Public service centers: today's hours and the tickets waiting",
        responses={200: CenterSerializer(many=True)},
        tags=["queue"],
    ),
    retrieve=extend_schema(
        summary="One center: its services, with the tickets waiting for each and whether it may be booked",
        parameters=[CENTER],
        responses={200: CenterDetailSerializer},
        tags=["queue"],
    ),
)
class CenterViewSet(QueueApiMixin, viewsets.GenericViewSet):
    permission_classes = [AllowAny]
    parser_classes = [JSONParser]
    lookup_field = "code"
    lookup_url_kwarg = "center"
    lookup_value_regex = r"[^/]+"  # anything up to the slash: an unknown center is this API's JSON 404
    serializer_class = CenterSerializer

    @property
    def allowed_params(self):
        extra = {"service", "day"} if self.action == "slots" else set()
        return StrictQueryMixin.allowed_params | extra

    def get_queryset(self):
        return selectors.centers_with_counters()

    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        body = CenterSerializer(page, many=True, context={"days": selectors.centers_today(page)}).data
        return self.get_paginated_response(body)

    def retrieve(self, request, center=None):
        center = selectors.center_or_404(center)
        context = {
            "days": selectors.centers_today([center]),
            "services": selectors.center_services_today(center),
        }
        return Response(CenterDetailSerializer(center, context=context).data)

    @extend_schema(
        summary="Take a ticket",
        description="As at the center's kiosk (`services.ticket_issue`): for a service one of the center's windows "
        "serves, in the general queue or a priority group, with a phone for an SMS when the turn is near. An "
        "operator or manager of the center (signed in, or with a token) issues it as themselves; anyone else as "
        "the center's kiosk would, under the kiosk's limits (per client address, or registered kiosk terminal, "
        "and per phone number: 429 `throttled`).",
        request=TicketIssueSerializer,
        parameters=[CENTER, IDEMPOTENCY_KEY],
        responses={201: TicketSerializer, 400: ERROR, 404: ERROR, 409: CONFLICT, 422: ERROR, 429: THROTTLED},
        tags=["queue"],
    )
    @action(detail=True, methods=["post"])
    def tickets(self, request, center=None):
        center = selectors.center_or_404(center)
        return idempotency.idempotent(request, handler=lambda: self._issue(request, center))

    def _issue(self, request, center) -> Response:
        valid = _input(TicketIssueSerializer, request)
        service = _service(valid["service"], "service", _("No service has this code."))
        actor = _public_actor(request, center)
        as_kiosk = isinstance(actor, SystemActor)
        if as_kiosk:  # the kiosk's limits: per client address (or registered terminal) and per phone
            refused = kiosks.ticket_refused(request, center, valid["phone"])
            if refused is not None:
                raise exceptions.Throttled(detail=refused.message)
        ticket = ticket_issue(
            actor=actor,
            center=center,
            service=service,
            priority=valid["priority"],
            phone=valid["phone"],
            language=_language(valid["language"]),
        )
        if as_kiosk:
            kiosks.ticket_counted(request, center, ticket.phone)
        return Response(_ticket_body(request, ticket), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Free times of a service on a day",
        description="The days open to booking and one day's times (as the booking page: the day asked for, else "
        "the first with a free place).",
        parameters=[
            CENTER,
            OpenApiParameter("service", str, OpenApiParameter.QUERY, required=True, description="Service code"),
            OpenApiParameter(
                "day", {"type": "string", "format": "date"}, OpenApiParameter.QUERY, description="YYYY-MM-DD"
            ),
        ],
        responses={200: SlotsSerializer, 400: ERROR, 404: ERROR},
        tags=["queue"],
    )
    @action(detail=True, methods=["get"])
    def slots(self, request, center=None):
        center = selectors.center_or_404(center)
        service = selectors.bookable_services(center).filter(code=request.query_params.get("service", "")).first()
        if service is None:
            raise exceptions.ValidationError({"service": [_("This service cannot be booked online at this center.")]})
        day = None
        if request.query_params.get("day"):
            try:
                day = dt.date.fromisoformat(request.query_params["day"])
            except ValueError:
                raise exceptions.ValidationError({"day": [_("Choose a day.")]}) from None
        calendar = selectors.slot_calendar(center, service)
        days = calendar.days()
        if day not in days:
            day = calendar.first_free_day()
        body = {"service": service.code, "days": days, "day": day, "slots": calendar.slots(day) if day else []}
        return Response(SlotsSerializer(body).data)

    @extend_schema(
        summary="Booking, step 1: send the phone code",
        description="Checks everything but the code (`appointments.booking_check`: the time is offered and free, "
        "the phone's daily limit), then sends a code by SMS — as the booking page, under its limit on codes per "
        "client. Step 2 sends the same fields and the code.",
        request=BookingRequestSerializer,
        parameters=[CENTER],
        responses={202: CodeSentSerializer, 400: ERROR, 404: ERROR, 409: CONFLICT, 429: THROTTLED},
        tags=["queue"],
    )
    @action(detail=True, methods=["post"], url_path="bookings/code", url_name="booking-code")
    def booking_code(self, request, center=None):
        center = selectors.center_or_404(center)
        valid = _input(BookingRequestSerializer, request)
        service = _service(valid["service"], "service", _("This service cannot be booked online at this center."))
        phone = appointments.booking_check(center=center, service=service, start=valid["start"], phone=valid["phone"])
        if LIMITS["code"].reached(request):
            raise _throttled()
        sent = attempt(
            lambda: notify.otp_send(
                actor=BOOKING_ACTOR,
                phone=phone,
                purpose=appointments.OTP_PURPOSE,
                language=_language(valid["language"]),
            )
        )
        if not sent.ok:
            if getattr(sent.error, "code", None) == "otp_rate":  # codes asked too often for this phone
                raise exceptions.Throttled(detail=sent.message)
            raise sent.error
        LIMITS["code"].count(request)
        body = {"phone": _masked_phone(phone), "expires_in": settings.NOTIFY_OTP_TTL}
        return Response(CodeSentSerializer(body).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        summary="Booking, step 2: book with the phone code",
        description="`appointments.appointment_book`: the slot is locked and counted again, so the last place is "
        "never taken twice. Answers the booking; its code checks in at the kiosk (or `check-in/`).",
        request=BookingConfirmSerializer,
        parameters=[CENTER, IDEMPOTENCY_KEY],
        responses={201: BookingSerializer, 400: ERROR, 404: ERROR, 409: CONFLICT, 422: ERROR},
        tags=["queue"],
    )
    @action(detail=True, methods=["post"], url_path="bookings", url_name="bookings")
    def bookings(self, request, center=None):
        center = selectors.center_or_404(center)
        return idempotency.idempotent(request, handler=lambda: self._book(request, center))

    def _book(self, request, center) -> Response:
        valid = _input(BookingConfirmSerializer, request)
        service = _service(valid["service"], "service", _("This service cannot be booked online at this center."))
        appointment = appointments.appointment_book(
            actor=BOOKING_ACTOR,
            center=center,
            service=service,
            start=valid["start"],
            phone=valid["phone"],
            otp_code="".join(valid["code"].split()),
            language=_language(valid["language"]),
        )
        return Response(BookingSerializer(appointment).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary="Check in with the booking code: a ticket called first at the booked time",
        description="As the kiosk's check-in (`appointments.appointment_check_in`): early, the ticket waits for its "
        "time; later than the grace time, it joins the general queue (`late`). A booking checked in already whose "
        "ticket still waits answers that ticket again (200). Unknown codes count against a limit per client.",
        request=CheckInSerializer,
        parameters=[CENTER, IDEMPOTENCY_KEY],
        responses={
            200: CheckedInSerializer,
            201: CheckedInSerializer,
            400: ERROR,
            404: ERROR,
            409: CONFLICT,
            422: ERROR,
            429: THROTTLED,
        },
        tags=["queue"],
    )
    @action(detail=True, methods=["post"], url_path="check-in", url_name="check-in")
    def check_in(self, request, center=None):
        center = selectors.center_or_404(center)
        return idempotency.idempotent(request, handler=lambda: self._check_in(request, center))

    def _check_in(self, request, center) -> Response:
        if LIMITS["check_in"].reached(request):
            raise _throttled()
        booking_code = selectors.normalize_code(_input(CheckInSerializer, request)["code"])
        if not booking_code:
            raise exceptions.ValidationError({"code": [_("A booking code has eight digits.")]})
        checked_in = attempt(
            lambda: appointments.appointment_check_in(
                actor=_public_actor(request, center), center=center, code=booking_code
            )
        )
        if checked_in.ok:
            return self._checked_in(request, checked_in.value, status.HTTP_201_CREATED)
        refusal = getattr(checked_in.error, "code", None)
        if refusal == QueueRefusal.CHECKED_IN:
            # Checked in already and still waiting (the first answer was lost, say): the same ticket again.
            again = selectors.appointment_by_code(booking_code, center=center)
            if again and again.ticket_id and again.ticket.status == TicketStatus.WAITING:
                return self._checked_in(request, again, status.HTTP_200_OK)
        if refusal == QueueRefusal.NOT_FOUND:
            LIMITS["check_in"].count(request)
            raise exceptions.NotFound(checked_in.message)
        raise checked_in.error

    def _checked_in(self, request, appointment: Appointment, code: int) -> Response:
        ticket = appointment.ticket
        ticket.center, ticket.service = appointment.center, appointment.service
        body = {"booking": BookingSerializer(appointment).data, "ticket": _ticket_body(request, ticket)}
        return Response(body, status=code)


@extend_schema_view(
    retrieve=extend_schema(
        summary="A ticket's live position, by its public code (the QR code's)",
        description="The same numbers as the ticket's live page: people ahead, the estimated wait, the status and "
        "the window that called it.",
        parameters=[OpenApiParameter("code", str, OpenApiParameter.PATH, description="The ticket's public code")],
        responses={200: TicketSerializer},
        tags=["queue"],
    ),
)
class TicketViewSet(QueueApiMixin, viewsets.GenericViewSet):
    permission_classes = [AllowAny]
    lookup_field = "code"
    lookup_value_regex = r"[^/]+"
    serializer_class = TicketSerializer
    queryset = Ticket.objects.none()

    def retrieve(self, request, code=None):
        ticket = selectors.ticket_by_code(code) if len(code) <= 16 else None
        if ticket is None:
            raise exceptions.NotFound(_("Ticket not found"))
        return Response(_ticket_body(request, ticket))


BOOKING_CODE = OpenApiParameter("code", str, OpenApiParameter.PATH, description="The booking code (eight digits)")


class BookingViewSet(QueueApiMixin, viewsets.GenericViewSet):
    """A booking is shown and cancelled to whoever gives its code and phone number, as on its page;
    wrong pairs count against a limit per client."""

    permission_classes = [AllowAny]
    parser_classes = [JSONParser]
    lookup_field = "code"
    lookup_value_regex = r"[^/]+"
    serializer_class = BookingSerializer
    queryset = Appointment.objects.none()

    def _not_found(self, request) -> exceptions.NotFound:
        LIMITS["lookup"].count(request)
        return exceptions.NotFound(_("No booking has this code and phone number."))

    @extend_schema(
        summary="A booking, by its code and phone number",
        request=BookingPhoneSerializer,
        parameters=[BOOKING_CODE],
        responses={200: BookingSerializer, 400: ERROR, 404: ERROR, 429: THROTTLED},
        tags=["queue"],
    )
    @action(detail=True, methods=["post"])
    def lookup(self, request, code=None):
        if LIMITS["lookup"].reached(request):
            raise _throttled()
        appointment = selectors.appointment_find(code, _input(BookingPhoneSerializer, request)["phone"])
        if appointment is None:
            raise self._not_found(request)
        return Response(BookingSerializer(appointment).data)

    @extend_schema(
        summary="Cancel a booking, by its code and phone number",
        description="`appointments.appointment_cancel`: the place is free again at once; a booking checked in, "
        "cancelled or past is refused (409).",
        request=BookingPhoneSerializer,
        parameters=[BOOKING_CODE],
        responses={200: BookingSerializer, 400: ERROR, 404: ERROR, 409: CONFLICT, 429: THROTTLED},
        tags=["queue"],
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request, code=None):
        if LIMITS["lookup"].reached(request):
            raise _throttled()
        phone = _input(BookingPhoneSerializer, request)["phone"]
        cancelled = attempt(lambda: appointments.appointment_cancel(actor=BOOKING_ACTOR, code=code, phone=phone))
        if not cancelled.ok:
            if getattr(cancelled.error, "code", None) == QueueRefusal.NOT_FOUND:
                raise self._not_found(request)
            raise cancelled.error
        return Response(BookingSerializer(cancelled.value).data)


# --- counters: staff -------------------------------------------------------------------------------------

STAFF_ONLY = OpenApiResponse(
    ErrorSerializer, description="Not signed in, not of this center's staff, or another operator's session"
)


def _ticket_action(name: str, service_call, summary: str):
    """POST …/tickets/<id>/<name>/: one ticket service on a ticket at this counter."""

    def run(self, request, center=None, number=None, ticket=None):
        counter = self._counter(center, number)
        service_call(actor=request.user, ticket=self._ticket_here(counter, ticket))
        return self._state(counter)

    run.__name__ = name.replace("-", "_")
    run = action(detail=True, methods=["post"], url_path=rf"tickets/(?P<ticket>[^/]+)/{name}", url_name=name)(run)
    return extend_schema(
        summary=summary,
        request=None,
        parameters=[CENTER, NUMBER, TICKET_ID],
        responses={200: CounterStateSerializer, 403: STAFF_ONLY, 404: ERROR, 409: CONFLICT},
        tags=["queue: counters"],
    )(run)


def _counter_action(summary: str, request=None, description: str = ""):
    return extend_schema(
        summary=summary,
        description=description,
        request=request,
        parameters=[CENTER, NUMBER],
        responses={200: CounterStateSerializer, 400: ERROR, 403: STAFF_ONLY, 404: ERROR, 409: CONFLICT},
        tags=["queue: counters"],
    )


@extend_schema_view(
    list=extend_schema(
        summary="A center's windows: what each serves, who is signed in",
        parameters=[CENTER],
        responses={200: CounterSerializer(many=True), 403: STAFF_ONLY},
        tags=["queue: counters"],
    ),
    retrieve=extend_schema(
        summary="A window's console: who is signed in, the current ticket, held tickets, how many wait",
        parameters=[CENTER, NUMBER],
        responses={200: CounterStateSerializer, 403: STAFF_ONLY},
        tags=["queue: counters"],
    ),
)
class CounterViewSet(QueueApiMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """The operator console's actions, for the center's operators and managers: the same service calls,
    the same refusals. A manager may sign out or switch the state of another operator's session."""

    permission_classes = [IsAuthenticated]
    parser_classes = [JSONParser]
    lookup_field = "number"
    lookup_value_regex = r"[^/]+"
    serializer_class = CounterStateSerializer
    pagination_class = None  # a center has a few dozen windows at most
    queryset = Counter.objects.none()

    def _center(self, code: str):
        center = selectors.center_or_404(code, active=False)
        message = _("Only the operators and managers of this center use its consoles.")
        access.require_role(self.request.user, access.CENTER_STAFF, center, message)
        return center

    def _counter(self, code: str, number: str) -> Counter:
        center = self._center(code)
        counter = selectors.center_counter(center, int(number)) if number.isdigit() and len(number) <= 5 else None
        if counter is None:
            raise exceptions.NotFound(_("Not found."))
        return counter

    def _ticket_here(self, counter: Counter, ticket_id: str) -> Ticket:
        ticket = None
        if ticket_id.isdigit() and len(ticket_id) <= 18:
            ticket = selectors.center_ticket(counter.center, int(ticket_id))
        if ticket is None:
            raise exceptions.NotFound(_("Not found."))
        if ticket.counter_id != counter.pk:
            raise Refused(
                _("Ticket %(ticket)s is not at this counter any more.") % {"ticket": ticket.display},
                QueueRefusal.NOT_HERE,
            )
        return ticket

    def _session_here(self, counter: Counter):
        session = selectors.open_session(counter)
        if session is None:
            raise Refused(_("Nobody is signed in at this counter."), QueueRefusal.NOT_SIGNED_IN)
        return session

    def _state(self, counter: Counter) -> Response:
        console = selectors.counter_console(counter)
        body = {
            **console,
            "counter": counter,
            "recalls_before_no_show": selectors.queue_settings(counter.center).recalls_before_no_show,
        }
        return Response(CounterStateSerializer(body).data)

    def list(self, request, center=None):
        counters = selectors.counters_with_sessions(self._center(center), with_services=True)
        sessions = {counter.pk: session for counter, session in counters.rows if session is not None}
        body = CounterSerializer([c for c, _s in counters.rows], many=True, context={"sessions": sessions}).data
        return Response(body)

    def retrieve(self, request, center=None, number=None):
        return self._state(self._counter(center, number))

    @_counter_action("Sign in at this window (signs out of any other)")
    @action(detail=True, methods=["post"], url_path="sign-in", url_name="sign-in")
    def sign_in(self, request, center=None, number=None):
        counter = self._counter(center, number)
        operator_sign_in(actor=request.user, counter=counter)
        return self._state(counter)

    @_counter_action("Sign out of this window", description="The operator signed in here, or a manager.")
    @action(detail=True, methods=["post"], url_path="sign-out", url_name="sign-out")
    def sign_out(self, request, center=None, number=None):
        counter = self._counter(center, number)
        operator_sign_out(actor=request.user, session=self._session_here(counter))
        return self._state(counter)

    @_counter_action("At the counter, on a break or in back-office work", request=StateSerializer)
    @action(detail=True, methods=["post"])
    def state(self, request, center=None, number=None):
        counter = self._counter(center, number)
        state = _input(StateSerializer, request)["state"]
        operator_set_state(actor=request.user, session=self._session_here(counter), state=state)
        return self._state(counter)

    @_counter_action(
        "Call the next ticket",
        description="Priority and booked visitors at their time first, then by time in the queue; `current` is "
        "null when nobody waits for this window.",
    )
    @action(detail=True, methods=["post"])
    def call(self, request, center=None, number=None):
        counter = self._counter(center, number)
        ticket_call_next(actor=request.user, counter=counter)
        return self._state(counter)

    recall = _ticket_action("recall", ticket_recall, "Call the current ticket again")
    start = _ticket_action("start", ticket_start, "The citizen came: start serving")
    no_show = _ticket_action("no-show", ticket_no_show, "The citizen did not come (after the recalls needed)")
    hold = _ticket_action("hold", ticket_hold, "Put the ticket on hold; the window serves others meanwhile")
    resume = _ticket_action("resume", ticket_resume, "Return to a ticket on hold")
    finish = _ticket_action("finish", ticket_finish, "The citizen is served")

    @extend_schema(
        summary="Transfer the ticket to another service or window; it keeps its place in the queue",
        request=TransferSerializer,
        parameters=[CENTER, NUMBER, TICKET_ID],
        responses={200: CounterStateSerializer, 400: ERROR, 403: STAFF_ONLY, 404: ERROR, 409: CONFLICT},
        tags=["queue: counters"],
    )
    @action(detail=True, methods=["post"], url_path=r"tickets/(?P<ticket>[^/]+)/transfer", url_name="transfer")
    def transfer(self, request, center=None, number=None, ticket=None):
        counter = self._counter(center, number)
        here = self._ticket_here(counter, ticket)
        valid = _input(TransferSerializer, request)
        service = None
        if valid["service"]:
            service = _service(valid["service"], "service", _("No service has this code."))
        target = None
        if valid["counter"] is not None:
            target = next((c for c in selectors.active_counters(counter.center) if c.number == valid["counter"]), None)
            if target is None:
                raise exceptions.ValidationError({"counter": [_("Choose a counter from the list.")]})
        ticket_transfer(actor=request.user, ticket=here, service=service, counter=target)
        return self._state(counter)
