"""The cases app's periodic work, registered with the scheduler in CasesConfig.ready():

cases.escalate         every 10 min   tasks due within a day, overdue tasks: clerk, then head, then manager
cases.pending_uploads  every 15 min   files kept from forms sent back, older than CASES_PENDING_UPLOAD_HOURS
"""

from __future__ import annotations

import datetime as dt

from .services import pending_uploads_expire, tasks_escalate


def escalate(*, now: dt.datetime | None = None) -> dict[str, int]:
    return tasks_escalate(now=now)


def pending_uploads(*, now: dt.datetime | None = None) -> int:
    return pending_uploads_expire(now=now)


def register() -> None:
    from darcha.core.scheduler import register_job

    register_job("cases.escalate", every_seconds=600, func=escalate)
    register_job("cases.pending_uploads", every_seconds=900, func=pending_uploads)
