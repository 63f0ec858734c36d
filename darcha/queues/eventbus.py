"""Fan-out of live events to Server-Sent-Event streams, within and across server processes.

Every process keeps a LocalHub: subscribers are bounded asyncio queues, each on its own event loop.
How an event published in one process reaches the hubs of the others depends on the bus:

- InProcessBus: publish hands the event to this process's hub. Only for an in-memory SQLite
  database (the tests), where no other process can share the data anyway.
- SocketBus (SQLite in a file: every process is on one machine): each process that has
  subscribers binds a Unix datagram socket in a directory next to the database file; publish
  sends the event to every socket there. `make run` (uvicorn + the task worker) uses this.
- PostgresBus: publish sends NOTIFY on one channel through Django's connection; each process
  with subscribers runs one listener (LISTEN on its own connection) that hands what it hears to
  its hub, so a call made through any process reaches boards connected to every process.
- RedisBus (REDIS_URL set): the same with Redis PUBLISH/SUBSCRIBE.

The listener of the last three runs in one daemon thread per process, whatever the number of event
loops, and stops a few seconds after the process's last subscriber leaves. When it had to
reconnect, events may have been missed meanwhile, so it sends RESYNC to every local subscriber:
streams answer it with a fresh snapshot. A subscriber that falls behind loses its oldest events
(memory stays bounded) and its queue's `dropped` count tells the stream to send a snapshot too.

Choice: DARCHA_EVENT_BUS (setting or environment) = memory | socket | postgres | redis; by
default redis when REDIS_URL is set, else postgres on PostgreSQL, socket on a SQLite file, memory
on in-memory SQLite.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import json
import logging
import os
import secrets
import socket
import tempfile
import threading
import time
from pathlib import Path

from django.conf import settings
from django.db import connections

from .choices import QueueEvent

log = logging.getLogger(__name__)

PG_CHANNEL = "darcha_events"
REDIS_CHANNEL = "darcha:events"
QUEUE_SIZE = 256
# Sent to every local subscriber after the listener reconnected: events may have been lost.
RESYNC = json.dumps({"type": QueueEvent.RESYNC})
NOTIFY_LIMIT = 7900  # PostgreSQL refuses NOTIFY payloads of 8000 bytes or more
LISTEN_POLL_SECONDS = 1.0  # how often the listener looks up from waiting (stop requests, idling)
HEALTH_CHECK_SECONDS = 30.0  # a listening connection is probed this often (half-open TCP)
IDLE_STOP_SECONDS = 5.0  # the listener stops after this long without subscribers
READY_TIMEOUT = 5.0


class Inbox(asyncio.Queue):
    """A subscriber's queue of event payloads (JSON text). When it is full the oldest event is
    dropped and counted in `dropped`: the reader then knows to send a fresh snapshot."""

    def __init__(self, maxsize: int | None = None) -> None:
        super().__init__(maxsize or QUEUE_SIZE)
        self.dropped = 0

    def put_latest(self, payload: str) -> None:
        if self.full():
            self.get_nowait()
            self.dropped += 1
        self.put_nowait(payload)

    def take_dropped(self) -> int:
        dropped, self.dropped = self.dropped, 0
        return dropped


class LocalHub:
    """This process's subscribers, by channel. `deliver` may be called from any thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._subscribers: dict[str, set[tuple[asyncio.AbstractEventLoop, Inbox]]] = {}

    def deliver(self, channel: str, payload: str) -> None:
        with self._lock:
            targets = list(self._subscribers.get(channel, ()))
        self._send(targets, payload)

    def deliver_all(self, payload: str) -> None:
        with self._lock:
            targets = [entry for entries in self._subscribers.values() for entry in entries]
        self._send(targets, payload)

    @staticmethod
    def _send(targets, payload: str) -> None:
        for loop, inbox in targets:
            with contextlib.suppress(RuntimeError):  # the loop has closed: its subscriber is gone
                loop.call_soon_threadsafe(inbox.put_latest, payload)

    def subscription(self, channel: str, *, ready=None) -> Subscription:
        return Subscription(self, channel, ready)

    def _add(self, channel: str, entry: tuple[asyncio.AbstractEventLoop, Inbox]) -> None:
        with self._lock:
            self._subscribers.setdefault(channel, set()).add(entry)

    def _remove(self, channel: str, entry: tuple[asyncio.AbstractEventLoop, Inbox]) -> None:
        with self._lock:
            entries = self._subscribers.get(channel)
            if entries is not None:
                entries.discard(entry)
                if not entries:
                    del self._subscribers[channel]

    def subscriber_count(self, channel: str | None = None) -> int:
        with self._lock:
            if channel is None:
                return sum(len(entries) for entries in self._subscribers.values())
            return len(self._subscribers.get(channel, ()))


class Subscription:
    """`async with bus.subscribe(channel) as inbox:` — registered on entering, removed on leaving.

    A class rather than a generator-based context manager: a stream's generator abandoned by a
    disconnected client is closed by the event loop's finaliser, possibly after generators it
    used; a plain object's __aexit__ still runs correctly then."""

    def __init__(self, hub: LocalHub, channel: str, ready=None) -> None:
        self.hub, self.channel, self._ready = hub, channel, ready
        self._entry: tuple[asyncio.AbstractEventLoop, Inbox] | None = None

    async def __aenter__(self) -> Inbox:
        self._entry = (asyncio.get_running_loop(), Inbox())
        self.hub._add(self.channel, self._entry)
        if self._ready is not None:
            try:
                await self._ready()
            except BaseException:
                self.hub._remove(self.channel, self._entry)
                raise
        return self._entry[1]

    async def __aexit__(self, *exc_info) -> None:
        if self._entry is not None:
            self.hub._remove(self.channel, self._entry)
            self._entry = None


class InProcessBus:
    """Events stay in this process."""

    name = "memory"

    def __init__(self) -> None:
        self.hub = LocalHub()

    def publish(self, channel: str, payload: str) -> None:
        self.hub.deliver(channel, payload)

    def subscribe(self, channel: str) -> Subscription:
        return self.hub.subscription(channel)

    def close(self) -> None:
        """Stop background work (listeners); the bus can still be used afterwards."""


class RelayBus(InProcessBus):
    """A bus whose events travel through something outside the process (a socket, PostgreSQL,
    Redis) and come back through one listener thread per process.

    Subclasses implement `publish` and `_listen(connected)`: open the connection, call
    `connected()` once listening, then hand each message to `self._received` until
    `self._should_stop()`; a lost connection raises and the listener reconnects."""

    def __init__(self) -> None:
        super().__init__()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None  # the listener; a thread that is not it stops
        self._ready = threading.Event()
        self._idle_since: float | None = None

    def subscribe(self, channel: str) -> Subscription:
        # Registered before the listener is started: a listener about to stop for lack of
        # subscribers sees this one, or has already given up its place (both decide under _lock).
        return self.hub.subscription(channel, ready=self._listening_soon)

    async def _listening_soon(self) -> None:
        self._ensure_listening()
        deadline = time.monotonic() + READY_TIMEOUT
        while not self._ready.is_set() and time.monotonic() < deadline:
            await asyncio.sleep(0.01)
        if not self._ready.is_set():
            log.warning("queue event listener (%s) is not connected yet; streaming without it", self.name)

    def _ensure_listening(self) -> None:
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                return
            self._ready.clear()
            self._idle_since = None
            self._thread = threading.Thread(target=self._run, name=f"darcha-events-{self.name}", daemon=True)
            self._thread.start()

    def close(self, timeout: float = 5) -> None:
        with self._lock:
            thread, self._thread = self._thread, None
            self._ready.clear()
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout)

    @property
    def listening(self) -> bool:
        with self._lock:
            return self._ready.is_set() and self._thread is not None and self._thread.is_alive()

    def _should_stop(self) -> bool:
        """True when this thread is no longer the listener (closed), or when no subscriber has
        been left for IDLE_STOP_SECONDS (it then gives up its place, under the lock)."""
        with self._lock:
            if self._thread is not threading.current_thread():
                return True
            if self.hub.subscriber_count():
                self._idle_since = None
                return False
            now = time.monotonic()
            if self._idle_since is None:
                self._idle_since = now
            if now - self._idle_since < IDLE_STOP_SECONDS:
                return False
            self._thread = None
            self._ready.clear()
            return True

    def _received(self, channel: str, payload: str) -> None:
        self.hub.deliver(channel, payload)

    def _run(self) -> None:
        delay, lost = 0.2, False

        def connected() -> None:
            nonlocal delay, lost
            with self._lock:
                if self._thread is threading.current_thread():
                    self._ready.set()
            delay = 0.2
            if lost:
                lost = False
                self.hub.deliver_all(RESYNC)

        while True:
            try:
                self._listen(connected)
                return  # closed, or idle
            except Exception:
                with self._lock:
                    if self._thread is threading.current_thread():
                        self._ready.clear()
                lost = True
                log.warning("queue event listener (%s) lost its connection; reconnecting", self.name, exc_info=True)
            deadline = time.monotonic() + delay
            while time.monotonic() < deadline:
                if self._should_stop():
                    return
                time.sleep(0.1)
            delay = min(delay * 2, 10)

    def _listen(self, connected) -> None:  # pragma: no cover - abstract
        raise NotImplementedError


class SocketBus(RelayBus):
    """Several processes of one machine (SQLite): a Unix datagram socket per listening process in
    a shared directory; publish sends to each. A socket nobody reads any more (its process died)
    is removed by the next publisher."""

    name = "socket"

    def __init__(self, directory: str | os.PathLike) -> None:
        super().__init__()
        self.directory = Path(directory)

    def publish(self, channel: str, payload: str) -> None:
        data = json.dumps({"c": channel, "p": payload}, ensure_ascii=False).encode()
        try:
            paths = [entry.path for entry in os.scandir(self.directory) if entry.name.endswith(".sock")]
        except FileNotFoundError:
            return  # nobody has ever listened
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sender:
            sender.setblocking(False)
            for path in paths:
                try:
                    sender.sendto(data, path)
                except (ConnectionRefusedError, FileNotFoundError):
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(path)  # its process is gone
                except BlockingIOError:
                    log.warning("queue event dropped: the listener at %s is not reading", path)

    def _listen(self, connected) -> None:
        self.directory.mkdir(mode=0o700, parents=True, exist_ok=True)
        path = self.directory / f"{os.getpid()}-{secrets.token_hex(4)}.sock"
        with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as listener:
            listener.bind(str(path))
            try:
                listener.settimeout(LISTEN_POLL_SECONDS)
                connected()
                while not self._should_stop():
                    try:
                        data = listener.recv(65536)
                    except TimeoutError:
                        if not path.exists():  # removed from under us: nobody can reach this socket
                            raise ConnectionError(f"{path} has gone") from None
                        continue
                    message = json.loads(data)
                    self._received(message["c"], message["p"])
            finally:
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()


class PostgresBus(RelayBus):
    name = "postgres"

    def __init__(self, alias: str = "default") -> None:
        super().__init__()
        self.alias = alias

    def publish(self, channel: str, payload: str) -> None:
        message = json.dumps({"c": channel, "p": payload}, ensure_ascii=False)
        if len(message.encode()) > NOTIFY_LIMIT:
            # Too long for NOTIFY: the subscribers are told to fetch a snapshot instead.
            message = json.dumps({"c": channel, "p": RESYNC})
        # Through Django's connection (its pool): called after commit, so NOTIFY goes out at once;
        # inside a transaction it would go out at that transaction's commit, as it should.
        with connections[self.alias].cursor() as cursor:
            cursor.execute("SELECT pg_notify(%s, %s)", [PG_CHANNEL, message])

    def _connection_params(self) -> dict:
        params = connections[self.alias].get_connection_params()
        for key in ("cursor_factory", "context", "pool", "prepare_threshold"):
            params.pop(key, None)
        # A half-open connection (a dead network path) is noticed by TCP keepalives and by the probe.
        params.setdefault("keepalives", 1)
        params.setdefault("keepalives_idle", 30)
        params.setdefault("keepalives_interval", 10)
        params.setdefault("keepalives_count", 3)
        params.setdefault("connect_timeout", 5)
        params.setdefault("application_name", "darcha-events")
        return params

    def _listen(self, connected) -> None:
        import psycopg

        with psycopg.connect(**self._connection_params(), autocommit=True) as conn:
            conn.execute(f"LISTEN {PG_CHANNEL}")
            connected()
            probed = time.monotonic()
            while not self._should_stop():
                for notify in conn.notifies(timeout=LISTEN_POLL_SECONDS):
                    message = json.loads(notify.payload)
                    self._received(message["c"], message["p"])
                if time.monotonic() - probed > HEALTH_CHECK_SECONDS:
                    conn.execute("SELECT 1")
                    probed = time.monotonic()


class RedisBus(RelayBus):
    name = "redis"

    def __init__(self, url: str) -> None:
        super().__init__()
        self.url = url
        self._client = None
        self._client_lock = threading.Lock()

    def _publisher(self):
        import redis

        with self._client_lock:
            if self._client is None:
                self._client = redis.Redis.from_url(self.url, socket_timeout=5, health_check_interval=30)
            return self._client

    def publish(self, channel: str, payload: str) -> None:
        message = json.dumps({"c": channel, "p": payload}, ensure_ascii=False)
        self._publisher().publish(REDIS_CHANNEL, message)

    def _listen(self, connected) -> None:
        import redis

        client = redis.Redis.from_url(self.url, socket_timeout=LISTEN_POLL_SECONDS * 5, health_check_interval=30)
        with contextlib.closing(client), client.pubsub() as pubsub:
            pubsub.subscribe(REDIS_CHANNEL)
            confirmation = pubsub.get_message(timeout=READY_TIMEOUT)
            if not confirmation or confirmation["type"] != "subscribe":
                raise ConnectionError(f"Redis did not confirm the subscription: {confirmation!r}")
            connected()
            while not self._should_stop():
                message = pubsub.get_message(timeout=LISTEN_POLL_SECONDS)
                if message and message["type"] == "message":
                    body = json.loads(message["data"])
                    self._received(body["c"], body["p"])


def socket_directory(database_file: str | os.PathLike) -> Path:
    """Where the processes sharing a SQLite file meet: beside it, or in the temporary directory
    when that path would be too long for a Unix socket address (108 bytes)."""
    database_file = Path(database_file).resolve()
    beside = database_file.with_name(database_file.name + ".events")
    if len(str(beside)) <= 80:
        return beside
    digest = hashlib.sha256(str(database_file).encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"darcha-events-{digest}"


def make_bus(kind: str | None = None) -> InProcessBus:
    connection = connections["default"]
    kind = (kind or getattr(settings, "DARCHA_EVENT_BUS", None) or os.environ.get("DARCHA_EVENT_BUS") or "auto").lower()
    redis_url = getattr(settings, "REDIS_URL", "") or os.environ.get("REDIS_URL", "")
    if kind == "auto":
        if redis_url:
            kind = "redis"
        elif connection.vendor == "postgresql":
            kind = "postgres"
        elif connection.vendor == "sqlite" and not connection.is_in_memory_db():
            kind = "socket"
        else:
            kind = "memory"
    if kind == "redis":
        return RedisBus(redis_url)
    if kind == "postgres":
        return PostgresBus()
    if kind == "socket":
        return SocketBus(socket_directory(connection.settings_dict["NAME"]))
    if kind == "memory":
        return InProcessBus()
    raise ValueError(f"unknown DARCHA_EVENT_BUS: {kind!r}")


_bus: InProcessBus | None = None
_bus_lock = threading.Lock()


def get_bus() -> InProcessBus:
    global _bus
    with _bus_lock:
        if _bus is None:
            _bus = make_bus()
        return _bus


def reset_bus() -> None:
    """Stop the current bus and choose again on next use (tests; a changed database)."""
    global _bus
    with _bus_lock:
        bus, _bus = _bus, None
    if bus is not None:
        bus.close()
