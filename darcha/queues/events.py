"""Live queue events (a ticket called, the waiting counts changed) for boards and consoles.

`publish` is called after commit by the service functions (from synchronous code); `subscribe`
gives a Server-Sent-Event stream the center's events, as JSON text, in an asyncio queue. How they
travel between server processes (PostgreSQL LISTEN/NOTIFY, Redis pub/sub, Unix sockets beside a
SQLite file, or within one process) is the business of `eventbus`.

Event types are `choices.QueueEvent`: issued, called (also on recall and resume), started, held,
finished, transferred, closed, operators — and resync, sent by the bus itself when events may have
been lost (after its listener reconnected, or when a subscriber fell behind): the stream answers it
with a snapshot.
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
        eventbus.get_bus().publish(channel_name(center_id), json.dumps(event, ensure_ascii=False, default=str))
    except Exception:  # a board missing one event recovers on its next snapshot; the change is saved
        log.exception("could not publish a queue event")


def subscribe(center_id: int):
    """`async with subscribe(center_id) as inbox:` the center's events from now on, as JSON texts
    in an `eventbus.Inbox` (an asyncio queue)."""
    from . import eventbus

    return eventbus.get_bus().subscribe(channel_name(center_id))
