"""The appeals' periodic work, registered with the scheduler in InfoserviceConfig.ready():

infoservice.remind     daily at 09:00   executors reminded APPEALS_REMIND_DAYS working days before a term
infoservice.escalate   every 30 min     appeals past their term told to the head, once per appeal
"""

from __future__ import annotations

import datetime as dt

from .services.terms_control import appeals_escalate_overdue, appeals_remind_due


def remind(*, now: dt.datetime | None = None) -> int:
    return appeals_remind_due(now=now)


def escalate(*, now: dt.datetime | None = None) -> int:
    return appeals_escalate_overdue(now=now)


def register() -> None:
    from darcha.core.scheduler import register_job

    register_job("infoservice.remind", at="09:00", func=remind)
    register_job("infoservice.escalate", every_seconds=1800, func=escalate)
