"""Serve Darcha: the ASGI server and the background task worker, started and stopped together."""

import os
import signal
import subprocess
import sys

import uvicorn
from django.conf import settings
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run the ASGI server (uvicorn) with the task worker (db_worker) beside it."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--no-worker", action="store_true", help="Do not start the task worker.")

    def handle(self, *args, host, port, no_worker, **options):
        worker = None
        if not no_worker:
            worker = subprocess.Popen(  # noqa: S603 — our own console command, fixed arguments
                [sys.executable, "-m", "darcha.manage", "db_worker", "--interval", "1"],
                env={**os.environ, "DJANGO_SETTINGS_MODULE": "darcha.config.settings"},
            )
        self.stdout.write(self.style.SUCCESS(f"Darcha is serving at http://{host}:{port}/"))
        self.stdout.write(f"  admin: http://{host}:{port}/admin/   API docs: http://{host}:{port}/api/docs/")
        self.stdout.write(
            f"  database: {settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]}"
            f"   task worker: {'running' if worker else 'off'}   (Ctrl-C stops both)"
        )
        try:
            uvicorn.run("darcha.config.asgi:application", host=host, port=port, log_level="warning", lifespan="off")
        finally:
            if worker is not None and worker.poll() is None:
                worker.send_signal(signal.SIGTERM)
                try:
                    worker.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    worker.kill()
