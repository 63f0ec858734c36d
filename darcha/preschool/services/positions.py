"""Every child's position in each group it ranked above its seat, recomputed for a district, with every
change recorded in the family's history with its reasons (`preschool.explain`) and a summary notice.

`district_queue` reads the district's queue once, in bulk (plain tuples, no model instances), into the
allocation's plain values (`allocation.Applicant` / `allocation.Program`), which the campaign uses too:
waiting children and those holding a seat (their seat is a floor), each child's best confirmed tier,
sibling priority where a brother or sister (another child of the same applicant) attends or holds a
referral, staff priority, and children placed together as one unit. A choice counts in the group of the
child's age on the coming reference date (the same kindergarten, language and regime: `ChoicesOnDay`),
once it is old enough for it; its position is stored under the choice itself.

`positions_refresh` compares the allocation's standings with the stored `Position` rows and writes
only what changed (deleted and created in bulk: an update per row would not scale to 600,000), one
POSITION event per child whose position changed, and one summary notice per such family, queued in bulk
in the same transaction and delivered after the commit.
"""

from __future__ import annotations

import datetime as dt
import json
import time
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import BigIntegerField, Func
from django.utils import timezone, translation

from darcha.core.audit import SYSTEM, actor_user, audit_record
from darcha.core.models import AuditEntry, Organization

from .. import ages, explain
from ..choices import SEAT_HOLDING, BenefitStatus, EventKind
from ..models import (
    ACTIVE_STATUSES,
    ApplicationBenefit,
    EnrollmentApplication,
    Event,
    Placement,
    Position,
    Preference,
    Program,
)
from ._common import ChoicesOnDay

REFRESH_ACTION = "preschool_positions_refresh"
BATCH = 5000


@dataclass(slots=True)
class ChildRow:
    """What the refresh knows of one application (plain values)."""

    id: int
    applicant: int
    birth_date: dt.date
    together: str
    tier: int
    number: str = ""
    phone: str = ""
    language: str = "uz"
    choices: list[int] = field(default_factory=list)
    floor: int | None = None  # the program whose seat it holds
    on_day: list[int] = field(default_factory=list)  # its choices in the groups of its age on the day


@dataclass
class DistrictQueue:
    """A district's queue as the allocation's plain values, and how they map back to applications."""

    applicants: list  # allocation.Applicant
    programs: list  # allocation.Program
    assigned: dict[int, int]  # unit id -> program id of the seat it holds
    members: dict[int, tuple[int, ...]]  # unit id -> application ids
    children: dict[int, ChildRow]  # application id -> its row
    program_seats: dict[int, int]
    program_groups: dict[int, str]
    siblings: dict[int, list[int]] = field(default_factory=dict)  # applicant -> its active applications
    # (application, group of its age on the reference date) -> the choice it stands for, where they differ
    stands_for: dict[tuple[int, int], int] = field(default_factory=dict)


class _Epoch(Func):
    """Whole seconds since the epoch, computed by the database: parsing 200,000 datetimes in Python costs
    more than the rest of the read (the allocation's queue dates are whole seconds)."""

    output_field = BigIntegerField()
    template = "CAST(FLOOR(EXTRACT(EPOCH FROM %(expressions)s)) AS BIGINT)"

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, template="CAST(strftime('%%%%s', %(expressions)s) AS INTEGER)")


def district_queue(*, district: Organization, now: dt.datetime | None = None) -> DistrictQueue:
    """Read the district's active applications in bulk into the allocation's values (a few statements,
    plain tuples; whole result sets rather than server-side cursors, which cost more in round trips than
    the memory they save)."""
    from .. import allocation

    general = allocation.GENERAL_TIER
    now = now or timezone.now()
    today = timezone.localdate(now)
    day = ages.reference_date(ages.school_year_for(now))
    active = EnrollmentApplication.objects.filter(district=district, status__in=ACTIVE_STATUSES)
    rows = active.annotate(queued=_Epoch("queue_date")).values_list(
        "id",
        "applicant_id",
        "child__birth_date",
        "together",
        "staff_at_id",
        "queued",
        "lottery",
        "number",
        "phone",
        "language",
    )
    children: dict[int, ChildRow] = {}
    keys: dict[int, tuple[int, int]] = {}
    staff: dict[int, int] = {}
    by_applicant: dict[int, list[int]] = defaultdict(list)
    for pk, applicant, birth, together, staff_at, queue_date, lottery, number, phone, language in rows:
        children[pk] = ChildRow(pk, applicant, birth, together, general, number, phone, language)
        keys[pk] = (queue_date, lottery)
        if staff_at is not None:
            staff[pk] = staff_at
        by_applicant[applicant].append(pk)
    benefits = ApplicationBenefit.objects.filter(
        application__district=district,
        application__status__in=ACTIVE_STATUSES,
        status=BenefitStatus.CONFIRMED,
        benefit__valid_from__lte=today,
    ).exclude(valid_until__lt=today)
    for pk, tier, valid_to in benefits.values_list("application_id", "benefit__tier", "benefit__valid_to"):
        child = children.get(pk)
        if child is not None and (valid_to is None or valid_to >= today) and tier < child.tier:
            child.tier = tier
    held = Placement.objects.filter(application__district=district, status__in=SEAT_HOLDING)
    seats_held: dict[int, list[int]] = defaultdict(list)
    # Sibling priority: another child of the same applicant attends or holds a referral there.
    sibling_at: dict[int, set[int]] = defaultdict(set)
    for pk, program_id, kindergarten_id in held.values_list("application_id", "program_id", "program__kindergarten_id"):
        child = children.get(pk)
        if child is None:
            continue
        seats_held[pk].append(program_id)
        for other in by_applicant[child.applicant]:
            if other != pk:
                sibling_at[other].add(kindergarten_id)
    preferences = Preference.objects.filter(application__district=district, application__status__in=ACTIVE_STATUSES)
    for pk, program_id in preferences.order_by("application_id", "rank").values_list("application_id", "program_id"):
        child = children.get(pk)
        if child is not None:
            child.choices.append(program_id)
    # Each choice in the group of the child's age on the reference date (ChoicesOnDay), kept in the order
    # ranked; `stands_for` maps a group back to the choice it stands for (positions are stored and shown
    # under the family's own choice).
    chosen = {p for child in children.values() for p in child.choices}
    terms = Program.objects.filter(
        kindergarten_id__in=Program.objects.filter(pk__in=chosen).values("kindergarten_id")
    ).values_list("id", "kindergarten_id", "age_group", "language", "regime", "kindergarten__kind")
    on_day = ChoicesOnDay(list(terms), day)
    stands_for: dict[tuple[int, int], int] = {}
    for child in children.values():
        mapped = []
        for program_id in child.choices:
            target, _skipped = on_day.choice(program_id, child.birth_date)
            if target is not None and target not in mapped:
                mapped.append(target)
                if target != program_id:
                    stands_for[(child.id, target)] = program_id
        child.on_day = mapped
    for pk, programs_held in seats_held.items():
        # An enrolled child offered a transfer holds both seats until it takes the transfer up: its floor
        # is the one it ranks higher (the offer, as a rule).
        choices = children[pk].choices
        children[pk].floor = min(programs_held, key=lambda p: choices.index(p) if p in choices else len(choices))
    program_ids = {p for child in children.values() for p in child.on_day} | {
        child.floor for child in children.values() if child.floor is not None
    }
    program_rows = Program.objects.filter(pk__in=program_ids).values_list(
        "id", "kindergarten_id", "seats", "age_group", "kindergarten__kind", "is_active", "kindergarten__closed_since"
    )
    programs, seats, groups, open_terms = [], {}, {}, {}
    for pk, kindergarten_id, capacity, age_group, kind, is_active, closed in program_rows:
        programs.append(allocation.Program(id=pk, kindergarten=kindergarten_id, capacity=capacity))
        seats[pk], groups[pk] = capacity, age_group
        if is_active and closed is None:
            open_terms[pk] = (age_group, kind)

    def may_wait_for(program_id: int, child: ChildRow) -> bool:
        """Open, and a group of the child's age on the day (ChoicesOnDay checked it is old enough)."""
        return program_id in open_terms and program_id in child.on_day

    # Children placed together move as one unit (its first application's id), unless their seats differ.
    units: dict[tuple, list[int]] = defaultdict(list)
    for child in children.values():
        if child.together:
            units[(child.together, child.floor)].append(child.id)
    applicants, assigned, members = [], {}, {}
    no_kindergartens: frozenset[int] = frozenset()
    for child in children.values():
        if child.together:
            continue
        choices = tuple(p for p in child.on_day if may_wait_for(p, child))
        if not choices and child.floor is None:
            continue
        queue_date, lottery = keys[child.id]
        applicants.append(
            allocation.Applicant(
                id=child.id,
                choices=choices,
                tier=child.tier,
                queue_date=queue_date,
                lottery=lottery,
                sibling_at=frozenset(sibling_at[child.id]) if child.id in sibling_at else no_kindergartens,
                staff_at=frozenset((staff[child.id],)) if child.id in staff else no_kindergartens,
                floor=child.floor,
            )
        )
        members[child.id] = (child.id,)
        if child.floor is not None:
            assigned[child.id] = child.floor
    for ids in units.values():
        ids.sort()
        first = children[ids[0]]
        choices = tuple(p for p in first.on_day if all(may_wait_for(p, children[m]) for m in ids))
        if not choices and first.floor is None:
            continue
        queue_date, lottery = min(keys[m] for m in ids)
        applicants.append(
            allocation.Applicant(
                id=first.id,
                choices=choices,
                tier=min(children[m].tier for m in ids),
                queue_date=queue_date,
                lottery=lottery,
                size=len(ids),
                sibling_at=frozenset().union(*(sibling_at.get(m, ()) for m in ids)),
                staff_at=frozenset(staff[m] for m in ids if m in staff),
                floor=first.floor,
                members=tuple(ids) if len(ids) > 1 else (),
            )
        )
        members[first.id] = tuple(ids)
        if first.floor is not None:
            assigned[first.id] = first.floor
    return DistrictQueue(
        applicants, programs, assigned, members, children, seats, groups, dict(by_applicant), stands_for
    )


def _last_refresh(district: Organization) -> tuple[dt.datetime | None, dict[int, int]]:
    """When the district's positions were last refreshed, and its groups' seats then."""
    data = (
        AuditEntry.objects.filter(action=REFRESH_ACTION, object_type="core.organization", object_id=str(district.pk))
        .order_by("-id")
        .values_list("data", flat=True)
        .first()
    )
    if not data:
        return None, {}
    at = dt.datetime.fromisoformat(data["at"])
    return at, {int(pk): seats for pk, seats in data.get("seats", {}).items()}


@dataclass
class _History:
    """The district's family history since the last refresh: what explains a change."""

    registered: set[int] = field(default_factory=set)
    moved_up: dict[int, dict] = field(default_factory=dict)
    choices: set[int] = field(default_factory=set)
    returned: set[int] = field(default_factory=set)
    privilege: dict[int, str] = field(default_factory=dict)  # application -> last benefit status
    # Applicants one of whose children got or lost a seat (the others' sibling priority), by child.
    placed: dict[int, set[int]] = field(default_factory=dict)


_SEAT_EVENTS = (
    EventKind.OFFERED,
    EventKind.ENROLLED,
    EventKind.LAPSED,
    EventKind.DECLINED,
    EventKind.LEFT_KINDERGARTEN,
    EventKind.LEFT_QUEUE,
)
_RETURN_EVENTS = (EventKind.LAPSED, EventKind.DECLINED, EventKind.LEFT_KINDERGARTEN)


def _history(district: Organization, since: dt.datetime | None) -> _History:
    history = _History()
    if since is None:
        return history
    kinds = [
        EventKind.REGISTERED,
        EventKind.AGE_GROUP,
        EventKind.PREFERENCES,
        EventKind.BENEFIT,
        *_SEAT_EVENTS,
    ]
    events = Event.objects.filter(application__district=district, created_at__gte=since, kind__in=kinds)
    rows = events.order_by("created_at", "id").values_list(
        "application_id", "application__applicant_id", "kind", "data"
    )
    for pk, applicant, kind, data in rows:
        if kind == EventKind.REGISTERED:
            history.registered.add(pk)
        elif kind == EventKind.AGE_GROUP:
            history.moved_up[pk] = data or {}
        elif kind == EventKind.PREFERENCES:
            history.choices.add(pk)
        elif kind == EventKind.BENEFIT:
            status = (data or {}).get("status")
            if status in (BenefitStatus.CONFIRMED, BenefitStatus.EXPIRED):
                history.privilege[pk] = status
        if kind in _SEAT_EVENTS:
            history.placed.setdefault(applicant, set()).add(pk)
        if kind in _RETURN_EVENTS:
            history.returned.add(pk)
    return history


def _departure_cause(pk: int, program: int, queue: DistrictQueue, history: _History) -> str:
    child = queue.children.get(pk)
    if child is None:
        return explain.LEFT_QUEUE
    if child.floor == program:
        return explain.PLACED_HERE
    if child.floor is not None:
        return explain.PLACED_ELSEWHERE
    if pk in history.moved_up:
        return explain.MOVED_UP
    if pk in history.choices or program not in child.choices:
        return explain.CHANGED_CHOICES
    return explain.OTHER


def _joining_cause(pk: int, queue: DistrictQueue, history: _History) -> str:
    if pk in history.registered:
        from .. import allocation

        return explain.JOINED_PRIVILEGED if queue.children[pk].tier < allocation.GENERAL_TIER else explain.JOINED
    if pk in history.returned:
        return explain.RETURNED
    if pk in history.moved_up:
        return explain.MOVED_UP
    if pk in history.choices:
        return explain.CHANGED_CHOICES
    return explain.OTHER


def _priority_changes(queue: DistrictQueue, history: _History) -> dict[int, str]:
    """The children whose priority may have changed since the last refresh, and why: a privilege
    confirmed or ended, a brother's or sister's seat got or lost (few: read from the history)."""
    causes = {pk: explain.PRIVILEGE for pk in history.privilege if pk in queue.children}
    for applicant, placed in history.placed.items():
        for pk in queue.siblings.get(applicant, ()):
            if pk not in causes and placed - {pk}:
                causes[pk] = explain.SIBLING
    return causes


def _own_reasons(pk: int, history: _History, causes: dict[int, str]) -> list[dict]:
    own = []
    status = history.privilege.get(pk)
    if status == BenefitStatus.CONFIRMED:
        own.append({"code": explain.OWN_PRIVILEGE})
    elif status == BenefitStatus.EXPIRED:
        own.append({"code": explain.OWN_PRIVILEGE_ENDED})
    if causes.get(pk) == explain.SIBLING:
        own.append({"code": explain.OWN_SIBLING})
    if pk in history.moved_up:
        moved = history.moved_up[pk]
        # Language-neutral (the group's code, an ISO date): `explain.reason_text` writes them in the reader's.
        group = str(moved.get("to") or moved.get("group") or "")
        own.append({"code": explain.OWN_MOVED_UP, "group": group, "day": str(moved.get("day", ""))})
    return own


def _insert(model, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """Insert plain rows (`columns` are attribute names: `application_id`): PostgreSQL's COPY (600,000
    positions in seconds), else bulk_create. Dicts are JSON."""
    if not rows:
        return
    if connection.vendor == "postgresql":
        table = connection.ops.quote_name(model._meta.db_table)
        names = ", ".join(connection.ops.quote_name(c) for c in columns)
        with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {table} ({names}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([json.dumps(v) if isinstance(v, dict) else v for v in row])
        return
    for start in range(0, len(rows), BATCH):
        chunk = rows[start : start + BATCH]
        model.objects.bulk_create([model(**dict(zip(columns, row, strict=True))) for row in chunk])


# Attribute names that are the columns too (no db_column on these fields).
def _update_positions(rows: list[tuple[int, int, int]], now: dt.datetime) -> None:
    """Rows (id, position, ahead privileged) rewritten in place. On PostgreSQL through a temporary table
    and one UPDATE: the indexed columns do not change, so the rows are updated without touching the
    indexes (after a campaign nearly every position of the district moves)."""
    if not rows:
        return
    if connection.vendor != "postgresql":
        Position.objects.bulk_update(
            [
                Position(pk=pk, position=position, ahead_privileged=privileged, computed_at=now)
                for pk, position, privileged in rows
            ],
            ["position", "ahead_privileged", "computed_at"],
            batch_size=BATCH,
        )
        return
    table = connection.ops.quote_name(Position._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMPORARY TABLE preschool_position_moves (id bigint PRIMARY KEY, position integer, "
            "ahead_privileged integer) ON COMMIT DROP"
        )
        with cursor.cursor.copy("COPY preschool_position_moves (id, position, ahead_privileged) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        cursor.execute(
            f"UPDATE {table} AS p SET position = m.position, ahead_privileged = m.ahead_privileged, "  # noqa: S608
            "computed_at = %s FROM preschool_position_moves AS m WHERE p.id = m.id",
            [now],
        )
        cursor.execute("DROP TABLE preschool_position_moves")


class _Clock:
    """Seconds since the last mark, by name, into `timings` when given."""

    def __init__(self, timings: dict | None):
        self.timings, self.last = timings, time.perf_counter()

    def __call__(self, name: str) -> None:
        now = time.perf_counter()
        if self.timings is not None:
            self.timings[name] = round(now - self.last, 2)
        self.last = now


POSITION_COLUMNS = ("application_id", "program_id", "position", "ahead_privileged", "computed_at")
EVENT_COLUMNS = ("application_id", "kind", "actor_id", "actor_label", "public", "data", "created_at")


def positions_refresh(
    *, district: Organization, now: dt.datetime | None = None, actor=SYSTEM, timings: dict | None = None
) -> int:
    """Recompute every position in the district and record each change with its reasons; the number of
    children whose position changed. Each of their families gets one summary notice. `timings` gets
    the seconds each part took (read, positions, compare, write, events, notices: the benchmark's)."""
    clock = _Clock(timings)
    from .. import allocation

    now = now or timezone.now()
    user = actor_user(actor)
    actor_id = user.pk if user else None
    actor_label = user.get_username() if user else getattr(actor, "label", "system")
    with transaction.atomic():
        # One refresh of a district at a time: the second waits and then sees the first one's rows.
        Organization.objects.select_for_update().filter(pk=district.pk).first()
        since, old_seats = _last_refresh(district)
        queue = district_queue(district=district, now=now)
        clock("read")
        standings = allocation.positions(queue.applicants, queue.programs, queue.assigned)
        clock("positions")
        new: dict[tuple[int, int], tuple[int, int]] = {}
        for (unit, program), standing in standings.items():
            value = (standing.position, standing.ahead_privileged)
            for member in queue.members.get(unit, (unit,)):
                new[(member, queue.stands_for.get((member, program), program))] = value
        stored = Position.objects.filter(application__district=district)
        old = {
            (application_id, program): (position, privileged, pk)
            for pk, application_id, program, position, privileged in stored.values_list(
                "id", "application_id", "program_id", "position", "ahead_privileged"
            )
        }
        history = _history(district, since)
        causes = _priority_changes(queue, history)
        # Every group's changes, from the positions before and after (explain's docstring).
        groups: dict[int, explain.GroupChanges] = defaultdict(explain.GroupChanges)
        stale: list[int] = []
        for key, (position, _privileged, row_id) in old.items():
            if key not in new:
                groups[key[1]].add_departed(_departure_cause(key[0], key[1], queue, history), position)
                stale.append(row_id)
        changed: list[tuple[tuple[int, int], tuple[int, int], tuple | None]] = []
        for key, value in new.items():
            before = old.get(key)
            if before is None:
                groups[key[1]].add_joined(_joining_cause(key[0], queue, history), value[0])
            elif before[0] == value[0] and before[1] == value[1]:
                continue
            else:
                cause = causes.get(key[0])
                if cause is not None and before[0] != value[0]:
                    groups[key[1]].changed.append((before[0], value[0], cause))
            changed.append((key, value, before))
        for program, seats in queue.program_seats.items():
            if program in old_seats and old_seats[program] != seats:
                groups[program].seats = seats - old_seats[program]
        for changes in groups.values():
            changes.seal()

        changes_by_child: dict[int, list[dict]] = defaultdict(list)
        own_cache: dict[int, list[dict]] = {}
        for (pk, program), (position, privileged), before in changed:
            if before is not None:
                if before[0] == position:
                    continue  # only how many of those ahead are privileged changed: the row is rewritten, no event
            own = own_cache.get(pk)
            if own is None:
                own = own_cache[pk] = _own_reasons(pk, history, causes)
            old_position = before[0] if before is not None else None
            changes_by_child[pk].append(
                {
                    "program": program,
                    "from": old_position,
                    "to": position,
                    "ahead_privileged": privileged,
                    "reasons": explain.reasons(groups.get(program), old_position, position, own),
                }
            )
        clock("compare")
        for start in range(0, len(stale), BATCH):
            Position.objects.filter(pk__in=stale[start : start + BATCH]).delete()
        _update_positions([(before[2], *value) for _key, value, before in changed if before is not None], now)
        _insert(
            Position,
            POSITION_COLUMNS,
            [(pk, program, *value, now) for (pk, program), value, before in changed if before is None],
        )
        clock("write")
        _insert(
            Event,
            EVENT_COLUMNS,
            [
                (pk, EventKind.POSITION.value, actor_id, actor_label, True, {"changes": changes}, now)
                for pk, changes in changes_by_child.items()
            ],
        )
        audit_record(
            actor=actor,
            action=REFRESH_ACTION,
            obj=district,
            data={
                "at": now.isoformat(),
                "changed": len(changes_by_child),
                "positions": len(new),
                "seats": {str(pk): seats for pk, seats in queue.program_seats.items()},
            },
        )
        clock("events")
        _queue_notices(queue, changes_by_child, actor=actor, district=district)
        clock("notices")
    clock("commit")
    return len(changes_by_child)


def _queue_notices(queue: DistrictQueue, changes_by_child: dict[int, list[dict]], *, actor, district) -> int:
    """One summary per family whose position changed, in its language, queued in bulk in the refresh's
    transaction (`campaigns.notices_queue`: the same rows notify.message_send writes, delivered after the
    commit) — a campaign's refresh tells 200,000 families at once — and copied to the Telegram chats
    following the application."""
    from .campaigns import Notice, notices_queue
    from .subscriptions import chats_notify

    program_ids = {change["program"] for changes in changes_by_child.values() for change in changes}
    by_language: dict[str, list[int]] = defaultdict(list)
    for pk in changes_by_child:
        by_language[queue.children[pk].language].append(pk)
    notices, copies = [], []
    for language, pks in by_language.items():
        labels, wording = _program_labels(program_ids, language), explain.Wording(language)
        for pk in pks:
            child = queue.children[pk]
            context = {
                "number": child.number,
                "summary": position_summary(changes_by_child[pk], language, labels, wording),
            }
            copies.append((pk, "preschool_position", context))
            if child.phone:
                notices.append(Notice(pk, child.phone, language, "preschool_position", context))
    chats_notify(copies)
    return notices_queue(notices, actor=actor, organization=district) if notices else 0


def _program_labels(program_ids: Iterable[int], language: str) -> dict[int, str]:
    with translation.override(language):
        programs = Program.objects.select_related("kindergarten__organization").in_bulk(list(program_ids))
        return {pk: str(program) for pk, program in programs.items()}


def position_summary(
    changes: list[dict], language: str, labels: dict[int, str] | None = None, wording: explain.Wording | None = None
) -> str:
    """The summary of one POSITION event's changes in `language`: one line per group."""
    labels = labels if labels is not None else _program_labels({c["program"] for c in changes}, language)
    wording = wording or explain.Wording(language)
    return " ".join(
        f"{labels.get(change['program'], '')} — "
        + wording.change(change.get("from"), change["to"], change.get("reasons") or [])
        for change in changes
    )


__all__ = [
    "DistrictQueue",
    "district_queue",
    "position_summary",
    "positions_refresh",
]
