"""Kindergarten places, allocated: deferred acceptance over plain values, no database here.

Each applicant — one child, or children placed together (a *unit*: twins, siblings applying together) —
ranks programs (kindergarten × age group × language × regime). Each program orders its applicants by one
key, `priority()`: privilege tier, a sibling at that kindergarten, a parent working there, queue date, the
lottery number drawn once per child, the id. `allocate()` runs student-proposing deferred acceptance: an
applicant proposes to its first choice; a program keeps the best applicants that fit and turns the others
away; those propose to their next choice; and so on until nobody moves. With children applying alone this
is Gale and Shapley's algorithm: the result is the best stable outcome for every child, the same whatever
order proposals come in, with no justified envy (no child refused a program that took a child of lower
priority) — and no child can do better by misreporting, when a list may name every program.

Floors (continuous allocation, transfers): an applicant holding a seat names it as `floor` and ranks only
what it would rather have. At its floor it stands before everyone, so it never loses that seat; when it
wins a higher choice, the seat it leaves goes to the next applicant there, and offers cascade down.

Units need `size` seats at one program. A program fills its seats greedily in priority order, skipping a
unit that does not fit and going on with the applicants after it; it considers every applicant that has
proposed to it and is not held by a program that applicant ranks higher. When a better unit pushes a larger
one out and seats come free, the program takes back (*recalls*) the best applicants it turned away earlier,
who leave the lower choice they held. With units a stable outcome may not exist at all (README: an example
of three applicants and two programs), and where one exists the recalls may still go round in a circle:
each applicant may be recalled at most RECALLS_PER_CHOICE times per choice it ranks, and a program that wants
it back once more stops considering it. After everyone has proposed, those programs consider them again,
RETRIES times; what is still given up is reported (`Allocation.gave_up`), and the run ends. Only those
(applicant, program) pairs can have justified envy in the sense of `justified_envy()`: without them, none.
With units the outcome may depend on the order of proposals (best first here), so the same input always
gives the same outcome, but not necessarily the only stable one.

`justified_envy()` checks an outcome independently of `allocate()`; `positions()` tells each family its place
in every program it ranks above its placement; `draw_lottery()` derives the lottery numbers from a
published seed, so anyone can re-run the draw.
"""

from __future__ import annotations

import gc
import hashlib
import hmac
from bisect import bisect_left, bisect_right, insort
from collections.abc import Iterable, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import accumulate, chain, compress, islice, repeat
from operator import add, attrgetter, eq, is_not, sub

GENERAL_TIER = 1000  # no confirmed privilege: after every tier

# How often one applicant may be taken back by a program that turned it away, per program it ranks: the
# bound that makes the allocation end when units leave no stable outcome.
RECALLS_PER_CHOICE = 2
# How often the programs that gave an applicant up consider it again after everyone has proposed.
RETRIES = 3

LOTTERY_BITS = 62  # fits a signed 64-bit column


@dataclass(frozen=True, slots=True)
class Applicant:
    id: int  # a unit: one application's id, or the first id of applications placed together
    choices: tuple[int, ...]  # program ids, first choice first
    tier: int = GENERAL_TIER  # the best (lowest) tier among its confirmed privileges
    queue_date: int = 0  # seconds since the epoch: earlier first
    lottery: int = 0  # drawn once and stored: lower first
    size: int = 1  # seats it needs at one program (children placed together)
    sibling_at: frozenset[int] = frozenset()  # kindergarten ids where a sibling attends or holds a referral
    staff_at: frozenset[int] = frozenset()  # kindergarten ids where the applicant works
    floor: int | None = None  # program id of the seat it holds now (kept unless a higher choice takes it)
    members: tuple[int, ...] = ()  # application ids of a unit of size > 1 (empty: (id,))

    def __post_init__(self) -> None:
        if self.size < 1:
            raise ValueError(f"applicant {self.id}: size must be at least 1")
        if self.members and len(self.members) != self.size:
            raise ValueError(f"applicant {self.id}: {len(self.members)} members for {self.size} seats")
        if len(set(self.choices)) != len(self.choices):
            raise ValueError(f"applicant {self.id}: a program is ranked twice")

    @property
    def member_ids(self) -> tuple[int, ...]:
        return self.members or (self.id,)


@dataclass(frozen=True, slots=True)
class Program:
    id: int
    kindergarten: int
    capacity: int  # every seat, held ones included


@dataclass
class Allocation:
    assigned: dict[int, int]  # applicant (unit) id -> program id; absent: waits
    cutoffs: dict[int, tuple]  # program id -> priority key of the last admitted (holders of a floor there aside)
    # (applicant, program): the program wanted the applicant back after its recalls were spent (units only;
    # empty whenever the outcome is stable).
    gave_up: list[tuple[int, int]] = field(default_factory=list)
    proposals: int = 0  # applicants' proposals to programs, a measure of the work done
    recalls: int = 0  # applicants taken back by a program that had turned them away


@dataclass(frozen=True, slots=True)
class Standing:
    position: int  # 1: next in line for a seat there
    ahead: int  # children ahead of it (a unit counts its children)
    ahead_privileged: int  # of them, children of a privileged category


def priority(applicant: Applicant, program: Program) -> tuple:
    """The program's order of its applicants, smaller first: tier, no sibling there, no parent working there,
    queue date, lottery number, id."""
    garden = program.kindergarten
    return (
        applicant.tier,
        garden not in applicant.sibling_at,
        garden not in applicant.staff_at,
        applicant.queue_date,
        applicant.lottery,
        applicant.id,
    )


def draw_lottery(seed: str, ids: Iterable[int]) -> dict[int, int]:
    """Each id's lottery number: the first 62 bits of HMAC-SHA256 keyed by the seed over the id in decimal.
    Anyone holding the published seed gets the same numbers (README: a one-line re-run)."""
    key = seed.encode()
    return {
        ident: int.from_bytes(hmac.new(key, str(ident).encode(), hashlib.sha256).digest()[:8], "big")
        >> (64 - LOTTERY_BITS)
        for ident in ids
    }


# --- allocate ---------------------------------------------------------------------------------------------


def allocate(applicants: Sequence[Applicant], programs: Sequence[Program]) -> Allocation:
    """Deferred acceptance of `applicants` over `programs` (see the module's docstring).

    A choice of a program not given is skipped (closed, or outside the campaign). A floor must be one of
    `programs`, and a program's floors must fit its capacity: otherwise ValueError, since no outcome could
    keep every seat held and every capacity."""
    program_index: dict[int, int] = {}
    for program in programs:
        if program.id in program_index:
            raise ValueError(f"program {program.id} is given twice")
        if program.capacity < 0:
            raise ValueError(f"program {program.id}: negative capacity")
        program_index[program.id] = len(program_index)
    if not applicants:
        return Allocation(assigned={}, cutoffs={})
    with _collector_paused():
        market = _Market(applicants, programs, program_index)
        market.run()
        return market.outcome()


@contextmanager
def _collector_paused():
    """Millions of ints, small lists and tuples, none of them in a cycle: the cyclic collector's passes over
    them would cost more than the work itself."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def _column(applicants: Sequence[Applicant], name: str) -> list:
    return list(map(attrgetter(name), applicants))


def _order(applicants: Sequence[Applicant], ids: list[int]) -> tuple[list[int], list[int]]:
    """Indexes of the applicants by (tier, queue date, lottery, id), the programs' common order, and how
    many of them each tier has, best tier first.

    CPython sorts ints below 2**30 several times faster than tuples: the sort key is the tier's rank and
    the queue date packed in one such int where they fit (else each tier is sorted by date on its own),
    and the rare ties are broken by lottery and id afterwards."""
    tiers, dates = _column(applicants, "tier"), _column(applicants, "queue_date")
    n = len(tiers)
    levels = sorted(set(tiers))
    counts = list(map(tiers.count, levels))
    first = min(dates)
    span = max(dates) - first + 1
    dates = list(map(sub, dates, repeat(first)))
    if len(levels) == 1:
        keys = dates
    elif len(levels) * span < 1 << 30:
        rank = {tier: r * span for r, tier in enumerate(levels)}
        keys = list(map(add, map(rank.__getitem__, tiers), dates))
    else:
        keys = None
    if keys is not None:
        order = sorted(range(n), key=keys.__getitem__)
        if len(set(keys)) == n:
            return order, counts
        line = list(map(keys.__getitem__, order))
    else:
        order, line = [], []
        for level in levels:
            group = sorted(compress(range(n), map(level.__eq__, tiers)), key=dates.__getitem__)
            order += group
            line += ((level, dates[j]) for j in group)
    done = 0
    for x in compress(range(n - 1), map(eq, line, islice(line, 1, None))):  # where a tie starts or goes on
        if x < done:
            continue
        done = x + 1
        while done < n and line[done] == line[x]:
            done += 1
        order[x:done] = sorted(order[x:done], key=lambda j: (applicants[j].lottery, ids[j]))
    return order, counts


class _Market:
    """The state of one allocation, on ints.

    Applicants are numbered g = 0 … n-1 in the programs' common order (`order[g]` is the caller's index),
    programs p = 0 … by their place in the caller's list. The key of applicant g at a program is
    ((tier rank · 4 + no sibling there · 2 + no staff there) · n + g), or g - n at its floor (before
    everyone): key % n gives g back, and smaller keys come first. Most applicants have the same key `base[g]`
    everywhere; the others have one per choice in `keys[g]`. `ranked[g]` holds its choices (program ids),
    `next[g]` the place in them it proposes to next, or the place after its hold while it holds one.

    A program's candidates are the applicants that proposed to it and are not held higher up their list
    (applicant g is one of the programs `ranked[g][:next[g]]`, but for those that gave it up, `dropped`).
    Singles' keys are kept in a sorted list (`singles[p]`; the keys of those turned away wait unsorted in
    `turned_away[p]` until a refill needs them), units' in another (mostly empty). The holders are what the
    greedy fill takes: always a prefix of the singles (`taken[p]` of them) and some units (`units_taken[p]`);
    `free[p]` seats stay empty; `last[p]` is the largest key held and `last_unit[p]` the largest unit's. A
    single proposing is decided from those alone (it takes a free seat; or is turned away, worse than the
    last holder; or pushes the last single out); anything else fills the program again with `settle()`."""

    def __init__(self, applicants: Sequence[Applicant], programs: Sequence[Program], program_index: dict[int, int]):
        self.applicants, self.programs, self.program_index = applicants, programs, program_index
        ids = _column(applicants, "id")
        n = self.n = len(ids)
        if len(set(ids)) != n:
            raise ValueError("an applicant id is given twice")
        self.ids = ids
        order, counts = _order(applicants, ids)
        self.order = order
        self.ranked = ranked = list(map(_column(applicants, "choices").__getitem__, order))
        sizes = _column(applicants, "size")
        self.size = [1] * n if max(sizes) == 1 else list(map(sizes.__getitem__, order))
        # Without a bonus anywhere, an applicant's key is the same at every program.
        self.base = list(
            chain.from_iterable(
                range((r * 4 + 3) * n + a, (r * 4 + 3) * n + a + count)
                for r, (a, count) in enumerate(zip(accumulate(counts, initial=0), counts, strict=False))
            )
        )
        special = set(compress(range(n), map(attrgetter("sibling_at"), applicants)))
        special.update(compress(range(n), map(attrgetter("staff_at"), applicants)))
        special.update(compress(range(n), map(is_not, map(attrgetter("floor"), applicants), repeat(None))))
        self.keys: dict[int, list[int]] = {}
        floors: dict[int, int] = {}
        gardens = [program.kindergarten for program in programs]
        for g in compress(range(n), map(special.__contains__, order)):
            applicant = applicants[order[g]]
            choices, floor = ranked[g], applicant.floor
            if floor is not None:
                if floor not in program_index:
                    raise ValueError(f"applicant {applicant.id} holds a seat at program {floor}, which is not given")
                choices = ranked[g] = (choices[: choices.index(floor)] if floor in choices else choices) + (floor,)
                p = program_index[floor]
                floors[p] = floors.get(p, 0) + applicant.size
            keys = self.keys[g] = []
            for choice in choices:
                garden = gardens[program_index[choice]] if choice in program_index else None
                keys.append(
                    self.base[g] - 2 * n * (garden in applicant.sibling_at) - n * (garden in applicant.staff_at)
                )
            if floor is not None:
                keys[-1] = g - n
        for p, held in floors.items():
            if held > programs[p].capacity:
                raise ValueError(f"program {programs[p].id}: {held} seats held, capacity {programs[p].capacity}")

        self.plain = bytearray(map((1).__eq__, self.size))  # alone, and no key of its own anywhere
        for g in self.keys:
            self.plain[g] = 0
        self.capacity = capacity = [program.capacity for program in programs]
        self.next = [0] * n
        self.held = [-1] * n
        count = len(programs)
        self.singles: list[list[int]] = [[] for _ in range(count)]
        self.turned_away: list[list[int]] = [[] for _ in range(count)]
        self.units: list[list[int]] = [[] for _ in range(count)]
        self.units_taken: list[set[int]] = [set() for _ in range(count)]
        self.taken = [0] * count
        self.free = capacity[:]
        self.none = -n - 1  # below every key
        self.last = [self.none] * count
        self.last_unit = [self.none] * count
        self.recalled: dict[int, int] = {}
        self.dropped: set[tuple[int, int]] = set()  # (g, place in its choices): candidacies given up
        self.gave_up: list[tuple[int, int]] = []
        self.waiting: list[int] = []  # applicants pushed out, to propose further down their lists
        self.dirty: list[int] = []  # programs a holder left, to fill again
        self.proposals = 0
        self.recall_count = 0

    def outcome(self) -> Allocation:
        programs, held, n, ids = self.programs, self.held, self.n, self.ids
        program_ids = [program.id for program in programs]
        placed = list(map((0).__le__, held))
        assigned = dict(
            zip(
                map(ids.__getitem__, compress(self.order, placed)),
                map(program_ids.__getitem__, compress(held, placed)),
                strict=True,
            )
        )
        cutoffs = {
            program_ids[p]: priority(self.applicants[self.order[last % n]], programs[p])
            for p, last in enumerate(self.last)
            if last >= 0  # floors have negative keys: a program holding only floors admitted nobody
        }
        return Allocation(
            assigned=assigned,
            cutoffs=cutoffs,
            gave_up=[(ids[self.order[g]], program_ids[p]) for g, p in self.gave_up],
            proposals=self.proposals,
            recalls=self.recall_count,
        )

    def run(self) -> None:
        """Every applicant proposes, best first; then, up to RETRIES times, the programs that gave up an
        applicant consider it again with its recalls renewed: a cycle of recalls may only have been one
        of the order proposals came in (before a holder of a floor there had sat down)."""
        self.propose(range(self.n))
        for _round in range(RETRIES):
            if not self.gave_up:
                return
            self.recalled.clear()
            given_up, self.gave_up = self.gave_up, []
            for v, p in given_up:
                place = self._place(v, p)
                self.dropped.discard((v, place))
                if place < self.next[v]:  # still below p: a candidate again
                    key = self._key(v, place)
                    self._merge(p)
                    insort(self.singles[p] if self.size[v] == 1 else self.units[p], key)
                    self.settle(p, v, key, fresh=False)
                    while self.dirty:
                        self.settle(self.dirty.pop(), -1, 0)
            again, self.waiting[:] = self.waiting[:], []
            self.propose(again)

    def propose(self, firsts: Iterable[int]) -> None:
        """Each of `firsts` not held proposes down its list, then those it pushed out, and so on. With the
        programs' orders mostly common and `firsts` best first, a proposal rarely pushes anyone out.
        Singles at a program without a unit in the way are decided here, inline (most of the work); the
        rest goes through settle()."""
        ranked, base, special, nexts, size = self.ranked, self.base, self.keys, self.next, self.size
        singles, turned_away, free, taken = self.singles, self.turned_away, self.free, self.taken
        last, last_unit, held, waiting, n = self.last, self.last_unit, self.held, self.waiting, self.n
        settle, dirty, units, index = self.settle, self.dirty, self.units, self.program_index.get
        plain = self.plain
        proposals = 0
        for first in firsts:
            g = first
            while True:
                if held[g] < 0:
                    choices, i = ranked[g], nexts[g]
                    end = len(choices)
                    k = base[g]
                    proposals -= i
                    if plain[g]:  # most applicants: alone, the same key everywhere; the loop below, lean
                        while i < end:
                            p = index(choices[i])
                            i += 1
                            if p is None:
                                continue
                            seats = free[p]
                            if seats:
                                line = singles[p]
                                if not line or k > line[-1]:
                                    line.append(k)
                                else:
                                    line.insert(bisect_left(line, k), k)
                                free[p] = seats - 1
                                taken[p] += 1
                                held[g] = p
                                if k > last[p]:
                                    last[p] = k
                                break
                            worst = last[p]
                            if k > worst:
                                turned_away[p].append(k)
                                continue
                            line = singles[p]
                            line.insert(bisect_left(line, k), k)
                            if last_unit[p] != worst:  # the last holder is a single: it makes room
                                count = taken[p]
                                out = line[count] % n
                                held[out] = -1
                                waiting.append(out)
                                held[g] = p
                                below = line[count - 1]
                                unit = last_unit[p]
                                last[p] = below if below > unit else unit
                                break
                            nexts[g] = i
                            settle(p, g, k)
                            while dirty:
                                settle(dirty.pop(), -1, 0)
                            i = nexts[g]
                            if held[g] >= 0:
                                break
                        nexts[g] = i
                        proposals += i
                        if not waiting:
                            break
                        g = waiting.pop()
                        continue
                    keys = special.get(g)
                    alone = size[g] == 1
                    while i < end:
                        p = index(choices[i])
                        if keys is not None:
                            k = keys[i]
                        i += 1
                        if p is None:
                            continue
                        if alone:
                            seats = free[p]
                            if seats:
                                line = singles[p]
                                if not line or k > line[-1]:
                                    line.append(k)
                                else:
                                    line.insert(bisect_left(line, k), k)
                                free[p] = seats - 1
                                taken[p] += 1
                                held[g] = p
                                if k > last[p]:
                                    last[p] = k
                                break
                            worst = last[p]
                            if k > worst:
                                turned_away[p].append(k)
                                continue
                            if last_unit[p] != worst:  # the last holder is a single: it makes room
                                line = singles[p]
                                line.insert(bisect_left(line, k), k)
                                count = taken[p]
                                out = line[count] % n
                                held[out] = -1
                                waiting.append(out)
                                held[g] = p
                                below = line[count - 1]
                                unit = last_unit[p]
                                last[p] = below if below > unit else unit
                                break
                            insort(singles[p], k)
                        else:
                            insort(units[p], k)
                        nexts[g] = i
                        settle(p, g, k)
                        while dirty:
                            settle(dirty.pop(), -1, 0)
                        i = nexts[g]
                        if held[g] >= 0:
                            break
                    nexts[g] = i
                    proposals += i
                if not waiting:
                    break
                g = waiting.pop()
        self.proposals += proposals

    def _key(self, g: int, place: int) -> int:
        keys = self.keys.get(g)
        return self.base[g] if keys is None else keys[place]

    def _place(self, g: int, p: int) -> int:
        """Where program p stands in g's choices."""
        index = self.program_index
        return next(j for j, choice in enumerate(self.ranked[g]) if index.get(choice) == p)

    def _merge(self, p: int) -> None:
        """The keys turned away at p join its sorted singles (all after the holders)."""
        pending = self.turned_away[p]
        if pending:
            self.singles[p] += pending
            self.singles[p].sort()
            pending.clear()

    def settle(self, p: int, g: int, k: int, fresh: bool = True) -> None:
        """Fill program p again from its candidates: greedy in key order, skipping units that do not fit.
        g is the candidate just added with key k: an applicant proposing (`fresh`), or one the program
        considers again, which may hold a seat lower down its list (-1: none; a holder left)."""
        n, size, held = self.n, self.size, self.held
        self._merge(p)
        line, units, capacity = self.singles[p], self.units[p], self.capacity[p]
        alone = g >= 0 and size[g] == 1
        count = self.taken[p]
        # The singles held now: line[:held_end], but for the single that just proposed.
        held_end = count + 1 if alone and bisect_left(line, k) < count else count
        before = self.units_taken[p]
        while True:
            seats, fill, chosen = capacity, 0, []
            for unit in units:
                ahead = bisect_left(line, unit) - fill
                if ahead >= seats:
                    fill += seats
                    seats = 0
                    break
                fill += ahead
                seats -= ahead
                if size[unit % n] <= seats:
                    chosen.append(unit)
                    seats -= size[unit % n]
            else:
                more = min(len(line) - fill, seats)
                fill += more
                seats -= more
            refused = [
                v
                for v in [line[j] % n for j in range(held_end, fill)] + [unit % n for unit in chosen]
                if v != g and held[v] != p and self.recalled.get(v, 0) >= RECALLS_PER_CHOICE * len(self.ranked[v])
            ]
            if not refused:
                break
            for v in refused:  # its recalls are spent: the program stops considering it
                self.gave_up.append((v, p))
                place = self._place(v, p)
                self.dropped.add((v, place))
                if size[v] == 1:
                    del line[bisect_left(line, self._key(v, place))]
                else:
                    units.remove(self._key(v, place))

        for j in range(fill, held_end):
            v = line[j] % n
            if v != g:
                self._push_out(v)
        for j in range(held_end, fill):
            v = line[j] % n
            if v == g and fresh:
                held[g] = p
            else:
                self._recall(v, p)
        if alone and held[g] != p and bisect_left(line, k) < fill:
            if fresh:
                held[g] = p
            else:
                self._recall(g, p)
        now = set(chosen)
        for unit in before - now:
            self._push_out(unit % n)
        for unit in chosen:
            if unit not in before:
                v = unit % n
                if v == g and fresh:
                    held[g] = p
                else:
                    self._recall(v, p)
        self.units_taken[p] = now
        self.taken[p] = fill
        self.free[p] = seats
        top_unit = chosen[-1] if chosen else self.none
        top_single = line[fill - 1] if fill else self.none
        self.last_unit[p] = top_unit
        self.last[p] = max(top_unit, top_single)

    def _push_out(self, v: int) -> None:
        self.held[v] = -1
        self.waiting.append(v)

    def _recall(self, v: int, p: int) -> None:
        """Program p takes back v, which it had turned away: v leaves its lower candidacies, its hold among them."""
        self.recalled[v] = self.recalled.get(v, 0) + 1
        self.recall_count += 1
        at = self._place(v, p)
        holds = self.held[v]
        choices = self.ranked[v]
        for place in range(at + 1, self.next[v]):
            q = self.program_index.get(choices[place])
            if q is None or (v, place) in self.dropped:
                continue
            key = self._key(v, place)
            if self.size[v] == 1:
                self._merge(q)
                line = self.singles[q]
                del line[bisect_left(line, key)]
                if q == holds:
                    self.taken[q] -= 1
            else:
                self.units[q].remove(key)
                self.units_taken[q].discard(key)
            if q == holds:
                self.dirty.append(q)
        self.held[v] = p
        self.next[v] = at + 1


# --- checks and positions ---------------------------------------------------------------------------------


def _above(applicant: Applicant, program_id: int | None) -> tuple[int, ...]:
    """The choices `applicant` ranks above the program it holds (all of them when it holds none, or holds its
    floor without ranking it)."""
    choices = applicant.choices
    if program_id is not None and program_id in choices:
        return choices[: choices.index(program_id)]
    if applicant.floor is not None and applicant.floor in choices:
        return choices[: choices.index(applicant.floor)]
    return choices


def justified_envy(
    applicants: Sequence[Applicant], programs: Sequence[Program], assigned: Mapping[int, int]
) -> list[tuple[int, int, int | None]]:
    """Every (envious, program, lower-priority holder) of an outcome, independently of `allocate()`.

    An applicant envies a program it ranks above what it holds when the seats there held by applicants of
    lower priority, with the free seats, would fit it (a unit counts as one applicant needing `size` seats);
    one triple per such holder, and (envious, program, None) when free seats alone would fit it. At its floor
    an applicant stands before everyone. An empty list: no justified envy."""
    with _collector_paused():
        return _justified_envy(applicants, programs, assigned)


def _justified_envy(
    applicants: Sequence[Applicant], programs: Sequence[Program], assigned: Mapping[int, int]
) -> list[tuple[int, int, int | None]]:
    by_program = {program.id: program for program in programs}
    holders: dict[int, list[tuple[tuple, int, int]]] = {program.id: [] for program in programs}
    for applicant in applicants:
        program_id = assigned.get(applicant.id)
        if program_id in by_program:
            holders[program_id].append((_checked_key(applicant, by_program[program_id]), applicant.size, applicant.id))
    lower_seats: dict[int, list[int]] = {}
    free: dict[int, int] = {}
    for program_id, rows in holders.items():
        rows.sort()
        lower_seats[program_id] = list(accumulate((row[1] for row in reversed(rows)), initial=0))[::-1]
        free[program_id] = by_program[program_id].capacity - sum(row[1] for row in rows)
    found = []
    for applicant in applicants:
        for program_id in _above(applicant, assigned.get(applicant.id)):
            if program_id not in by_program:
                continue
            rows = holders[program_id]
            first_lower = bisect_right(rows, (_checked_key(applicant, by_program[program_id]),))
            if free[program_id] + lower_seats[program_id][first_lower] < applicant.size:
                continue
            lower = rows[first_lower:]
            found += [(applicant.id, program_id, row[2]) for row in lower] or [(applicant.id, program_id, None)]
    return found


def _checked_key(applicant: Applicant, program: Program) -> tuple:
    return (applicant.floor != program.id, *priority(applicant, program))


def positions(
    applicants: Sequence[Applicant], programs: Sequence[Program], assigned: Mapping[int, int]
) -> dict[tuple[int, int], Standing]:
    """(applicant id, program id) -> its standing there, for every program an applicant ranks above the one it
    holds: the children waiting there with a better priority (a unit counts its children), of them the
    privileged ones, and so its position (1: next when a seat frees)."""
    if not applicants:
        return {}
    with _collector_paused():
        return _positions(applicants, programs, assigned)


def _positions(
    applicants: Sequence[Applicant], programs: Sequence[Program], assigned: Mapping[int, int]
) -> dict[tuple[int, int], Standing]:
    gardens = {program.id: program.kindergarten for program in programs}
    ids = _column(applicants, "id")
    n = len(ids)
    order, counts = _order(applicants, ids)
    # The allocation's int keys, ((tier rank · 4 + no sibling · 2 + no staff) · n + common rank): sorting
    # ints, not priority() tuples, for a district of 200,000.
    base = [0] * n
    for r, (first, count) in enumerate(zip(accumulate(counts, initial=0), counts, strict=False)):
        for g in range(first, first + count):
            base[order[g]] = (r * 4 + 3) * n + g
    lines: dict[int, list[int]] = {}
    for j, applicant in enumerate(applicants):
        plain = not (applicant.sibling_at or applicant.staff_at)
        for program_id in _above(applicant, assigned.get(applicant.id)):
            garden = gardens.get(program_id)
            if garden is None:
                continue
            key = base[j]
            if not plain:
                key -= 2 * n * (garden in applicant.sibling_at) + n * (garden in applicant.staff_at)
            line = lines.get(program_id)
            if line is None:
                line = lines[program_id] = []
            line.append(key)
    standings = {}
    for program_id, line in lines.items():
        line.sort()
        ahead = ahead_privileged = 0
        for key in line:
            applicant = applicants[order[key % n]]
            standings[(applicant.id, program_id)] = Standing(ahead + 1, ahead, ahead_privileged)
            ahead += applicant.size
            if applicant.tier < GENERAL_TIER:
                ahead_privileged += applicant.size
    return standings
