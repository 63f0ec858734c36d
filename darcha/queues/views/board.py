"""The display board of a center's hall: the page, its Server-Sent-Event stream, its voice.

The page (a TV, 1920×1080) shows the latest call huge, the other current calls and the waiting
counts per service, in Uzbek and Russian at once. It listens to `board/stream/`: first a
`snapshot` (the whole state), then each queue event as it is published; after events that change
the counts a fresh snapshot follows. A dropped connection is recovered by EventSource itself: it
reconnects and the new stream starts with a snapshot.

The stream is an async view and needs ASGI (uvicorn); under WSGI it answers one snapshot and ends,
so EventSource polls every RETRY_MS instead of holding a worker forever.

Voice: each `called` event carries the clip names to say in each language (darcha.queues.voice);
the board plays the chime and the pre-rendered clips under static/queues/voice/ (no server work).
The calls are readable from the first second, sound or not: sound is on from the start with
`?sound=1` or the center's `board_sound` setting (browsers that allow sound without a tap, as a wall
display's kiosk mode does, play at once), and a tap anywhere turns it on; until then a small
prompt beside the clock asks for the tap, covering nothing.
"""

from __future__ import annotations

import asyncio
import functools
import itertools
import json
import logging
import time

from asgiref.sync import sync_to_async
from django.conf import settings
from django.db import connection
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.templatetags.static import static
from django.urls import path, reverse
from django.utils import translation
from django.views.decorators.http import require_GET

from darcha.core.i18n import LANGUAGES
from darcha.core.models import Organization
from darcha.core.translit import latin_to_cyrillic

from .. import events, voice
from ..choices import QueueEvent
from ..selectors import board_snapshot, center_or_404, counter_labels, queue_settings

log = logging.getLogger(__name__)

PING_SECONDS = 15
RETRY_MS = 2000
MAX_STREAM_SECONDS = 3600  # then the browser reconnects (a fresh snapshot, a current server process)
SNAPSHOT_AT_LEAST_EVERY = 1.0  # seconds, while events keep coming in a burst
# Events passed on (the board ignores "operators"; the manager's live board listens to the same
# stream); after those that change the calls or the counts a snapshot follows.
FORWARDED = {
    QueueEvent.ISSUED,
    QueueEvent.CALLED,
    QueueEvent.STARTED,
    QueueEvent.HELD,
    QueueEvent.FINISHED,
    QueueEvent.TRANSFERRED,
    QueueEvent.CLOSED,
    QueueEvent.OPERATORS,
}
SNAPSHOT_AFTER = {
    QueueEvent.ISSUED,
    QueueEvent.CALLED,
    QueueEvent.HELD,
    QueueEvent.FINISHED,
    QueueEvent.TRANSFERRED,
    QueueEvent.CLOSED,
}

# The board speaks to everyone in the hall: its labels are in Uzbek and Russian at once, whatever
# the page's language (which only decides which comes first, and the Uzbek script).
LABELS = {
    "uz": {
        "now_calling": "Chaqirilmoqda",
        "window": "{n}-oyna",
        "recent": "Oxirgi chaqiruvlar",
        "waiting": "Navbatda",
        "people": "kishi",
        "total": "Jami",
        "more": "yana {n} ta xizmat",
        "no_calls": "Hozircha chaqiruv yoʻq",
        "no_waiting": "Navbat yoʻq",
        "sound": "Ovoz",
        "enable_sound": "Ovozni yoqish uchun ekranga bosing",
        "without_sound": "Ovozsiz davom etish",
        "reconnecting": "Aloqa tiklanmoqda…",
        "footer": "Navbatingiz raqami va oyna shu yerda koʻrsatiladi hamda ovoz bilan eʼlon qilinadi",
        "weekdays": ["Dushanba", "Seshanba", "Chorshanba", "Payshanba", "Juma", "Shanba", "Yakshanba"],
    },
    "ru": {
        "now_calling": "Вызывается",
        "window": "окно {n}",
        "recent": "Последние вызовы",
        "waiting": "В очереди",
        "people": "чел.",
        "total": "Всего",
        "more": "ещё услуг: {n}",
        "no_calls": "Вызовов пока нет",
        "no_waiting": "Очереди нет",
        "sound": "Звук",
        "enable_sound": "Нажмите на экран, чтобы включить звук",
        "without_sound": "Продолжить без звука",
        "reconnecting": "Восстановление связи…",
        "footer": "Номер талона и окно показываются здесь и объявляются голосом",
        "weekdays": ["Понедельник", "Вторник", "Среда", "Четверг", "Пятница", "Суббота", "Воскресенье"],
    },
}


def _labels(uzbek_script: str) -> dict:
    if uzbek_script != "cyrl":
        return LABELS["uz"]
    return {
        key: [latin_to_cyrillic(v) for v in value] if isinstance(value, list) else latin_to_cyrillic(value)
        for key, value in LABELS["uz"].items()
    }


def _uzbek_script() -> str:
    """The Uzbek script of the page's language: the script subtag of its BCP 47 tag (core.i18n)."""
    tag = next((language.html for language in LANGUAGES if language.code == translation.get_language()), "")
    return "cyrl" if tag.endswith("-Cyrl") else "latn"


def _center_names(center: Organization, script: str) -> dict[str, str]:
    uz = center.name_uz
    if script == "cyrl":
        uz = center.name_uz_cyrl or latin_to_cyrillic(uz)
    return {"uz": uz, "ru": center.name_ru or center.name_uz}


@functools.cache
def voice_assets() -> dict | None:
    """Static URLs of the chime and every clip (hashed names in production), or None when the
    clips have not been rendered."""
    manifest_path = settings.BASE_DIR / "static" / "queues" / "voice" / "manifest.json"
    try:
        manifest = json.loads(manifest_path.read_text())
    except (OSError, ValueError):
        return None
    extension = manifest["format"]
    return {
        "type": manifest["type"],
        "chime": static(f"queues/voice/{manifest['chime']}"),
        "clips": {
            lang: {name: static(f"queues/voice/{lang}/{name}.{extension}") for name in names}
            for lang, names in manifest["clips"].items()
        },
    }


SOUND_ON, SOUND_OFF = ("1", "on", "true"), ("0", "off", "false")


def board_sound(request, center: Organization) -> bool | None:
    """Whether the board plays sound from the start: `?sound=1` (`?sound=0` keeps it off), else the
    center's setting (`QueueSettings.board_sound`); None leaves it to the board's last choice, kept
    in the browser. Either way the calls are shown at once, and a tap turns sound on."""
    asked = request.GET.get("sound", "").lower()
    if asked in SOUND_ON:
        return True
    if asked in SOUND_OFF:
        return False
    return True if queue_settings(center).board_sound else None


@require_GET
def board(request, center: str):
    center = center_or_404(center)
    sound = board_sound(request, center)
    script = _uzbek_script()
    primary = "ru" if translation.get_language() == "ru" else "uz"
    labels = {"uz": _labels(script), "ru": LABELS["ru"]}
    config = {
        "stream": reverse("queues:board_stream", kwargs={"center": center.code}),
        "labels": labels,
        "order": [primary, "ru" if primary == "uz" else "uz"],
        "timeZone": settings.TIME_ZONE,
        "voice": voice_assets(),
        "pause": voice.PAUSE,
        "sound": sound,
    }
    names = _center_names(center, script)
    # Each label as [(language, text), …] in the page's order, for the template.
    text = {
        key: [(lang, labels[lang][key]) for lang in config["order"]]
        for key, value in LABELS["ru"].items()
        if isinstance(value, str)
    }
    return render(
        request,
        "queues/board/board.html",
        {
            "center": center,
            "names": [(lang, names[lang]) for lang in config["order"]],
            "text": text,
            "primary": primary,
            "board_config": config,
            "sound_setting": {True: "on", False: "off"}.get(sound, ""),
        },
    )


# --- the stream -------------------------------------------------------------------------------


async def _in_thread(function, *args):
    """Run ORM work in a worker thread and give its connection back at once: a stream lasts
    hours, and must not hold a pooled connection the whole time."""

    def work():
        try:
            return function(*args)
        finally:
            if not connection.in_atomic_block:
                connection.close()

    return await sync_to_async(work, thread_sensitive=False)()


def _snapshot(center: Organization, script: str) -> dict:
    snapshot = board_snapshot(center)
    # Windows with a label of their own ("Soliq oynasi"); the others are shown as "3-oyna / окно 3".
    snapshot["labels"] = counter_labels(center)
    for row in snapshot["waiting"]:
        row["name_ru"] = row["name_ru"] or row["name_uz"]
        if script == "cyrl":
            row["name_uz"] = latin_to_cyrillic(row["name_uz"])
    snapshot["server_time"] = time.time()
    return snapshot


class _SharedSnapshots:
    """One snapshot computation per center shared by all of a process's streams.

    After an event every board needs a fresh snapshot; computed once (single flight) and reused by
    each stream that asks for one newer than the event it saw, 20 boards cost one set of queries."""

    def __init__(self) -> None:
        self._latest: dict[tuple, tuple[float, dict]] = {}
        self._locks: dict[tuple, asyncio.Lock] = {}

    async def get(self, center: Organization, script: str, *, newer_than: float) -> dict:
        key = (id(asyncio.get_running_loop()), center.pk, script)
        lock = self._locks.setdefault(key, asyncio.Lock())
        async with lock:
            cached = self._latest.get(key)
            if cached is not None and cached[0] >= newer_than:
                return cached[1]
            started = time.time()
            snapshot = await _in_thread(_snapshot, center, script)
            self._latest[key] = (started, snapshot)
            return snapshot


_snapshots = _SharedSnapshots()


def _sse(kind: str, data: dict, event_id: str) -> str:
    return f"id: {event_id}\nevent: {kind}\ndata: {json.dumps(data, ensure_ascii=False)}\n\n"


async def board_events(
    center: Organization,
    *,
    script: str = "latn",
    ping_seconds: float = PING_SECONDS,
    max_seconds: float = MAX_STREAM_SECONDS,
):
    """The stream's text: `retry`, a snapshot, then the center's events as they come (see module doc)."""
    started = time.monotonic()
    ids = (f"{int(time.time() * 1000)}-{n}" for n in itertools.count(1))
    async with events.subscribe(center.pk) as inbox:
        # Subscribed first, then the snapshot: nothing published in between is missed.
        snapshot = await _snapshots.get(center, script, newer_than=time.time())
        yield f"retry: {RETRY_MS}\n" + _sse(QueueEvent.SNAPSHOT, snapshot, next(ids))
        stale_since = None  # the counts on the board may be out of date since then (monotonic clock)
        stale_wall = None  # the same moment on the wall clock: a shared snapshot must be newer than it
        while time.monotonic() - started < max_seconds:
            try:
                payload = await asyncio.wait_for(inbox.get(), timeout=ping_seconds)
            except TimeoutError:
                yield ": ping\n\n"
                continue
            try:
                event = json.loads(payload)
            except ValueError:
                log.warning("unreadable queue event: %r", payload[:200])
                continue
            kind = event.get("type")
            if inbox.take_dropped() or kind == QueueEvent.RESYNC:
                # Events were lost (the bus reconnected, or this client fell behind): say so, and
                # send the whole state.
                yield _sse(QueueEvent.RESYNC, {"type": QueueEvent.RESYNC}, next(ids))
                stale_since = stale_since or time.monotonic()
                stale_wall = stale_wall or time.time()
            if kind in SNAPSHOT_AFTER:
                stale_since = stale_since or time.monotonic()
                stale_wall = stale_wall or time.time()
            if kind in FORWARDED:
                if kind == QueueEvent.CALLED:
                    event["voice"] = voice.announcement(event.get("ticket", ""), event.get("counter"))
                event["server_time"] = time.time()
                yield _sse(kind, event, next(ids))
            # In a burst, one snapshot after the burst (but at least one a second).
            if stale_since and (inbox.empty() or time.monotonic() - stale_since > SNAPSHOT_AT_LEAST_EVERY):
                newer_than, stale_since, stale_wall = stale_wall, None, None
                yield _sse(QueueEvent.SNAPSHOT, await _snapshots.get(center, script, newer_than=newer_than), next(ids))


_warned_wsgi = False


@require_GET
async def board_stream(request, center: str):
    center = await _in_thread(center_or_404, center)
    script = _uzbek_script()
    if "wsgi.version" in request.META:
        # A WSGI worker must not be held by an endless stream: one snapshot, and EventSource
        # comes back after RETRY_MS. Route the streams to the ASGI server to get live events.
        global _warned_wsgi
        if not _warned_wsgi:
            _warned_wsgi = True
            log.warning("board stream served by WSGI: polling every %d ms; serve /queue/*/stream/ by ASGI", RETRY_MS)
        snapshot = await _in_thread(_snapshot, center, script)
        response = HttpResponse(
            f"retry: {RETRY_MS}\n" + _sse(QueueEvent.SNAPSHOT, snapshot, str(int(time.time() * 1000))),
            content_type="text/event-stream; charset=utf-8",
        )
    else:
        response = StreamingHttpResponse(
            board_events(center, script=script), content_type="text/event-stream; charset=utf-8"
        )
    response["Cache-Control"] = "no-cache"
    response["X-Accel-Buffering"] = "no"  # nginx: pass each event on at once
    return response


urlpatterns = [
    path("<slug:center>/board/", board, name="board"),
    path("<slug:center>/board/stream/", board_stream, name="board_stream"),
]
