"""The Django side of the killed-worker test (tests/notify/test_killed_worker.py), run as its own
processes against the test's database (on SQLite a file of its own, which `prepare --migrate`
creates), with `tests.notify.worker_settings`:

    python -m tests.notify.killed_worker prepare COUNT [--migrate]   # queue COUNT messages, print them
    python -m tests.notify.killed_worker jobs STATUS_FILE            # the scheduler's two nets, looped
    python -m tests.notify.killed_worker report                      # the messages and task rows, as JSON

`jobs` does what `darcha scheduler` does every minute — put back tasks a dead worker left RUNNING
(darcha.core.scheduler.tasks_reclaim) and enqueue messages whose lease ran out
(darcha.notify.services.messages_requeue_due) — four times a second, and writes the counts it sees
to STATUS_FILE after each round, until SIGTERM.
"""

from __future__ import annotations

import json
import os
import signal
import sys
import threading
import time
from pathlib import Path


def _setup():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.notify.worker_settings")
    import django

    django.setup()


def _channel_of(index: int) -> str:
    return ("sms", "telegram", "email")[index % 3]


def prepare(count: int) -> list[dict]:
    from django.db import transaction

    queued = []
    with transaction.atomic():  # one commit; the deliveries are enqueued after it
        _queue(count, queued)
    return queued


def _queue(count: int, queued: list) -> None:
    from darcha.core.audit import SYSTEM
    from darcha.notify.services import message_key, message_send

    for index in range(count):  # the channels interleaved, so every stretch of the batch has all three
        channel, code = _channel_of(index), f"{700000 + index}"
        if channel == "sms":
            address, template, context = f"+99890{index:07d}", "otp", {"code": code, "minutes": 5}
        elif channel == "telegram":
            address, template = f"55{index:08d}", "appointment_booked"
            context = {"code": code, "service": "Kadastr", "center": "Namangan DXM", "when": "05.03.2026 10:30"}
        else:
            address, template = f"applicant{index}@example.uz", "application_received"
            context = {"number": f"NM-2026-{index:05d}", "service": "Kadastr", "code": code, "due": "20.03.2026"}
        message = message_send(
            actor=SYSTEM, channel=channel, address=address, template=template, context=context, language="uz"
        )
        queued.append(
            {"id": message.pk, "key": message_key(message.pk), "channel": channel, "address": address, "code": code}
        )


def _counts() -> dict:
    from django.db.models import Count
    from django_tasks_db.models import DBTaskResult

    from darcha.notify.models import Message

    return {
        "messages": dict(Message.objects.values_list("status").annotate(n=Count("id")).order_by()),
        "tasks": dict(DBTaskResult.objects.values_list("status").annotate(n=Count("id")).order_by()),
        "at": time.time(),
    }


def jobs(status_file: Path) -> None:
    from django.db import close_old_connections
    from django.utils import timezone

    from darcha.core.scheduler import tasks_reclaim
    from darcha.notify.services import messages_requeue_due

    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda signum, frame: stop.set())
    rounds = reclaimed = requeued = 0
    while not stop.is_set():
        close_old_connections()
        now = timezone.now()
        reclaimed += tasks_reclaim(now)
        requeued += messages_requeue_due(now=now)
        rounds += 1
        status = {**_counts(), "rounds": rounds, "reclaimed": reclaimed, "requeued": requeued}
        partial = status_file.with_suffix(".partial")
        partial.write_text(json.dumps(status))
        partial.replace(status_file)
        stop.wait(0.25)


def report() -> dict:
    from darcha.core.models import AuditEntry
    from darcha.notify.models import Message

    checks: dict[str, list] = {}
    for object_id, data in AuditEntry.objects.filter(action="message_attempt").values_list("object_id", "data"):
        if "interrupted" in (data or {}):
            checks.setdefault(object_id, []).append(data["interrupted"])
    messages = [
        {
            "id": message.pk,
            "status": message.status,
            "attempts": message.attempts,
            "interrupted": message.interrupted,
            "checks": checks.get(str(message.pk), []),
            "body": message.body,
            "context": message.context,
            "sealed": message.sealed,
            "provider_id": message.provider_id,
        }
        for message in Message.objects.order_by("pk")
    ]
    return {**_counts(), "list": messages}


def main(argv: list[str]) -> None:
    _setup()
    command = argv[0]
    if command == "prepare":
        print(json.dumps(prepare(int(argv[1]))))
    elif command == "jobs":
        jobs(Path(argv[1]))
    elif command == "report":
        print(json.dumps(report(), default=str))
    else:
        raise SystemExit(f"unknown command {command!r}")


if __name__ == "__main__":
    main(sys.argv[1:])
