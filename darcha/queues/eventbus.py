"""Fan-out of live events to Server-Sent-Event streams, within and across server processes.

Every process keeps a LocalHub: subscribers are asyncio queues on the process's event loop.
- SQLite (one process): publish delivers to the LocalHub directly.
- PostgreSQL: publish sends NOTIFY on one channel; each process runs one LISTEN task (psycopg
  async connection) that hands what it hears to its LocalHub — so a call made through any process
  reaches boards connected to every process.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import threading
from collections.abc import AsyncIterator

from django.conf import settings
from django.db import connection

log = logging.getLogger(__name__)
PG_CHANNEL = "darcha_events"
QUEUE_SIZE = 256


class LocalHub:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscribers: dict[str, set[tuple[asyncio.AbstractEventLoop, asyncio.Queue]]] = {}

    def deliver(self, channel: str, payload: str) -> None:
        with self._lock:
            targets = list(self._subscribers.get(channel, ()))
        for loop, queue in targets:
            with contextlib.suppress(RuntimeError):  # the loop has closed: its subscriber is gone
                loop.call_soon_threadsafe(_put_latest, queue, payload)

    @contextlib.asynccontextmanager
    async def subscription(self, channel: str) -> AsyncIterator[asyncio.Queue]:
        entry = (asyncio.get_running_loop(), asyncio.Queue(QUEUE_SIZE))
        with self._lock:
            self._subscribers.setdefault(channel, set()).add(entry)
        try:
            yield entry[1]
        finally:
            with self._lock:
                self._subscribers.get(channel, set()).discard(entry)

    def subscriber_count(self, channel: str) -> int:
        with self._lock:
            return len(self._subscribers.get(channel, ()))


def _put_latest(queue: asyncio.Queue, payload: str) -> None:
    # A stalled client must not grow memory: drop its oldest event (the next snapshot recovers it).
    if queue.full():
        queue.get_nowait()
    queue.put_nowait(payload)


class InProcessBus:
    def __init__(self) -> None:
        self.hub = LocalHub()

    def publish(self, channel: str, payload: str) -> None:
        self.hub.deliver(channel, payload)

    @contextlib.asynccontextmanager
    async def subscribe(self, channel: str):
        async with self.hub.subscription(channel) as queue:
            yield queue


class PostgresBus(InProcessBus):
    def __init__(self) -> None:
        super().__init__()
        self._listeners: dict[asyncio.AbstractEventLoop, asyncio.Task] = {}
        self._ready: dict[asyncio.AbstractEventLoop, asyncio.Event] = {}

    def publish(self, channel: str, payload: str) -> None:
        message = json.dumps({"c": channel, "p": payload}, ensure_ascii=False)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_notify(%s, %s)", [PG_CHANNEL, message])

    async def _listen(self, ready: asyncio.Event) -> None:
        import psycopg

        params = connection.get_connection_params()
        params.pop("cursor_factory", None)
        params.pop("context", None)
        params.pop("pool", None)
        delay = 0.5
        while True:
            try:
                async with await psycopg.AsyncConnection.connect(**params, autocommit=True) as conn:
                    await conn.execute(f"LISTEN {PG_CHANNEL}")
                    ready.set()
                    delay = 0.5
                    async for notify in conn.notifies():
                        message = json.loads(notify.payload)
                        self.hub.deliver(message["c"], message["p"])
            except asyncio.CancelledError:
                raise
            except Exception:
                log.warning("queue event listener lost its connection; reconnecting", exc_info=True)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10)

    async def ensure_listening(self) -> None:
        loop = asyncio.get_running_loop()
        task = self._listeners.get(loop)
        if task is None or task.done():
            self._ready[loop] = asyncio.Event()
            self._listeners[loop] = loop.create_task(self._listen(self._ready[loop]))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._ready[loop].wait(), timeout=5)

    @contextlib.asynccontextmanager
    async def subscribe(self, channel: str):
        await self.ensure_listening()
        async with self.hub.subscription(channel) as queue:
            yield queue


_bus: InProcessBus | None = None
_bus_lock = threading.Lock()


def get_bus() -> InProcessBus:
    global _bus
    with _bus_lock:
        if _bus is None:
            vendor = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
            _bus = PostgresBus() if vendor.startswith("postgres") else InProcessBus()
        return _bus
