"""Kindergarten allocation on plain values: capacities, floors, units, no justified envy, strategy-proofness,
positions, the seeded lottery, and the same outcome as the `matching` package's deferred acceptance."""

import dataclasses
import hashlib
import hmac
import itertools
import random
import warnings

import pytest
from hypothesis import given
from hypothesis import strategies as st
from matching.games import HospitalResident

from darcha.preschool.allocation import (
    GENERAL_TIER,
    LOTTERY_BITS,
    Applicant,
    Program,
    Standing,
    allocate,
    draw_lottery,
    justified_envy,
    positions,
    priority,
)


def market(seed, children, programs, *, units=0.0, floors=0.0, capacity=(1, 6), choices=3):
    """A random district: kindergartens of three programs, privileges, siblings, staff, children placed
    together and seats already held."""
    r = random.Random(seed)  # noqa: S311 — test data, not a secret
    groups = [Program(100 + i, 1 + i // 3, r.randint(*capacity)) for i in range(programs)]
    held = dict.fromkeys((program.id for program in groups), 0)
    applicants = []
    for number in range(1, children + 1):
        ranked = tuple(program.id for program in r.sample(groups, r.randint(1, min(choices, programs))))
        size = r.choice((2, 2, 2, 3)) if r.random() < units else 1
        floor = None
        if r.random() < floors:
            room = [program for program in groups if held[program.id] + size <= program.capacity]
            if room:
                floor = r.choice(room).id
                held[floor] += size
                if r.random() < 0.5:  # a transfer ranks only what it would rather have
                    ranked = tuple(choice for choice in ranked if choice != floor)
        gardens = programs // 3 + 1
        applicants.append(
            Applicant(
                id=number,
                choices=ranked,
                tier=r.choice((1, 2, GENERAL_TIER, GENERAL_TIER, GENERAL_TIER)),
                queue_date=r.randint(0, 30),  # few dates: ties go to the lottery, then the id
                lottery=r.randrange(8),
                size=size,
                sibling_at=frozenset({r.randint(1, gardens)}) if r.random() < 0.2 else frozenset(),
                staff_at=frozenset({r.randint(1, gardens)}) if r.random() < 0.1 else frozenset(),
                floor=floor,
                members=tuple(range(number * 100, number * 100 + size)) if size > 1 else (),
            )
        )
    return applicants, groups


def check_outcome(applicants, programs, result):
    """Capacity, one program per applicant among those it may hold, and every held seat kept."""
    capacity = {program.id: program.capacity for program in programs}
    seats = dict.fromkeys(capacity, 0)
    by_id = {applicant.id: applicant for applicant in applicants}
    assert set(result.assigned) <= set(by_id)  # units by their id alone: never split into members
    for applicant_id, program_id in result.assigned.items():
        applicant = by_id[applicant_id]
        assert program_id in applicant.choices or program_id == applicant.floor
        seats[program_id] += applicant.size
    assert all(seats[program_id] <= capacity[program_id] for program_id in capacity)
    for applicant in applicants:
        if applicant.floor is not None:
            got = result.assigned.get(applicant.id)
            assert got == applicant.floor or (
                got in applicant.choices
                and (
                    applicant.floor not in applicant.choices
                    or applicant.choices.index(got) < applicant.choices.index(applicant.floor)
                )
            ), f"applicant {applicant.id} lost the seat it held"


@pytest.mark.parametrize(
    ("units", "floors"),
    [
        (0.1, 0.0),  # a main campaign: one child in ten applies with a twin or siblings, nobody holds a seat
        (0.02, 0.1),  # continuous allocation: twins as often as births have them, one child in ten placed
    ],
)
def test_random_districts_keep_capacities_floors_and_leave_no_justified_envy(units, floors):
    for seed in range(30):
        applicants, programs = market(seed, children=120, programs=12, units=units, floors=floors, capacity=(2, 15))
        result = allocate(applicants, programs)
        check_outcome(applicants, programs, result)
        assert result.gave_up == []
        assert justified_envy(applicants, programs, result.assigned) == []


@given(seed=st.integers(0, 10**9), children=st.integers(1, 25), programs=st.integers(1, 6))
def test_tight_markets_with_units_end_and_envy_only_where_a_program_gave_up(seed, children, programs):
    """Units of two or three in programs of up to four seats: a stable outcome may not exist, the run ends
    all the same, and an applicant can only envy a program that stopped considering it."""
    applicants, groups = market(seed, children, programs, units=0.4, floors=0.3, capacity=(0, 4))
    result = allocate(applicants, groups)
    check_outcome(applicants, groups, result)
    envy = {(envious, program) for envious, program, _holder in justified_envy(applicants, groups, result.assigned)}
    assert envy <= set(result.gave_up)


def test_singles_never_need_a_recall():
    applicants, programs = market(7, children=300, programs=15, floors=0.2)
    result = allocate(applicants, programs)
    assert result.recalls == 0 and result.gave_up == []
    assert justified_envy(applicants, programs, result.assigned) == []


def test_no_stable_outcome_the_run_ends_and_the_checker_names_the_envy():
    """Program X has one seat, Y two. Twins T want Y only; child a ranks X then Y, child b Y then X. X
    prefers b to a; Y prefers a to the twins, the twins to b. Twins at Y leave a or b envious; twins waiting
    envy Y unless a holds a seat there, and then a envies a free X or b a free seat at Y."""
    x, y = Program(1, kindergarten=10, capacity=1), Program(2, kindergarten=20, capacity=2)
    twins = Applicant(3, (2,), queue_date=2, size=2, members=(3, 4))
    a = Applicant(1, (1, 2), queue_date=1, staff_at=frozenset({20}))  # first at Y
    b = Applicant(2, (2, 1), queue_date=3, sibling_at=frozenset({10}))  # first at X
    applicants = [twins, a, b]
    assert priority(b, x) < priority(a, x)
    assert priority(a, y) < priority(twins, y) < priority(b, y)
    for assigned in _every_outcome(applicants, [x, y]):
        assert justified_envy(applicants, [x, y], assigned), assigned

    result = allocate(applicants, [x, y])
    check_outcome(applicants, [x, y], result)
    assert result.gave_up
    envy = justified_envy(applicants, [x, y], result.assigned)
    assert envy and {(envious, program) for envious, program, _ in envy} <= set(result.gave_up)


def _every_outcome(applicants, programs):
    capacity = {program.id: program.capacity for program in programs}
    for picks in itertools.product(*[(None, *applicant.choices) for applicant in applicants]):
        seats = {}
        for applicant, pick in zip(applicants, picks, strict=True):
            if pick is not None:
                seats[pick] = seats.get(pick, 0) + applicant.size
        if all(seats[pick] <= capacity[pick] for pick in seats):
            yield {applicant.id: pick for applicant, pick in zip(applicants, picks, strict=True) if pick is not None}


def test_priority_orders_tier_sibling_staff_date_lottery_id():
    program = Program(1, kindergarten=5, capacity=1)
    ladder = [
        Applicant(9, (1,), tier=1, queue_date=50),
        Applicant(8, (1,), tier=2, queue_date=0, sibling_at=frozenset({5}), staff_at=frozenset({5})),
        Applicant(7, (1,), queue_date=40, sibling_at=frozenset({5})),
        Applicant(6, (1,), queue_date=30, staff_at=frozenset({5}), sibling_at=frozenset({4})),
        Applicant(5, (1,), queue_date=10, lottery=9),
        Applicant(4, (1,), queue_date=20, lottery=1),
        Applicant(3, (1,), queue_date=20, lottery=2),
        Applicant(1, (1,), queue_date=20, lottery=3),
        Applicant(2, (1,), queue_date=20, lottery=3),
    ]
    assert sorted(ladder, key=lambda applicant: priority(applicant, program)) == ladder
    for seats in range(len(ladder) + 1):
        result = allocate(list(reversed(ladder)), [Program(1, 5, seats)])
        assert set(result.assigned) == {applicant.id for applicant in ladder[:seats]}


def test_far_apart_queue_dates_and_many_tiers_sort_the_same():
    """Dates too far apart to pack with the tier in one small int take the slower sort."""
    r = random.Random(3)  # noqa: S311 — test data, not a secret
    program = Program(1, kindergarten=1, capacity=40)
    applicants = [
        Applicant(n, (1,), tier=r.choice((1, 2, 3, GENERAL_TIER)), queue_date=r.choice((0, 2**31, 2**40)) + n % 3)
        for n in range(1, 101)
    ]
    best = sorted(applicants, key=lambda applicant: priority(applicant, program))[:40]
    assert set(allocate(applicants, [program]).assigned) == {applicant.id for applicant in best}


def test_a_freed_seat_cascades_and_nobody_loses_a_seat():
    """y leaves program B. Re-run with the seats held as floors: x, holding A, moves up to B, which it
    ranked first, and A goes to z, the next child waiting for it; w keeps C."""
    a, b, c = Program(1, 1, capacity=1), Program(2, 2, capacity=1), Program(3, 3, capacity=1)
    x = Applicant(10, (2,), queue_date=1, floor=1)  # a transfer: holds A, asks for B
    y = Applicant(11, (2,), queue_date=0, floor=2)
    z = Applicant(12, (1, 3), queue_date=5)
    w = Applicant(13, (3,), queue_date=9, floor=3)
    before = allocate([x, y, z, w], [a, b, c])
    assert before.assigned == {10: 1, 11: 2, 13: 3}
    after = allocate([x, z, w], [a, b, c])  # y left: its seat at B is free
    assert after.assigned == {10: 2, 12: 1, 13: 3}
    check_outcome([x, z, w], [a, b, c], after)


def test_a_seat_held_is_kept_before_any_privilege():
    program = Program(1, 1, capacity=1)
    holder = Applicant(1, (), queue_date=100, floor=1)
    privileged = Applicant(2, (1,), tier=1, queue_date=0, sibling_at=frozenset({1}))
    result = allocate([privileged, holder], [program])
    assert result.assigned == {1: 1}
    assert result.cutoffs == {}  # nobody admitted by priority
    assert justified_envy([privileged, holder], [program], result.assigned) == []


def test_a_unit_takes_seats_together_or_waits_and_the_next_single_fills_in():
    program = Program(1, 1, capacity=3)
    first = Applicant(1, (1,), queue_date=0)
    twins = Applicant(2, (1,), queue_date=1, size=2, members=(2, 3))
    triplets = Applicant(4, (1,), queue_date=2, size=3, members=(4, 5, 6))
    late = Applicant(7, (1,), queue_date=3)
    result = allocate([late, triplets, twins, first], [program])
    assert result.assigned == {1: 1, 2: 1}  # 3 seats: the first child and the twins
    applicants = [first, triplets, late]
    result = allocate(applicants, [program])
    assert result.assigned == {1: 1, 7: 1}  # the triplets do not fit in two seats: the next child does
    assert justified_envy(applicants, [program], result.assigned) == []
    assert justified_envy(applicants, [program], {4: 1}) == [(1, 1, 4)]  # the first child, before the triplets
    assert justified_envy(applicants, [program], {}) == [(1, 1, None), (4, 1, None), (7, 1, None)]  # seats wasted


def test_a_unit_pushed_out_by_a_better_one_lets_a_turned_away_unit_back():
    """Four seats. The triplets hold three when the twins B ask: they do not fit and are turned away.
    Then twins A, before the triplets, push the triplets out: twins B are recalled to the seats left."""
    program, other = Program(1, 1, capacity=4), Program(2, 2, capacity=2)
    triplets = Applicant(1, (1,), queue_date=1, size=3)
    twins_b = Applicant(2, (1, 2), queue_date=2, size=2)
    twins_a = Applicant(3, (1,), queue_date=3, size=2, staff_at=frozenset({1}))  # before everyone at 1
    single = Applicant(4, (1,), queue_date=4)
    applicants = [triplets, twins_b, twins_a, single]
    result = allocate(applicants, [program, other])
    assert result.assigned == {3: 1, 2: 1}
    assert result.recalls == 1
    assert justified_envy(applicants, [program, other], result.assigned) == []


def _misreports(programs):
    for length in range(len(programs) + 1):
        yield from itertools.permutations(programs, length)


@given(
    seed=st.integers(0, 10**9),
    children=st.integers(1, 5),
    count=st.integers(1, 4),
    liar=st.integers(0, 4),
)
def test_no_child_gains_by_misreporting_when_it_may_rank_every_program(seed, children, count, liar):
    r = random.Random(seed)  # noqa: S311 — test data, not a secret
    groups = [Program(i, kindergarten=i % 2, capacity=r.randint(0, 2)) for i in range(1, count + 1)]
    ids = [program.id for program in groups]
    applicants = [
        Applicant(
            n,
            tuple(r.sample(ids, count)),
            tier=r.choice((1, GENERAL_TIER)),
            queue_date=r.randint(0, 3),
            lottery=r.randrange(4),
            sibling_at=frozenset({r.randint(0, 1)}) if r.random() < 0.3 else frozenset(),
        )
        for n in range(1, children + 1)
    ]
    truth = applicants[liar % children]
    honest = allocate(applicants, groups).assigned.get(truth.id)

    def rank(program_id):
        return truth.choices.index(program_id) if program_id is not None else count

    for report in _misreports(ids):
        lying = [applicant if applicant is not truth else _with_choices(truth, report) for applicant in applicants]
        assert rank(allocate(lying, groups).assigned.get(truth.id)) >= rank(honest), report


def _with_choices(applicant, choices):
    return dataclasses.replace(applicant, choices=tuple(choices))


def test_the_result_is_the_matching_packages_resident_optimal_one():
    for seed in range(8):
        applicants, programs = market(seed, children=40, programs=8, floors=0.2, capacity=(1, 6))
        expected = _reference(applicants, programs)
        assert allocate(applicants, programs).assigned == expected


def _reference(applicants, programs):
    """HospitalResident, resident-optimal: hospitals rank by priority(), a held seat's holder first there."""

    def ranked(applicant):
        if applicant.floor is None:
            return list(applicant.choices)
        choices = applicant.choices
        above = choices[: choices.index(applicant.floor)] if applicant.floor in choices else choices
        return [*above, applicant.floor]

    lists = {applicant.id: ranked(applicant) for applicant in applicants if ranked(applicant)}
    assert all(program.capacity > 0 for program in programs)  # the package wants a seat in every hospital
    orders = {
        program.id: [
            applicant.id
            for applicant in sorted(
                (applicant for applicant in applicants if program.id in lists.get(applicant.id, ())),
                key=lambda applicant, program=program: (applicant.floor != program.id, *priority(applicant, program)),
            )
        ]
        for program in programs
    }
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # a hospital nobody ranks
        game = HospitalResident.create_from_dictionaries(
            lists, orders, {program.id: program.capacity for program in programs}
        )
        solved = game.solve(optimal="resident")
    return {resident.name: hospital.name for hospital, residents in solved.items() for resident in residents}


def test_positions_count_the_children_waiting_ahead():
    a, b = Program(1, kindergarten=1, capacity=1), Program(2, kindergarten=2, capacity=2)
    applicants = [
        Applicant(1, (1, 2), queue_date=1),  # placed at A
        Applicant(2, (1, 2), tier=1, queue_date=9),  # privileged: A's one seat
        Applicant(3, (1,), queue_date=2, size=2, members=(3, 4)),  # twins, A only
        Applicant(5, (2, 1), queue_date=3),
        Applicant(6, (1, 2), queue_date=4),
        Applicant(7, (2,), queue_date=5),
    ]
    assigned = allocate(applicants, [a, b]).assigned
    assert assigned == {2: 1, 1: 2, 5: 2}
    standings = positions(applicants, [a, b], assigned)
    assert standings == {
        (1, 1): Standing(position=1, ahead=0, ahead_privileged=0),
        (3, 1): Standing(position=2, ahead=1, ahead_privileged=0),
        (6, 1): Standing(position=4, ahead=3, ahead_privileged=0),
        (6, 2): Standing(position=1, ahead=0, ahead_privileged=0),
        (7, 2): Standing(position=2, ahead=1, ahead_privileged=0),
    }


def test_positions_agree_with_counting_by_priority():
    applicants, programs = market(11, children=150, programs=9, units=0.1, floors=0.2)
    assigned = allocate(applicants, programs).assigned
    by_id = {program.id: program for program in programs}
    expected = {}
    for program in programs:
        waiting = []
        for applicant in applicants:
            holds = assigned.get(applicant.id)
            ranked = applicant.choices
            if program.id not in ranked:
                continue
            mark = holds if holds in ranked else applicant.floor if applicant.floor in ranked else None
            if mark is None or ranked.index(program.id) < ranked.index(mark):
                waiting.append(applicant)
        for applicant in waiting:
            ahead = [other for other in waiting if priority(other, program) < priority(applicant, program)]
            children = sum(other.size for other in ahead)
            privileged = sum(other.size for other in ahead if other.tier < GENERAL_TIER)
            expected[(applicant.id, program.id)] = Standing(children + 1, children, privileged)
    assert positions(applicants, list(by_id.values()), assigned) == expected


def test_positions_count_privileged_children_ahead():
    program = Program(1, kindergarten=1, capacity=0)
    applicants = [
        Applicant(1, (1,), tier=1, queue_date=5, size=2, members=(1, 2)),
        Applicant(3, (1,), tier=2, queue_date=9),
        Applicant(4, (1,), queue_date=0),
    ]
    standings = positions(applicants, [program], {})
    assert standings[(4, 1)] == Standing(position=4, ahead=3, ahead_privileged=3)
    assert standings[(3, 1)] == Standing(position=3, ahead=2, ahead_privileged=2)


def test_the_lottery_is_reproducible_from_the_published_seed():
    first = draw_lottery("2027-namangan", [1, 2, 3])
    assert first == draw_lottery("2027-namangan", [3, 2, 1])
    assert first != draw_lottery("2027-namangan-2", [1, 2, 3])
    assert all(0 <= number < 2**LOTTERY_BITS for number in first.values())
    # The README's re-run: the first 8 bytes of HMAC-SHA256(seed, id), shifted right by 2.
    digest = hmac.new(b"2027-namangan", b"2", hashlib.sha256).digest()
    assert first[2] == int.from_bytes(digest[:8], "big") >> 2


def test_bad_input_is_refused():
    program = Program(1, kindergarten=1, capacity=1)
    with pytest.raises(ValueError, match="ranked twice"):
        Applicant(1, (1, 1))
    with pytest.raises(ValueError, match="members"):
        Applicant(1, (1,), size=2, members=(1,))
    with pytest.raises(ValueError, match="size"):
        Applicant(1, (1,), size=0)
    with pytest.raises(ValueError, match="given twice"):
        allocate([Applicant(1, (1,)), Applicant(1, (1,))], [program])
    with pytest.raises(ValueError, match="given twice"):
        allocate([], [program, program])
    with pytest.raises(ValueError, match="not given"):
        allocate([Applicant(1, (), floor=9)], [program])
    with pytest.raises(ValueError, match="seats held"):
        allocate([Applicant(1, (), floor=1), Applicant(2, (), floor=1)], [program])


def test_a_choice_of_a_program_not_given_is_skipped():
    program = Program(1, kindergarten=1, capacity=1)
    result = allocate([Applicant(1, (99, 1)), Applicant(2, (1,), queue_date=1)], [program])
    assert result.assigned == {1: 1}
    assert result.cutoffs == {1: (GENERAL_TIER, True, True, 0, 0, 1)}
    assert allocate([], [program]).assigned == {}
