"""Positions in each group and the reasons every change is recorded with (services.positions, explain)."""

import datetime as dt
import sys
import types
import zoneinfo
from dataclasses import dataclass

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from darcha.core.choices import Role
from darcha.notify.models import Message
from darcha.preschool import explain, services
from darcha.preschool.choices import AgeGroup, EnrollmentStatus, EventKind, PlacementStatus
from darcha.preschool.models import EnrollmentApplication, Event, Placement, Position, Preference
from darcha.preschool.services import BenefitClaim
from tests.factories import PersonFactory, staff
from tests.preschool import helpers

pytestmark = pytest.mark.django_db

TASHKENT = zoneinfo.ZoneInfo("Asia/Tashkent")
NOW = dt.datetime(2026, 12, 2, 10, 0, tzinfo=TASHKENT)
THREE = dt.date(2024, 3, 1)


def _stand_in() -> types.ModuleType:
    """The allocation contract's positions, for as long as allocation.py has not landed: each group's
    list in priority order of the children ranking it above the seat they hold."""
    module = types.ModuleType("darcha.preschool.allocation")
    general = 1000

    @dataclass(frozen=True, slots=True)
    class Applicant:
        id: int
        choices: tuple = ()
        tier: int = general
        queue_date: int = 0
        lottery: int = 0
        size: int = 1
        sibling_at: frozenset = frozenset()
        staff_at: frozenset = frozenset()
        floor: int | None = None
        members: tuple = ()

    @dataclass(frozen=True, slots=True)
    class Program:
        id: int
        kindergarten: int
        capacity: int

    @dataclass(frozen=True, slots=True)
    class Standing:
        position: int
        ahead: int
        ahead_privileged: int

    def priority(applicant, program):
        return (
            applicant.tier,
            program.kindergarten not in applicant.sibling_at,
            program.kindergarten not in applicant.staff_at,
            applicant.queue_date,
            applicant.lottery,
            applicant.id,
        )

    def positions(applicants, programs, assigned):
        by_id = {program.id: program for program in programs}
        lists: dict[int, list] = {}
        for applicant in applicants:
            held = assigned.get(applicant.id)
            wanted = applicant.choices
            if held in wanted:
                wanted = wanted[: wanted.index(held)]
            for program_id in wanted:
                lists.setdefault(program_id, []).append(applicant)
        standings = {}
        for program_id, queue in lists.items():
            queue.sort(key=lambda a: priority(a, by_id[program_id]))
            ahead = privileged = 0
            for applicant in queue:  # a unit counts its children
                standings[(applicant.id, program_id)] = Standing(ahead + 1, ahead, privileged)
                ahead += applicant.size
                privileged += applicant.size if applicant.tier < general else 0
        return standings

    module.GENERAL_TIER = general
    module.Applicant, module.Program, module.Standing, module.positions = Applicant, Program, Standing, positions
    return module


@pytest.fixture(autouse=True)
def allocation(monkeypatch):
    try:
        from darcha.preschool import allocation as real
    except ImportError:
        monkeypatch.setitem(sys.modules, "darcha.preschool.allocation", _stand_in())
        return sys.modules["darcha.preschool.allocation"]
    return real


@pytest.fixture
def city():
    place = helpers.district("namangan-test")
    garden, other = helpers.kindergarten(place, 1), helpers.kindergarten(place, 2)
    return {
        "place": place,
        "g3": helpers.program(garden, AgeGroup.G3),
        "g3b": helpers.program(other, AgeGroup.G3),
        "g4": helpers.program(garden, AgeGroup.G4),
        "center": helpers.center(place),
    }


def enroll(city, choices, days_ago: int, **fields):
    fields.setdefault("birth_date", THREE)
    return helpers.enroll(city["place"], choices, now=NOW, queue_date=NOW - dt.timedelta(days=days_ago), **fields)


def refresh(city, at: dt.datetime, django_capture_on_commit_callbacks=None) -> int:
    return services.positions_refresh(district=city["place"], now=at)


def position(application, program) -> int | None:
    row = Position.objects.filter(application=application, program=program).first()
    return row.position if row is not None else None


def last_change(application, program) -> dict:
    event = application.events.filter(kind=EventKind.POSITION).order_by("-created_at", "-id").first()
    return next(change for change in event.data["changes"] if change["program"] == program.pk)


def codes(change: dict) -> dict[str, int]:
    return {reason["code"]: reason.get("count", 0) for reason in change["reasons"]}


def test_the_first_refresh_gives_everyone_a_position(city, django_capture_on_commit_callbacks):
    first = enroll(city, [city["g3"], city["g3b"]], 300)
    second = enroll(city, [city["g3"]], 200, language="ru")
    with django_capture_on_commit_callbacks(execute=True):
        changed = refresh(city, NOW)
    assert changed == 2
    assert (position(first, city["g3"]), position(second, city["g3"]), position(first, city["g3b"])) == (1, 2, 1)
    assert codes(last_change(second, city["g3"])) == {explain.FIRST: 0}
    notices = Message.objects.filter(template="preschool_position").order_by("id")
    assert notices.count() == 2
    russian = notices.get(language="ru")
    assert second.number in russian.body
    # Nothing changed: no new events, no notices.
    with django_capture_on_commit_callbacks(execute=True):
        assert refresh(city, NOW + dt.timedelta(hours=1)) == 0
    assert Message.objects.filter(template="preschool_position").count() == 2


def test_a_child_ahead_leaving_moves_the_others_up_and_says_why(city):
    ahead = enroll(city, [city["g3"]], 300)
    middle = enroll(city, [city["g3"]], 200)
    behind = enroll(city, [city["g3"]], 100)
    refresh(city, NOW)
    later = NOW + dt.timedelta(days=1)
    services.application_leave(actor=services.FAMILY, application=middle, now=later)
    assert refresh(city, later + dt.timedelta(minutes=1)) == 1
    change = last_change(behind, city["g3"])
    assert (change["from"], change["to"]) == (3, 2)
    assert codes(change) == {"ahead_left_queue": 1}
    assert not ahead.events.filter(kind=EventKind.POSITION, created_at__gt=NOW).exists()
    assert position(middle, city["g3"]) is None


def test_a_privileged_child_joining_pushes_the_others_back(city):
    operator = staff("operator", city["center"], Role.OPERATOR)
    waiting = [enroll(city, [city["g3"]], days) for days in (300, 200)]
    refresh(city, NOW)
    later = NOW + dt.timedelta(days=1)
    category = helpers.benefit("large-family")
    newcomer = enroll(city, [city["g3"]], 0, benefits=[BenefitClaim(category, evidence_reference="No 5")])
    Event.objects.filter(application=newcomer).update(created_at=later)
    services.benefit_decide(actor=operator, claim=newcomer.benefits.get(), confirm=True, now=later)
    assert refresh(city, later + dt.timedelta(minutes=1)) == 3
    assert position(newcomer, city["g3"]) == 1
    for application, was in zip(waiting, (1, 2), strict=True):
        change = last_change(application, city["g3"])
        assert (change["from"], change["to"], change["ahead_privileged"]) == (was, was + 1, 1)
        assert codes(change) == {"joined_privileged": 1}
    text = explain.reason_text(last_change(waiting[0], city["g3"])["reasons"][0], "en")
    assert text == "1 child with a privilege joined the queue for this group."


def test_a_privilege_confirmed_overtakes_and_the_family_is_told_its_own(city):
    operator = staff("operator", city["center"], Role.OPERATOR)
    first, second = enroll(city, [city["g3"]], 300), enroll(city, [city["g3"]], 200)
    category = helpers.benefit("single-mother")
    third = enroll(city, [city["g3"]], 100, benefits=[BenefitClaim(category, evidence_reference="Daftar 7")])
    refresh(city, NOW)
    assert position(third, city["g3"]) == 3  # claimed, not yet confirmed: it does not count
    later = NOW + dt.timedelta(days=2)
    services.benefit_decide(actor=operator, claim=third.benefits.get(), confirm=True, now=later)
    assert refresh(city, later) == 3
    assert codes(last_change(third, city["g3"])) == {explain.OWN_PRIVILEGE: 0}
    for application in (first, second):
        assert codes(last_change(application, city["g3"])) == {"overtook_privilege": 1}


def test_children_placed_here_and_elsewhere(city):
    placed = enroll(city, [city["g3"], city["g3b"]], 300)
    rest = enroll(city, [city["g3"], city["g3b"]], 200)
    refresh(city, NOW)
    later = NOW + dt.timedelta(days=1)
    Placement.objects.create(
        application=placed,
        program=city["g3"],
        status=PlacementStatus.OFFERED,
        offered_at=later,
        expires_at=later + dt.timedelta(days=21),
    )
    EnrollmentApplication.objects.filter(pk=placed.pk).update(status=EnrollmentStatus.OFFERED)
    refresh(city, later)
    assert codes(last_change(rest, city["g3"])) == {"ahead_placed_here": 1}
    assert codes(last_change(rest, city["g3b"])) == {"ahead_placed_elsewhere": 1}
    assert not Position.objects.filter(application=placed).exists()


def test_moving_up_an_age_group_on_the_reference_date(city):
    child = enroll(city, [city["g3"]], 300)
    refresh(city, NOW)
    moved_at = dt.datetime(2028, 9, 1, 0, 5, tzinfo=TASHKENT)
    Preference.objects.filter(application=child).update(program=city["g4"])
    Event.objects.create(
        application=child,
        kind=EventKind.AGE_GROUP,
        data={"day": "2028-09-01", "group": AgeGroup.G4},
        created_at=moved_at,
    )
    refresh(city, moved_at + dt.timedelta(minutes=1))
    change = last_change(child, city["g4"])
    assert change["from"] is None and codes(change) == {explain.OWN_MOVED_UP: 0}
    text = explain.reason_text(change["reasons"][0], "en")
    assert text == "Your child moved to the 4–5 years group on 01.09.2028."


def test_twins_share_one_position(city):
    parent = PersonFactory()
    first = enroll(city, [city["g3"]], 300, applicant=parent)
    twin = enroll(city, [city["g3"]], 300, applicant=parent, together_with=first)
    after = enroll(city, [city["g3"]], 100)
    refresh(city, NOW)
    assert position(first, city["g3"]) == position(twin, city["g3"]) == 1
    assert position(after, city["g3"]) == 3  # two children ahead of it


def test_a_sibling_placed_at_a_kindergarten_gives_priority_there(city):
    parent = PersonFactory()
    others = [enroll(city, [city["g3"]], days) for days in (300, 200)]
    younger = enroll(city, [city["g3"]], 100, applicant=parent)
    older = enroll(city, [city["g4"]], 400, applicant=parent, birth_date=dt.date(2023, 3, 1))
    refresh(city, NOW)
    assert position(younger, city["g3"]) == 3
    later = NOW + dt.timedelta(days=3)
    Placement.objects.create(
        application=older,
        program=city["g4"],
        status=PlacementStatus.OFFERED,
        offered_at=later,
        expires_at=later + dt.timedelta(days=21),
    )
    Event.objects.create(application=older, kind=EventKind.OFFERED, created_at=later)
    refresh(city, later + dt.timedelta(minutes=1))
    assert position(younger, city["g3"]) == 1
    assert codes(last_change(younger, city["g3"])) == {explain.OWN_SIBLING: 0}
    assert codes(last_change(others[0], city["g3"])) == {"overtook_sibling": 1}


def test_the_refresh_reads_and_writes_in_bulk(city):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            refresh(city, NOW + dt.timedelta(days=len(EnrollmentApplication.objects.all())))
        return len(captured)

    for days in range(5):
        enroll(city, [city["g3"], city["g3b"]], 300 - days)
    few = queries()
    for days in range(20):
        enroll(city, [city["g3"], city["g3b"]], 100 - days)
    assert queries() <= few + 2  # the same statements, whatever the number of children


def test_the_summary_is_in_the_familys_language(city):
    application = enroll(city, [city["g3"]], 300, language="ru")
    refresh(city, NOW)
    event = application.events.get(kind=EventKind.POSITION)
    summary = services.position_summary(event.data["changes"], "en")
    assert "position 1" in summary and "The first position computed for this group." in summary


# --- explain, pure ------------------------------------------------------------------------------


def test_reasons_count_only_the_children_ahead():
    changes = explain.GroupChanges()
    for old in (1, 3, 8):
        changes.add_departed(explain.PLACED_ELSEWHERE, old)
    changes.add_departed(explain.LEFT_QUEUE, 2)
    changes.add_joined(explain.JOINED_PRIVILEGED, 1)
    changes.add_joined(explain.JOINED, 9)
    changes.changed.append((7, 2, explain.PRIVILEGE))  # overtook a child who was at 5
    changes.changed.append((4, 6, explain.PRIVILEGE))  # fell behind it
    changes.seal()
    found = explain.reasons(changes, old=5, new=3)
    assert {r["code"]: r["count"] for r in found} == {
        "ahead_placed_elsewhere": 2,
        "ahead_left_queue": 1,
        "joined_privileged": 1,
        "overtook_privilege": 1,
        "fell_back_privilege": 1,
    }


def test_seats_and_nothing_found():
    changes = explain.GroupChanges(seats=-2).seal()
    assert explain.reasons(changes, old=4, new=6) == [{"code": explain.SEATS_REMOVED, "count": 2}]
    assert explain.reasons(explain.GroupChanges().seal(), old=4, new=6) == [{"code": explain.RECOMPUTED}]


@pytest.mark.parametrize(
    ("reason", "english"),
    [
        ({"code": "joined_privileged", "count": 2}, "2 children with a privilege joined the queue for this group."),
        ({"code": "ahead_placed_elsewhere", "count": 1}, "1 child ahead was placed elsewhere."),
        ({"code": "seats_added", "count": 3}, "3 seats were added to this group."),
        ({"code": "no-such-code"}, "The queue was recomputed."),
        ({"code": "ahead_left_queue"}, "The queue was recomputed."),  # a damaged reason still reads
    ],
)
def test_reason_text(reason, english):
    assert explain.reason_text(reason, "en") == english


def test_reason_text_has_plural_forms_in_russian():
    one = explain.reason_text({"code": "ahead_left_queue", "count": 1}, "ru")
    five = explain.reason_text({"code": "ahead_left_queue", "count": 5}, "ru")
    assert one.startswith("1") and five.startswith("5")


def test_the_queue_is_read_as_the_allocations_plain_values(city):
    parent = PersonFactory()
    first = enroll(city, [city["g3"], city["g3b"]], 300, applicant=parent)
    twin = enroll(city, [city["g3"], city["g3b"]], 300, applicant=parent, together_with=first)
    queue = services.district_queue(district=city["place"], now=NOW)
    [unit] = queue.applicants
    assert unit.id == first.pk and unit.members == (first.pk, twin.pk) and unit.size == 2
    assert unit.choices == (city["g3"].pk, city["g3b"].pk)
    assert unit.queue_date == int(first.queue_date.timestamp())  # whole seconds, from the database
