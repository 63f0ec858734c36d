"""Queue reads: a ticket's position and estimated wait, the board's snapshot, a counter's console."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Avg, Count, F, Q
from django.utils import timezone

from darcha.core.models import Organization

from .choices import OperatorState, TicketStatus
from .models import Counter, OperatorSession, Ticket

DEFAULT_SERVICE_MINUTES = 10


@dataclass(frozen=True)
class Position:
    ahead: int
    wait_minutes: int
    open_counters: int


def _ahead_of(ticket: Ticket) -> Q:
    return (
        Q(rank__gt=ticket.rank)
        | Q(rank=ticket.rank, queued_at__lt=ticket.queued_at)
        | Q(rank=ticket.rank, queued_at=ticket.queued_at, id__lt=ticket.pk)
    )


def average_service_minutes(center: Organization, service_ids, now: dt.datetime) -> float:
    """Mean call-to-finish time of the last two hours' tickets for these services."""
    recent = Ticket.objects.filter(
        center=center, service__in=service_ids, status=TicketStatus.DONE, finished_at__gte=now - dt.timedelta(hours=2)
    ).aggregate(avg=Avg(F("finished_at") - F("called_at")))["avg"]
    return recent.total_seconds() / 60 if recent else DEFAULT_SERVICE_MINUTES


def ticket_position(ticket: Ticket, now: dt.datetime | None = None) -> Position:
    """People ahead of a waiting ticket at the counters that serve it, and the estimated wait."""
    now = now or timezone.now()
    counters = (
        Counter.objects.filter(center=ticket.center_id, is_active=True)
        .filter(Q(services=ticket.service_id) | Q(categories=ticket.service.category_id))
        .distinct()
    )
    if ticket.target_counter_id:
        counters = Counter.objects.filter(pk=ticket.target_counter_id)
    service_q, counter_ids = Q(), []
    for counter in counters.prefetch_related("services", "categories"):
        counter_ids.append(counter.pk)
        service_q |= Q(service__in=[s.pk for s in counter.services.all()])
        service_q |= Q(service__category__in=[c.pk for c in counter.categories.all()])
    ahead = 0
    if ticket.status == TicketStatus.WAITING and service_q:
        # Not ahead: booked visitors whose time has not come (call-next skips them until then), and
        # tickets sent to a counter that does not serve this one.
        ahead = (
            Ticket.objects.filter(
                center=ticket.center_id,
                day=ticket.day,
                status=TicketStatus.WAITING,
                queued_at__lte=max(now, ticket.queued_at),
            )
            .filter(service_q)
            .filter(_ahead_of(ticket))
            .filter(Q(target_counter__isnull=True) | Q(target_counter__in=counter_ids))
            .count()
        )
    open_counters = OperatorSession.objects.filter(
        counter__in=counters, ended_at__isnull=True, state=OperatorState.SERVING
    ).count()
    minutes = average_service_minutes(ticket.center, [ticket.service_id], now)
    wait = round((ahead + 1) * minutes / max(open_counters, 1)) if ticket.status == TicketStatus.WAITING else 0
    return Position(ahead=ahead, wait_minutes=wait, open_counters=open_counters)


def board_snapshot(center: Organization, now: dt.datetime | None = None, recent: int = 8) -> dict:
    """What the display board shows: the latest calls and the waiting count per service."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    calls = (
        Ticket.objects.filter(center=center, day=day, status__in=[TicketStatus.CALLED, TicketStatus.SERVING])
        .select_related("counter")
        .order_by("-last_called_at")[:recent]
    )
    waiting = (
        Ticket.objects.filter(center=center, day=day, status=TicketStatus.WAITING)
        .values("service_id", "service__name_uz", "service__name_ru", "prefix")
        .annotate(count=Count("id"))
        .order_by("prefix", "service__name_uz")
    )
    return {
        "type": "snapshot",
        "calls": [
            {
                "ticket": t.display,
                "counter": t.counter.number,
                "counter_label": str(t.counter),
                "status": t.status,
                "at": t.last_called_at.isoformat(),
            }
            for t in calls
        ],
        "waiting": [
            {
                "service": w["service_id"],
                "name_uz": w["service__name_uz"],
                "name_ru": w["service__name_ru"],
                "prefix": w["prefix"],
                "count": w["count"],
            }
            for w in waiting
        ],
        "at": now.isoformat(),
    }


def tickets_served_by(counter: Counter) -> Q:
    """Tickets of the services this counter serves, named or through their category."""
    services = list(counter.services.values_list("pk", flat=True))
    categories = list(counter.categories.values_list("pk", flat=True))
    return Q(service__in=services) | Q(service__category__in=categories)


def current_ticket(counter: Counter) -> Ticket | None:
    """The ticket called or being served at the counter (at most one)."""
    return (
        Ticket.objects.filter(counter=counter, status__in=[TicketStatus.CALLED, TicketStatus.SERVING])
        .select_related("counter")
        .first()
    )


def counter_console(counter: Counter, now: dt.datetime | None = None) -> dict:
    """A counter's console: the session, the current ticket, held tickets, how many wait for it."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    # What "call next" can call now: a booked visitor who checked in early waits from the booked time.
    waiting = Ticket.objects.filter(
        center=counter.center_id, day=day, status=TicketStatus.WAITING, queued_at__lte=now
    ).filter(Q(target_counter=counter) | (Q(target_counter__isnull=True) & tickets_served_by(counter)))
    return {
        "session": OperatorSession.objects.filter(counter=counter, ended_at__isnull=True)
        .select_related("operator")
        .first(),
        "current": current_ticket(counter),
        "held": list(Ticket.objects.filter(counter=counter, status=TicketStatus.ON_HOLD).select_related("service")),
        "waiting_count": waiting.count(),
        "waiting_priority": waiting.filter(rank__gt=0).count(),
        "oldest_wait_minutes": _minutes_since(
            waiting.order_by("queued_at").values_list("queued_at", flat=True).first(), now
        ),
    }


def _minutes_since(moment: dt.datetime | None, now: dt.datetime) -> int:
    return int((now - moment).total_seconds() // 60) if moment else 0
