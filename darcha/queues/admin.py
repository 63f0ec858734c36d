"""Administration of the queue: counters and each center's queue rules are edited here (through the
audited service functions); tickets and operator sessions are history, shown read-only."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from darcha.core.admin import AuditedAdmin, ReadOnlyAdminMixin

from .models import (
    Appointment,
    Counter,
    OperatorSession,
    OperatorStateSpan,
    QueueSettings,
    SlotRule,
    Ticket,
    TicketEvent,
)


@admin.register(Counter)
class CounterAdmin(AuditedAdmin):
    list_display = ["center", "number", "label", "is_active"]
    list_filter = ["center", "is_active"]
    filter_horizontal = ["services", "categories"]


@admin.register(QueueSettings)
class QueueSettingsAdmin(AuditedAdmin):
    list_display = [
        "center",
        "recalls_before_no_show",
        "notify_at_position",
        "target_wait_minutes",
        "close_grace_minutes",
        "board_sound",
    ]
    list_select_related = ["center"]


class TicketEventInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = TicketEvent
    fields = ["at", "action", "counter", "operator", "data"]
    readonly_fields = fields
    extra = 0


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "ticket",
        "center",
        "day",
        "service",
        "priority",
        "status",
        "queued_at",
        "called_at",
        "finished_at",
        "counter",
        "operator",
        "recalls",
    ]
    list_filter = ["status", "priority", "center", "day", ("counter", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["center", "service", "counter", "operator"]
    date_hierarchy = "day"
    search_fields = ["=number", "=prefix", "service__code", "service__name_uz", "service__name_ru"]
    # The public code opens the ticket's live page: not shown, so it does not leak from a screen.
    exclude = ["public_code"]
    inlines = [TicketEventInline]

    @admin.display(description=_("ticket"), ordering="number")
    def ticket(self, obj: Ticket) -> str:
        return obj.display


class OperatorStateSpanInline(ReadOnlyAdminMixin, admin.TabularInline):
    model = OperatorStateSpan
    fields = ["state", "started_at", "ended_at"]
    readonly_fields = fields
    extra = 0


@admin.register(OperatorSession)
class OperatorSessionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["operator", "counter", "center", "started_at", "ended_at", "state", "state_since"]
    list_filter = ["state", ("ended_at", admin.EmptyFieldListFilter), "counter__center"]
    list_select_related = ["operator", "counter", "counter__center"]
    date_hierarchy = "started_at"
    search_fields = ["operator__username", "operator__first_name", "operator__last_name"]
    inlines = [OperatorStateSpanInline]

    @admin.display(description=_("center"), ordering="counter__center")
    def center(self, obj: OperatorSession):
        return obj.counter.center


@admin.register(SlotRule)
class SlotRuleAdmin(AuditedAdmin):
    list_display = ["center", "service", "slot_minutes", "capacity", "days_ahead", "is_active"]
    list_filter = ["center", "is_active"]
    autocomplete_fields = ["service"]


@admin.register(Appointment)
class AppointmentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Bookings change only through the booking pages and the kiosk (audited service functions)."""

    list_display = ["code", "center", "service", "start", "status", "late", "reminded_at"]
    list_filter = ["status", "center", "late"]
    date_hierarchy = "start"
    search_fields = ["code"]
    # The phone is personal data: kept out of the admin (the booking pages ask for it to show a booking).
    exclude = ["phone"]
