"""The event bus: fan-out within a process, and for real across threads and processes.

A subscriber here runs as a server process's stream does: in its own asyncio event loop (in a
thread). Publishers are other threads, or other processes started with `python -c`.
"""

from __future__ import annotations

import asyncio
import json
import os
import queue
import socket
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pytest
from django.db import connection

from darcha.queues import eventbus, events
from darcha.queues.eventbus import RESYNC, Inbox, InProcessBus, PostgresBus, RedisBus, SocketBus

PROJECT_DIR = Path(__file__).resolve().parents[2]
DELIVERY_BOUND = 1.0  # seconds: "within a second of the call"


@pytest.fixture(autouse=True)
def _fresh_bus():
    eventbus.reset_bus()
    yield
    eventbus.reset_bus()


class Subscriber:
    """One subscription, in its own thread and event loop, recording what arrives and when."""

    def __init__(self, bus, channel: str):
        self.bus, self.channel = bus, channel
        self.received: queue.Queue[tuple[str, float]] = queue.Queue()
        self.ready = threading.Event()
        self.inbox: Inbox | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=lambda: asyncio.run(self._main()), daemon=True)

    async def _main(self) -> None:
        self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
        async with self.bus.subscribe(self.channel) as inbox:
            self.inbox = inbox
            self.ready.set()
            stopping = asyncio.ensure_future(self._stop.wait())
            while True:
                getting = asyncio.ensure_future(inbox.get())
                done, _ = await asyncio.wait({getting, stopping}, return_when=asyncio.FIRST_COMPLETED)
                if getting in done:
                    self.received.put((getting.result(), time.time()))
                if stopping in done:
                    getting.cancel()
                    return

    def __enter__(self) -> Subscriber:
        self._thread.start()
        assert self.ready.wait(10), "the subscriber did not start"
        return self

    def __exit__(self, *exc_info) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(10)

    def next(self, timeout: float = DELIVERY_BOUND) -> tuple[str, float]:
        return self.received.get(timeout=timeout)

    def expect(self, payload: str, timeout: float = DELIVERY_BOUND) -> float:
        """Wait for `payload` (other messages, like a resync, are skipped); its arrival time."""
        deadline = time.monotonic() + timeout
        while True:
            got, at = self.next(timeout=max(0.0, deadline - time.monotonic()))
            if got == payload:
                return at


def in_thread(function, *args) -> None:
    error: list[BaseException] = []

    def run():
        try:
            function(*args)
        except BaseException as exc:  # noqa: BLE001 — re-raised in the test's thread
            error.append(exc)
        finally:
            connection.close()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(30)
    if error:
        raise error[0]


def run_python(code: str, *args: str, env: dict[str, str] | None = None) -> str:
    """Another process: `python -c code args…` with the project importable; its output."""
    result = subprocess.run(  # noqa: S603 — the test's own interpreter and code
        [sys.executable, "-c", code, *args],
        cwd=PROJECT_DIR,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "darcha.config.settings", **(env or {})},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


# --- within one process -----------------------------------------------------------------------


def test_in_process_bus_fans_out_to_every_subscriber_of_the_channel():
    bus = InProcessBus()
    with Subscriber(bus, "c1") as first, Subscriber(bus, "c1") as second, Subscriber(bus, "c2") as other:
        in_thread(bus.publish, "c1", "hello")
        assert first.next()[0] == "hello"
        assert second.next()[0] == "hello"
        with pytest.raises(queue.Empty):
            other.next(timeout=0.2)
        assert bus.hub.subscriber_count("c1") == 2
    assert bus.hub.subscriber_count() == 0  # everyone unsubscribed on leaving


def test_a_full_inbox_drops_its_oldest_events_and_counts_them():
    bus = InProcessBus()

    async def scenario():
        async with bus.subscribe("c") as inbox:
            for n in range(eventbus.QUEUE_SIZE + 3):
                bus.publish("c", str(n))  # from the loop's own thread: delivered on the next turns
            await asyncio.sleep(0.05)
            assert inbox.qsize() == eventbus.QUEUE_SIZE
            assert inbox.take_dropped() == 3
            assert inbox.take_dropped() == 0
            assert inbox.get_nowait() == "3"  # 0, 1 and 2 were dropped
            drained = [inbox.get_nowait() for _ in range(inbox.qsize())]
            assert drained[-1] == str(eventbus.QUEUE_SIZE + 2)  # the latest is always kept

    asyncio.run(scenario())


def test_a_subscriber_whose_loop_has_closed_does_not_break_delivery_to_the_others():
    bus = InProcessBus()
    with Subscriber(bus, "c") as alive:
        stale_loop = asyncio.new_event_loop()
        stale_loop.close()
        bus.hub._subscribers["c"].add((stale_loop, Inbox()))
        bus.publish("c", "still here")
        assert alive.next()[0] == "still here"


@pytest.mark.django_db(transaction=True)  # on PostgreSQL, NOTIFY goes out at commit
def test_events_publish_goes_to_the_center_channel_as_json():
    bus = eventbus.get_bus()  # the tests' database decides: in-memory SQLite, or PostgreSQL
    assert bus.name == ("postgres" if connection.vendor == "postgresql" else "memory")
    with Subscriber(bus, events.channel_name(7)) as board:
        events.publish(7, {"type": "called", "ticket": "A-015", "counter": 3})
        assert json.loads(board.next()[0]) == {"type": "called", "ticket": "A-015", "counter": 3}


@pytest.mark.django_db
def test_the_bus_is_chosen_by_database_and_setting(settings, monkeypatch):
    monkeypatch.delenv("REDIS_URL", raising=False)
    settings.REDIS_URL = ""
    expected = "postgres" if connection.vendor == "postgresql" else "memory"
    assert eventbus.make_bus().name == expected
    settings.DARCHA_EVENT_BUS = "memory"
    assert eventbus.make_bus().name == "memory"
    settings.DARCHA_EVENT_BUS = "redis"
    settings.REDIS_URL = "redis://127.0.0.1:6379/0"
    assert isinstance(eventbus.make_bus(), RedisBus)
    settings.DARCHA_EVENT_BUS = "carrier pigeon"
    with pytest.raises(ValueError, match="carrier pigeon"):
        eventbus.make_bus()


def test_processes_sharing_a_sqlite_file_meet_in_a_directory_beside_it(tmp_path):
    short = Path(tempfile.mkdtemp(prefix="db-", dir="/tmp"))  # pytest's tmp_path may already be too long
    assert eventbus.socket_directory(short / "db.sqlite3") == short / "db.sqlite3.events"
    short.rmdir()
    deep = tmp_path / ("x" * 90) / "db.sqlite3"
    far = eventbus.socket_directory(deep)
    assert far.name.startswith("darcha-events-") and len(str(far)) < 60
    assert far == eventbus.socket_directory(deep)  # the same for every process


# --- across processes: Unix sockets (SQLite on one machine) -----------------------------------

PUBLISH_BY_SOCKET = """
import sys, time
from darcha.queues.eventbus import SocketBus
sent = time.time()
SocketBus(sys.argv[1]).publish("c", sys.argv[2])
print(sent)
"""


def test_socket_bus_delivers_from_another_process_within_a_second(tmp_path):
    bus = SocketBus(tmp_path / "events")
    try:
        with Subscriber(bus, "c") as board:
            assert bus.listening
            sent = float(run_python(PUBLISH_BY_SOCKET, str(bus.directory), "from afar"))
            arrived = board.expect("from afar")
            print(f"\nSocketBus, process to process: {(arrived - sent) * 1000:.1f} ms")
            assert arrived - sent < DELIVERY_BOUND
    finally:
        bus.close()
    assert not list(bus.directory.glob("*.sock"))  # the listener removed its socket


def test_socket_bus_removes_the_sockets_of_dead_processes(tmp_path):
    directory = tmp_path / "events"
    directory.mkdir()
    dead = directory / "999999-dead.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as gone:
        gone.bind(str(dead))  # bound, then closed: nobody reads it any more
    SocketBus(directory).publish("c", "x")
    assert not dead.exists()
    SocketBus(tmp_path / "never-listened").publish("c", "x")  # nobody listens: nothing to do


def test_a_socket_removed_from_under_its_listener_is_bound_again_and_subscribers_resync(tmp_path, monkeypatch):
    monkeypatch.setattr(eventbus, "LISTEN_POLL_SECONDS", 0.05)
    bus = SocketBus(tmp_path / "events")
    try:
        with Subscriber(bus, "c") as board:
            [path] = bus.directory.glob("*.sock")
            path.unlink()  # say, someone cleaned the directory
            assert board.expect(RESYNC, timeout=5)
            in_thread(bus.publish, "c", "found again")
            assert board.expect("found again")
    finally:
        bus.close()


def test_the_listener_stops_when_its_last_subscriber_has_left(tmp_path, monkeypatch):
    monkeypatch.setattr(eventbus, "IDLE_STOP_SECONDS", 0.2)
    monkeypatch.setattr(eventbus, "LISTEN_POLL_SECONDS", 0.05)
    bus = SocketBus(tmp_path / "events")
    with Subscriber(bus, "c"):
        thread = bus._thread
        assert bus.listening
    thread.join(3)
    assert not thread.is_alive() and not bus.listening
    with Subscriber(bus, "c") as again:  # and starts again for the next one
        in_thread(bus.publish, "c", "back")
        assert again.expect("back")
    bus.close()


# --- across processes: PostgreSQL LISTEN/NOTIFY -----------------------------------------------

on_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="LISTEN/NOTIFY needs PostgreSQL")


def _database_url() -> str:
    db = connection.settings_dict
    user = db["USER"] or "postgres"
    password = f":{db['PASSWORD']}" if db["PASSWORD"] else ""
    return f"postgres://{user}{password}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


PUBLISH_BY_DJANGO = """
import sys, time, django
django.setup()
from django.db import connection
from darcha.queues import events
connection.ensure_connection()  # a server process is connected already: time the delivery only
sent = time.time()
events.publish(int(sys.argv[1]), {"type": "called", "ticket": "B-007", "counter": 2})
print(sent)
"""


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_postgres_bus_delivers_a_notify_from_another_thread_within_a_second():
    bus = eventbus.get_bus()
    assert isinstance(bus, PostgresBus)
    with Subscriber(bus, events.channel_name(41)) as board:
        sent = time.time()
        in_thread(events.publish, 41, {"type": "called", "ticket": "A-015", "counter": 3})
        payload, arrived = board.next()
        assert json.loads(payload)["ticket"] == "A-015"
        print(f"\nPostgresBus, thread to thread: {(arrived - sent) * 1000:.1f} ms")
        assert arrived - sent < DELIVERY_BOUND


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_postgres_bus_delivers_from_another_server_process_within_a_second():
    bus = eventbus.get_bus()
    with Subscriber(bus, events.channel_name(42)) as board:
        out = run_python(PUBLISH_BY_DJANGO, "42", env={"DATABASE_URL": _database_url()})
        sent = float(out.strip().splitlines()[-1])
        payload, arrived = board.next(timeout=5)
        assert json.loads(payload) == {"type": "called", "ticket": "B-007", "counter": 2}
        print(f"\nPostgresBus, process to process: {(arrived - sent) * 1000:.1f} ms")
        assert arrived - sent < DELIVERY_BOUND


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_postgres_listener_reconnects_and_tells_subscribers_to_resync():
    bus = eventbus.get_bus()
    with Subscriber(bus, "c") as board:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name = 'darcha-events' AND datname = current_database()"
            )
            assert cursor.fetchone() is not None
        assert board.expect(RESYNC, timeout=10)  # reconnected: events may have been missed
        in_thread(bus.publish, "c", "after the drop")
        assert board.expect("after the drop")


@on_postgres
@pytest.mark.django_db(transaction=True)
def test_an_event_too_long_for_notify_becomes_a_resync():
    bus = eventbus.get_bus()
    with Subscriber(bus, "c") as board:
        in_thread(bus.publish, "c", "x" * 10_000)
        assert board.next()[0] == RESYNC


# --- across processes: Redis ------------------------------------------------------------------

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def _redis_up() -> bool:
    try:
        import redis

        return bool(redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1).ping())
    except Exception:  # noqa: BLE001 — any failure means "not available"
        return False


@pytest.mark.skipif(not _redis_up(), reason="Redis is not running")
def test_redis_bus_delivers_from_another_process_within_a_second():
    bus = RedisBus(REDIS_URL)
    code = """
import sys, time
from darcha.queues.eventbus import RedisBus
bus = RedisBus(sys.argv[1])
bus._publisher().ping()  # a server process is connected already: time the delivery only
sent = time.time()
bus.publish("c", "over redis")
print(sent)
"""
    try:
        with Subscriber(bus, "c") as board:
            sent = float(run_python(code, REDIS_URL))
            arrived = board.expect("over redis")
            print(f"\nRedisBus, process to process: {(arrived - sent) * 1000:.1f} ms")
            assert arrived - sent < DELIVERY_BOUND
    finally:
        bus.close()
