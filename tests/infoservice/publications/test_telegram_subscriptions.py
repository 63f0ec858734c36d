"""Telegram subscriptions through the citizens' bot: /subscribe lists, /subscribe <n> [kinds] [daily]
subscribes, /unsubscribe ends; a publication then reaches the chat through the Bot API stand-in."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from darcha.cases import telegram as bot
from darcha.infoservice.publications.models_subscriptions import ChatSubscription, Frequency
from darcha.notify.choices import MessageStatus
from darcha.notify.models import Message

from . import subscription_helpers as helpers
from .subscription_helpers import publish

pytestmark = pytest.mark.django_db
office, now_tasks, telegram = helpers.office, helpers.now_tasks, helpers.telegram
CHAT = 5512345678


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


def say(text: str, language: str = "en") -> str:
    return bot.answer(CHAT, text, language=language)


def test_subscribe_lists_then_subscribes_and_the_publication_reaches_the_chat(
    office, telegram, now_tasks, django_capture_on_commit_callbacks
):
    listing = say("/subscribe")
    assert office.organization.code in listing and "/subscribe 2 decision news daily" in listing
    assert "/subscribe" in bot.help_text()
    reply = say(f"/subscribe {office.organization.code} announcement")
    assert "Subscribed" in reply and "Announcement" in reply
    subscription = ChatSubscription.objects.get()
    assert subscription.chat_id == str(CHAT) and subscription.kinds == ["announcement"]
    assert subscription.language == "en"
    publish(office, django_capture_on_commit_callbacks, kind="news")  # not a kind it follows
    assert telegram.sent() == []
    publish(office, django_capture_on_commit_callbacks, kind="announcement")
    [sent] = telegram.sent()
    assert sent.json["chat_id"] == str(CHAT) and "Yangi maktab ochildi" in sent.json["text"]
    assert "/unsubscribe" in sent.json["text"]
    message = Message.objects.get(template="publication_chat")
    assert message.status == MessageStatus.DELIVERED
    assert "no more" in say("/unsubscribe")
    assert not ChatSubscription.objects.exists()
    assert "no such subscription" in say("/unsubscribe")


def test_daily_and_by_number_and_bad_words(office, now_tasks):
    numbered = say("/subscribe")
    number = next(line.split(".")[0] for line in numbered.splitlines() if office.organization.code in line)
    say(f"/subscribe {number} daily")
    assert ChatSubscription.objects.get().frequency == Frequency.DAILY
    assert "not a kind" in say(f"/subscribe {number} gossip")
    assert "There is no" in say("/subscribe 999")
    assert ChatSubscription.objects.count() == 1
