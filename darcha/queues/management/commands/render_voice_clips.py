"""Render the display board's voice clips (Uzbek and Russian) and its chime, once, into static files.

The clips are committed, so boards speak offline and servers need no speech engine; run this again
(`make voices`) after changing the words in darcha/queues/voice.py. Needs Debian's espeak-ng and,
for the default Ogg Opus output (~3 KB a word), opus-tools; `--format wav` needs only espeak-ng
(16 kHz mono, ~15 KB a word).
"""

from __future__ import annotations

import json
import math
import shutil
import subprocess
import tempfile
import wave
from array import array
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from darcha.queues.voice import CLIPS, ESPEAK_VOICES

DEFAULT_OUTPUT = Path(settings.BASE_DIR) / "static" / "queues" / "voice"
WAV_RATE = 16_000
OPUS_BITRATE = 24  # kbit/s: clear speech, a few kilobytes a word
PEAK = 0.89  # of full scale, after normalising


def read_wav(path: Path) -> tuple[int, array]:
    with wave.open(str(path), "rb") as source:
        if source.getnchannels() != 1 or source.getsampwidth() != 2:
            raise CommandError(f"{path}: expected 16-bit mono audio")
        rate = source.getframerate()
        samples = array("h")
        samples.frombytes(source.readframes(source.getnframes()))
    return rate, samples


def write_wav(path: Path, rate: int, samples: array) -> None:
    with wave.open(str(path), "wb") as target:
        target.setnchannels(1)
        target.setsampwidth(2)
        target.setframerate(rate)
        target.writeframes(samples.tobytes())


def trim(samples: array, rate: int, threshold: float = 0.02, before: float = 0.015, after: float = 0.04) -> array:
    """Cut the silence espeak-ng leaves around a word, keeping a few milliseconds."""
    peak = max((abs(s) for s in samples), default=0)
    if not peak:
        return samples
    level = peak * threshold
    loud = [i for i, s in enumerate(samples) if abs(s) > level]
    start = max(loud[0] - int(before * rate), 0)
    end = min(loud[-1] + int(after * rate), len(samples))
    return samples[start:end]


def normalise(samples: array) -> array:
    peak = max((abs(s) for s in samples), default=0)
    if not peak:
        return samples
    gain = PEAK * 32767 / peak
    return array("h", (max(-32768, min(32767, round(s * gain))) for s in samples))


def resample(samples: array, rate: int, target: int) -> array:
    """Linear interpolation: enough for speech going down from 22.05 to 16 kHz."""
    if rate == target or not samples:
        return samples
    count = max(1, int(len(samples) * target / rate))
    step = rate / target
    last = len(samples) - 1
    out = array("h")
    for i in range(count):
        position = i * step
        left = min(int(position), last)
        right = min(left + 1, last)
        fraction = position - left
        out.append(round(samples[left] * (1 - fraction) + samples[right] * fraction))
    return out


def chime(rate: int = WAV_RATE) -> array:
    """Two bell-like tones, high then low ("ding-dong"), with soft attacks and decaying tails."""
    notes = [(0.0, 784.0, 0.9), (0.42, 587.3, 1.1)]  # (start s, frequency Hz, length s): G5, D5
    length = int((notes[-1][0] + notes[-1][2]) * rate)
    mix = [0.0] * length
    for start, frequency, duration in notes:
        offset = int(start * rate)
        for i in range(int(duration * rate)):
            t = i / rate
            envelope = min(1.0, t / 0.008) * math.exp(-4.2 * t)
            tone = (
                math.sin(2 * math.pi * frequency * t)
                + 0.35 * math.sin(2 * math.pi * 2 * frequency * t) * math.exp(-3 * t)
                + 0.12 * math.sin(2 * math.pi * 3 * frequency * t) * math.exp(-6 * t)
            )
            if offset + i < length:
                mix[offset + i] += envelope * tone
    peak = max(abs(v) for v in mix) or 1.0
    fade = int(0.05 * rate)
    for i in range(fade):  # no click at the very end
        mix[length - 1 - i] *= i / fade
    return array("h", (round(v / peak * 0.7 * 32767) for v in mix))


class Command(BaseCommand):
    help = "Render the board's voice clips with espeak-ng (Uzbek and Russian) and its chime into static files."

    def add_arguments(self, parser):
        parser.add_argument("--output", default=str(DEFAULT_OUTPUT), help="Directory of the clips.")
        parser.add_argument(
            "--format",
            choices=["auto", "opus", "wav"],
            default="auto",
            help="Ogg Opus (small; needs opusenc) or 16 kHz WAV; auto: Opus when opusenc is installed.",
        )
        parser.add_argument("--speed", type=int, default=140, help="espeak-ng words per minute (default 140).")
        parser.add_argument(
            "--words",
            default="",
            help="Only these clips (comma-separated names, e.g. navbat,15), keeping the others and the manifest.",
        )

    def handle(self, *args, output, format, speed, words, **options):
        espeak = shutil.which("espeak-ng")
        if not espeak:
            raise CommandError("espeak-ng is not installed: `apt-get install -y espeak-ng` (or `make voices`)")
        opusenc = shutil.which("opusenc")
        if format == "auto":
            format = "opus" if opusenc else "wav"
        if format == "opus" and not opusenc:
            raise CommandError("opusenc is not installed: `apt-get install -y opus-tools`, or use --format wav")
        extension = "ogg" if format == "opus" else "wav"
        output = Path(output)
        only = {name.strip() for name in words.split(",") if name.strip()}
        version = subprocess.run(  # noqa: S603 — the espeak-ng found on PATH, a fixed argument
            [espeak, "--version"], capture_output=True, text=True, check=True
        ).stdout.strip()

        manifest = {
            "format": extension,
            "type": 'audio/ogg; codecs="opus"' if format == "opus" else "audio/wav",
            "chime": "chime.wav",
            "engine": version.split(" Data at")[0],
            "clips": {},
        }
        total = 0
        output.mkdir(parents=True, exist_ok=True)
        write_wav(output / "chime.wav", WAV_RATE, chime())
        total += (output / "chime.wav").stat().st_size
        with tempfile.TemporaryDirectory(prefix="darcha-voice-") as scratch:
            scratch = Path(scratch)
            for lang, clips in CLIPS.items():
                folder = output / lang
                folder.mkdir(exist_ok=True)
                wanted = {f"{name}.{extension}" for name in clips}
                if not only:
                    for stale in folder.iterdir():
                        if stale.name not in wanted:
                            stale.unlink()
                manifest["clips"][lang] = {}
                for name, said in clips.items():
                    if only and name not in only:
                        continue
                    raw = scratch / "raw.wav"
                    subprocess.run(  # noqa: S603 — our own fixed arguments, the words from voice.py
                        [espeak, "-v", ESPEAK_VOICES[lang], "-s", str(speed), "-w", str(raw), said], check=True
                    )
                    rate, samples = read_wav(raw)
                    samples = normalise(trim(samples, rate))
                    target = folder / f"{name}.{extension}"
                    if format == "opus":
                        clean = scratch / "clean.wav"
                        write_wav(clean, rate, samples)
                        subprocess.run(  # noqa: S603
                            [
                                opusenc,
                                "--quiet",
                                "--speech",
                                "--bitrate",
                                str(OPUS_BITRATE),
                                "--serial",
                                "1",  # the same words give the same file: no noise in version control
                                "--padding",
                                "0",
                                "--discard-comments",
                                str(clean),
                                str(target),
                            ],
                            check=True,
                        )
                    else:
                        write_wav(target, WAV_RATE, resample(samples, rate, WAV_RATE))
                    size = target.stat().st_size
                    total += size
                    manifest["clips"][lang][name] = round(len(samples) / rate, 3)
                self.stdout.write(f"{lang}: {len(clips)} clips")
        if only:
            self.stdout.write(self.style.SUCCESS(f"{', '.join(sorted(only))} rendered again in {output}"))
            return
        (output / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n")
        self.stdout.write(self.style.SUCCESS(f"{extension} clips and chime in {output}: {total / 1024:.0f} KB in all"))
