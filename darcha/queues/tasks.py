"""Background work of the queue; each task calls a job or a service."""

from __future__ import annotations

import datetime as dt
import logging

from django_tasks import task

log = logging.getLogger(__name__)


@task()
def notify_queue_positions(center_id: int, called_at: str) -> int:
    """After a call: tell the citizens who are now near the front (see jobs.positions_notify)."""
    from .jobs import positions_notify  # jobs imports services, which enqueues this task

    return positions_notify(center_id=center_id, now=dt.datetime.fromisoformat(called_at))


def positions_enqueue(*, center_id: int, now: dt.datetime) -> None:
    """Enqueue the position notices once a call has committed; never fails the call itself."""
    try:
        notify_queue_positions.enqueue(center_id, now.isoformat())
    except Exception:
        log.exception("could not enqueue the position notices of center %s", center_id)
