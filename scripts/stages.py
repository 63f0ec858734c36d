"""Run the stages of `make run`, one line each with its time: "[1/4] installing packages … 74 s".

    python3 scripts/stages.py --total 4 "installing packages" "make -s install" "migrating …" "…" …

Each stage is a label and a shell command. A stage's own output is held back (pip, migrations and the
demo loader are chatty, and what matters at the end is the address and the logins `darcha serve`
prints); if it fails, its output is shown with the line and the run stops with its exit status.
Runs on the system Python (3.11+) before the virtual environment exists: standard library only.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time


def took(seconds: float) -> str:
    """74 s; 3 min 40 s (minutes from 100 s on)."""
    seconds = round(seconds)
    if seconds < 100:
        return f"{seconds} s"
    minutes, rest = divmod(seconds, 60)
    return f"{minutes} min {rest} s" if rest else f"{minutes} min"


def run(stages: list[tuple[str, str]], *, total: int, first: int = 1, out=sys.stdout) -> int:
    for number, (label, command) in enumerate(stages, start=first):
        out.write(f"[{number}/{total}] {label} … ")
        out.flush()
        started = time.monotonic()
        with tempfile.TemporaryFile(mode="w+", encoding="utf-8", errors="replace") as log:
            try:
                status = subprocess.call(command, shell=True, stdout=log, stderr=subprocess.STDOUT)  # noqa: S602
            except KeyboardInterrupt:
                out.write("interrupted\n")
                return 130
            elapsed = took(time.monotonic() - started)
            if status != 0:
                out.write(f"failed after {elapsed}\n")
                log.seek(0)
                out.write(log.read())
                out.write(f"\n[{number}/{total}] {label} failed (exit status {status}); its output is above.\n")
                out.flush()
                return status
        out.write(f"{elapsed}\n")
        out.flush()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--total", type=int, help="How many stages the whole run has (default: those given).")
    parser.add_argument("pairs", nargs="+", metavar="LABEL COMMAND")
    args = parser.parse_args(argv)
    if len(args.pairs) % 2:
        parser.error("give a label and a command for each stage")
    stages = list(zip(args.pairs[::2], args.pairs[1::2], strict=True))
    return run(stages, total=args.total or len(stages))


if __name__ == "__main__":
    sys.exit(main())
