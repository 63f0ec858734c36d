"""`make run` shows its progress (issue 9, item 9): one line per stage with its time, the stages' own output
held back unless one fails (scripts/stages.py, on the system Python), then `darcha serve`."""

import importlib.util
import io
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
STAGE_LINE = r"\[(\d)/(\d)\] (.+) … (\d+ s|\d+ min( \d+ s)?)$"


def stages_module():
    spec = importlib.util.spec_from_file_location("stages", ROOT / "scripts" / "stages.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_make_run_has_a_line_for_each_stage_and_serves_last():
    if shutil.which("make") is None:
        pytest.skip("make is not installed")
    # A make of its own, not one nested in `make test` (whose flags and level it would inherit).
    env = {k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MFLAGS", "MAKELEVEL", "MAKEOVERRIDES")}
    shown = subprocess.run(  # noqa: S603
        ["make", "--no-print-directory", "-n", "run", "PORT=8101", "PYTHON=python3"],  # noqa: S607
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    ).stdout
    assert "scripts/stages.py --total 4" in shown
    labels = ["installing packages", "migrating the database", "loading the Namangan demo", "[4/4] starting the server"]
    positions = [shown.index(label) for label in labels]
    assert positions == sorted(positions)
    assert "pip install" not in shown  # install is its own target, run (quietly) by the first stage
    assert shown.rstrip().splitlines()[-1].endswith("darcha serve --host 127.0.0.1 --port 8101")


def test_each_stage_prints_one_line_with_its_time_and_holds_its_output_back():
    import re

    stages = stages_module()
    out = io.StringIO()
    status = stages.run(
        [("installing packages", "echo pip says a lot"), ("migrating the database", "echo Applying 0001... OK")],
        total=4,
        out=out,
    )
    assert status == 0
    lines = out.getvalue().splitlines()
    assert len(lines) == 2 and "pip says" not in out.getvalue()
    for n, line in enumerate(lines, start=1):
        found = re.fullmatch(STAGE_LINE, line)
        assert found and found.group(1) == str(n) and found.group(2) == "4", line
    assert lines[0].startswith("[1/4] installing packages … ")


def test_a_failing_stage_shows_its_output_and_stops_the_run():
    stages = stages_module()
    out = io.StringIO()
    status = stages.run(
        [
            ("migrating the database", f"{sys.executable} -c \"print('no such table: x'); raise SystemExit(3)\""),
            ("loading the Namangan demo", "echo never"),
        ],
        total=4,
        first=2,
        out=out,
    )
    text = out.getvalue()
    assert status == 3
    assert text.startswith("[2/4] migrating the database … failed after ")
    assert "no such table: x" in text and "exit status 3" in text
    assert "never" not in text and "[3/4]" not in text


def test_times_read_in_seconds_and_minutes():
    took = stages_module().took
    assert [took(0.4), took(74), took(99.4), took(220), took(180)] == ["0 s", "74 s", "99 s", "3 min 40 s", "3 min"]
