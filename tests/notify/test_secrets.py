"""Codes never in the log or the database in production (issue 10, item 5).

- Production refuses to start with a channel on the console (a system check error: `check
  --deploy`, `migrate`, the workers); a region without a provider says `file` (a spool) or `off`.
- In production no message reaches the log with its code, even on the console channel.
- A template's secrets (notify's confirmation code, cases' access code, the queue's booking codes)
  are masked in the stored body and context and sealed until delivery: the provider gets the real
  text, a retry too, and the database keeps nothing in clear.
"""

import importlib
import json
import logging
import os
import stat
import subprocess
import sys

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import translation

from darcha.core.audit import SYSTEM
from darcha.core.models import AuditEntry
from darcha.notify import channels, sealing
from darcha.notify.channels import settings_check
from darcha.notify.choices import Channel, MessageStatus
from darcha.notify.models import Message
from darcha.notify.selectors import message_values
from darcha.notify.services import message_deliver, message_key, message_retry, message_send, message_send_preferred
from darcha.notify.templates import MASK, get_template
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CODE = "482913"
RECEIVED = {"number": "NM-2026-00042", "service": "Kadastr", "code": CODE, "due": "20.03.2026"}
BOOKED = {"code": "QX7K 2M4P", "service": "Kadastr", "center": "Namangan DXM", "when": "05.03.2026 10:30"}
PRODUCTION_ENV = {
    "DARCHA_PRODUCTION": "1",
    "SECRET_KEY": "a-long-random-production-secret-key-for-the-check-0123456789-abcdefghijklmnop",
    "ALLOWED_HOSTS": "darcha.example.uz",
}


def _manage(tmp_path, *args, **env):
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("NOTIFY_", "DJANGO_ALLOW_ASYNC"))}
    environment.update(
        PRODUCTION_ENV,
        DATABASE_URL=f"sqlite:///{tmp_path / 'db.sqlite3'}",
        STATIC_ROOT=str(tmp_path / "static"),
        **env,
    )
    return subprocess.run(  # noqa: S603 — the project's own command
        [sys.executable, "-m", "darcha.manage", *args], env=environment, capture_output=True, text=True, timeout=120
    )


# --- Production refuses the console ---------------------------------------------------------------


def test_production_refuses_to_start_with_messages_going_to_the_log(tmp_path):
    deploy = _manage(tmp_path, "check", "--deploy")
    assert deploy.returncode != 0
    for setting in ("NOTIFY_SMS_BACKEND", "NOTIFY_EMAIL_BACKEND", "NOTIFY_TELEGRAM_BACKEND"):
        assert f"{setting}: (notify.E002)" in deploy.stderr
    migrate = _manage(tmp_path, "migrate", "--plan")
    assert migrate.returncode != 0 and "notify.E002" in migrate.stderr


def test_a_region_without_providers_says_so_explicitly(tmp_path):
    # No SMS provider: messages go to a spool folder for a gateway; no e-mail, no Telegram bot.
    result = _manage(
        tmp_path,
        "check",
        "--deploy",
        NOTIFY_SMS_BACKEND="file",
        NOTIFY_SPOOL_DIR=str(tmp_path / "spool"),
        NOTIFY_EMAIL_BACKEND="off",
        NOTIFY_TELEGRAM_BACKEND="off",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "notify." not in result.stdout + result.stderr  # not even a warning


def test_the_check_in_production(settings, tmp_path):
    settings.PRODUCTION = True
    settings.NOTIFY_SPOOL_DIR = tmp_path / "spool"
    assert {problem.id for problem in settings_check()} == {"notify.E002"}  # three times, one per channel
    settings.NOTIFY_SMS_BACKEND, settings.NOTIFY_ESKIZ_PASSWORD = "eskiz", ""
    settings.NOTIFY_EMAIL_BACKEND, settings.NOTIFY_TELEGRAM_BACKEND = "file", "off"
    problems = {problem.id: problem.msg for problem in settings_check()}
    assert set(problems) == {"notify.E003"} and "NOTIFY_ESKIZ_PASSWORD" in problems["notify.E003"]
    settings.NOTIFY_SMS_BACKEND = "off"
    assert settings_check() == []
    settings.NOTIFY_SPOOL_DIR = tmp_path / "a-file"
    (tmp_path / "a-file").write_text("")
    assert [problem.id for problem in settings_check()] == ["notify.E004"]


def test_in_production_no_code_reaches_the_log(settings, caplog):
    settings.PRODUCTION = True  # (and, say, the SMS provider's settings lost at run time)
    settings.NOTIFY_SMS_BACKEND = "eskiz"
    settings.NOTIFY_ESKIZ_EMAIL = settings.NOTIFY_ESKIZ_PASSWORD = ""
    sms = message_send(actor=SYSTEM, channel="sms", address="+998901234567", template="otp", context={"code": CODE})
    # A person who asked for no messages: the console channel logs them, masked.
    logged = message_send(
        actor=SYSTEM, channel="console", address="+998901234567", template="application_received", context=RECEIVED
    )
    with caplog.at_level(logging.DEBUG):
        sms = message_deliver(message_id=sms.pk)
        logged = message_deliver(message_id=logged.pk)
    assert (sms.status, sms.backend, sms.fallback) == (MessageStatus.QUEUED, "unconfigured", False)
    assert "not configured" in sms.last_error  # retried once the provider is configured again
    assert logged.status == MessageStatus.SENT and logged.backend == "console"
    assert "NM-2026-00042" in caplog.text and MASK in caplog.text
    assert CODE not in caplog.text


def test_in_development_the_console_shows_the_code(caplog):
    message = message_send(actor=SYSTEM, channel="sms", address="+998901234567", template="otp", context={"code": CODE})
    with caplog.at_level(logging.INFO, logger="darcha.notify.console"):
        message = message_deliver(message_id=message.pk)
    assert message.fallback is True and CODE in caplog.text  # a developer needs it


# --- Secrets masked and sealed ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("template", "context", "code"),
    [
        ("otp", {"code": CODE}, CODE),
        ("application_received", RECEIVED, CODE),  # cases: the access code
        ("appointment_booked", BOOKED, BOOKED["code"]),  # queues: the booking code
        ("appointment_reminder", BOOKED, BOOKED["code"]),
        ("appointment_cancelled", BOOKED, BOOKED["code"]),
    ],
)
def test_every_code_is_sent_but_never_stored(template, context, code, telegram, django_capture_on_commit_callbacks):
    assert get_template(template).secret == ("code",)
    message = message_send(actor=SYSTEM, channel="telegram", address="5512345678", template=template, context=context)
    message.refresh_from_db()
    assert code not in message.body and code not in message.subject and MASK in message.body
    assert message.context["code"] == MASK and code not in json.dumps(message.context)
    assert message.sealed and code not in message.sealed
    assert message_values(message)["code"] == code
    with django_capture_on_commit_callbacks(execute=True):
        message = message_deliver(message_id=message.pk)
    assert message.status == MessageStatus.DELIVERED
    [request] = telegram.requests
    assert code in request.json["text"]  # the person gets the real code …
    message.refresh_from_db()
    assert message.sealed == ""  # … and once it is delivered, the seal is gone too
    assert all(code not in json.dumps(entry.data) for entry in AuditEntry.objects.all())


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def test_the_admin_shows_the_text_without_the_code(admin_client):
    message = message_send(
        actor=SYSTEM, channel="sms", address="+998901234567", template="application_received", context=RECEIVED
    )
    page = admin_client.get(reverse("admin:notify_message_change", args=[message.pk]))
    assert page.status_code == 200
    content = page.content.decode()
    assert "NM-2026-00042" in content and MASK in content
    assert CODE not in content and message.sealed not in content


def test_a_failed_access_code_notice_is_sent_again_with_its_code(eskiz):
    eskiz.fail_next(400)  # refused: fails at once
    message = message_send(
        actor=SYSTEM, channel="sms", address="+998901234567", template="application_received", context=RECEIVED
    )
    message = message_deliver(message_id=message.pk)
    assert message.status == MessageStatus.FAILED and message.sealed  # kept sealed: not a one-time code
    message_retry(actor=SYSTEM, message=message)
    message = message_deliver(message_id=message.pk)
    assert message.status == MessageStatus.SENT and message.sealed == ""
    assert CODE in eskiz.sends[-1].form["message"]


def test_a_failed_one_time_code_is_wiped_and_not_sent_again(eskiz):
    eskiz.fail_next(400)
    message = message_send(actor=SYSTEM, channel="sms", address="+998901234567", template="otp", context={"code": CODE})
    message = message_deliver(message_id=message.pk)
    assert message.status == MessageStatus.FAILED and message.sealed == ""
    with pytest.raises(ValidationError) as refused, translation.override("en"):
        message_retry(actor=SYSTEM, message=message)
    assert refused.value.code == "message_secret" and "one-time code" in refused.value.messages[0]


def test_a_code_that_is_gone_is_never_sent_as_the_mask(eskiz):
    message = message_send(
        actor=SYSTEM, channel="sms", address="+998901234567", template="application_received", context=RECEIVED
    )
    Message.objects.filter(pk=message.pk).update(sealed="")
    message = message_deliver(message_id=message.pk)
    assert message.status == MessageStatus.FAILED and "no longer kept" in message.last_error
    assert not eskiz.sends
    with pytest.raises(ValidationError) as refused, translation.override("en"):
        message_retry(actor=SYSTEM, message=message)
    assert refused.value.code == "message_secret" and "no longer kept" in refused.value.messages[0]


# --- The seal --------------------------------------------------------------------------------------


def test_a_seal_opens_with_the_key_and_its_fallbacks_only(settings):
    token = sealing.seal({"code": CODE})
    assert CODE not in token and sealing.unseal(token) == {"code": CODE}
    assert sealing.seal({"code": CODE}) != token  # a new nonce each time
    assert sealing.seal({}) == "" and sealing.unseal("") == {}
    settings.SECRET_KEY_FALLBACKS = [settings.SECRET_KEY]
    settings.SECRET_KEY = "a-new-key-after-rotation-0123456789-0123456789-0123456789"
    assert sealing.unseal(token) == {"code": CODE}  # rotated: still opens
    settings.SECRET_KEY_FALLBACKS = []
    with pytest.raises(sealing.Unsealable):
        sealing.unseal(token)


def test_an_altered_seal_does_not_open():
    token = sealing.seal({"code": CODE})
    version, _dot, payload = token.partition(".")
    altered = f"{version}.{payload[:20]}{'A' if payload[20] != 'A' else 'B'}{payload[21:]}"
    for bad in (altered, "s1.", "x1." + payload, "s1.!!!"):
        with pytest.raises(sealing.Unsealable):
            sealing.unseal(bad)


def test_messages_stored_before_are_masked_by_the_migration():
    migration = importlib.import_module("darcha.notify.migrations.0002_message_lease_and_sealed_secrets")
    body = f"Application NM-1: access code {CODE}."
    waiting = Message.objects.create(
        channel="sms", address="+998901234567", template="application_received", context={"code": CODE}, body=body
    )
    sent = Message.objects.create(
        channel="sms", address="+998901234567", template="otp", context={"code": CODE}, body=body, status="sent"
    )
    migration.mask_stored_codes(apps, None)
    waiting.refresh_from_db()
    sent.refresh_from_db()
    for message in (waiting, sent):
        assert CODE not in message.body and message.context["code"] == MASK
    assert sealing.unseal(waiting.sealed) == {"code": CODE} and sent.sealed == ""


# --- Spool folder and switched-off channels -------------------------------------------------------


def test_the_spool_backend_writes_each_message_once(settings, tmp_path):
    settings.NOTIFY_SMS_BACKEND, settings.NOTIFY_SPOOL_DIR = "file", tmp_path / "spool"
    message = message_send(actor=SYSTEM, channel="sms", address="+998901234567", template="otp", context={"code": CODE})
    message = message_deliver(message_id=message.pk)
    assert (message.status, message.backend, message.fallback) == (MessageStatus.SENT, "file", False)
    [path] = (tmp_path / "spool" / "sms").iterdir()
    assert path.name == f"{message_key(message.pk)}.json" and message.provider_id == path.name
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    record = json.loads(path.read_text())
    assert record["address"] == "+998901234567" and CODE in record["body"]  # what the gateway sends
    # An attempt cut off after the file was written: the next one finds it and writes nothing.
    Message.objects.filter(pk=message.pk).update(
        status=MessageStatus.SENDING, claimed_until=message.created_at, sealed=sealing.seal({"code": CODE})
    )
    path.write_text('{"gateway": "already picked up"}')
    message = message_deliver(message_id=message.pk)
    assert message.status == MessageStatus.SENT and message.interrupted == 1
    assert json.loads(path.read_text()) == {"gateway": "already picked up"}
    entry = AuditEntry.objects.filter(action="message_attempt", object_id=str(message.pk)).latest("id")
    assert entry.data["interrupted"] == "found"


def test_a_channel_switched_off_is_skipped_and_never_sends(settings, telegram):
    settings.NOTIFY_TELEGRAM_BACKEND = "off"
    message = message_send_preferred(
        actor=SYSTEM, phone="+998901234567", telegram_chat="5512345678", template="otp", context={"code": CODE}
    )
    assert message.channel == Channel.SMS  # not Telegram, though the chat is known
    assert message_send_preferred(actor=SYSTEM, telegram_chat="5512345678", template="otp", context={}) is None
    direct = message_send(actor=SYSTEM, channel="telegram", address="5512345678", template="otp", context={"code": "1"})
    direct = message_deliver(message_id=direct.pk)
    assert (direct.status, direct.backend) == (MessageStatus.FAILED, "off") and "is off" in direct.last_error
    assert not telegram.requests
    assert channels.is_off(Channel.TELEGRAM) and not channels.is_live(Channel.TELEGRAM)
