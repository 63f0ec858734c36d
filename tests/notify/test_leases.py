"""Delivery claims a message with a lease; an attempt a dead worker cut off is taken over after it,
and the provider is asked first where it can tell (issue 10, item 6; the processes are killed for
real in test_killed_worker.py). Stranded task rows are put back by the scheduler's `tasks.reclaim`."""

import datetime as dt

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from darcha.core.audit import SYSTEM
from darcha.core.models import AuditEntry
from darcha.core.scheduler import TASK_MAX_CLAIMS, registered_jobs, tasks_reclaim
from darcha.notify.channels import DeliveryError
from darcha.notify.choices import MessageStatus
from darcha.notify.models import Message
from darcha.notify.services import _attempt_record, _claim, message_deliver, message_key, message_send
from darcha.notify.tasks import deliver_message

pytestmark = pytest.mark.django_db

CALLED = {"ticket": "A-017", "counter": "7"}


def _send(channel="sms", address="+998901234567") -> Message:
    return message_send(actor=SYSTEM, channel=channel, address=address, template="ticket_called", context=CALLED)


def _cut_off(message: Message, *, started: dt.datetime, lease_left: dt.timedelta) -> None:
    """As a worker that claimed the message at `started` and died: SENDING, with its lease."""
    Message.objects.filter(pk=message.pk).update(
        status=MessageStatus.SENDING, attempts=1, sending_at=started, claimed_until=timezone.now() + lease_left
    )


def _interrupted_check(message: Message) -> str:
    entry = AuditEntry.objects.filter(action="message_attempt", object_id=str(message.pk)).latest("id")
    return entry.data.get("interrupted")


def test_a_live_attempt_holds_its_message_until_its_lease_runs_out(eskiz):
    message = _send()
    _cut_off(message, started=timezone.now(), lease_left=dt.timedelta(seconds=60))
    assert deliver_message.call(message.pk) == "skipped"  # another worker is sending it
    assert not eskiz.sends
    _cut_off(message, started=timezone.now() - dt.timedelta(minutes=3), lease_left=-dt.timedelta(seconds=1))
    assert deliver_message.call(message.pk) == "sent"
    message.refresh_from_db()
    assert (message.attempts, message.interrupted, message.claim, message.claimed_until) == (2, 1, "", None)
    assert len(eskiz.sends) == 1 and _interrupted_check(message) == "absent"  # Eskiz was asked first


def test_eskiz_already_has_the_sms_of_a_cut_off_attempt_so_it_is_not_sent_again(eskiz):
    message = _send()
    started = timezone.now() - dt.timedelta(minutes=3)
    # The dead worker's SMS reached Eskiz (in its history, under our key) before the worker could record it.
    eskiz.history.extend(
        {"id": 4380000 + n, "request_id": f"other-{n}", "user_sms_id": f"someone-else-{n}", "status": "DELIVRD"}
        for n in range(250)  # more than a page
    )
    eskiz.history.append({"id": 4390001, "request_id": "the-first-one", "user_sms_id": message_key(message.pk)})
    eskiz.history[-1]["status"] = "DELIVRD"
    _cut_off(message, started=started, lease_left=-dt.timedelta(seconds=1))
    message = message_deliver(message_id=message.pk)
    assert message.status == MessageStatus.SENT and message.provider_id == "the-first-one"
    assert not eskiz.sends and _interrupted_check(message) == "found"
    [first, second] = eskiz.lookups
    assert first.path.endswith("?page=1") and second.path.endswith("?page=2")
    window = first.form
    assert window["start_date"] <= timezone.localtime(started).strftime("%Y-%m-%d %H:%M") <= window["to_date"]


def test_eskiz_history_unavailable_for_now_sends_nothing_and_retries(eskiz):
    message = _send()
    _cut_off(message, started=timezone.now() - dt.timedelta(minutes=3), lease_left=-dt.timedelta(seconds=1))
    eskiz.fail_next(503)
    message = message_deliver(message_id=message.pk)
    assert message.status == MessageStatus.QUEUED and "history" in message.last_error
    assert not eskiz.sends


def test_an_sms_carries_its_idempotency_key(eskiz):
    message = message_deliver(message_id=_send().pk)
    [sms] = eskiz.sends
    assert sms.form["user_sms_id"] == message_key(message.pk)
    assert message_key(message.pk) == message_key(message.pk) != message_key(message.pk + 1)


def test_telegram_cannot_be_asked_so_a_cut_off_message_is_sent_again_and_counted(telegram):
    message = _send("telegram", "5512345678")
    _cut_off(message, started=timezone.now() - dt.timedelta(minutes=3), lease_left=-dt.timedelta(seconds=1))
    message = message_deliver(message_id=message.pk)
    assert message.status == MessageStatus.DELIVERED and message.interrupted == 1
    assert len(telegram.requests) == 1 and _interrupted_check(message) == "unknown"


def test_every_attempt_at_an_email_has_the_same_message_id(smtp):
    smtp.defer_data = True
    message = message_deliver(message_id=_send("email", "nodira@example.uz").pk)
    assert message.status == MessageStatus.QUEUED
    smtp.defer_data = False
    message = message_deliver(message_id=message.pk)
    [mail] = smtp.received
    assert mail.message["Message-ID"] == f"<{message_key(message.pk)}@darcha.example.uz>"
    assert message.provider_id == f"{message_key(message.pk)}@darcha.example.uz"


def test_an_attempt_that_outlived_its_lease_does_not_overwrite_the_one_that_took_over(settings, telegram):
    settings.NOTIFY_LEASE_SECONDS = 30
    message = _send("telegram", "5512345678")
    start = timezone.now()
    _message, slow_token, _cut = _claim(message.pk, start)
    assert _claim(message.pk, start + dt.timedelta(seconds=10)) is None  # still leased
    _message, new_token, cut_off_at = _claim(message.pk, start + dt.timedelta(seconds=31))
    assert cut_off_at == start and new_token != slow_token
    late = _attempt_record(
        message_id=message.pk,
        token=slow_token,
        backend="telegram",
        fell_back=False,
        outcome=DeliveryError("late"),
        now=start + dt.timedelta(seconds=40),
        check=None,
    )
    assert late.status == MessageStatus.SENDING and late.claim == new_token and late.last_error == ""


def test_an_attempt_is_recorded_with_its_lease_released(eskiz):
    message = message_deliver(message_id=_send().pk)
    assert message.status == MessageStatus.SENT and message.claim == "" and message.claimed_until is None


# --- Stranded task rows ----------------------------------------------------------------------------


def _task(status: str, *, started: dt.datetime | None, workers: int) -> DBTaskResult:
    return DBTaskResult.objects.create(
        status=status,
        started_at=started,
        args_kwargs={"args": [1], "kwargs": {}},
        task_path="darcha.notify.tasks.deliver_message",
        backend_name="default",
        run_after=timezone.now() - dt.timedelta(minutes=30),
        worker_ids=[f"worker-{n}" for n in range(workers)],
    )


def test_tasks_left_running_by_a_dead_worker_are_reclaimed_after_their_lease(settings):
    settings.TASKS_LEASE_SECONDS = 300
    now = timezone.now()
    stranded = _task("RUNNING", started=now - dt.timedelta(minutes=6), workers=1)
    running = _task("RUNNING", started=now - dt.timedelta(minutes=4), workers=1)  # within its lease
    hopeless = _task("RUNNING", started=now - dt.timedelta(minutes=6), workers=TASK_MAX_CLAIMS)
    finished = _task("SUCCESSFUL", started=now - dt.timedelta(hours=1), workers=1)
    assert tasks_reclaim(now) == 2
    for row in (stranded, running, hopeless, finished):
        row.refresh_from_db()
    assert (stranded.status, stranded.started_at) == ("READY", None)
    assert DBTaskResult.objects.ready().filter(pk=stranded.pk).exists()  # a worker takes it at once
    assert running.status == "RUNNING" and finished.status == "SUCCESSFUL"
    assert hopeless.status == "FAILED" and "WorkerLost" in hopeless.traceback
    assert tasks_reclaim(now) == 0


def test_the_reclaim_is_a_scheduler_job():
    [job] = [job for job in registered_jobs() if job.name == "tasks.reclaim"]
    assert job.every_seconds == 60 and job.func is tasks_reclaim
