"""The accreditation's periodic work, registered with the scheduler from the media app's ready():

media.accreditations_expire    daily 00:10   accreditations past their last day become expired (holders told)
media.renewal_reminders        daily 09:00   holders reminded MEDIA_RENEWAL_REMINDER_DAYS before the end
"""

from __future__ import annotations

import datetime as dt


def accreditations_expire(*, now: dt.datetime | None = None) -> int:
    from .services.accreditation import accreditations_expire as expire

    return expire(now=now)


def renewal_reminders(*, now: dt.datetime | None = None) -> int:
    from .services.accreditation import renewal_reminders as remind

    return remind(now=now)


def register() -> None:
    from darcha.core.scheduler import register_job

    register_job("media.accreditations_expire", at="00:10", func=accreditations_expire)
    register_job("media.renewal_reminders", at="09:00", func=renewal_reminders)
