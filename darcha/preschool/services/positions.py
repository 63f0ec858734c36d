"""Every child's position in each group it ranked above its seat, recomputed for a district, with every
change recorded in the family's history with its reasons (`preschool.explain`) and a summary notice.

`district_queue` reads the district's queue once, in bulk (plain tuples, no model instances), into the
allocation's plain values (`allocation.Applicant` / `allocation.Program`), which the campaign uses too:
waiting children and those holding a seat (their seat is a floor), each child's best confirmed tier,
sibling priority where a brother or sister (another child of the same applicant) attends or holds a
referral, staff priority, and children placed together as one unit. A choice counts once the child is
old enough for its group on the coming reference date (`ages.old_enough`).

`positions_refresh` compares the allocation's standings with the stored `Position` rows and writes
only what changed (deleted and created in bulk: an update per row would not scale to 600,000), one
POSITION event per child whose position changed, and one summary notice per such family, queued in bulk
in the same transaction and delivered after the commit.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone, translation

from darcha.core.audit import SYSTEM, audit_record
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
from ._common import event_row

REFRESH_ACTION = "preschool_positions_refresh"
BATCH = 5000


@dataclass
class ChildRow:
    """What the refresh knows of one application (plain values)."""

    id: int
    applicant: int
    status: str
    created_at: dt.datetime
    birth_date: dt.date
    together: str
    tier: int
    number: str = ""
    phone: str = ""
    language: str = "uz"
    choices: list[int] = field(default_factory=list)
    floor: int | None = None  # the program whose seat it holds


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


def _timestamp(moment: dt.datetime) -> int:
    return int(moment.timestamp())


def district_queue(*, district: Organization, now: dt.datetime | None = None) -> DistrictQueue:
    """Read the district's active applications in bulk into the allocation's values."""
    from .. import allocation

    now = now or timezone.now()
    today = timezone.localdate(now)
    day = ages.reference_date(ages.school_year_for(now))
    active = EnrollmentApplication.objects.filter(district=district, status__in=ACTIVE_STATUSES)
    rows = active.values_list(
        "id",
        "applicant_id",
        "status",
        "created_at",
        "child__birth_date",
        "together",
        "staff_at_id",
        "queue_date",
        "lottery",
        "number",
        "phone",
        "language",
    )
    children: dict[int, ChildRow] = {}
    keys: dict[int, tuple[int, int]] = {}
    staff: dict[int, int | None] = {}
    for row in rows.iterator(BATCH):
        pk, applicant, status, created, birth, together, staff_at, queue_date, lottery, number, phone, language = row
        children[pk] = ChildRow(
            pk, applicant, status, created, birth, together, allocation.GENERAL_TIER, number, phone, language
        )
        keys[pk] = (_timestamp(queue_date), lottery)
        staff[pk] = staff_at
    benefits = ApplicationBenefit.objects.filter(
        application__district=district,
        application__status__in=ACTIVE_STATUSES,
        status=BenefitStatus.CONFIRMED,
        benefit__valid_from__lte=today,
    ).exclude(valid_until__lt=today)
    for pk, tier, valid_to in benefits.values_list("application_id", "benefit__tier", "benefit__valid_to"):
        if pk in children and (valid_to is None or valid_to >= today):
            children[pk].tier = min(children[pk].tier, tier)
    held = Placement.objects.filter(application__district=district, status__in=SEAT_HOLDING)
    seats_held: dict[int, list[int]] = defaultdict(list)
    seat_kindergartens: dict[int, set[int]] = defaultdict(set)
    for pk, program_id, kindergarten_id in held.values_list("application_id", "program_id", "program__kindergarten_id"):
        if pk in children:
            seats_held[pk].append(program_id)
            seat_kindergartens[pk].add(kindergarten_id)
    preferences = Preference.objects.filter(application__district=district, application__status__in=ACTIVE_STATUSES)
    for pk, program_id in preferences.order_by("application_id", "rank").values_list("application_id", "program_id"):
        if pk in children:
            children[pk].choices.append(program_id)
    for pk, programs_held in seats_held.items():
        # An enrolled child offered a transfer holds both seats until it takes the transfer up: its floor
        # is the one it ranks higher (the offer, as a rule).
        choices = children[pk].choices
        children[pk].floor = min(programs_held, key=lambda p: choices.index(p) if p in choices else len(choices))
    program_ids = {p for child in children.values() for p in child.choices} | {
        child.floor for child in children.values() if child.floor is not None
    }
    program_rows = Program.objects.filter(pk__in=program_ids).values_list(
        "id", "kindergarten_id", "seats", "age_group", "kindergarten__kind", "is_active", "kindergarten__closed_since"
    )
    programs, seats, groups, kindergarten_of, open_programs, kinds = [], {}, {}, {}, set(), {}
    for pk, kindergarten_id, capacity, age_group, kind, is_active, closed in program_rows:
        programs.append(allocation.Program(id=pk, kindergarten=kindergarten_id, capacity=capacity))
        seats[pk], groups[pk], kindergarten_of[pk], kinds[pk] = capacity, age_group, kindergarten_id, kind
        if is_active and closed is None:
            open_programs.add(pk)
    # Sibling priority: another child of the same applicant attends or holds a referral there.
    by_applicant: dict[int, list[int]] = defaultdict(list)
    for child in children.values():
        by_applicant[child.applicant].append(child.id)

    def siblings_at(pk: int) -> frozenset[int]:
        applicant = children[pk].applicant
        return frozenset().union(*(seat_kindergartens[o] for o in by_applicant[applicant] if o != pk))

    # Children placed together move as one unit (its first application's id), unless their seats differ.
    units: dict[tuple, list[int]] = defaultdict(list)
    for child in children.values():
        units[(child.together, child.floor) if child.together else (child.id,)].append(child.id)
    applicants, assigned, members = [], {}, {}
    for ids in units.values():
        ids.sort()
        first = children[ids[0]]
        choices = tuple(
            p
            for p in first.choices
            if p in open_programs
            and all(ages.old_enough((groups[p], kinds[p]), children[m].birth_date, day) for m in ids)
        )
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
                sibling_at=frozenset().union(*(siblings_at(m) for m in ids)),
                staff_at=frozenset(staff[m] for m in ids if staff[m] is not None),
                floor=first.floor,
                members=tuple(ids) if len(ids) > 1 else (),
            )
        )
        members[first.id] = tuple(ids)
        if first.floor is not None:
            assigned[first.id] = first.floor
    return DistrictQueue(applicants, programs, assigned, members, children, seats, groups)


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
    placed: set[int] = field(default_factory=set)  # applications whose seat changed (their siblings' priority)


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
    for pk, kind, data in events.order_by("created_at", "id").values_list("application_id", "kind", "data"):
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
            history.placed.add(pk)
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


def _joining_cause(pk: int, queue: DistrictQueue, history: _History, since: dt.datetime | None) -> str:
    child = queue.children[pk]
    if pk in history.registered or (since is not None and child.created_at >= since):
        from .. import allocation

        return explain.JOINED_PRIVILEGED if child.tier < allocation.GENERAL_TIER else explain.JOINED
    if pk in history.returned:
        return explain.RETURNED
    if pk in history.moved_up:
        return explain.MOVED_UP
    if pk in history.choices:
        return explain.CHANGED_CHOICES
    return explain.OTHER


def _priority_cause(pk: int, queue: DistrictQueue, history: _History, siblings: dict[int, set[int]]) -> str | None:
    """Why this child's priority may have changed since the last refresh (a privilege, a sibling's seat)."""
    if pk in history.privilege:
        return explain.PRIVILEGE
    if siblings.get(queue.children[pk].applicant, set()) - {pk} & history.placed:
        return explain.SIBLING
    return None


def _own_reasons(pk: int, queue: DistrictQueue, history: _History, siblings: dict[int, set[int]]) -> list[dict]:
    own = []
    status = history.privilege.get(pk)
    if status == BenefitStatus.CONFIRMED:
        own.append({"code": explain.OWN_PRIVILEGE})
    elif status == BenefitStatus.EXPIRED:
        own.append({"code": explain.OWN_PRIVILEGE_ENDED})
    if (siblings.get(queue.children[pk].applicant, set()) - {pk}) & history.placed:
        own.append({"code": explain.OWN_SIBLING})
    if pk in history.moved_up:
        moved = history.moved_up[pk]
        # Language-neutral (the group's code, an ISO date): `explain.reason_text` writes them in the reader's.
        group = str(moved.get("to") or moved.get("group") or "")
        own.append({"code": explain.OWN_MOVED_UP, "group": group, "day": str(moved.get("day", ""))})
    return own


def positions_refresh(*, district: Organization, now: dt.datetime | None = None, actor=SYSTEM) -> int:
    """Recompute every position in the district and record each change with its reasons; the number of
    children whose position changed. Each of their families gets one summary notice after commit."""
    from .. import allocation

    now = now or timezone.now()
    with transaction.atomic():
        # One refresh of a district at a time: the second waits and then sees the first one's rows.
        Organization.objects.select_for_update().filter(pk=district.pk).first()
        since, old_seats = _last_refresh(district)
        queue = district_queue(district=district, now=now)
        standings = allocation.positions(queue.applicants, queue.programs, queue.assigned)
        new: dict[tuple[int, int], tuple[int, int]] = {}
        for (unit, program), standing in standings.items():
            for member in queue.members.get(unit, (unit,)):
                new[(member, program)] = (standing.position, standing.ahead_privileged)
        old: dict[tuple[int, int], tuple[int, int, int]] = {}
        stored = Position.objects.filter(application__district=district)
        for pk, application_id, program, position, privileged in stored.values_list(
            "id", "application_id", "program_id", "position", "ahead_privileged"
        ).iterator(BATCH):
            old[(application_id, program)] = (position, privileged, pk)

        history = _history(district, since)
        siblings: dict[int, set[int]] = defaultdict(set)
        for child in queue.children.values():
            siblings[child.applicant].add(child.id)
        # Every group's changes, from the positions before and after (explain's docstring).
        groups: dict[int, explain.GroupChanges] = defaultdict(explain.GroupChanges)
        for (pk, program), (position, _privileged, _id) in old.items():
            if (pk, program) not in new:
                groups[program].add_departed(_departure_cause(pk, program, queue, history), position)
        for (pk, program), (position, _privileged) in new.items():
            before = old.get((pk, program))
            if before is None:
                groups[program].add_joined(_joining_cause(pk, queue, history, since), position)
            else:
                cause = _priority_cause(pk, queue, history, siblings)
                if cause is not None and before[0] != position:
                    groups[program].changed.append((before[0], position, cause))
        for program, seats in queue.program_seats.items():
            if program in old_seats and old_seats[program] != seats:
                groups[program].seats = seats - old_seats[program]
        for changes in groups.values():
            changes.seal()

        changes_by_child: dict[int, list[dict]] = defaultdict(list)
        stale: list[int] = [row[2] for key, row in old.items() if key not in new]
        fresh: list[Position] = []
        own_cache: dict[int, list[dict]] = {}
        for (pk, program), (position, privileged) in new.items():
            before = old.get((pk, program))
            if before is not None and before[0] == position and before[1] == privileged:
                continue
            if before is not None:
                stale.append(before[2])
            fresh.append(
                Position(
                    application_id=pk,
                    program_id=program,
                    position=position,
                    ahead_privileged=privileged,
                    computed_at=now,
                )
            )
            if before is not None and before[0] == position:
                continue  # only who is ahead changed, not how many: the row is kept current, no event
            if pk not in own_cache:
                own_cache[pk] = _own_reasons(pk, queue, history, siblings)
            old_position = before[0] if before is not None else None
            changes_by_child[pk].append(
                {
                    "program": program,
                    "from": old_position,
                    "to": position,
                    "ahead_privileged": privileged,
                    "reasons": explain.reasons(groups.get(program), old_position, position, own_cache[pk]),
                }
            )
        for start in range(0, len(stale), BATCH):
            Position.objects.filter(pk__in=stale[start : start + BATCH]).delete()
        Position.objects.bulk_create(fresh, batch_size=BATCH)
        events = [
            event_row(pk, EventKind.POSITION, actor=actor, now=now, data={"changes": changes})
            for pk, changes in changes_by_child.items()
        ]
        Event.objects.bulk_create(events, batch_size=BATCH)
        audit_record(
            actor=actor,
            action=REFRESH_ACTION,
            obj=district,
            data={
                "at": now.isoformat(),
                "changed": len(events),
                "positions": len(new),
                "seats": {str(pk): seats for pk, seats in queue.program_seats.items()},
            },
        )
        _queue_notices(queue, changes_by_child, actor=actor, district=district)
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
        labels = _program_labels(program_ids, language)
        with translation.override(language):
            for pk in pks:
                child = queue.children[pk]
                context = {"number": child.number, "summary": position_summary(changes_by_child[pk], language, labels)}
                copies.append((pk, "preschool_position", context))
                if child.phone:
                    notices.append(Notice(pk, child.phone, language, "preschool_position", context))
    chats_notify(copies)
    return notices_queue(notices, actor=actor, organization=district) if notices else 0


def _program_labels(program_ids: Iterable[int], language: str) -> dict[int, str]:
    with translation.override(language):
        programs = Program.objects.select_related("kindergarten__organization").in_bulk(list(program_ids))
        return {pk: str(program) for pk, program in programs.items()}


def position_summary(changes: list[dict], language: str, labels: dict[int, str] | None = None) -> str:
    """The summary of one POSITION event's changes in `language`: one line per group."""
    labels = labels if labels is not None else _program_labels({c["program"] for c in changes}, language)
    with translation.override(language):
        lines = [
            f"{labels.get(change['program'], '')} — "
            + explain.change_text(change.get("from"), change["to"], change.get("reasons") or [])
            for change in changes
        ]
    return " ".join(lines)


__all__ = [
    "DistrictQueue",
    "district_queue",
    "position_summary",
    "positions_refresh",
]
