"""Surveys' periodic work, registered with the scheduler in SurveysConfig.ready():

surveys.closed   every 5 min   the press secretaries told once when a survey closes at its time
"""

from __future__ import annotations

import datetime as dt

from .services.closing import surveys_notify_closed


def closed(*, now: dt.datetime | None = None) -> int:
    return surveys_notify_closed(now=now)


def register() -> None:
    from darcha.core.scheduler import register_job

    register_job("surveys.closed", every_seconds=300, func=closed)
