"""When a mandatory disclosure is due: a pure function over plain values.

A category with a period (`period_days`) is due that many days after its last publication: "overdue"
once that passed, "due soon" within DISCLOSURES_DUE_SOON_DAYS of it, else "up to date". A category
published "on change" (no period) is up to date once published. A category never published is
"missing" — as overdue as it gets."""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from django.utils.translation import pgettext_lazy


class DisclosureStatus(enum.StrEnum):
    MISSING = "missing"
    OVERDUE = "overdue"
    DUE_SOON = "due_soon"
    OK = "ok"

    @property
    def label(self) -> str:
        return str(LABELS[self])

    @property
    def is_due(self) -> bool:
        return self is not DisclosureStatus.OK


LABELS = {
    DisclosureStatus.MISSING: pgettext_lazy("disclosure status", "Never published"),
    DisclosureStatus.OVERDUE: pgettext_lazy("disclosure status", "Overdue"),
    DisclosureStatus.DUE_SOON: pgettext_lazy("disclosure status", "Due soon"),
    DisclosureStatus.OK: pgettext_lazy("disclosure status", "Up to date"),
}
# The desk and the public page list the most urgent first.
URGENCY = {
    DisclosureStatus.MISSING: 0,
    DisclosureStatus.OVERDUE: 1,
    DisclosureStatus.DUE_SOON: 2,
    DisclosureStatus.OK: 3,
}


@dataclass(frozen=True)
class DisclosureState:
    status: DisclosureStatus
    due_at: dt.datetime | None  # when it must be published again (None: on change, or never published)


def disclosure_state(
    *, period_days: int | None, last_at: dt.datetime | None, now: dt.datetime, soon_days: int = 7
) -> DisclosureState:
    if last_at is None:
        return DisclosureState(DisclosureStatus.MISSING, None)
    if period_days is None:
        return DisclosureState(DisclosureStatus.OK, None)
    due_at = last_at + dt.timedelta(days=period_days)
    if now > due_at:
        return DisclosureState(DisclosureStatus.OVERDUE, due_at)
    if now > due_at - dt.timedelta(days=max(soon_days, 0)):
        return DisclosureState(DisclosureStatus.DUE_SOON, due_at)
    return DisclosureState(DisclosureStatus.OK, due_at)
