"""Serve Darcha: the ASGI server, the background task worker and the scheduler of periodic jobs,
started and stopped together.

The worker's and the scheduler's output comes through this command (a thread relays each line), so
that the banner — the address, the demo's logins (core.serve_banner) — is printed once all three
have started and said so, last, where it is not scrolled away.
"""

import os
import signal
import subprocess
import sys
import threading
import time

import uvicorn
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from darcha.config.settings import _DEV_SECRET as DEV_SECRET
from darcha.core import serve_banner

LOOPBACK_ADDRESSES = {"127.0.0.1", "localhost", "::1", "[::1]"}
# The banner waits for each child's first line (at most STARTUP_WAIT s), then for the burst of work a
# start brings (the worker sending queued notices, the scheduler's first runs) to pass: QUIET s without
# a line from any of them, at most SETTLE_WAIT s in all.
STARTUP_WAIT = 60.0
QUIET = 1.5
SETTLE_WAIT = 20.0


def _command(*command: str) -> list[str]:
    return [sys.executable, "-m", "darcha.manage", *command]


class _Child:
    """A console command beside the server; its output (stdout and stderr) relayed line by line."""

    def __init__(self, argv: list[str], out):
        self.process = subprocess.Popen(  # noqa: S603 — our own console commands, fixed arguments
            argv,
            env={**os.environ, "DJANGO_SETTINGS_MODULE": "darcha.config.settings", "PYTHONUNBUFFERED": "1"},
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            errors="replace",
        )
        self.spoke = threading.Event()  # its first line is out (or it ended)
        self.last_line = time.monotonic()
        self._relay = threading.Thread(target=self._forward, args=(out,), daemon=True)
        self._relay.start()

    def _forward(self, out) -> None:
        try:
            for line in self.process.stdout:
                out.write(line.rstrip("\n"))
                out.flush()
                self.last_line = time.monotonic()
                self.spoke.set()
        finally:
            self.spoke.set()

    def poll(self):
        return self.process.poll()

    def send_signal(self, sig) -> None:
        self.process.send_signal(sig)

    def wait(self, timeout=None):
        result = self.process.wait(timeout=timeout)
        self._relay.join(timeout=2)
        return result

    def kill(self) -> None:
        self.process.kill()


def _start(out, *command: str) -> _Child:
    return _Child(_command(*command), out)


def _stop(process: _Child | None) -> None:
    if process is not None and process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()


class Command(BaseCommand):
    help = "Run the ASGI server (uvicorn) with the task worker (db_worker) and the job scheduler beside it."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--no-worker", action="store_true", help="Do not start the task worker.")
        parser.add_argument(
            "--no-scheduler",
            action="store_true",
            help="Do not start the scheduler of periodic jobs (another machine runs it, say).",
        )
        parser.add_argument(
            "--exit-after-startup",
            action="store_true",
            help="Start everything, print the banner, then stop (a smoke test of the start).",
        )

    def handle(self, *args, host, port, no_worker, no_scheduler, exit_after_startup=False, **options):
        if settings.SECRET_KEY == DEV_SECRET and host not in LOOPBACK_ADDRESSES:
            raise CommandError(
                f"Refusing to serve on {host} with the development SECRET_KEY: other machines could forge sessions and "
                "links. Set DARCHA_PRODUCTION=1, SECRET_KEY and ALLOWED_HOSTS (docs/deploy.md), or serve on 127.0.0.1."
            )
        from darcha.core.links import record_served_address

        # Before anything starts: links made outside a request (the worker's jobs) lead to this address.
        record_served_address(host, port)
        started = time.monotonic()
        # Read now, in this thread (they may use the database); printed once everything has started.
        extra = serve_banner.sections()
        worker = None if no_worker else _start(self.stdout, "db_worker", "--interval", "1")
        scheduler = None if no_scheduler else _start(self.stdout, "scheduler")
        server = uvicorn.Server(
            uvicorn.Config("darcha.config.asgi:application", host=host, port=port, log_level="warning", lifespan="off")
        )
        done = threading.Event()

        def announce():
            while not server.started:
                if done.wait(0.05):
                    return
            children = [child for child in (worker, scheduler) if child is not None]
            for child in children:
                child.spoke.wait(STARTUP_WAIT)
            settling = time.monotonic()
            while children and time.monotonic() - settling < SETTLE_WAIT:
                if time.monotonic() - max(child.last_line for child in children) >= QUIET:
                    break
                if done.wait(0.1):
                    return
            lines = serve_banner.banner(
                host=host,
                port=port,
                database=settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1],
                worker=worker is not None,
                scheduler=scheduler is not None,
                seconds=time.monotonic() - started,
                extra=extra,
            )
            for line in lines:
                self.stdout.write(self.style.SUCCESS(line) if line.strip().startswith("http") else line)
            self.stdout.flush()
            if exit_after_startup:
                server.should_exit = True

        announcer = threading.Thread(target=announce, name="serve-banner", daemon=True)
        announcer.start()
        try:
            server.run()
        finally:
            done.set()
            announcer.join(timeout=5)
            for process in (scheduler, worker):
                _stop(process)
