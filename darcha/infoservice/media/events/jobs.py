"""The press events' periodic work, registered with the scheduler from the media app's ready():

media.events_held     every minute   announced events whose start passed are marked held
media.embargo_sync    every minute   embargoed press releases scheduled are sent to the accredited
                                     journalists; moved or withdrawn ones are told; published ones lifted
"""

from __future__ import annotations

import datetime as dt

from darcha.core.audit import SYSTEM


def events_held(*, now: dt.datetime | None = None) -> int:
    from .services import press_events_mark_held

    return press_events_mark_held(actor=SYSTEM, now=now)


def embargo_sync(*, now: dt.datetime | None = None) -> dict:
    from .embargo import embargo_sync as sync

    return sync(now=now)


def register() -> None:
    from darcha.core.scheduler import register_job

    register_job("media.events_held", every_seconds=60, func=events_held)
    register_job("media.embargo_sync", every_seconds=60, func=embargo_sync)
