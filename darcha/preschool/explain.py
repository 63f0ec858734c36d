"""Why a child's position in a group changed: reasons in plain words, from what changed since the last
refresh. Pure: no database, only positions and the causes `services.positions` found.

The design does not keep who stood ahead of whom. For 200,000 children that would be billions of
pairs; instead each refresh keeps only every child's position in each group (the `Position` rows),
and the next refresh compares those with the new ones, group by group:

- the children who left a group's list since (`departed`, by cause: left the queue, placed in this
  group, placed elsewhere, moved up an age group, changed their choices) with their *old* positions:
  those with an old position before yours stood ahead of you;
- the children who joined it (`joined`, by cause: registered, registered with a privilege, back after
  a referral ended, moved up from the younger group, changed their choices) with their *new*
  positions: those before yours now stand ahead of you;
- the children in both whose priority changed (`changed`: a privilege confirmed or ended, a sibling
  placed at the kindergarten — known from the family history events since the last refresh), with
  their old and new positions: one behind you before and ahead now overtook you, and the reverse.

So one child's reasons cost a binary search per cause and a pass over the few changed children of
the group, and a refresh stays linear in the number of positions. `own` carries what happened to the
child itself (its privilege confirmed, its move to the next group on the reference date). Counts are
of applicants as the allocation sees them (children placed together count as one).

Reasons are JSON-ready dicts, `{"code": "joined_privileged", "count": 2}`, stored in the POSITION
event's data and rendered by `reason_text` in the reader's language.
"""

from __future__ import annotations

import datetime as dt
import functools
from bisect import bisect_left
from collections.abc import Iterable
from dataclasses import dataclass, field

from django.utils import formats, translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .choices import AgeGroup

# Causes of a child leaving a group's list.
LEFT_QUEUE = "left_queue"
PLACED_HERE = "placed_here"
PLACED_ELSEWHERE = "placed_elsewhere"
MOVED_UP = "moved_group"
CHANGED_CHOICES = "changed_choices"
OTHER = "other"
# Causes of a child joining it.
JOINED = "joined"
JOINED_PRIVILEGED = "joined_privileged"
RETURNED = "returned"
# Causes of a child's priority changing.
PRIVILEGE = "privilege"
SIBLING = "sibling"
# What happened to the child itself.
FIRST = "first"
OWN_PRIVILEGE = "own_privilege"
OWN_PRIVILEGE_ENDED = "own_privilege_ended"
OWN_SIBLING = "own_sibling"
OWN_MOVED_UP = "own_moved_group"
SEATS_ADDED = "seats_added"
SEATS_REMOVED = "seats_removed"
RECOMPUTED = "recomputed"

# The code a reason gets for the children ahead, by cause: "departed_<cause>", "joined_<cause>",
# "overtook_<cause>" (got ahead), "fell_back_<cause>" (went behind).
DEPARTED_CODES = {
    LEFT_QUEUE: "ahead_left_queue",
    PLACED_HERE: "ahead_placed_here",
    PLACED_ELSEWHERE: "ahead_placed_elsewhere",
    MOVED_UP: "ahead_moved_group",
    CHANGED_CHOICES: "ahead_changed_choices",
    OTHER: "ahead_gone",
}
JOINED_CODES = {
    JOINED: "joined",
    JOINED_PRIVILEGED: "joined_privileged",
    RETURNED: "joined_returned",
    MOVED_UP: "joined_moved_group",
    CHANGED_CHOICES: "joined_changed_choices",
    OTHER: "joined_other",
}
OVERTOOK_CODES = {PRIVILEGE: "overtook_privilege", SIBLING: "overtook_sibling"}
FELL_BACK_CODES = {PRIVILEGE: "fell_back_privilege", SIBLING: "fell_back_sibling"}


@dataclass
class GroupChanges:
    """What changed in one group's list since the last refresh (positions are 1-based ranks)."""

    departed: dict[str, list[int]] = field(default_factory=dict)  # cause -> old positions, sorted
    joined: dict[str, list[int]] = field(default_factory=dict)  # cause -> new positions, sorted
    changed: list[tuple[int, int, str]] = field(default_factory=list)  # (old, new, cause)
    seats: int = 0  # seats added (negative: removed)

    def add_departed(self, cause: str, old: int) -> None:
        self.departed.setdefault(cause, []).append(old)

    def add_joined(self, cause: str, new: int) -> None:
        self.joined.setdefault(cause, []).append(new)

    def seal(self) -> GroupChanges:
        """Sort the position lists once, before `reasons` is asked for many children."""
        for positions in (*self.departed.values(), *self.joined.values()):
            positions.sort()
        return self


def reasons(changes: GroupChanges | None, old: int | None, new: int, own: Iterable[dict] = ()) -> list[dict]:
    """Why a child at `old` (None: not in this group's list before) is now at `new`."""
    found: list[dict] = [dict(reason) for reason in own]
    if old is None and not any(reason["code"] == OWN_MOVED_UP for reason in found):
        found.insert(0, {"code": FIRST})
    if changes is None:
        return found or [{"code": RECOMPUTED}]
    if old is not None:
        for cause, positions in changes.departed.items():
            count = bisect_left(positions, old)
            if count:
                found.append({"code": DEPARTED_CODES.get(cause, DEPARTED_CODES[OTHER]), "count": count})
        for cause, positions in changes.joined.items():
            count = bisect_left(positions, new)
            if count:
                found.append({"code": JOINED_CODES.get(cause, JOINED_CODES[OTHER]), "count": count})
        overtook: dict[str, int] = {}
        fell_back: dict[str, int] = {}
        for their_old, their_new, cause in changes.changed:
            if their_old > old and their_new < new:
                overtook[cause] = overtook.get(cause, 0) + 1
            elif their_old < old and their_new > new:
                fell_back[cause] = fell_back.get(cause, 0) + 1
        found += [{"code": OVERTOOK_CODES[cause], "count": count} for cause, count in overtook.items()]
        found += [{"code": FELL_BACK_CODES[cause], "count": count} for cause, count in fell_back.items()]
    if changes.seats > 0:
        found.append({"code": SEATS_ADDED, "count": changes.seats})
    elif changes.seats < 0:
        found.append({"code": SEATS_REMOVED, "count": -changes.seats})
    return found or [{"code": RECOMPUTED}]


def _group_label(code: str) -> str:
    return str(AgeGroup(code).label) if code in AgeGroup.values else str(code)


def _day_text(value: str) -> str:
    """An ISO date in the active language's short format (anything else as it is)."""
    try:
        day = dt.date.fromisoformat(str(value))
    except ValueError:
        return str(value)
    return formats.date_format(day, "SHORT_DATE_FORMAT")


@functools.cache
def _texts() -> dict[str, object]:
    """Each code's text: a function of the count (plural forms), or of the reason's other values. The
    functions translate when called, so one table serves every language."""
    return {
        FIRST: lambda r: _("The first position computed for this group."),
        OWN_PRIVILEGE: lambda r: _("Your child's privilege was confirmed."),
        OWN_PRIVILEGE_ENDED: lambda r: _("Your child's privilege is no longer held."),
        OWN_SIBLING: lambda r: _("A brother or sister of your child got a place at this kindergarten."),
        OWN_MOVED_UP: lambda r: (
            _("Your child moved to the %(group)s group on %(day)s.")
            % {"group": _group_label(r.get("group", "")), "day": _day_text(r.get("day", ""))}
        ),
        "ahead_left_queue": lambda r: (
            ngettext("%(count)d child ahead left the queue.", "%(count)d children ahead left the queue.", r["count"])
            % r
        ),
        "ahead_placed_here": lambda r: (
            ngettext(
                "%(count)d child ahead was placed in this group.",
                "%(count)d children ahead were placed in this group.",
                r["count"],
            )
            % r
        ),
        "ahead_placed_elsewhere": lambda r: (
            ngettext(
                "%(count)d child ahead was placed elsewhere.",
                "%(count)d children ahead were placed elsewhere.",
                r["count"],
            )
            % r
        ),
        "ahead_moved_group": lambda r: (
            ngettext(
                "%(count)d child ahead moved to the next age group.",
                "%(count)d children ahead moved to the next age group.",
                r["count"],
            )
            % r
        ),
        "ahead_changed_choices": lambda r: (
            ngettext(
                "%(count)d child ahead chose other kindergartens.",
                "%(count)d children ahead chose other kindergartens.",
                r["count"],
            )
            % r
        ),
        "ahead_gone": lambda r: (
            ngettext(
                "%(count)d child ahead is no longer in this group's queue.",
                "%(count)d children ahead are no longer in this group's queue.",
                r["count"],
            )
            % r
        ),
        "joined": lambda r: (
            ngettext(
                "%(count)d newly registered child joined the queue ahead (registered at birth earlier, or with a "
                "sibling or parent at this kindergarten).",
                "%(count)d newly registered children joined the queue ahead (registered at birth earlier, or with a "
                "sibling or parent at this kindergarten).",
                r["count"],
            )
            % r
        ),
        "joined_privileged": lambda r: (
            ngettext(
                "%(count)d child with a privilege joined the queue for this group.",
                "%(count)d children with a privilege joined the queue for this group.",
                r["count"],
            )
            % r
        ),
        "joined_returned": lambda r: (
            ngettext(
                "%(count)d child ahead came back to the queue after a referral ended.",
                "%(count)d children ahead came back to the queue after a referral ended.",
                r["count"],
            )
            % r
        ),
        "joined_moved_group": lambda r: (
            ngettext(
                "%(count)d child ahead moved up into this age group.",
                "%(count)d children ahead moved up into this age group.",
                r["count"],
            )
            % r
        ),
        "joined_changed_choices": lambda r: (
            ngettext(
                "%(count)d child ahead chose this kindergarten.",
                "%(count)d children ahead chose this kindergarten.",
                r["count"],
            )
            % r
        ),
        "joined_other": lambda r: (
            ngettext(
                "%(count)d child joined the queue ahead.", "%(count)d children joined the queue ahead.", r["count"]
            )
            % r
        ),
        "overtook_privilege": lambda r: (
            ngettext(
                "%(count)d child got a privilege and is now ahead.",
                "%(count)d children got a privilege and are now ahead.",
                r["count"],
            )
            % r
        ),
        "overtook_sibling": lambda r: (
            ngettext(
                "%(count)d child got sibling priority at this kindergarten and is now ahead.",
                "%(count)d children got sibling priority at this kindergarten and are now ahead.",
                r["count"],
            )
            % r
        ),
        "fell_back_privilege": lambda r: (
            ngettext(
                "%(count)d child ahead no longer holds a privilege.",
                "%(count)d children ahead no longer hold a privilege.",
                r["count"],
            )
            % r
        ),
        "fell_back_sibling": lambda r: (
            ngettext(
                "%(count)d child ahead no longer has sibling priority here.",
                "%(count)d children ahead no longer have sibling priority here.",
                r["count"],
            )
            % r
        ),
        SEATS_ADDED: lambda r: (
            ngettext("%(count)d seat was added to this group.", "%(count)d seats were added to this group.", r["count"])
            % r
        ),
        SEATS_REMOVED: lambda r: (
            ngettext(
                "%(count)d seat was removed from this group.",
                "%(count)d seats were removed from this group.",
                r["count"],
            )
            % r
        ),
        RECOMPUTED: lambda r: _("The queue was recomputed."),
    }


def reason_text(reason: dict, language: str | None = None) -> str:
    """A reason in plain words, in `language` (else the active one)."""
    if language:
        with translation.override(language):
            return reason_text(reason)
    render = _texts().get(reason.get("code"))
    if render is None:
        return str(_texts()[RECOMPUTED](reason))
    try:
        return str(render(reason))
    except (KeyError, TypeError):
        return str(_texts()[RECOMPUTED](reason))


def change_text(old: int | None, new: int, found: list[dict], language: str | None = None) -> str:
    """One line of a summary: "position 12 → 9: <reasons>"."""
    if language:
        with translation.override(language):
            return change_text(old, new, found)
    if old is None:
        head = _("position %(new)d") % {"new": new}
    else:
        head = _("position %(old)d → %(new)d") % {"old": old, "new": new}
    return f"{head}: " + " ".join(reason_text(reason) for reason in found)


class Wording:
    """Reasons and summary lines in one language, each distinct reason translated once (a refresh after a
    campaign writes 200,000 summaries out of a few hundred distinct reasons)."""

    def __init__(self, language: str):
        self.language = language
        with translation.override(language):
            self.first = _("position %(new)d")
            self.moved = _("position %(old)d → %(new)d")
        self._reasons: dict[tuple, str] = {}

    def reason(self, reason: dict) -> str:
        key = tuple(sorted(reason.items()))
        text = self._reasons.get(key)
        if text is None:
            text = self._reasons[key] = reason_text(reason, self.language)
        return text

    def change(self, old: int | None, new: int, found: list[dict]) -> str:
        head = self.first % {"new": new} if old is None else self.moved % {"old": old, "new": new}
        return f"{head}: " + " ".join(self.reason(reason) for reason in found)
