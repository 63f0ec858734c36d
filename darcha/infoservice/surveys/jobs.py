"""Surveys' periodic work, registered with the scheduler in SurveysConfig.ready():

surveys.closed   every 5 min   the press secretaries told once when a survey closes at its time
surveys.states   every minute  a survey that opened or closed at its time since the last run renews the
                               held public pages (their lists of open, coming and closed surveys)
"""

from __future__ import annotations

import datetime as dt

from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone

from darcha.core.pagecache import content_changed

from .models import Survey
from .services.closing import surveys_notify_closed

LAST_RUN = "surveys:states-checked-at"
FIRST_LOOK_BACK = dt.timedelta(hours=1)


def closed(*, now: dt.datetime | None = None) -> int:
    return surveys_notify_closed(now=now)


def states(*, now: dt.datetime | None = None) -> int:
    """How many surveys opened or closed since the last run; the pages renewed if any did."""
    now = now or timezone.now()
    since = cache.get(LAST_RUN)
    since = dt.datetime.fromisoformat(since) if isinstance(since, str) else now - FIRST_LOOK_BACK
    changed = Survey.objects.filter(
        Q(opens_at__gt=since, opens_at__lte=now) | Q(closes_at__gt=since, closes_at__lte=now),
        launched_at__isnull=False,
    ).count()
    if changed:
        content_changed(kind="surveys")
    cache.set(LAST_RUN, now.isoformat(), None)
    return changed


def register() -> None:
    from darcha.core.scheduler import register_job

    register_job("surveys.closed", every_seconds=300, func=closed)
    register_job("surveys.states", every_seconds=60, func=states)
