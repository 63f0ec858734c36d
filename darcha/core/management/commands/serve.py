"""Serve Darcha: the ASGI server, the background task worker and the scheduler of periodic jobs,
started and stopped together."""

import os
import signal
import subprocess
import sys

import uvicorn
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from darcha.config.settings import _DEV_SECRET as DEV_SECRET

LOOPBACK_ADDRESSES = {"127.0.0.1", "localhost", "::1", "[::1]"}


def _start(*command: str) -> subprocess.Popen:
    return subprocess.Popen(  # noqa: S603 — our own console commands, fixed arguments
        [sys.executable, "-m", "darcha.manage", *command],
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "darcha.config.settings"},
    )


def _stop(process: subprocess.Popen | None) -> None:
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

    def handle(self, *args, host, port, no_worker, no_scheduler, **options):
        if settings.SECRET_KEY == DEV_SECRET and host not in LOOPBACK_ADDRESSES:
            raise CommandError(
                f"Refusing to serve on {host} with the development SECRET_KEY: other machines could forge sessions and "
                "links. Set DARCHA_PRODUCTION=1, SECRET_KEY and ALLOWED_HOSTS (docs/deploy.md), or serve on 127.0.0.1."
            )
        worker = None if no_worker else _start("db_worker", "--interval", "1")
        scheduler = None if no_scheduler else _start("scheduler")
        self.stdout.write(self.style.SUCCESS(f"Darcha is serving at http://{host}:{port}/"))
        self.stdout.write(f"  admin: http://{host}:{port}/admin/   API docs: http://{host}:{port}/api/docs/")
        self.stdout.write(
            f"  database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}"
            f"   task worker: {'running' if worker else 'off'}"
            f"   scheduler: {'running' if scheduler else 'off'}   (Ctrl-C stops them all)"
        )
        try:
            uvicorn.run("darcha.config.asgi:application", host=host, port=port, log_level="warning", lifespan="off")
        finally:
            for process in (scheduler, worker):
                _stop(process)
