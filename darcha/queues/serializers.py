"""Serializers of the queue API (v1): centers, tickets, appointments, counters.

Plain serializers with explicit fields (no ModelSerializer), as the cases API: the committed
OpenAPI schema is the same on SQLite and PostgreSQL. Output serializers read the selectors'
objects; input serializers check shapes only — every rule (is the service served here, is the
time offered, may this ticket be called) is the services'.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from darcha.core.i18n import LANGUAGE_CHOICES

from .choices import OperatorState, Priority, TicketStatus
from .models import AppointmentStatus

ID_MAX = 2**63 - 1  # BigAutoField
NUMBER_MAX = 32767  # PositiveSmallIntegerField (a counter's number)


# --- centers and their services -------------------------------------------------------------------------


class HoursSerializer(serializers.Serializer):
    opens = serializers.CharField(read_only=True, help_text="HH:MM, Tashkent time")
    closes = serializers.CharField(read_only=True, help_text="HH:MM, Tashkent time")


class _CenterFields(serializers.Serializer):
    code = serializers.CharField(read_only=True)
    name = serializers.CharField(read_only=True)
    address = serializers.CharField(read_only=True)
    phone = serializers.CharField(read_only=True)
    hours_today = serializers.SerializerMethodField(help_text="Today's opening hours; null: closed today")
    waiting = serializers.SerializerMethodField(help_text="Tickets waiting now")

    def _day(self, center):
        return self.context["days"][center.pk]

    @extend_schema_field(HoursSerializer(allow_null=True))
    def get_hours_today(self, center) -> dict | None:
        hours = self._day(center).hours
        return HoursSerializer({"opens": f"{hours[0]:%H:%M}", "closes": f"{hours[1]:%H:%M}"}).data if hours else None

    def get_waiting(self, center) -> int:
        return self._day(center).waiting


class CenterSerializer(_CenterFields):
    pass


class CenterServiceSerializer(serializers.Serializer):
    code = serializers.CharField(source="service.code", read_only=True)
    name = serializers.CharField(source="service.name", read_only=True)
    category = serializers.CharField(source="service.category.code", read_only=True, help_text="Category code")
    category_name = serializers.CharField(source="service.category.name", read_only=True)
    waiting = serializers.IntegerField(read_only=True, help_text="Tickets of this service waiting now")
    bookable = serializers.BooleanField(read_only=True, help_text="May be booked online at this center")


class CenterDetailSerializer(_CenterFields):
    services = serializers.SerializerMethodField(help_text="The services the center's windows serve")

    @extend_schema_field(CenterServiceSerializer(many=True))
    def get_services(self, center) -> list:
        return CenterServiceSerializer(self.context["services"], many=True).data


# --- tickets ----------------------------------------------------------------------------------------------


class TicketIssueSerializer(serializers.Serializer):
    service = serializers.CharField(max_length=64, help_text="Service code (one the center serves)")
    priority = serializers.ChoiceField(
        choices=Priority.choices, required=False, default="", help_text="Priority group; empty: the general queue"
    )
    phone = serializers.CharField(
        max_length=24, required=False, allow_blank=True, default="", help_text="For an SMS when the turn is near"
    )
    language = serializers.ChoiceField(
        choices=LANGUAGE_CHOICES,
        required=False,
        allow_blank=True,
        default="",
        help_text="Of the SMS and the live page; empty: the request's language",
    )


class PositionSerializer(serializers.Serializer):
    ahead = serializers.IntegerField(read_only=True, help_text="People ahead")
    wait_minutes = serializers.IntegerField(read_only=True, help_text="Estimated wait")
    open_counters = serializers.IntegerField(read_only=True, help_text="Windows serving the ticket's service now")
    expected_at = serializers.DateTimeField(
        read_only=True,
        allow_null=True,
        help_text="When it should be called: for a booked visitor before the time, counted from the appointment",
    )


class TicketSerializer(serializers.Serializer):
    """A ticket as its live page shows it (`selectors.ticket_progress`)."""

    code = serializers.CharField(source="ticket.public_code", read_only=True, help_text="Public code (QR code)")
    number = serializers.CharField(source="ticket.display", read_only=True, help_text="As called out: A-007")
    status = serializers.ChoiceField(source="ticket.status", choices=TicketStatus.choices, read_only=True)
    status_label = serializers.CharField(source="ticket.get_status_display", read_only=True)
    center = serializers.CharField(source="ticket.center.code", read_only=True)
    center_name = serializers.CharField(source="ticket.center.name", read_only=True)
    service = serializers.CharField(source="ticket.service.code", read_only=True)
    service_name = serializers.CharField(source="ticket.service.name", read_only=True)
    priority = serializers.ChoiceField(source="ticket.priority", choices=Priority.choices, read_only=True)
    day = serializers.DateField(source="ticket.day", read_only=True)
    issued_at = serializers.DateTimeField(source="ticket.issued_at", read_only=True)
    counter = serializers.SerializerMethodField(help_text="The window that called it (called, served, on hold)")
    position = PositionSerializer(read_only=True, allow_null=True, help_text="While it waits today")
    booked_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text="A booked visitor's appointment time (called first then)"
    )
    stale = serializers.BooleanField(read_only=True, help_text="Issued on an earlier day: take a new ticket")
    final = serializers.BooleanField(read_only=True, help_text="Nothing more will happen to it")
    live_url = serializers.SerializerMethodField(help_text="The live page (the QR code's address)")

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_counter(self, progress) -> str | None:
        ticket = progress.ticket
        shown = (TicketStatus.CALLED, TicketStatus.SERVING, TicketStatus.ON_HOLD)
        return str(ticket.counter) if ticket.counter_id and ticket.status in shown else None

    @extend_schema_field(serializers.URLField())
    def get_live_url(self, progress) -> str:
        return self.context["live_url"](progress.ticket)


# --- appointments -----------------------------------------------------------------------------------------


class SlotSerializer(serializers.Serializer):
    start = serializers.DateTimeField(read_only=True)
    end = serializers.DateTimeField(read_only=True)
    capacity = serializers.IntegerField(read_only=True)
    free = serializers.IntegerField(read_only=True, help_text="Places left")


class SlotsSerializer(serializers.Serializer):
    service = serializers.CharField(read_only=True, help_text="Service code")
    days = serializers.ListField(child=serializers.DateField(), read_only=True, help_text="Days open to booking")
    day = serializers.DateField(
        read_only=True, allow_null=True, help_text="The day asked for, else the first with a free place"
    )
    slots = SlotSerializer(many=True, read_only=True, help_text="The day's times not yet begun, full ones too")


class _DateTimeField(serializers.DateTimeField):
    """DRF's, with a time that cannot be put in the local time zone (year 1, local) refused as out of
    range instead of failing."""

    def enforce_timezone(self, value):
        try:
            return super().enforce_timezone(value)
        except OverflowError:
            self.fail("overflow")


class BookingRequestSerializer(serializers.Serializer):
    service = serializers.CharField(max_length=64, help_text="Service code (one of the center's bookable)")
    start = _DateTimeField(help_text="A slot's start, as the slot list gives it")
    phone = serializers.CharField(max_length=24, help_text="+998 and 9 digits: the code is sent there")
    language = serializers.ChoiceField(
        choices=LANGUAGE_CHOICES,
        required=False,
        allow_blank=True,
        default="",
        help_text="Of the SMS; empty: the request's language",
    )


class BookingConfirmSerializer(BookingRequestSerializer):
    code = serializers.CharField(max_length=12, help_text="The code from the SMS")


class CodeSentSerializer(serializers.Serializer):
    phone = serializers.CharField(read_only=True, help_text="Where the code went, masked")
    expires_in = serializers.IntegerField(read_only=True, help_text="Seconds the code stays valid")


class BookingSerializer(serializers.Serializer):
    code = serializers.CharField(read_only=True, help_text="Eight digits: check-in and cancellation")
    display_code = serializers.CharField(read_only=True, help_text="As shown and read out: 1234 5678")
    status = serializers.ChoiceField(choices=AppointmentStatus.choices, read_only=True)
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    center = serializers.CharField(source="center.code", read_only=True)
    center_name = serializers.CharField(source="center.name", read_only=True)
    service = serializers.CharField(source="service.code", read_only=True)
    service_name = serializers.CharField(source="service.name", read_only=True)
    start = serializers.DateTimeField(read_only=True)
    end = serializers.DateTimeField(read_only=True)
    late = serializers.BooleanField(read_only=True, help_text="Checked in after the grace time: general queue")
    ticket = serializers.CharField(
        source="ticket.public_code", read_only=True, allow_null=True, default=None, help_text="After check-in"
    )


class BookingPhoneSerializer(serializers.Serializer):
    phone = serializers.CharField(max_length=24, help_text="The phone number the booking was made with")


class CheckInSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=20, help_text="The booking code (spaces and dashes allowed)")


class CheckedInSerializer(serializers.Serializer):
    booking = BookingSerializer(read_only=True)
    ticket = TicketSerializer(read_only=True)


# --- counters (staff) ------------------------------------------------------------------------------------


class OperatorSerializer(serializers.Serializer):
    username = serializers.CharField(read_only=True)
    name = serializers.CharField(source="get_full_name", read_only=True)


class SessionSerializer(serializers.Serializer):
    operator = OperatorSerializer(read_only=True)
    state = serializers.ChoiceField(choices=OperatorState.choices, read_only=True)
    state_since = serializers.DateTimeField(read_only=True)
    started_at = serializers.DateTimeField(read_only=True)


class CounterSerializer(serializers.Serializer):
    number = serializers.IntegerField(read_only=True)
    label = serializers.CharField(read_only=True)
    name = serializers.CharField(source="__str__", read_only=True, help_text="As the board shows it")
    services = serializers.SerializerMethodField(help_text="Service codes it serves by name")
    categories = serializers.SerializerMethodField(help_text="Category codes it serves whole")
    session = serializers.SerializerMethodField(help_text="Who is signed in; null: nobody")

    def get_services(self, counter) -> list[str]:
        return sorted(service.code for service in counter.services.all())

    def get_categories(self, counter) -> list[str]:
        return sorted(category.code for category in counter.categories.all())

    @extend_schema_field(SessionSerializer(allow_null=True))
    def get_session(self, counter) -> dict | None:
        session = self.context["sessions"].get(counter.pk)
        return SessionSerializer(session).data if session else None


class StaffTicketSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    number = serializers.CharField(source="display", read_only=True)
    status = serializers.ChoiceField(choices=TicketStatus.choices, read_only=True)
    service = serializers.CharField(source="service.code", read_only=True)
    service_name = serializers.CharField(source="service.name", read_only=True)
    priority = serializers.ChoiceField(choices=Priority.choices, read_only=True)
    recalls = serializers.IntegerField(read_only=True)
    queued_at = serializers.DateTimeField(read_only=True)
    called_at = serializers.DateTimeField(read_only=True, allow_null=True)
    started_at = serializers.DateTimeField(read_only=True, allow_null=True)


class CounterStateSerializer(serializers.Serializer):
    """A counter's console (`selectors.counter_console`)."""

    number = serializers.IntegerField(source="counter.number", read_only=True)
    label = serializers.CharField(source="counter.label", read_only=True)
    name = serializers.CharField(source="counter.__str__", read_only=True)
    is_active = serializers.BooleanField(source="counter.is_active", read_only=True)
    session = SessionSerializer(read_only=True, allow_null=True, help_text="Who is signed in; null: nobody")
    current = StaffTicketSerializer(read_only=True, allow_null=True, help_text="Called or being served")
    held = StaffTicketSerializer(many=True, read_only=True, help_text="On hold at this counter")
    waiting_count = serializers.IntegerField(read_only=True, help_text="What call-next can call now")
    waiting_priority = serializers.IntegerField(read_only=True, help_text="Of them, priority and booked")
    oldest_wait_minutes = serializers.IntegerField(read_only=True)
    recalls_before_no_show = serializers.IntegerField(read_only=True)


class StateSerializer(serializers.Serializer):
    state = serializers.ChoiceField(choices=OperatorState.choices)


class TransferSerializer(serializers.Serializer):
    service = serializers.CharField(
        max_length=64, required=False, allow_blank=True, default="", help_text="Service code to transfer to"
    )
    counter = serializers.IntegerField(
        min_value=1, max_value=NUMBER_MAX, required=False, allow_null=True, default=None, help_text="Window number"
    )
