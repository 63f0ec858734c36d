"""An ASGI server (uvicorn) in its own process, for browser tests of live screens.

pytest-django's live_server is a threaded WSGI server: it cannot hold Server-Sent-Event streams
open. This fixture serves the project with uvicorn, as `darcha serve` does, on a free port, against
a database of its own (a SQLite file, or a fresh PostgreSQL database when DATABASE_URL points to
PostgreSQL), migrated and filled with the Namangan demo, its centers open around the clock. Tests
change data the way other server processes do: `server.python(code)` runs code in another process
against the same database, so its events reach the server through the real cross-process bus.

Use it from a test module with `from tests.e2e.asgi_server import asgi_server  # noqa: F401`.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

import pytest

PROJECT_DIR = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"


# The queue takes no ticket outside opening hours, and browser tests run at any hour (CI on a Sunday
# night too): in the server's own database the demo's centers receive visitors around the clock, and
# today is a working day.
OPEN_AROUND_THE_CLOCK = """
import datetime as dt, django
django.setup()
from django.utils import timezone
from darcha.core.choices import HolidayKind, OrganizationKind
from darcha.core.models import Holiday, OpeningHours, Organization
for center in Organization.objects.filter(kind=OrganizationKind.CENTER):
    OpeningHours.objects.filter(center=center).delete()
    OpeningHours.objects.bulk_create(
        OpeningHours(center=center, weekday=weekday, opens=dt.time(0), closes=dt.time.max) for weekday in range(7)
    )
Holiday.objects.filter(date=timezone.localdate(), kind=HolidayKind.DAY_OFF).delete()
"""


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return sock.getsockname()[1]


@dataclass
class AsgiServer:
    database_url: str
    log_path: Path
    port: int = field(default_factory=free_port)
    process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def env(self) -> dict[str, str]:
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "darcha.config.settings",
            "DATABASE_URL": self.database_url,
            "DEBUG": "0",
            "ALLOWED_HOSTS": HOST,
            "LOG_LEVEL": "WARNING",
            "PYTHONUNBUFFERED": "1",
        }
        env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)  # set for the browser tests' own process only
        return env

    def manage(self, *args: str) -> None:
        result = subprocess.run(  # noqa: S603 — the project's own command
            [sys.executable, "-m", "darcha.manage", *args],
            cwd=PROJECT_DIR,
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, (result.stdout + result.stderr)[-3000:]

    def python(self, code: str, *args: str) -> subprocess.Popen:
        """Start `python -c code args…` against the server's database; read its stdout lines."""
        return subprocess.Popen(  # noqa: S603 — the test's own interpreter and code
            [sys.executable, "-c", code, *args],
            cwd=PROJECT_DIR,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def command(self) -> list[str]:
        """The server's command line (a subclass may serve with `darcha serve` instead)."""
        return [
            sys.executable,
            "-m",
            "uvicorn",
            "darcha.config.asgi:application",
            "--host",
            HOST,
            "--port",
            str(self.port),
            "--lifespan",
            "off",
            "--no-access-log",
            "--timeout-graceful-shutdown",
            "1",
        ]

    def start(self, timeout: float = 60) -> None:
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(  # noqa: S603
                self.command(),
                cwd=PROJECT_DIR,
                env=self.env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail(f"uvicorn exited ({self.process.returncode}):\n{self.log_tail()}")
            with contextlib.suppress(OSError, urllib.error.URLError):
                with urllib.request.urlopen(f"{self.url}/health/live/", timeout=2) as response:  # noqa: S310
                    if response.status == 200:
                        return
            time.sleep(0.2)
        self.stop()
        pytest.fail(f"uvicorn did not answer in {timeout:.0f} s:\n{self.log_tail()}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()

    def log_tail(self, chars: int = 3000) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-chars:]
        except OSError:
            return ""


def _postgres_admin_url(url: str) -> str:
    base = url.split("?", 1)[0].rsplit("/", 1)[0]
    return base.replace("postgres://", "postgresql://", 1) + "/postgres"


@pytest.fixture(scope="module")
def asgi_server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("asgi")
    configured = os.environ.get("DATABASE_URL", "")
    admin_url = None
    if configured.startswith(("postgres://", "postgresql://")):
        import psycopg

        admin_url = _postgres_admin_url(configured)
        name = f"darcha_e2e_{os.getpid()}"
        with psycopg.connect(admin_url, autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {name}")
        database_url = admin_url.rsplit("/", 1)[0] + f"/{name}"
    else:
        database_url = f"sqlite:///{folder / 'darcha.sqlite3'}"
    server = AsgiServer(database_url=database_url, log_path=folder / "uvicorn.log")
    try:
        server.manage("migrate", "--noinput", "-v", "0")
        server.manage("load_demo", "--preschool-children", "120", "--appeals", "24")
        opened = server.python(OPEN_AROUND_THE_CLOCK)
        _out, err = opened.communicate(timeout=60)
        assert opened.returncode == 0, err[-3000:]
        server.start()
        yield server
    finally:
        server.stop()
        if admin_url:
            import psycopg

            with psycopg.connect(admin_url, autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS darcha_e2e_{os.getpid()} WITH (FORCE)")
