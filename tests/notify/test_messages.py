import datetime as dt
import logging
import zoneinfo

import pytest
from django.core.exceptions import ValidationError
from django_tasks_db.models import DBTaskResult

from darcha.core.audit import SYSTEM, audit_verify
from darcha.core.models import AuditEntry
from darcha.notify.choices import Channel, MessageStatus
from darcha.notify.models import Message
from darcha.notify.selectors import messages_for
from darcha.notify.services import (
    channel_preference_set,
    message_deliver,
    message_send,
    message_send_preferred,
    messages_requeue_due,
)
from darcha.notify.tasks import deliver_message
from tests.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db

TASHKENT = zoneinfo.ZoneInfo("Asia/Tashkent")
CALLED = {"ticket": "A-017", "counter": "7"}


def _deliver_tasks():
    return DBTaskResult.objects.filter(task_path="darcha.notify.tasks.deliver_message")


def test_a_message_is_queued_audited_and_its_delivery_enqueued_on_commit(django_capture_on_commit_callbacks):
    user = UserFactory()
    ticket_owner = OrganizationFactory()  # any model instance can be what a message is about
    with django_capture_on_commit_callbacks(execute=True):
        message = message_send(
            actor=user,
            channel="sms",
            address="90 123 45 67",
            template="ticket_called",
            context=CALLED,
            language="ru",
            related=ticket_owner,
        )
        assert not _deliver_tasks().exists()  # nothing leaves before the transaction commits
    message.refresh_from_db()
    assert message.status == MessageStatus.QUEUED and message.attempts == 0
    assert message.address == "+998901234567"
    assert message.language == "ru" and "A-017" in message.body
    assert (message.object_type, message.object_id) == ("core.organization", str(ticket_owner.pk))
    assert list(messages_for(ticket_owner)) == [message]
    task = _deliver_tasks().get()
    assert task.args_kwargs["args"] == [message.pk]
    assert AuditEntry.objects.filter(action="message_send", object_id=str(message.pk), actor=user).exists()
    assert audit_verify()[1] is None


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"channel": "fax"}, "channel"),
        ({"template": "no_such_template"}, "template"),
        ({"address": "+7 912 345 67 89"}, "phone_format"),
        ({"address": "12345"}, "phone_format"),
        ({"channel": "email", "address": "not-an-address"}, "invalid"),
        ({"channel": "telegram", "address": "@someone"}, "telegram_chat"),
        ({"channel": "console", "address": ""}, "address"),
        ({"language": "de"}, "language"),
        ({"context": {"ticket": "A-017"}}, "context"),
    ],
)
def test_invalid_messages_are_refused(changes, code):
    arguments = {
        "actor": SYSTEM,
        "channel": "sms",
        "address": "+998901234567",
        "template": "ticket_called",
        "context": CALLED,
        **changes,
    }
    with pytest.raises(ValidationError) as error:
        message_send(**arguments)
    assert error.value.code == code
    assert not Message.objects.exists()


def test_valid_addresses_per_channel():
    email = message_send(
        actor=SYSTEM, channel="email", address=" aziz@example.uz ", template="ticket_called", context=CALLED
    )
    chat = message_send(
        actor=SYSTEM, channel="telegram", address="5512345678", template="ticket_called", context=CALLED
    )
    assert email.address == "aziz@example.uz" and chat.address == "5512345678"


def test_context_values_are_stored_as_text_in_tashkent_time():
    when = dt.datetime(2026, 3, 5, 5, 30, tzinfo=dt.UTC)  # 10:30 in Tashkent
    center = OrganizationFactory(name_uz="Namangan shahar DXM", name_ru="ЦГУ города Наманган")
    message = message_send(
        actor=SYSTEM,
        channel="sms",
        address="+998901234567",
        template="appointment_booked",
        context={"code": "QX7K2", "service": "Kadastr", "center": center, "when": when},
        language="ru",
    )
    assert message.context["when"] == "05.03.2026 10:30"
    assert message.context["center"] == "ЦГУ города Наманган"  # the object's name in the message's language
    assert "05.03.2026 10:30" in message.body


def test_without_a_provider_sms_is_written_to_the_log_and_recorded_as_fallback(caplog):
    message = message_send(
        actor=SYSTEM, channel="sms", address="+998901234567", template="ticket_called", context=CALLED
    )
    with caplog.at_level(logging.INFO, logger="darcha.notify.console"):
        assert deliver_message.call(message.pk) == "sent"
    message.refresh_from_db()
    assert (message.status, message.backend, message.fallback) == (MessageStatus.SENT, "console", True)
    assert message.attempts == 1 and message.sent_at is not None
    assert "A-017" in caplog.text and "+998901234567" in caplog.text
    assert AuditEntry.objects.filter(action="message_attempt", object_id=str(message.pk)).count() == 1


def test_the_immediate_backend_delivers_on_commit(immediate_tasks, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = message_send(
            actor=SYSTEM, channel="console", address="operator-1", template="ticket_called", context=CALLED
        )
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT and message.fallback is False


def test_a_message_is_attempted_once_at_a_time():
    message = message_send(actor=SYSTEM, channel="console", address="desk", template="ticket_called", context=CALLED)
    Message.objects.filter(pk=message.pk).update(status=MessageStatus.SENDING)
    assert deliver_message.call(message.pk) == "skipped"  # another worker holds it
    Message.objects.filter(pk=message.pk).update(status=MessageStatus.SENT)
    assert deliver_message.call(message.pk) == "skipped"  # sent already: never twice
    assert message_deliver(message_id=10**9) is None


def test_requeue_picks_up_due_retries_and_attempts_cut_off_by_a_dead_worker(
    immediate_tasks, django_capture_on_commit_callbacks
):
    now = dt.datetime.now(tz=TASHKENT)
    waiting = message_send(actor=SYSTEM, channel="console", address="a", template="ticket_called", context=CALLED)
    Message.objects.filter(pk=waiting.pk).update(attempts=1, next_attempt_at=now - dt.timedelta(seconds=1))
    later = message_send(actor=SYSTEM, channel="console", address="b", template="ticket_called", context=CALLED)
    Message.objects.filter(pk=later.pk).update(attempts=1, next_attempt_at=now + dt.timedelta(minutes=5))
    stuck = message_send(actor=SYSTEM, channel="console", address="c", template="ticket_called", context=CALLED)
    Message.objects.filter(pk=stuck.pk).update(
        status=MessageStatus.SENDING, attempts=1, sending_at=now - dt.timedelta(minutes=30)
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert messages_requeue_due(now=now) == 2
    statuses = dict(Message.objects.values_list("address", "status"))
    assert statuses == {"a": MessageStatus.SENT, "b": MessageStatus.QUEUED, "c": MessageStatus.SENT}
    assert Message.objects.get(address="c").attempts == 2


# --- Preferred channel -----------------------------------------------------------------------------


def test_nobody_to_notify_gives_none():
    assert message_send_preferred(actor=SYSTEM, template="ticket_called", context=CALLED) is None


def test_default_order_is_telegram_then_sms_then_email():
    kwargs = {"actor": SYSTEM, "template": "ticket_called", "context": CALLED}
    assert message_send_preferred(
        phone="+998901234567", email="a@example.uz", telegram_chat="42", **kwargs
    ).channel == (Channel.TELEGRAM)
    assert message_send_preferred(phone="+998901234567", email="a@example.uz", **kwargs).channel == Channel.SMS
    assert message_send_preferred(email="a@example.uz", **kwargs).channel == Channel.EMAIL


def test_a_live_provider_wins_over_one_that_only_logs(eskiz):
    message = message_send_preferred(
        actor=SYSTEM, phone="+998901234567", telegram_chat="42", template="ticket_called", context=CALLED
    )
    assert message.channel == Channel.SMS  # Telegram is not configured, Eskiz is


def test_the_persons_preference_comes_first_and_supplies_addresses():
    user = UserFactory()
    channel_preference_set(actor=user, phone="+998 90 123 45 67", channel="email", email="nodira@example.uz")
    message = message_send_preferred(
        actor=SYSTEM, phone="901234567", telegram_chat="42", template="ticket_called", context=CALLED
    )
    assert (message.channel, message.address) == (Channel.EMAIL, "nodira@example.uz")
    channel_preference_set(actor=user, phone="+998901234567", channel="telegram", telegram_chat="777")
    message = message_send_preferred(actor=SYSTEM, phone="+998901234567", template="ticket_called", context=CALLED)
    assert (message.channel, message.address) == (Channel.TELEGRAM, "777")
    assert AuditEntry.objects.filter(action="channel_preference_set").count() == 2


def test_a_preference_for_no_messages_only_logs():
    channel_preference_set(actor=SYSTEM, phone="+998901234567", channel="console")
    message = message_send_preferred(
        actor=SYSTEM, phone="+998901234567", email="a@example.uz", template="ticket_called", context=CALLED
    )
    assert message.channel == Channel.CONSOLE


def test_a_telegram_preference_needs_a_chat():
    with pytest.raises(ValidationError) as error:
        channel_preference_set(actor=SYSTEM, phone="+998901234567", channel="telegram")
    assert "telegram_chat" in error.value.message_dict


def test_the_requeue_runs_as_a_scheduler_job(immediate_tasks):
    from darcha.core.scheduler import registered_jobs

    [job] = [job for job in registered_jobs() if job.name == "notify.requeue"]
    now = dt.datetime.now(tz=TASHKENT)
    message = message_send(actor=SYSTEM, channel="console", address="a", template="ticket_called", context=CALLED)
    Message.objects.filter(pk=message.pk).update(next_attempt_at=now)
    assert job.every_seconds == 60
    assert job.func(now=now) == 1  # as the scheduler calls it
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT


def test_an_empty_language_means_the_default_one():
    message = message_send(
        actor=SYSTEM, channel="console", address="a", template="ticket_called", context=CALLED, language=""
    )
    assert message.language == "uz"
