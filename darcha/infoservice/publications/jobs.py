"""The publications' periodic work, registered with the scheduler in PublicationsConfig.ready():

publications.publish_due   every minute    scheduled publications whose time has come go out
publications.missed        every minute    the press secretaries told of scheduled ones still not out
                                           PUBLICATIONS_MISSED_MINUTES after their time (once each)

Two jobs, so a publication that keeps failing to go out does not stop the alert about it.
"""

from __future__ import annotations

import datetime as dt

from .services import missed_alert, publish_due


def publish(*, now: dt.datetime | None = None) -> int:
    return publish_due(now)


def missed(*, now: dt.datetime | None = None) -> int:
    return missed_alert(now)


def register() -> None:
    from darcha.core.scheduler import register_job

    register_job("publications.publish_due", every_seconds=60, func=publish)
    register_job("publications.missed", every_seconds=60, func=missed)
