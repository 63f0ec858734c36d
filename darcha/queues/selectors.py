"""Queue reads: what a center serves and which counters serve what, a ticket's position and
estimated wait, the board's snapshot, a counter's console, and the appointments' calendar and
lookups. Every read of the queue's screens, services and jobs is here."""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Avg, Count, F, Func, Min, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from darcha.catalog.models import Category, Service
from darcha.core import hours as opening_rule
from darcha.core.calendar import WorkingCalendar
from darcha.core.choices import OrganizationKind
from darcha.core.identifiers import validate_phone
from darcha.core.models import OpeningHours, Organization

from . import slots
from .choices import BOOKED_RANK, OPEN_STATUSES, OperatorState, QueueEvent, TicketStatus
from .models import (
    HOLDING_STATUSES,
    Appointment,
    Counter,
    OperatorSession,
    QueueSettings,
    SlotRule,
    Ticket,
)

DEFAULT_SERVICE_MINUTES = 10


# --- centers, the services they serve, the counters that serve them ----------------------------
def center_or_404(code: str, *, active: bool = True) -> Organization:
    """The center with this code (an open one unless `active` is False), else 404."""
    centers = Organization.objects.filter(kind=OrganizationKind.CENTER)
    return get_object_or_404(centers.filter(is_active=True) if active else centers, code=code)


def centers_with_counters() -> QuerySet[Organization]:
    """Open centers that have counters, with their opening hours, in the order of the tree."""
    return (
        Organization.objects.filter(kind=OrganizationKind.CENTER, is_active=True, counters__isnull=False)
        .distinct()
        .prefetch_related("opening_hours")
        .order_by("path")
    )


def center_opening(center: Organization | int, now: dt.datetime | None = None) -> opening_rule.Opening:
    """Whether the center is open at `now`, today's hours and when it opens next, by the one rule
    (`core.hours`) over its weekly hours and the working-day calendar (two queries)."""
    now = now or timezone.now()
    return opening_rule.opening(now, opening_hours(center), WorkingCalendar.current())


def queue_settings(center: Organization) -> QueueSettings:
    """The center's queue rules; the defaults (unsaved) when it has none of its own."""
    try:
        return center.queue_settings
    except QueueSettings.DoesNotExist:
        return QueueSettings(center=center)


def center_services(center: Organization | int) -> QuerySet[Service]:
    """The services a center serves: active services that an active counter of the center serves,
    named or through their category."""
    counters = Counter.objects.filter(center=center, is_active=True)
    return (
        Service.objects.filter(is_active=True)
        .filter(Q(pk__in=counters.values("services")) | Q(category__in=counters.values("categories")))
        .select_related("category")
    )


def center_service(center: Organization, code: str) -> Service | None:
    """The service with this code, if the center serves it."""
    return center_services(center).filter(code=code).first() if code else None


def center_services_listed(center: Organization) -> list[Service]:
    """The services a center serves, by category (in the catalog's order) and name, for lists."""
    return sorted(center_services(center), key=lambda s: (s.category.position, s.category.code, s.name.casefold()))


def service_by_code(code: str) -> Service | None:
    """A catalog service by its code (whether or not a center serves it)."""
    return Service.objects.select_related("category").filter(code=code).first()


def center_categories(center: Organization) -> QuerySet[Category]:
    """The categories of the services a center serves, in the catalog's order."""
    return Category.objects.filter(services__in=center_services(center)).distinct().order_by("position", "code")


def counters_serving(service: Service, center: Organization | int) -> QuerySet[Counter]:
    """The center's active counters that serve the service, named or through its category."""
    return (
        Counter.objects.filter(center=center, is_active=True)
        .filter(Q(services=service) | Q(categories=service.category_id))
        .distinct()
    )


def center_counter(center: Organization, number: int) -> Counter | None:
    """The center's window with this number (open or not)."""
    counter = Counter.objects.filter(center=center, number=number).first()
    if counter is not None:
        counter.center = center
    return counter


def active_counters(center: Organization | int) -> list[Counter]:
    return list(Counter.objects.filter(center=center, is_active=True))


def counter_labels(center: Organization) -> dict[str, str]:
    """Windows with a label of their own ("Soliq oynasi"), by number."""
    rows = Counter.objects.filter(center=center).exclude(label="").values_list("number", "label")
    return {str(number): label for number, label in rows}


@dataclass(frozen=True)
class CenterCounters:
    """A center's active counters by number, each with whoever is signed in at it."""

    rows: list[tuple[Counter, OperatorSession | None]]
    sessions: list[OperatorSession]  # every open session at the center's counters

    @property
    def busy(self) -> int:
        return sum(1 for _counter, session in self.rows if session is not None)

    def session_of(self, user) -> OperatorSession | None:
        return next((s for s in self.sessions if s.operator_id == user.pk), None)


def counters_with_sessions(center: Organization, *, with_services: bool = False) -> CenterCounters:
    """The center's counters and open sessions (two queries; two more for what each counter
    serves, `with_services`)."""
    counters = Counter.objects.filter(center=center, is_active=True).order_by("number")
    if with_services:
        counters = counters.prefetch_related("categories", "services")
    sessions = list(
        OperatorSession.objects.filter(counter__center=center, ended_at__isnull=True).select_related(
            "operator", "counter"
        )
    )
    by_counter = {session.counter_id: session for session in sessions}
    return CenterCounters(rows=[(counter, by_counter.get(counter.pk)) for counter in counters], sessions=sessions)


def open_session(counter: Counter) -> OperatorSession | None:
    """The session of whoever is signed in at the counter."""
    return OperatorSession.objects.filter(counter=counter, ended_at__isnull=True).select_related("operator").first()


def session_elsewhere(user, counter: Counter) -> OperatorSession | None:
    """The user's open session at another counter (to say where they are signed in)."""
    return (
        OperatorSession.objects.filter(operator=user, ended_at__isnull=True)
        .exclude(counter=counter)
        .select_related("counter", "counter__center")
        .first()
    )


def ticket_prefix(service: Service) -> str:
    """The category's own prefix; else a letter from the category's place among all categories."""
    category = service.category
    if category.ticket_prefix:
        return category.ticket_prefix
    earlier = Category.objects.filter(
        Q(position__lt=category.position) | Q(position=category.position, pk__lt=category.pk)
    )
    return chr(ord("A") + earlier.count() % 26)


def ticket_by_code(code: str) -> Ticket | None:
    """The ticket its QR code or printout names (its public code)."""
    return (
        Ticket.objects.select_related("center", "service", "service__category", "counter")
        .filter(public_code=code)
        .first()
    )


def center_ticket(center: Organization, pk: int) -> Ticket | None:
    return Ticket.objects.filter(center=center, pk=pk).first()


# --- positions, the board, the console ---------------------------------------------------------
@dataclass(frozen=True)
class Position:
    ahead: int
    wait_minutes: int  # from now
    open_counters: int
    # When the ticket should be called: a booked visitor's time counts (the estimate starts there,
    # "called at about 10:30"), for the others it is now plus the wait.
    expected_at: dt.datetime | None = None
    booked_for: dt.datetime | None = None  # a booked visitor's appointment time, until it has come


def served_services(counters: QuerySet[Counter]) -> QuerySet[Service]:
    """The services these counters serve, named or through their category, as a subquery (no query
    of its own): the tickets' filter is then `service_id IN (…)`, read from the index without a join."""
    return Service.objects.filter(
        Q(pk__in=counters.values("services")) | Q(category__in=counters.values("categories"))
    ).values("pk")


def _serving_counters(ticket: Ticket) -> QuerySet[Counter]:
    """The counters that may call the ticket: the one it was sent to, else the center's active
    counters serving its service."""
    if ticket.target_counter_id:
        return Counter.objects.filter(pk=ticket.target_counter_id)
    return Counter.objects.filter(center=ticket.center_id, is_active=True).filter(
        Q(services=ticket.service_id) | Q(categories__services=ticket.service_id)
    )


def _count(queryset: QuerySet) -> Coalesce:
    """COUNT(*) of a queryset as a scalar subquery (0 when it is empty)."""
    # COUNT as a plain function: Django adds no GROUP BY, so the subquery is one row.
    counted = queryset.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Coalesce(Subquery(counted[:1]), 0)


def _recent_service(ticket: Ticket, since: dt.datetime) -> QuerySet[Ticket]:
    # Index ticket_finished_idx: (center, service, status, finished_at).
    return Ticket.objects.filter(
        center=ticket.center_id, service=ticket.service_id, status=TicketStatus.DONE, finished_at__gte=since
    )


def _position_figures(ticket: Ticket, until: dt.datetime, since: dt.datetime) -> QuerySet:
    """The figures of `ticket_position` as one SELECT (one row: open_counters, and for a waiting ticket
    higher, before, service_time)."""
    counters = _serving_counters(ticket)
    figures = {
        "open_counters": _count(
            OperatorSession.objects.filter(
                counter__in=counters.values("pk"), ended_at__isnull=True, state=OperatorState.SERVING
            )
        )
    }
    if ticket.status == TicketStatus.WAITING:
        # Not ahead: booked visitors whose time has not come (call-next skips them until then), and
        # tickets sent to a counter that does not serve this one.
        queue = Ticket.objects.filter(
            center=ticket.center_id,
            day=ticket.day,
            status=TicketStatus.WAITING,
            queued_at__lte=until,
            service__in=served_services(counters),
        ).filter(Q(target_counter__isnull=True) | Q(target_counter__in=counters.values("pk")))
        # Two ranges of the index: every ticket of a higher rank, and those of the same rank queued
        # before this one (same time: the lower id first).
        figures["higher"] = _count(queue.filter(rank__gt=ticket.rank))
        figures["before"] = _count(
            queue.filter(rank=ticket.rank, queued_at__lte=ticket.queued_at).filter(
                Q(queued_at__lt=ticket.queued_at) | Q(id__lt=ticket.pk)
            )
        )
        figures["service_time"] = Subquery(
            _recent_service(ticket, since)
            .order_by()
            .values("center")
            .annotate(avg=Avg(F("finished_at") - F("called_at")))
            .values("avg")[:1]
        )
    return Organization.objects.filter(pk=ticket.center_id).order_by().values(**figures)[:1]


# Stand-ins for the values of one ticket in the statement compiled once per process: numbers and moments
# no real ticket has (in the fields' ranges, so that the ORM keeps every condition).
_STAND_INS = {
    "center": 9_000_000_000_001,
    "service": 9_000_000_000_002,
    "target": 9_000_000_000_003,
    "pk": 9_000_000_000_004,
    "rank": 32_001,
    "day": dt.date(1901, 2, 3),
    "queued_at": dt.datetime(1901, 2, 3, 4, 5, 6, tzinfo=dt.UTC),
    "until": dt.datetime(1901, 2, 3, 4, 5, 7, tzinfo=dt.UTC),
    "since": dt.datetime(1901, 2, 3, 4, 5, 8, tzinfo=dt.UTC),
}


@dataclass(frozen=True)
class _Compiled:
    sql: str
    params: tuple  # each a parameter, or the name of a stand-in
    columns: tuple[str, ...]
    converters: dict


@functools.cache
def _position_statement(vendor: str, waiting: bool, targeted: bool) -> _Compiled:
    """`_position_figures` compiled once per process and shape of ticket: building this SELECT is most of
    what a position costs in Python (its subqueries repeat the counters' joins), so it is built once
    with stand-ins and only run afterwards."""
    ops = connection.ops
    stand_in = Ticket(
        pk=_STAND_INS["pk"],
        center_id=_STAND_INS["center"],
        service_id=_STAND_INS["service"],
        target_counter_id=_STAND_INS["target"] if targeted else None,
        day=_STAND_INS["day"],
        rank=_STAND_INS["rank"],
        queued_at=_STAND_INS["queued_at"],
        status=TicketStatus.WAITING if waiting else TicketStatus.CALLED,
    )
    query = _position_figures(stand_in, _STAND_INS["until"], _STAND_INS["since"]).query
    compiler = query.get_compiler(connection=connection)
    sql, params = compiler.as_sql()
    adapted = {}
    for name, value in _STAND_INS.items():
        if isinstance(value, dt.datetime):
            value = ops.adapt_datetimefield_value(value)
        elif isinstance(value, dt.date):
            value = ops.adapt_datefield_value(value)
        adapted[value] = name
    marked = tuple(_StandIn(adapted[param]) if _hashable(param) and param in adapted else param for param in params)
    columns = tuple(query.annotation_select)
    converters = compiler.get_converters([column[0] for column in compiler.select])
    return _Compiled(sql, marked, columns, converters)


class _StandIn(str):
    """The name of a stand-in among a compiled statement's parameters."""


def _hashable(value) -> bool:
    try:
        hash(value)
    except TypeError:
        return False
    return True


def _position_row(ticket: Ticket, until: dt.datetime, since: dt.datetime) -> dict:
    waiting = ticket.status == TicketStatus.WAITING
    statement = _position_statement(connection.vendor, waiting, bool(ticket.target_counter_id))
    ops = connection.ops
    values = {
        "center": ticket.center_id,
        "service": ticket.service_id,
        "target": ticket.target_counter_id,
        "pk": ticket.pk,
        "rank": ticket.rank,
        "day": ops.adapt_datefield_value(ticket.day),
        "queued_at": ops.adapt_datetimefield_value(ticket.queued_at),
        "until": ops.adapt_datetimefield_value(until),
        "since": ops.adapt_datetimefield_value(since),
    }
    params = [values[param] if isinstance(param, _StandIn) else param for param in statement.params]
    # No savepoint inside a caller's transaction: SET LOCAL then lasts to its end, which does no harm.
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Prepared (server-side binding), the statement would still be planned again on every run:
            # PostgreSQL keeps custom plans when a generic one looks dearer, and planning this SELECT's
            # subqueries costs more than running it (7 ms against 1 ms on the loaded machine). Its plan is
            # the same whatever the ticket (the same indexes, the same ranges), so the generic plan is kept.
            cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        cursor.execute(statement.sql, params)
        row = cursor.fetchone()
    if row is None:
        return {}
    row = list(row)
    for position, (functions, expression) in statement.converters.items():
        for function in functions:
            row[position] = function(row[position], expression, connection)
    return dict(zip(statement.columns, row, strict=True))


def ticket_position(ticket: Ticket, now: dt.datetime | None = None) -> Position:
    """People ahead of a waiting ticket at the counters that serve it, and the estimated wait: one
    statement, whatever the length of the queue (the counters, the services they serve, the tickets
    ahead, the open counters and the recent service time as subqueries of one SELECT), compiled once
    per process.

    The tickets ahead are counted in the index ticket_calling_order_idx: the waiting tickets of the
    center's day in calling order (rank descending, then time in the queue), so those ahead of a
    ticket are the index entries before its own — a range read from the index, without a join to
    the services or their categories."""
    now = now or timezone.now()
    waiting = ticket.status == TicketStatus.WAITING
    row = _position_row(ticket, until=max(now, ticket.queued_at), since=now - dt.timedelta(hours=2))
    open_counters = row.get("open_counters", 0)
    if not waiting:
        return Position(ahead=0, wait_minutes=0, open_counters=open_counters)
    ahead = row["higher"] + row["before"]
    recent = row["service_time"]
    minutes = recent.total_seconds() / 60 if recent else DEFAULT_SERVICE_MINUTES
    per_counter = minutes / max(open_counters, 1)
    if ticket.queued_at > now:
        # A booked visitor before the time: called at the booked time, after those booked earlier.
        expected = ticket.queued_at + dt.timedelta(minutes=round(ahead * per_counter))
        booked_for = ticket.queued_at
    else:
        expected = now + dt.timedelta(minutes=round((ahead + 1) * per_counter))
        booked_for = None
    wait = max(round((expected - now).total_seconds() / 60), 0)
    return Position(
        ahead=ahead, wait_minutes=wait, open_counters=open_counters, expected_at=expected, booked_for=booked_for
    )


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
        "type": QueueEvent.SNAPSHOT,
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
    """Tickets of the services this counter serves, named or through their category (a subquery:
    no query of its own)."""
    return Q(service__in=served_services(Counter.objects.filter(pk=counter.pk)))


def current_ticket(counter: Counter) -> Ticket | None:
    """The ticket called or being served at the counter (at most one)."""
    return (
        Ticket.objects.filter(counter=counter, status__in=[TicketStatus.CALLED, TicketStatus.SERVING])
        .select_related("counter")
        .first()
    )


def counter_console(counter: Counter, now: dt.datetime | None = None) -> dict:
    """A counter's console: the session, the current ticket, held tickets, how many wait for it
    (one aggregate over the waiting tickets of the services it serves: the count, the priority
    ones, the longest wait)."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    # What "call next" can call now: a booked visitor who checked in early waits from the booked time.
    waiting = (
        Ticket.objects.filter(center=counter.center_id, day=day, status=TicketStatus.WAITING, queued_at__lte=now)
        .filter(Q(target_counter=counter) | (Q(target_counter__isnull=True) & tickets_served_by(counter)))
        .aggregate(count=Count("id"), priority=Count("id", filter=Q(rank__gt=0)), oldest=Min("queued_at"))
    )
    return {
        "session": open_session(counter),
        "current": current_ticket(counter),
        "held": list(Ticket.objects.filter(counter=counter, status=TicketStatus.ON_HOLD).select_related("service")),
        "waiting_count": waiting["count"],
        "waiting_priority": waiting["priority"],
        "oldest_wait_minutes": _minutes_since(waiting["oldest"], now),
    }


def _minutes_since(moment: dt.datetime | None, now: dt.datetime) -> int:
    return int((now - moment).total_seconds() // 60) if moment else 0


# --- appointments ------------------------------------------------------------------------------
# Booking codes: eight digits — typed on the kiosk's number pad, read out over the phone.
CODE_LENGTH = 8


def normalize_code(code: str) -> str:
    """ "1234 5678", "1234-5678" → "12345678"; anything else cannot match a code."""
    code = "".join(str(code or "").split()).replace("-", "")
    return code if len(code) == CODE_LENGTH and code.isascii() and code.isdigit() else ""


def bookable_services(center: Organization) -> QuerySet[Service]:
    """The services the center serves that are not closed to online booking."""
    services = center_services(center)
    rules = {rule.service_id: rule.is_active for rule in SlotRule.objects.filter(center=center)}
    closed = [service_id for service_id, active in rules.items() if service_id and not active]
    if rules.get(None) is False:
        # Booking closed for the center: only services with an active rule of their own remain.
        services = services.filter(pk__in=[service_id for service_id, active in rules.items() if active])
    return services.exclude(pk__in=closed)


def bookable_services_listed(center: Organization) -> list[Service]:
    """The bookable services by category and name, for the booking page's list."""
    return sorted(bookable_services(center), key=lambda s: (s.category.position, s.name.casefold()))


def slot_rule(center: Organization, service: Service) -> SlotRule:
    """The service's own rule, else the center's default rule, else the built-in defaults."""
    rules = {
        rule.service_id: rule
        for rule in SlotRule.objects.filter(Q(service=service) | Q(service__isnull=True), center=center)
    }
    rules.setdefault(None, SlotRule(center=center))
    return rules.get(service.pk) or rules[None]


def slot_policy(rule: SlotRule) -> slots.Policy:
    return slots.Policy(slot_minutes=rule.slot_minutes, capacity=rule.capacity, days_ahead=rule.days_ahead)


def opening_hours(center: Organization | int) -> dict[int, tuple[dt.time, dt.time]]:
    """weekday (Monday 0) → (opens, closes)."""
    return {row.weekday: (row.opens, row.closes) for row in OpeningHours.objects.filter(center=center)}


def opening_hours_by_center() -> dict[int, dict[int, tuple[dt.time, dt.time]]]:
    """Every center's opening hours in one query: center id → weekday → (opens, closes)."""
    hours: dict[int, dict] = {}
    for row in OpeningHours.objects.all():
        hours.setdefault(row.center_id, {})[row.weekday] = (row.opens, row.closes)
    return hours


def booked_counts(center: Organization, service: Service, start: dt.datetime, end: dt.datetime) -> dict:
    """Bookings holding each slot that starts in [start, end)."""
    rows = (
        Appointment.objects.filter(
            center=center, service=service, start__gte=start, start__lt=end, status__in=HOLDING_STATUSES
        )
        .values("start")
        .annotate(n=Count("id"))
    )
    return {row["start"]: row["n"] for row in rows}


def slot_calendar(center: Organization, service: Service, *, now: dt.datetime | None = None) -> slots.SlotCalendar:
    """The service's days and slots at the center with their bookings: a few queries, then pure."""
    now = now or timezone.now()
    rule_policy = slot_policy(slot_rule(center, service))
    first, last = slots.horizon(timezone.localdate(now), rule_policy)
    booked = booked_counts(
        center, service, slots.local(first, dt.time.min), slots.local(last + dt.timedelta(days=1), dt.time.min)
    )
    return slots.SlotCalendar(rule_policy, opening_hours(center), WorkingCalendar.current(), now, booked)


def slot_holding(center: Organization, service: Service, start: dt.datetime) -> int:
    """Bookings holding the slot that starts at `start`."""
    return Appointment.objects.filter(center=center, service=service, start=start, status__in=HOLDING_STATUSES).count()


def bookings_that_day(center: Organization, phone: str, day: dt.date) -> int:
    """Bookings of a phone number at the center that hold a place on the day (the daily limit)."""
    start = slots.local(day, dt.time.min)
    return Appointment.objects.filter(
        center=center,
        phone=phone,
        start__gte=start,
        start__lt=start + dt.timedelta(days=1),
        status__in=HOLDING_STATUSES,
    ).count()


def appointment_code_taken(code: str) -> bool:
    return Appointment.objects.filter(code=code).exists()


def appointment_by_code(code: str, *, center: Organization | None = None) -> Appointment | None:
    """The booking with this code (at this center, if given), with its center, service and ticket."""
    appointments = Appointment.objects.select_related("center", "service", "ticket").filter(code=normalize_code(code))
    return (appointments.filter(center=center) if center is not None else appointments).first()


def appointment_find(code: str, phone: str) -> Appointment | None:
    """The booking with this code, if it was made with this phone number (else None: no hint which)."""
    try:
        phone = validate_phone(phone)
    except ValidationError:
        return None
    return (
        Appointment.objects.select_related("center", "service", "ticket")
        .filter(code=normalize_code(code), phone=phone)
        .first()
    )


# --- the queue's API (queues.api) ---------------------------------------------------------------
@dataclass(frozen=True)
class CenterDay:
    """A center's hours today (None: it receives nobody today) and the tickets waiting there now."""

    hours: tuple[dt.time, dt.time] | None
    waiting: int


def centers_today(centers: list[Organization], now: dt.datetime | None = None) -> dict[int, CenterDay]:
    """Today's hours and waiting tickets of these centers (their `opening_hours` prefetched, as
    `centers_with_counters` does): two queries, whatever their number. Hours as bookings and the
    end of the day count them (`slots.day_hours`: days off closed, transferred working days open)."""
    today = timezone.localdate(now)
    calendar = WorkingCalendar.current()
    waiting = dict(
        Ticket.objects.filter(center__in=centers, day=today, status=TicketStatus.WAITING)
        .values_list("center")
        .annotate(n=Count("id"))
    )
    days = {}
    for center in centers:
        hours = {row.weekday: (row.opens, row.closes) for row in center.opening_hours.all()}
        days[center.pk] = CenterDay(slots.day_hours(today, hours, calendar), waiting.get(center.pk, 0))
    return days


@dataclass(frozen=True)
class ServiceToday:
    service: Service
    waiting: int  # tickets of the service waiting today (the display board's count)
    bookable: bool  # open to online booking at this center


def center_services_today(center: Organization, now: dt.datetime | None = None) -> list[ServiceToday]:
    """The services a center serves (in `center_services_listed`'s order), each with its waiting
    tickets today and whether it may be booked online."""
    today = timezone.localdate(now)
    waiting = dict(
        Ticket.objects.filter(center=center, day=today, status=TicketStatus.WAITING)
        .values_list("service")
        .annotate(n=Count("id"))
    )
    bookable = set(bookable_services(center).values_list("pk", flat=True))
    return [
        ServiceToday(service, waiting.get(service.pk, 0), service.pk in bookable)
        for service in center_services_listed(center)
    ]


FINAL_STATUSES = (TicketStatus.DONE, TicketStatus.NO_SHOW, TicketStatus.NOT_SERVED)


@dataclass(frozen=True)
class TicketProgress:
    """What a ticket's live page, its slip and the API show: its position while it waits today;
    `stale` for a ticket of an earlier day still open (the day was not closed), `final` once nothing
    more will happen; `booked_at`, a booked visitor's appointment time (their place is kept for it)."""

    ticket: Ticket
    position: Position | None
    stale: bool
    final: bool
    booked_at: dt.datetime | None = None


def ticket_progress(ticket: Ticket, now: dt.datetime | None = None) -> TicketProgress:
    now = now or timezone.now()
    stale = ticket.day < timezone.localdate(now) and ticket.status in OPEN_STATUSES
    position = ticket_position(ticket, now) if ticket.status == TicketStatus.WAITING and not stale else None
    booked_at = ticket.queued_at if ticket.rank == BOOKED_RANK else None
    return TicketProgress(ticket, position, stale, stale or ticket.status in FINAL_STATUSES, booked_at)
