"""Queue statistics and the manager's live board: reads only, computed in the database.

A range of days is read as the tickets *issued* on those days (`Ticket.day`, the local date of
issue, indexed). Each table is one grouped query over the tickets (plus one over the operator
state spans), so the number of queries never depends on the number of tickets.

Definitions (the same in every table):
- wait: from the moment the ticket joined the queue to its first call — max(issued_at, queued_at),
  so a booked visitor who came early is counted from the booking time, not from the kiosk;
- service time: first call → finish, over the tickets served (status "done");
- share within target: tickets first called within the center's target wait (15 minutes unless
  set), out of the tickets whose outcome is known — every called ticket, and every ticket not
  called that has already waited longer than the target (closed unserved, or still waiting);
  tickets still waiting within the target are left out until they are called or run over;
- hour: the hour of issue on the Asia/Tashkent clock (the project's time zone);
- p90: the continuous 90th percentile of the wait (PostgreSQL's percentile_cont; on SQLite the
  same interpolation in Python over one query's values, since SQLite has no percentile function);
- operator states: the time in each state (at the counter, break, back office) from the state
  spans, clipped to the range and, for spans still open, to now.
"""

from __future__ import annotations

import datetime as dt
import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from types import SimpleNamespace

from django.db import connection
from django.db.models import (
    Aggregate,
    Avg,
    Count,
    DateTimeField,
    DurationField,
    ExpressionWrapper,
    F,
    Min,
    Q,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce, ExtractHour, Greatest, Least
from django.db.models.lookups import LessThan
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from darcha.catalog.models import Service
from darcha.core.i18n import CONTENT_LANGUAGES
from darcha.core.models import Organization

from .choices import OPEN_STATUSES, OperatorState, TicketStatus
from .models import Counter, OperatorSession, OperatorStateSpan, QueueSettings, Ticket
from .selectors import counters_with_sessions

MAX_RANGE_DAYS = 366
P90 = 0.9


# --- Expressions ----------------------------------------------------------------------------
class Percentile90(Aggregate):
    """PostgreSQL's continuous percentile (an ordered-set aggregate): interpolates like numpy."""

    name = "Percentile90"
    function = "PERCENTILE_CONT"
    template = f"%(function)s({P90}) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()


def _duration(expression) -> ExpressionWrapper:
    return ExpressionWrapper(expression, output_field=DurationField())


WAIT_START = Greatest("issued_at", "queued_at")
WAIT = _duration(F("called_at") - WAIT_START)
SERVICE_TIME = _duration(F("finished_at") - F("called_at"))
SERVED = Q(status=TicketStatus.DONE)


def _metrics(target: dt.timedelta, now: dt.datetime, *, percentile: bool) -> dict:
    """The figures of one group of tickets, as aggregates."""
    deadline = ExpressionWrapper(WAIT_START + Value(target), output_field=DateTimeField())
    ran_over = LessThan(deadline, Coalesce("finished_at", Value(now, output_field=DateTimeField())))
    metrics = {
        "issued": Count("pk"),
        "called": Count("pk", filter=Q(called_at__isnull=False)),
        "served": Count("pk", filter=SERVED),
        "no_shows": Count("pk", filter=Q(status=TicketStatus.NO_SHOW)),
        "not_served": Count("pk", filter=Q(status=TicketStatus.NOT_SERVED)),
        "open": Count("pk", filter=Q(status__in=OPEN_STATUSES)),
        "within_target": Count("pk", filter=Q(called_at__lte=deadline)),
        "decided": Count("pk", filter=Q(called_at__isnull=False) | (Q(called_at__isnull=True) & Q(ran_over))),
        "mean_wait": Avg(WAIT),
        "mean_service": Avg(SERVICE_TIME, filter=SERVED),
    }
    if percentile:
        metrics["p90_wait"] = Percentile90(WAIT)
    return metrics


def _has_percentile() -> bool:
    return connection.vendor == "postgresql"


def percentile(values: Iterable[dt.timedelta], fraction: float = P90) -> dt.timedelta | None:
    """Continuous percentile with linear interpolation, as PostgreSQL's percentile_cont."""
    ordered = sorted(values)
    if not ordered:
        return None
    position = fraction * (len(ordered) - 1)
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


# --- Results --------------------------------------------------------------------------------
def _minutes(value: dt.timedelta | None) -> float | None:
    return None if value is None else round(value.total_seconds() / 60, 1)


def clock(value: dt.timedelta | None) -> str:
    """A duration as a clock: 4:05, 1:02:09 ("" for none)."""
    if value is None:
        return ""
    seconds = max(int(value.total_seconds()), 0)
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


@dataclass
class Figures:
    """One row of a statistics table: a counter, an operator, a service, an hour, or the total."""

    key: object = None
    label: str = ""
    code: str = ""
    issued: int = 0
    called: int = 0
    served: int = 0
    no_shows: int = 0
    not_served: int = 0
    open: int = 0
    within_target: int = 0
    decided: int = 0
    mean_wait: dt.timedelta | None = None
    p90_wait: dt.timedelta | None = None
    mean_service: dt.timedelta | None = None
    states: dict[str, dt.timedelta] = field(default_factory=dict)

    @property
    def share_within(self) -> float | None:
        """0…1, or None when no ticket's outcome is known yet."""
        return self.within_target / self.decided if self.decided else None

    @property
    def share_percent(self) -> float | None:
        share = self.share_within
        return None if share is None else round(share * 100, 1)

    @property
    def mean_wait_minutes(self) -> float | None:
        return _minutes(self.mean_wait)

    @property
    def p90_wait_minutes(self) -> float | None:
        return _minutes(self.p90_wait)

    @property
    def mean_service_minutes(self) -> float | None:
        return _minutes(self.mean_service)

    @property
    def mean_wait_clock(self) -> str:
        return clock(self.mean_wait)

    @property
    def mean_service_clock(self) -> str:
        return clock(self.mean_service)

    @property
    def state_clocks(self) -> list[str]:
        """Time in each operator state, in OperatorState order, as clocks (blank for no operator)."""
        if self.key is None:
            return ["" for _state in OperatorState.values]
        return [clock(self.states.get(state, dt.timedelta(0))) for state in OperatorState.values]


FIELDS = ("issued", "called", "served", "no_shows", "not_served", "open", "within_target", "decided")


def _figures(row: dict, key, label: str, code: str = "") -> Figures:
    return Figures(
        key=key,
        label=label,
        code=code,
        mean_wait=row.get("mean_wait"),
        p90_wait=row.get("p90_wait"),
        mean_service=row.get("mean_service"),
        **{name: row.get(name) or 0 for name in FIELDS},
    )


@dataclass
class QueueStats:
    center: Organization
    date_from: dt.date
    date_to: dt.date
    target_minutes: int
    total: Figures
    by_counter: list[Figures]
    by_operator: list[Figures]
    by_service: list[Figures]
    by_hour: list[Figures]

    @property
    def states(self) -> list[tuple[str, str]]:
        return list(OperatorState.choices)


def target_minutes(center: Organization) -> int:
    settings = QueueSettings.objects.filter(center=center).values_list("target_wait_minutes", flat=True).first()
    return settings if settings is not None else QueueSettings._meta.get_field("target_wait_minutes").default


def day_bounds(date_from: dt.date, date_to: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The range as aware moments: local midnight of the first day to local midnight after the last."""
    zone = timezone.get_default_timezone()
    start = dt.datetime.combine(date_from, dt.time.min, tzinfo=zone)
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return start, end


def _counter_label(number, label) -> str:
    return label or _("Window %(number)s") % {"number": number}


def _person(first: str, last: str, username: str) -> str:
    return f"{first} {last}".strip() or username


def _service_name(row: dict) -> str:
    """A service's name in the current language, from the name columns of a values() row."""
    names = SimpleNamespace(
        **{f"name_{suffix}": row.get(f"service__name_{suffix}") or "" for suffix in CONTENT_LANGUAGES}
    )
    return Service.name.value(names, get_language())


SERVICE_NAMES = ("service__name_uz", "service__name_uz_cyrl", "service__name_ru", "service__name_en")


def queue_stats(
    center: Organization, date_from: dt.date, date_to: dt.date, now: dt.datetime | None = None
) -> QueueStats:
    """Every table of the statistics page: 7 queries on PostgreSQL, 8 on SQLite, whatever the volume."""
    now = now or timezone.now()
    target = target_minutes(center)
    tickets = Ticket.objects.filter(center=center, day__range=(date_from, date_to))
    in_db = _has_percentile()
    metrics = _metrics(dt.timedelta(minutes=target), now, percentile=in_db)
    zone = timezone.get_default_timezone()

    total = _figures(tickets.aggregate(**metrics), None, _("Total"))

    by_counter = [
        _figures(row, row["counter_id"], _counter_label(row["counter__number"], row["counter__label"]))
        if row["counter_id"]
        else _figures(row, None, _("Not called"))
        for row in tickets.values("counter_id", "counter__number", "counter__label")
        .annotate(**metrics)
        .order_by(F("counter__number").asc(nulls_last=True))
    ]
    by_operator = {
        row["operator_id"]: _figures(
            row,
            row["operator_id"],
            _person(row["operator__first_name"], row["operator__last_name"], row["operator__username"])
            if row["operator_id"]
            else _("Not called"),
        )
        for row in tickets.values(
            "operator_id", "operator__first_name", "operator__last_name", "operator__username"
        ).annotate(**metrics)
    }
    by_service = [
        _figures(row, row["service_id"], _service_name(row), row["service__code"])
        for row in tickets.values("service_id", "service__code", *SERVICE_NAMES)
        .annotate(**metrics)
        .order_by("service__code")
    ]
    by_hour = [
        _figures(row, row["hour"], f"{row['hour']:02d}:00")
        for row in tickets.annotate(hour=ExtractHour("issued_at", tzinfo=zone))
        .values("hour")
        .annotate(**metrics)
        .order_by("hour")
    ]

    if not in_db:
        _fill_percentiles(tickets, zone, total, by_counter, list(by_operator.values()), by_service, by_hour)

    for row in operator_state_times(center, date_from, date_to, now):
        figures = by_operator.get(row["operator_id"])
        if figures is None:
            figures = by_operator[row["operator_id"]] = Figures(key=row["operator_id"], label=row["label"])
        figures.states[row["state"]] = row["total"]
    operators = sorted(by_operator.values(), key=lambda f: (f.key is None, f.label.lower()))

    return QueueStats(center, date_from, date_to, target, total, by_counter, operators, by_service, by_hour)


def _fill_percentiles(tickets, zone, total, *tables) -> None:
    """SQLite: one query for every called ticket's wait and group keys, percentiles in Python."""
    rows = list(
        tickets.filter(called_at__isnull=False)
        .annotate(wait=WAIT, hour=ExtractHour("issued_at", tzinfo=zone))
        .values_list("counter_id", "operator_id", "service_id", "hour", "wait")
        .order_by()
    )
    total.p90_wait = percentile(row[4] for row in rows)
    for position, table in enumerate(tables):
        groups: dict[object, list[dt.timedelta]] = defaultdict(list)
        for row in rows:
            groups[row[position]].append(row[4])
        for figures in table:
            figures.p90_wait = percentile(groups.get(figures.key, ()))


def operator_state_times(
    center: Organization, date_from: dt.date, date_to: dt.date, now: dt.datetime | None = None
) -> list[dict]:
    """Per operator and state, the time spent within the range (one grouped query)."""
    now = now or timezone.now()
    start, end = day_bounds(date_from, date_to)
    end = min(end, now)
    if end <= start:
        return []
    rows = (
        OperatorStateSpan.objects.filter(session__counter__center=center, started_at__lt=end)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gt=start))
        .annotate(
            clip_start=Greatest("started_at", Value(start, output_field=DateTimeField())),
            clip_end=Least(Coalesce("ended_at", Value(now)), Value(end, output_field=DateTimeField())),
        )
        .filter(clip_end__gt=F("clip_start"))
        .values(
            "session__operator_id",
            "session__operator__first_name",
            "session__operator__last_name",
            "session__operator__username",
            "state",
        )
        .annotate(total=Sum(_duration(F("clip_end") - F("clip_start"))))
        .order_by()
    )
    return [
        {
            "operator_id": row["session__operator_id"],
            "label": _person(
                row["session__operator__first_name"],
                row["session__operator__last_name"],
                row["session__operator__username"],
            ),
            "state": row["state"],
            "total": row["total"],
        }
        for row in rows
    ]


# --- The live board -------------------------------------------------------------------------
@dataclass
class CounterNow:
    """One counter right now: who sits there, in which state since when, whom they serve."""

    counter: Counter
    session: OperatorSession | None
    current: Ticket | None
    held: int
    now: dt.datetime

    @property
    def operator_name(self) -> str:
        if self.session is None:
            return ""
        operator = self.session.operator
        return operator.get_full_name() or operator.get_username()

    @property
    def in_state(self) -> dt.timedelta | None:
        return self.now - self.session.state_since if self.session else None

    @property
    def in_state_clock(self) -> str:
        return clock(self.in_state)

    @property
    def current_since(self) -> dt.datetime | None:
        if self.current is None:
            return None
        if self.current.status == TicketStatus.SERVING and self.current.started_at:
            return self.current.started_at
        return self.current.last_called_at or self.current.called_at

    @property
    def current_for(self) -> dt.timedelta | None:
        since = self.current_since
        return self.now - since if since else None

    @property
    def current_clock(self) -> str:
        return clock(self.current_for)


@dataclass
class ServiceWaiting:
    service_id: int
    code: str
    name: str
    prefix: str
    waiting: int
    booked_later: int
    longest: dt.timedelta | None
    over_target: bool

    @property
    def longest_clock(self) -> str:
        return clock(self.longest)


@dataclass
class LiveBoard:
    center: Organization
    now: dt.datetime
    target_minutes: int
    counters: list[CounterNow]
    services: list[ServiceWaiting]
    today: Figures

    @property
    def waiting(self) -> int:
        return sum(s.waiting for s in self.services)

    @property
    def longest(self) -> ServiceWaiting | None:
        candidates = [s for s in self.services if s.longest is not None]
        return max(candidates, key=lambda s: s.longest) if candidates else None

    @property
    def longest_over_target(self) -> bool:
        longest = self.longest
        return bool(longest and longest.over_target)

    @property
    def at_counter(self) -> int:
        return sum(1 for c in self.counters if c.session and c.session.state == OperatorState.SERVING)

    @property
    def away(self) -> int:
        """Operators signed in but on a break or in back-office work."""
        return sum(1 for c in self.counters if c.session and c.session.state != OperatorState.SERVING)

    @property
    def serving(self) -> int:
        return sum(1 for c in self.counters if c.current is not None)


def live_board(center: Organization, now: dt.datetime | None = None) -> LiveBoard:
    """The manager's board: counters with their operator and ticket, the queue per service, today's
    figures. Six queries, whatever the size of the center."""
    now = now or timezone.now()
    day = timezone.localdate(now)
    target = target_minutes(center)
    limit = dt.timedelta(minutes=target)

    counters = counters_with_sessions(center)
    current: dict[int, Ticket] = {}
    held: dict[int, int] = defaultdict(int)
    for ticket in (
        Ticket.objects.filter(
            center=center,
            counter__isnull=False,
            status__in=[TicketStatus.CALLED, TicketStatus.SERVING, TicketStatus.ON_HOLD],
        )
        .select_related("service")
        .order_by("last_called_at")
    ):
        if ticket.status == TicketStatus.ON_HOLD:
            held[ticket.counter_id] += 1
        else:
            current[ticket.counter_id] = ticket
    rows = [CounterNow(c, session, current.get(c.pk), held[c.pk], now) for c, session in counters.rows]

    waiting_now = Q(queued_at__lte=now)
    services = []
    for row in (
        Ticket.objects.filter(center=center, day=day, status=TicketStatus.WAITING)
        .values("service_id", "service__code", *SERVICE_NAMES)
        .annotate(
            waiting=Count("pk", filter=waiting_now),
            booked_later=Count("pk", filter=~waiting_now),
            oldest=Min(WAIT_START, filter=waiting_now),
            prefix=Min("prefix"),
        )
        .order_by("oldest", "service__code")
    ):
        longest = now - row["oldest"] if row["oldest"] else None
        services.append(
            ServiceWaiting(
                service_id=row["service_id"],
                code=row["service__code"],
                name=_service_name(row),
                prefix=row["prefix"],
                waiting=row["waiting"],
                booked_later=row["booked_later"],
                longest=longest,
                over_target=bool(longest and longest > limit),
            )
        )
    services.sort(key=lambda s: (s.longest is None, -(s.longest or dt.timedelta(0)).total_seconds(), s.code))

    tickets = Ticket.objects.filter(center=center, day=day)
    today = _figures(tickets.aggregate(**_metrics(limit, now, percentile=False)), None, _("Today"))
    return LiveBoard(center, now, target, rows, services, today)
