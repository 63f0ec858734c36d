"""Each provider channel against a local stand-in speaking its protocol over a real socket."""

import datetime as dt
import re
from email.header import decode_header, make_header

import pytest
from django.core.cache import cache
from django_tasks_db.models import DBTaskResult

from darcha.core.audit import SYSTEM
from darcha.core.models import AuditEntry
from darcha.notify.channels.eskiz import TOKEN_CACHE_KEY
from darcha.notify.choices import MessageStatus
from darcha.notify.models import Message
from darcha.notify.services import message_check_status, message_send
from darcha.notify.tasks import check_message_status, deliver_message

from .helpers import CALLBACK_URL, TELEGRAM_TOKEN
from .standins import free_port

pytestmark = pytest.mark.django_db

CALLED = {"ticket": "A-017", "counter": "7"}
BOOKED = {"code": "QX7K2", "service": "Kadastr", "center": "Namangan DXM", "when": "05.03.2026 10:30"}


def send(channel, address, template="ticket_called", context=CALLED, **kwargs) -> Message:
    return message_send(actor=SYSTEM, channel=channel, address=address, template=template, context=context, **kwargs)


def deliver(message: Message, capture) -> Message:
    """Run the delivery task now (as the worker would), with its on-commit work executed."""
    with capture(execute=True):
        deliver_message.call(message.pk)
    message.refresh_from_db()
    return message


def tasks(name: str):
    return DBTaskResult.objects.filter(task_path=f"darcha.notify.tasks.{name}").order_by("enqueued_at")


# --- SMTP ------------------------------------------------------------------------------------------


def test_email_reaches_the_smtp_server(smtp, django_capture_on_commit_callbacks):
    message = send("email", "nodira@example.uz", template="appointment_booked", context=BOOKED, language="ru")
    message = deliver(message, django_capture_on_commit_callbacks)
    assert (message.status, message.backend, message.fallback) == (MessageStatus.SENT, "smtp", False)
    [mail] = smtp.received
    assert mail.mail_from == "noreply@darcha.example.uz" and mail.rcpt_tos == ["nodira@example.uz"]
    assert str(make_header(decode_header(mail.message["Subject"]))).strip() == message.subject
    assert mail.message["To"] == "nodira@example.uz"
    assert mail.message["Content-Language"] == "ru"
    assert mail.message["Message-ID"].strip("<>") == message.provider_id
    text = mail.message.get_content()
    assert "QX7K2" in text and "Namangan DXM" in text


def test_a_refused_mailbox_fails_at_once(smtp, django_capture_on_commit_callbacks):
    smtp.refused.add("nobody@example.uz")
    message = deliver(send("email", "nobody@example.uz"), django_capture_on_commit_callbacks)
    assert message.status == MessageStatus.FAILED and message.attempts == 1
    assert "550" in message.last_error and message.failed_at is not None
    assert not tasks("deliver_message").exists()


def test_a_busy_mail_server_is_tried_again(smtp, django_capture_on_commit_callbacks):
    smtp.defer_data = True
    message = deliver(send("email", "nodira@example.uz"), django_capture_on_commit_callbacks)
    assert message.status == MessageStatus.QUEUED and "451" in message.last_error
    smtp.defer_data = False
    message = deliver(message, django_capture_on_commit_callbacks)
    assert message.status == MessageStatus.SENT and message.attempts == 2 and len(smtp.received) == 1


def test_an_unreachable_mail_server_is_tried_again(smtp, settings, django_capture_on_commit_callbacks):
    settings.EMAIL_PORT = free_port()  # nothing listens there
    message = deliver(send("email", "nodira@example.uz"), django_capture_on_commit_callbacks)
    assert message.status == MessageStatus.QUEUED and message.last_error.startswith("SMTP")


# --- Eskiz SMS -------------------------------------------------------------------------------------


def test_sms_through_eskiz(eskiz, django_capture_on_commit_callbacks):
    message = deliver(send("sms", "+998 90 123 45 67", language="uz"), django_capture_on_commit_callbacks)
    assert (message.status, message.backend, message.fallback) == (MessageStatus.SENT, "eskiz", False)
    [login] = eskiz.logins
    assert login.method == "POST" and login.form == {"email": "darcha@example.uz", "password": "eskiz-secret"}
    [sms] = eskiz.sends
    assert sms.headers["Authorization"] == "Bearer token-1"
    assert sms.headers["Content-Type"] == "application/x-www-form-urlencoded"
    assert sms.form["mobile_phone"] == "998901234567"  # digits only, no plus
    assert sms.form["from"] == "Darcha" and sms.form["callback_url"] == CALLBACK_URL
    assert "A-017" in sms.form["message"] and "7" in sms.form["message"]
    assert re.fullmatch(r"[0-9a-f-]{36}", message.provider_id) and message.provider_status == "waiting"


def test_the_eskiz_token_is_cached_and_renewed_when_refused(eskiz, django_capture_on_commit_callbacks):
    deliver(send("sms", "+998901234567"), django_capture_on_commit_callbacks)
    deliver(send("sms", "+998911234567"), django_capture_on_commit_callbacks)
    assert len(eskiz.logins) == 1 and cache.get(TOKEN_CACHE_KEY) == "token-1"
    eskiz.expire_tokens()  # 30 days later
    message = deliver(send("sms", "+998931234567"), django_capture_on_commit_callbacks)
    assert message.status == MessageStatus.SENT
    assert len(eskiz.logins) == 2
    assert [r.headers["Authorization"] for r in eskiz.sends] == [
        "Bearer token-1",
        "Bearer token-1",
        "Bearer token-1",  # refused with 401 …
        "Bearer token-2",  # … and sent again with a fresh token
    ]


def test_wrong_eskiz_credentials_are_retried_not_lost(eskiz, settings, django_capture_on_commit_callbacks):
    settings.NOTIFY_ESKIZ_PASSWORD = "wrong"
    message = deliver(send("sms", "+998901234567"), django_capture_on_commit_callbacks)
    assert message.status == MessageStatus.QUEUED and "login" in message.last_error
    assert not eskiz.sends
    settings.NOTIFY_ESKIZ_PASSWORD = "eskiz-secret"  # an administrator fixes the password
    assert deliver(message, django_capture_on_commit_callbacks).status == MessageStatus.SENT


def test_server_errors_are_retried_with_backoff_until_eskiz_recovers(eskiz, django_capture_on_commit_callbacks):
    eskiz.fail_next(500, 503)
    with django_capture_on_commit_callbacks(execute=True):
        message = send("sms", "+998901234567")
    assert tasks("deliver_message").count() == 1  # enqueued when the message was committed

    message = deliver(message, django_capture_on_commit_callbacks)
    assert (message.status, message.attempts) == (MessageStatus.QUEUED, 1)
    assert "500" in message.last_error
    assert message.next_attempt_at - message.sending_at == dt.timedelta(seconds=30)
    retry = tasks("deliver_message").last()
    assert retry.run_after == message.next_attempt_at and retry.args_kwargs["args"] == [message.pk]

    message = deliver(message, django_capture_on_commit_callbacks)
    assert (message.status, message.attempts) == (MessageStatus.QUEUED, 2)
    assert message.next_attempt_at - message.sending_at == dt.timedelta(minutes=2)
    assert tasks("deliver_message").count() == 3

    message = deliver(message, django_capture_on_commit_callbacks)
    assert (message.status, message.attempts, message.last_error) == (MessageStatus.SENT, 3, "")
    assert len(eskiz.sends) == 3 and message.provider_id
    assert tasks("deliver_message").count() == 3  # no further retry
    attempts = AuditEntry.objects.filter(action="message_attempt", object_id=str(message.pk)).order_by("id")
    assert [entry.data["status"] for entry in attempts] == ["queued", "queued", "sent"]


def test_delivery_fails_after_the_last_retry(eskiz, django_capture_on_commit_callbacks):
    eskiz.fail_next(500, 500, 500, 500)
    message = send("sms", "+998901234567")
    for _attempt in range(4):
        message = deliver(message, django_capture_on_commit_callbacks)
    assert (message.status, message.attempts) == (MessageStatus.FAILED, 4)
    assert message.failed_at is not None and "500" in message.last_error
    assert tasks("deliver_message").count() == 3  # retries after 30 s, 2 min and 10 min, then none
    delays = [round((t.run_after - t.enqueued_at).total_seconds() / 10) * 10 for t in tasks("deliver_message")]
    assert delays == [30, 120, 600]


def test_a_refused_request_fails_at_once(eskiz, django_capture_on_commit_callbacks):
    eskiz.fail_next(400, payload={"message": "Invalid mobile phone", "status": "error"})
    message = deliver(send("sms", "+998901234567"), django_capture_on_commit_callbacks)
    assert (message.status, message.attempts) == (MessageStatus.FAILED, 1)
    assert "Invalid mobile phone" in message.last_error


def test_eskiz_status_check_marks_the_sms_delivered(eskiz, django_capture_on_commit_callbacks):
    message = deliver(send("sms", "+998901234567"), django_capture_on_commit_callbacks)
    check = tasks("check_message_status").get()
    assert check.run_after - message.sent_at == dt.timedelta(minutes=5)
    assert check_message_status.call(message.pk) == "sent"  # not delivered yet (ACCEPTED)
    eskiz.statuses[message.provider_id] = "DELIVERED"
    assert check_message_status.call(message.pk) == "delivered"
    message.refresh_from_db()
    assert message.provider_status == "DELIVERED" and message.delivered_at is not None
    status_requests = [r for r in eskiz.requests if r.method == "GET"]
    assert status_requests[-1].path == f"/api/message/sms/status_by_id/{message.provider_id}"


def test_eskiz_status_check_marks_a_rejected_sms_failed(eskiz, django_capture_on_commit_callbacks):
    message = deliver(send("sms", "+998901234567"), django_capture_on_commit_callbacks)
    eskiz.statuses[message.provider_id] = "REJECTED"
    message = message_check_status(message_id=message.pk)
    assert message.status == MessageStatus.FAILED and "REJECTED" in message.last_error


@pytest.mark.urls("tests.notify.urls")
def test_eskiz_delivery_report_callback(eskiz, client, django_capture_on_commit_callbacks):
    message = deliver(send("sms", "+998901234567"), django_capture_on_commit_callbacks)
    report = {
        "request_id": message.provider_id,
        "message_id": "4385062",
        "user_sms_id": "",
        "country": "UZ",
        "phone_number": "998901234567",
        "sms_count": "1",
        "status": "DELIVRD",
        "status_date": "2026-03-05 10:31:02",
    }
    response = client.post("/notify/eskiz/callback/", report, content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "delivered"
    message.refresh_from_db()
    assert message.status == MessageStatus.DELIVERED and message.provider_status == "DELIVRD"
    entry = AuditEntry.objects.filter(action="message_provider_status").get()
    assert entry.actor_label == "eskiz"
    # Form-encoded reports work too; a report naming no message of ours is answered 404.
    unknown = client.post("/notify/eskiz/callback/", {**report, "request_id": "not-ours"})
    assert unknown.status_code == 404
    assert client.get("/notify/eskiz/callback/").status_code == 405


# --- Telegram --------------------------------------------------------------------------------------


def test_telegram_send_message_is_delivered(telegram, django_capture_on_commit_callbacks):
    message = deliver(send("telegram", "5512345678", language="ru"), django_capture_on_commit_callbacks)
    assert (message.status, message.backend) == (MessageStatus.DELIVERED, "telegram")
    assert message.sent_at == message.delivered_at and message.provider_id == "100"
    [request] = telegram.requests
    assert request.method == "POST" and request.path == f"/bot{TELEGRAM_TOKEN}/sendMessage"
    assert request.headers["Content-Type"].startswith("application/json")
    assert request.json["chat_id"] == "5512345678" and "A-017" in request.json["text"]


def test_a_blocked_bot_fails_at_once_and_the_token_stays_out_of_the_error(telegram, django_capture_on_commit_callbacks):
    telegram.blocked.add("5512345678")
    message = deliver(send("telegram", "5512345678"), django_capture_on_commit_callbacks)
    assert (message.status, message.attempts) == (MessageStatus.FAILED, 1)
    assert "blocked" in message.last_error and TELEGRAM_TOKEN not in message.last_error


def test_telegram_server_errors_are_retried(telegram, django_capture_on_commit_callbacks):
    telegram.fail_next(502)
    message = deliver(send("telegram", "5512345678"), django_capture_on_commit_callbacks)
    assert message.status == MessageStatus.QUEUED and "502" in message.last_error
    assert deliver(message, django_capture_on_commit_callbacks).status == MessageStatus.DELIVERED


def test_a_provider_that_does_not_answer_is_retried(eskiz, settings, django_capture_on_commit_callbacks):
    eskiz.stop()
    message = deliver(send("sms", "+998901234567"), django_capture_on_commit_callbacks)
    assert message.status == MessageStatus.QUEUED and "no answer" in message.last_error
