"""The queue's periodic work, registered with the scheduler in QueuesConfig.ready():

    queues.close_day         every minute   tickets still open at a center's closing time plus its grace
                                            (close_grace_minutes) → "not served"
    queues.no_shows          every 5 min    bookings not checked in by closing time → "did not come";
                                            checked-in bookings follow their ticket (served / did not come)
    queues.remind            every 15 min   one reminder for tomorrow's bookings, 09:00–20:00

and the position notices, run as a task (tasks.notify_queue_positions) after every call:
a waiting ticket with a phone that now has `notify_at_position` or fewer people ahead is told once.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone

from darcha.core import hours as opening_rule
from darcha.core.audit import SYSTEM, audit_record
from darcha.core.calendar import WorkingCalendar
from darcha.core.choices import OrganizationKind
from darcha.core.models import Organization
from darcha.notify import services as notify

from .appointments import appointment_mark_no_shows, appointments_remind, appointments_settle
from .choices import OPEN_STATUSES, TicketStatus
from .models import Ticket
from .selectors import counters_serving, opening_hours_by_center, queue_settings, ticket_position
from .services import tickets_close_day

log = logging.getLogger(__name__)
LOOK_BACK = dt.timedelta(days=31)  # how far back close_day looks for tickets left open
REMIND_FROM, REMIND_UNTIL = dt.time(9), dt.time(20)  # reminders are texted in these hours, Tashkent time


def close_day(*, now: dt.datetime | None = None) -> int:
    """Each center's day ends at its closing time plus `close_grace_minutes` (the counters serve who
    is still in the hall meanwhile): its open tickets become "not served", audited. A day the
    center is closed, or the hours before it opens, has nobody to serve, so by then the day before
    is closed too; tickets left open on earlier days (a holiday, a scheduler that was down) are
    closed at the first run after (`core.hours.day_over_through`)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    calendar = WorkingCalendar.current()
    hours = opening_hours_by_center()
    closed = 0
    # One indexed look per center (about two hundred) over the last weeks' tickets.
    for center in Organization.objects.filter(kind=OrganizationKind.CENTER).select_related("queue_settings"):
        grace = dt.timedelta(minutes=queue_settings(center).close_grace_minutes)
        day = opening_rule.day_over_through(now, hours.get(center.pk, {}), calendar, grace)
        if Ticket.objects.filter(
            center=center, day__gte=today - LOOK_BACK, day__lte=day, status__in=OPEN_STATUSES
        ).exists():
            closed += tickets_close_day(actor=SYSTEM, center=center, day=day, now=now)
    return closed


def mark_no_shows(*, now: dt.datetime | None = None) -> int:
    now = now or timezone.now()
    return appointment_mark_no_shows(actor=SYSTEM, now=now) + appointments_settle(actor=SYSTEM)


def remind_appointments(*, now: dt.datetime | None = None) -> int:
    """Tomorrow's reminders, sent in the daytime only (a scheduler started late at night waits)."""
    now = now or timezone.now()
    if not REMIND_FROM <= timezone.localtime(now).time() < REMIND_UNTIL:
        return 0
    return appointments_remind(actor=SYSTEM, now=now)


def _window(ticket: Ticket) -> str:
    """The window the citizen will go to, when only one can serve the ticket."""
    if ticket.target_counter_id:
        return str(ticket.target_counter.number)
    numbers = list(counters_serving(ticket.service, ticket.center_id).values_list("number", flat=True))
    return str(numbers[0]) if len(numbers) == 1 else ""


def _send_position(ticket: Ticket, context: dict) -> None:
    try:
        notify.message_send_preferred(
            actor=SYSTEM,
            phone=ticket.phone,
            template="queue_position",
            context=context,
            language=ticket.language,
            related=ticket,
        )
    except Exception:  # the queue goes on; the failure is logged (and the notify app keeps its own record)
        log.exception("could not send the position notice of ticket %s", ticket.pk)


def positions_notify(*, center_id: int, now: dt.datetime | None = None) -> int:
    """Tell each waiting ticket holder with a phone, once, when `notify_at_position` or fewer people
    are ahead. "Or fewer": two counters calling at once, or a run delayed, can move a ticket past
    the exact position between two runs. Booked tickets before their time are left alone."""
    now = now or timezone.now()
    center = Organization.objects.get(pk=center_id)
    limit = queue_settings(center).notify_at_position
    candidates = (
        Ticket.objects.filter(
            center=center,
            day=timezone.localdate(now),
            status=TicketStatus.WAITING,
            position_notified=False,
            queued_at__lte=now,
        )
        .exclude(phone="")
        .select_related("center", "service", "target_counter")
        .order_by("-rank", "queued_at", "id")
    )
    sent = 0
    for ticket in candidates:
        ahead = ticket_position(ticket, now).ahead
        if ahead > limit:
            continue
        with transaction.atomic():
            locked = Ticket.objects.select_for_update().filter(pk=ticket.pk).first()
            if locked is None or locked.position_notified or locked.status != TicketStatus.WAITING:
                continue  # another run told it, or it was called meanwhile
            locked.position_notified = True
            locked.save(update_fields=["position_notified"])
            audit_record(actor=SYSTEM, action="ticket_position_notify", obj=locked, data={"ahead": ahead})
            context = {"ticket": ticket.display, "ahead": ahead, "counter": _window(ticket)}
            transaction.on_commit(lambda ticket=ticket, context=context: _send_position(ticket, context))
        sent += 1
    return sent


def register() -> None:
    """Called from QueuesConfig.ready()."""
    from darcha.core.scheduler import register_job

    register_job("queues.close_day", every_seconds=60, func=close_day)
    register_job("queues.no_shows", every_seconds=300, func=mark_no_shows)
    register_job("queues.remind", every_seconds=900, func=remind_appointments)
