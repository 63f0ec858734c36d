"""Quotas: how many journalists of one outlet a hokimiyat accredits at a time, per outlet kind
(MEDIA_ACCREDITATION_QUOTAS), and the dates an accreditation is in force. Pure functions over plain values."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

DEFAULT_QUOTA = 2


def quota_for(kind: str) -> int:
    quotas = getattr(settings, "MEDIA_ACCREDITATION_QUOTAS", {}) or {}
    return int(quotas.get(kind, DEFAULT_QUOTA))


def over_quota(kind: str, held_by_others: int) -> bool:
    """Would one more journalist of an outlet of this kind, beside `held_by_others`, exceed the quota?"""
    return held_by_others + 1 > quota_for(kind)


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def term(start: dt.date, *, temporary_until: dt.date | None = None) -> tuple[dt.date, dt.date]:
    """(valid_from, valid_until) of an accreditation starting on `start`: MEDIA_ACCREDITATION_YEARS, the last
    day the day before the anniversary; a temporary one until the day asked for (checked beforehand)."""
    if temporary_until is not None:
        return start, temporary_until
    return start, add_years(start, int(settings.MEDIA_ACCREDITATION_YEARS)) - dt.timedelta(days=1)


def foreign_max_days() -> int:
    return int(settings.MEDIA_FOREIGN_MAX_DAYS)


def reminder_day(valid_until: dt.date) -> dt.date:
    """The first day the holder is reminded to renew (MEDIA_RENEWAL_REMINDER_DAYS before the end)."""
    return valid_until - dt.timedelta(days=int(settings.MEDIA_RENEWAL_REMINDER_DAYS))


def reminder_window_days() -> int:
    return int(settings.MEDIA_RENEWAL_REMINDER_DAYS)
