"""Desk panels that need only core, and the opening-hours helpers the center panels share.

Registered from CoreConfig.ready(); panels that read the catalog live in darcha.catalog.desk.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.dates import WEEKDAYS, WEEKDAYS_ABBR

from . import hours as opening_rule
from .calendar import WorkingCalendar
from .choices import HolidayKind, Role
from .desk import register_panel
from .models import Holiday, Membership, OpeningHours, Organization


@dataclass(frozen=True)
class HoursRow:
    days: str
    opens: dt.time
    closes: dt.time


def opening_summary(hours: list[OpeningHours]) -> list[HoursRow]:
    """Weekdays with the same hours run together: "Mon–Fri 09:00–18:00", "Sat 09:00–15:00"."""
    rows: list[tuple[int, int, dt.time, dt.time]] = []
    for item in sorted(hours, key=lambda h: h.weekday):
        if rows and rows[-1][1] == item.weekday - 1 and rows[-1][2:] == (item.opens, item.closes):
            rows[-1] = (rows[-1][0], item.weekday, item.opens, item.closes)
        else:
            rows.append((item.weekday, item.weekday, item.opens, item.closes))
    result = []
    for first, last, opens, closes in rows:
        if first == last:
            days = str(WEEKDAYS_ABBR[first])
        else:
            days = f"{WEEKDAYS_ABBR[first]}–{WEEKDAYS_ABBR[last]}"
        result.append(HoursRow(days, opens, closes))
    return result


@dataclass(frozen=True)
class OpeningToday:
    day: dt.date
    weekday: str
    hours: OpeningHours | None
    is_open: bool
    holiday: Holiday | None


def opening_today(hours: list[OpeningHours], holidays: list[Holiday], now: dt.datetime | None = None) -> OpeningToday:
    """Today's hours and whether the center is open right now, by the one rule (`core.hours`:
    days off closed, a transferred working day with its weekday's own hours)."""
    now = timezone.localtime(now)
    today = now.date()
    holiday = next((h for h in holidays if h.date == today), None)
    calendar = WorkingCalendar(
        days_off=frozenset(h.date for h in holidays if h.kind == HolidayKind.DAY_OFF),
        working_days=frozenset(h.date for h in holidays if h.kind == HolidayKind.WORKING_DAY),
    )
    weekly = {h.weekday: (h.opens, h.closes) for h in hours}
    row = next((h for h in hours if h.weekday == today.weekday()), None)
    if opening_rule.day_hours(today, weekly, calendar) is None:
        row = None
    return OpeningToday(
        today, str(WEEKDAYS[today.weekday()]), row, opening_rule.is_open(now, weekly, calendar), holiday
    )


def organization_card(request, membership: Membership) -> dict:
    """The organization a press secretary or leader works for, with the organizations under it."""
    organization = membership.organization
    children = list(organization.children.filter(is_active=True).order_by("kind", "path"))
    siblings: list[Organization] = []
    if not children and organization.parent_id:
        # A hokimiyat often sits beside its city's center and agencies rather than above them.
        siblings = list(
            Organization.objects.filter(parent_id=organization.parent_id, is_active=True)
            .exclude(pk=organization.pk)
            .order_by("kind", "path")
        )
    return {"organization": organization, "children": children, "siblings": siblings}


register_panel([Role.PRESS_SECRETARY, Role.LEADERSHIP], "core/panels/organization.html", organization_card, order=10)
