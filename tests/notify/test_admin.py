import pytest
from django.urls import reverse

from darcha.core.audit import SYSTEM
from darcha.core.models import AuditEntry
from darcha.notify.channels import settings_check
from darcha.notify.choices import MessageStatus
from darcha.notify.models import ChannelPreference, Message
from darcha.notify.services import message_send, otp_send
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

CALLED = {"ticket": "A-017", "counter": "7"}


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def _failed_message(**kwargs) -> Message:
    message = message_send(
        actor=SYSTEM, channel="sms", address="+998901234567", template="ticket_called", context=CALLED, **kwargs
    )
    Message.objects.filter(pk=message.pk).update(status=MessageStatus.FAILED, attempts=4, last_error="HTTP 500")
    return message


def test_messages_are_listed_filtered_and_read_only(admin_client):
    failed = _failed_message()
    message_send(actor=SYSTEM, channel="email", address="a@example.uz", template="ticket_called", context=CALLED)
    changelist = reverse("admin:notify_message_changelist")
    response = admin_client.get(changelist, {"status__exact": "failed", "channel__exact": "sms"})
    assert response.status_code == 200
    assert list(response.context["cl"].queryset) == [failed]
    page = admin_client.get(reverse("admin:notify_message_change", args=[failed.pk]))
    assert page.status_code == 200 and b"HTTP 500" in page.content
    assert admin_client.get(reverse("admin:notify_message_add")).status_code == 403
    assert (
        admin_client.post(reverse("admin:notify_message_delete", args=[failed.pk]), {"post": "yes"}).status_code == 403
    )


def test_failed_messages_can_be_sent_again_but_not_codes(admin_client, django_capture_on_commit_callbacks):
    failed = _failed_message()
    otp_send(actor=SYSTEM, phone="+998911234567", purpose="booking")
    code_message = Message.objects.get(template="otp")
    Message.objects.filter(pk=code_message.pk).update(status=MessageStatus.FAILED)
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            "/en" + reverse("admin:notify_message_changelist"),
            {"action": "retry", "_selected_action": [failed.pk, code_message.pk]},
            follow=True,
        )
    assert response.status_code == 200
    failed.refresh_from_db()
    code_message.refresh_from_db()
    assert (failed.status, failed.attempts) == (MessageStatus.QUEUED, 0)
    assert code_message.status == MessageStatus.FAILED
    assert AuditEntry.objects.filter(action="message_retry", object_id=str(failed.pk)).exists()
    assert "one-time code" in response.content.decode()


def test_preferences_are_edited_in_the_admin_and_audited(admin_client):
    response = admin_client.post(
        reverse("admin:notify_channelpreference_add"),
        {"phone": "90 123 45 67", "channel": "telegram", "telegram_chat": "5512345678", "email": ""},
    )
    assert response.status_code == 302
    preference = ChannelPreference.objects.get()
    assert preference.phone == "+998901234567"
    assert AuditEntry.objects.filter(action="create", object_type="notify.channelpreference").exists()
    refused = admin_client.post(
        reverse("admin:notify_channelpreference_add"), {"phone": "+998911234567", "channel": "telegram"}
    )
    assert refused.status_code == 200 and ChannelPreference.objects.count() == 1


def test_phone_codes_are_listed_without_their_hash(admin_client):
    otp_send(actor=SYSTEM, phone="+998901234567", purpose="booking")
    response = admin_client.get(reverse("admin:notify_phonecode_changelist"))
    assert response.status_code == 200
    page = admin_client.get(reverse("admin:notify_phonecode_change", args=[response.context["cl"].result_list[0].pk]))
    assert page.status_code == 200 and b"code_hash" not in page.content


def test_settings_check_reports_a_provider_selected_but_not_configured(settings):
    settings.NOTIFY_SMS_BACKEND = "eskiz"
    settings.NOTIFY_ESKIZ_EMAIL = settings.NOTIFY_ESKIZ_PASSWORD = ""
    settings.NOTIFY_TELEGRAM_BACKEND = "telegrm"
    problems = {problem.id: problem.msg for problem in settings_check()}
    assert set(problems) == {"notify.W001", "notify.E001"}
    assert "NOTIFY_ESKIZ_EMAIL" in problems["notify.W001"] and "telegrm" in problems["notify.E001"]
    settings.NOTIFY_SMS_BACKEND = settings.NOTIFY_TELEGRAM_BACKEND = "console"
    assert settings_check() == []
