"""Live queue events (a ticket called, the waiting counts changed) for boards and consoles.

`publish` is called after commit by the service functions; `subscribe` yields a center's events
to Server-Sent-Event streams. Within one process events fan out through asyncio queues; across
processes they travel through PostgreSQL LISTEN/NOTIFY (or Redis pub/sub when REDIS_URL is set),
and every process's listener fans them out to its own subscribers.
"""

from __future__ import annotations

import json
import logging

log = logging.getLogger(__name__)


def channel_name(center_id: int) -> str:
    return f"darcha_queue_{center_id}"


def publish(center_id: int, event: dict) -> None:
    """Send an event to every board and console of the center, in every server process."""
    from . import eventbus

    try:
        eventbus.get_bus().publish(channel_name(center_id), json.dumps(event, ensure_ascii=False))
    except Exception:  # a board missing one event recovers on its next snapshot; the change is saved
        log.exception("could not publish a queue event")
