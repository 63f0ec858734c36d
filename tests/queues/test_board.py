"""The display board: its page, its event stream, and what its voice says."""

from __future__ import annotations

import asyncio
import json
import shutil
import time
import wave
from pathlib import Path

import pytest
from asgiref.sync import async_to_sync, sync_to_async
from django.conf import settings
from django.core.management import call_command
from django.db import transaction
from django.http import Http404
from django.test import AsyncClient, AsyncRequestFactory

from darcha.core.audit import SYSTEM
from darcha.queues import eventbus, events, voice
from darcha.queues.management.commands.render_voice_clips import chime
from darcha.queues.models import QueueSettings
from darcha.queues.services import operator_sign_in, ticket_call_next, ticket_issue
from darcha.queues.views.board import board_events, board_stream, voice_assets
from tests.queues.helpers import issue

VOICE_DIR = Path(settings.BASE_DIR) / "static" / "queues" / "voice"


@pytest.fixture(autouse=True)
def _fresh_bus():
    eventbus.reset_bus()
    yield
    eventbus.reset_bus()


@pytest.fixture
def hall(transactional_db, hall):
    # Committed rows: the stream reads them from its own worker threads, as under a server.
    return hall


def parse(chunk: str | bytes) -> list[tuple[str, dict | None]]:
    """The events of a piece of the stream: [(event name, data)], ("ping", None) for a comment."""
    if isinstance(chunk, bytes):
        chunk = chunk.decode()
    found = []
    for block in chunk.split("\n\n"):
        if not block.strip():
            continue
        if block.startswith(": ping"):
            found.append(("ping", None))
            continue
        fields = dict(line.split(": ", 1) for line in block.splitlines() if ": " in line)
        if "event" in fields:
            found.append((fields["event"], json.loads(fields["data"])))
    return found


async def read(stream, timeout: float = 5) -> list[tuple[str, dict | None]]:
    return parse(await asyncio.wait_for(anext(stream), timeout))


def call_and_time(hall):
    """ticket_call_next at counter 1; returns (ticket, the moment its transaction committed)."""
    committed = {}
    with transaction.atomic():
        transaction.on_commit(lambda: committed.setdefault("at", time.time()))  # runs before the publish
        ticket = ticket_call_next(actor=hall.operator, counter=hall.counter1)
    return ticket, committed["at"]


# --- the page ---------------------------------------------------------------------------------


def test_the_board_page_shows_uzbek_and_russian_at_once(client, hall):
    response = client.get(f"/queue/{hall.center.code}/board/")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="uz">' in page
    body = page[page.index("<body") :]
    assert "Chaqirilmoqda" in body and "Вызывается" in body
    assert body.index("Chaqirilmoqda") < body.index("Вызывается")  # Uzbek first
    assert "Sinov markazi" in page
    config = response.context["board_config"]
    assert config["stream"] == f"/queue/{hall.center.code}/board/stream/"
    assert config["order"] == ["uz", "ru"]
    assert set(config["voice"]["clips"]) == {"uz", "ru"}
    assert config["voice"]["clips"]["uz"]["navbat"].endswith("/queues/voice/uz/navbat.ogg")


def test_in_russian_the_board_puts_russian_first(client, hall):
    response = client.get(f"/ru/queue/{hall.center.code}/board/")
    assert response.status_code == 200
    page = response.content.decode()
    assert '<html lang="ru">' in page
    body = page[page.index("<body") :]
    assert body.index("Вызывается") < body.index("Chaqirilmoqda")
    assert response.context["board_config"]["stream"] == f"/ru/queue/{hall.center.code}/board/stream/"


def test_in_uzbek_cyrillic_the_uzbek_labels_are_cyrillic(client, hall):
    page = client.get(f"/uz-cyrl/queue/{hall.center.code}/board/").content.decode()
    assert "Чақирилмоқда" in page and "Вызывается" in page
    assert "Chaqirilmoqda" not in page


def test_sound_on_from_the_start_by_the_url_or_the_centers_setting(client, hall):
    """A wall display has nobody to tap "enable sound": `?sound=1` or the center's setting turns it on from
    the start (`?sound=0` keeps it off); without either the board keeps the browser's last choice."""
    url = f"/queue/{hall.center.code}/board/"

    def sound(query=""):
        response = client.get(url + query)
        assert response.status_code == 200
        return response.context["board_config"]["sound"], response.content.decode()

    assert sound()[0] is None
    assert sound("?sound=1")[0] is True and sound("?sound=0")[0] is False
    QueueSettings.objects.create(center=hall.center, board_sound=True)
    on, page = sound()
    assert on is True and 'data-sound="on"' in page
    assert sound("?sound=0")[0] is False


def test_the_sound_prompt_covers_no_call(client, hall):
    """The prompt for a tap sits in the header beside the clock, not over the board (a dark veil used to
    cover the calls until someone tapped)."""
    page = client.get(f"/queue/{hall.center.code}/board/").content.decode()
    header = page[page.index('<header class="board-header">') : page.index("</header>")]
    assert 'id="board-unlock"' in header and 'id="board-unlock-enable"' in header
    css = (settings.BASE_DIR / "static" / "queues" / "board.css").read_text()
    unlock = css[css.index(".board-unlock {") : css.index("}", css.index(".board-unlock {"))]
    assert "position: fixed" not in unlock and "inset" not in unlock and "background" not in unlock


@pytest.mark.parametrize("code", ["no-such-center", "test-agency"])
def test_a_board_exists_only_for_a_center(client, hall, code):
    assert client.get(f"/queue/{code}/board/").status_code == 404
    request = AsyncRequestFactory().get(f"/queue/{code}/board/stream/")
    with pytest.raises(Http404):
        async_to_sync(board_stream)(request, center=code)


# --- the stream -------------------------------------------------------------------------------


def test_the_stream_starts_with_a_snapshot_then_sends_the_call_once_committed(hall):
    operator_sign_in(actor=hall.operator, counter=hall.counter1)
    issue(hall, hall.a1)

    async def scenario():
        stream = board_events(hall.center)
        try:
            first = await asyncio.wait_for(anext(stream), 5)
            assert first.startswith("retry: 2000\n")
            [(kind, snapshot)] = parse(first)
            assert kind == "snapshot"
            assert snapshot["calls"] == []
            assert [(row["prefix"], row["count"]) for row in snapshot["waiting"]] == [("A", 1)]
            assert snapshot["labels"] == {"3": "Soliq oynasi"}

            ticket, committed = await sync_to_async(call_and_time)(hall)
            [(kind, called)] = await read(stream)
            arrived = time.time()
            print(f"\ncall committed → `called` event read from the stream: {(arrived - committed) * 1000:.1f} ms")
            assert kind == "called"
            assert called["ticket"] == ticket.display == "A-001"
            assert called["counter"] == 1
            assert called["voice"] == {
                "uz": ["navbat", "letter-a", "1", "pause", "ord-1", "oynaga"],
                "ru": ["talon", "letter-a", "1", "pause", "okno", "1"],
            }
            # The count changed too (waiting → called): a snapshot follows.
            [(kind, after)] = await read(stream)
            assert kind == "snapshot"
            assert [(c["ticket"], c["counter"], c["status"]) for c in after["calls"]] == [("A-001", 1, "called")]
            assert after["waiting"] == []
        finally:
            await stream.aclose()
        assert eventbus.get_bus().hub.subscriber_count() == 0  # closing the stream unsubscribes

    async_to_sync(scenario)()


def test_over_asgi_the_stream_is_event_stream_that_is_never_cached_or_buffered(hall):
    async def scenario():
        response = await AsyncClient().get(f"/queue/{hall.center.code}/board/stream/")
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/event-stream")
        assert response["Cache-Control"] == "no-cache"
        assert response["X-Accel-Buffering"] == "no"
        assert response.streaming
        content = aiter(response.streaming_content)
        try:
            first = await asyncio.wait_for(anext(content), 5)
            assert [kind for kind, _ in parse(first)] == ["snapshot"]
            assert b"\nid: " in b"\n" + first
            await sync_to_async(ticket_issue)(actor=SYSTEM, center=hall.center, service=hall.b1)
            kinds = [kind for kind, _ in parse(await asyncio.wait_for(anext(content), 5))]
            kinds += [kind for kind, _ in parse(await asyncio.wait_for(anext(content), 5))]
            assert kinds == ["issued", "snapshot"]  # a new ticket: the counts follow at once
        finally:
            await content.aclose()

    async_to_sync(scenario)()


def test_the_board_only_answers_get(client, hall):
    assert client.post(f"/queue/{hall.center.code}/board/").status_code == 405
    assert async_to_sync(AsyncClient().post)(f"/queue/{hall.center.code}/board/stream/").status_code == 405


def test_under_wsgi_the_stream_answers_one_snapshot_and_ends(client, hall):
    # A WSGI worker must not be held by an endless stream: EventSource comes back every 2 s.
    response = client.get(f"/queue/{hall.center.code}/board/stream/")
    assert response.status_code == 200
    assert not response.streaming
    body = response.content.decode()
    assert body.startswith("retry: 2000\n")
    assert [kind for kind, _ in parse(body)] == ["snapshot"]


def test_a_quiet_stream_sends_a_ping_comment(hall):
    async def scenario():
        stream = board_events(hall.center, ping_seconds=0.05)
        try:
            await read(stream)
            assert await read(stream) == [("ping", None)]
        finally:
            await stream.aclose()

    async_to_sync(scenario)()


def test_after_a_resync_or_lost_events_the_stream_sends_a_snapshot(hall, monkeypatch):
    monkeypatch.setattr(eventbus, "QUEUE_SIZE", 2)
    channel = events.channel_name(hall.center.pk)
    publish = sync_to_async(lambda payload: eventbus.get_bus().publish(channel, payload))

    async def scenario():
        stream = board_events(hall.center)
        try:
            await read(stream)
            await publish(eventbus.RESYNC)
            assert [kind for kind, _ in await read(stream) + await read(stream)] == ["resync", "snapshot"]
            # A stalled reader: five events into a queue of two; it hears of the loss, the last two
            # events arrive, then a snapshot.
            for n in range(5):
                await publish(json.dumps({"type": "started", "ticket": f"A-00{n}"}))
            await asyncio.sleep(0.2)
            got = []
            for _ in range(4):
                got += await read(stream)
            assert [(kind, data.get("ticket")) for kind, data in got] == [
                ("resync", None),
                ("started", "A-003"),
                ("started", "A-004"),
                ("snapshot", None),
            ]
        finally:
            await stream.aclose()

    async_to_sync(scenario)()


def test_a_stream_ends_after_its_time_and_the_browser_reconnects(hall):
    async def scenario():
        stream = board_events(hall.center, ping_seconds=0.05, max_seconds=0.3)
        await read(stream)
        await sync_to_async(events.publish)(hall.center.pk, {"type": "operators"})  # for the manager's board
        kinds = []
        async for chunk in stream:  # ends by itself: the browser reconnects and gets a snapshot
            kinds += [kind for kind, _ in parse(chunk)]
        assert kinds[0] == "operators"
        assert set(kinds[1:]) == {"ping"}  # no snapshot: operators change no count

    async_to_sync(scenario)()


# --- voice ------------------------------------------------------------------------------------


def test_ticket_a_015_to_window_3_in_uzbek():
    clips = voice.compose("A-015", 3, "uz")
    assert clips == ["navbat", "letter-a", "10", "5", "pause", "ord-3", "oynaga"]
    assert voice.text(clips, "uz") == "Navbat a oʻn besh, uchinchi oynaga"


def test_ticket_a_015_to_window_3_in_russian():
    clips = voice.compose("A-015", 3, "ru")
    assert clips == ["talon", "letter-a", "15", "pause", "okno", "3"]
    assert voice.text(clips, "ru") == "Талон а пятнадцать, окно три"


@pytest.mark.parametrize(
    ("number", "words"),
    [
        (7, "семь"),
        (11, "одиннадцать"),
        (15, "пятнадцать"),
        (40, "сорок"),
        (101, "сто один"),
        (999, "девятьсот девяносто девять"),
        (110, "сто десять"),
        (300, "триста"),
    ],
)
def test_russian_numbers(number, words):
    assert voice.text(voice.number_words(number, "ru"), "ru") == words


@pytest.mark.parametrize(
    ("number", "words", "ordinal"),
    [
        (1, "bir", "birinchi"),
        (12, "oʻn ikki", "oʻn ikkinchi"),
        (50, "ellik", "elliginchi"),
        (100, "yuz", "yuzinchi"),
        (240, "ikki yuz qirq", "ikki yuz qirqinchi"),
        (999, "toʻqqiz yuz toʻqson toʻqqiz", "toʻqqiz yuz toʻqson toʻqqizinchi"),
    ],
)
def test_uzbek_numbers_and_ordinals(number, words, ordinal):
    assert voice.text(voice.number_words(number, "uz"), "uz") == words
    assert voice.text(voice.ordinal_words(number), "uz") == ordinal


def test_prefixes_of_two_letters_long_numbers_and_unknown_signs():
    assert voice.compose("AB-007", 12, "ru") == ["talon", "letter-a", "letter-b", "7", "pause", "okno", "12"]
    assert voice.number_words(1234, "ru") == ["1", "2", "3", "4"]  # digit by digit beyond 999
    assert voice.compose("Ж-001", 2, "uz")[:3] == ["navbat", "1", "pause"]  # not a Latin letter: not said
    assert voice.announcement("A-001", None) == {}


def test_every_clip_a_call_can_need_is_rendered_and_small():
    needed = {lang: set() for lang in voice.LANGUAGES}
    for lang in voice.LANGUAGES:
        for number in range(1, 1000):
            needed[lang].update(voice.compose(f"A-{number:03d}", number % 40 + 1, lang))
        for letter in "ABCDEFGHIJKLMNOPQRSTUVWXYZ":
            needed[lang].update(voice.compose(f"{letter}-001", 1, lang))
        needed[lang].discard(voice.PAUSE)
        assert needed[lang] <= set(voice.CLIPS[lang])
    manifest = json.loads((VOICE_DIR / "manifest.json").read_text())
    for lang, names in voice.CLIPS.items():
        assert set(manifest["clips"][lang]) == set(names)
        for name in names:
            assert (VOICE_DIR / lang / f"{name}.{manifest['format']}").stat().st_size > 500
    total = sum(path.stat().st_size for path in VOICE_DIR.rglob("*") if path.is_file())
    assert total < 3 * 1024 * 1024
    assets = voice_assets()
    assert set(assets["clips"]["ru"]) == set(voice.CLIPS["ru"])


def test_the_chime_is_a_short_two_tone_sound():
    samples = chime()
    assert 0.8 < len(samples) / 16_000 < 2.0
    assert max(abs(s) for s in samples) > 20_000
    with wave.open(str(VOICE_DIR / "chime.wav")) as rendered:
        assert (rendered.getnchannels(), rendered.getframerate(), rendered.getsampwidth()) == (1, 16_000, 2)


@pytest.mark.skipif(not shutil.which("espeak-ng"), reason="espeak-ng is not installed (make voices)")
def test_clips_are_rendered_with_espeak_ng(tmp_path):
    call_command("render_voice_clips", output=str(tmp_path), format="wav", words="navbat,15")
    with wave.open(str(tmp_path / "uz" / "navbat.wav")) as clip:
        assert (clip.getnchannels(), clip.getframerate()) == (1, 16_000)
        assert 0.3 < clip.getnframes() / clip.getframerate() < 1.5  # the silence around the word is cut
    assert (tmp_path / "ru" / "15.wav").exists() and (tmp_path / "chime.wav").exists()
    assert not (tmp_path / "ru" / "talon.wav").exists()
