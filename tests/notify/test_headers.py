"""A template's mail headers (MessageTemplate.headers): made from the context at each attempt, the
secrets unsealed, sent by the e-mail channel only, never replacing the channel's own headers."""

import pytest

from darcha.core.audit import SYSTEM
from darcha.notify.channels.base import Outgoing
from darcha.notify.choices import MessageStatus
from darcha.notify.services import message_send
from darcha.notify.tasks import deliver_message
from darcha.notify.templates import MASK, register_template

pytestmark = pytest.mark.django_db


def _headers(context):
    return {
        "List-Unsubscribe": f"<{context['link']}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "Message-ID": "<forged@example.org>",
        "X-Empty": "",
    }


register_template("test_list_mail", "A letter", "Read it. Leave: %(link)s", secret=("link",), headers=_headers)


def test_the_headers_are_made_from_the_unsealed_context_and_sent_by_smtp(smtp, django_capture_on_commit_callbacks):
    link = "https://darcha.example.uz/uz/news/unsubscribe/abc/"
    message = message_send(
        actor=SYSTEM, channel="email", address="nodira@example.uz", template="test_list_mail", context={"link": link}
    )
    assert MASK in message.body and link not in message.body  # the stored text keeps the link sealed
    with django_capture_on_commit_callbacks(execute=True):
        deliver_message.call(message.pk)
    message.refresh_from_db()
    assert message.status == MessageStatus.SENT
    [mail] = smtp.received
    assert mail.message["List-Unsubscribe"] == f"<{link}>"
    assert mail.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert mail.message["Message-ID"].strip("<>") == message.provider_id  # the channel's own, not the template's
    assert mail.message["X-Empty"] is None
    assert link in mail.message.get_content()


def test_outgoing_has_no_headers_by_default():
    assert Outgoing(1, "a@b.uz", "s", "b", "uz").headers == ()
