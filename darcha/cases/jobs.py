"""The cases app's periodic work, registered with the scheduler in CasesConfig.ready():

cases.escalate   every 10 min   tasks due within a day, overdue tasks: clerk, then head, then manager
"""

from __future__ import annotations

import datetime as dt

from .services import tasks_escalate


def escalate(*, now: dt.datetime | None = None) -> dict[str, int]:
    return tasks_escalate(now=now)


def register() -> None:
    from darcha.core.scheduler import register_job

    register_job("cases.escalate", every_seconds=600, func=escalate)
