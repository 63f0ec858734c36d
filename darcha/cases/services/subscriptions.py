"""Telegram chats following an application (the bot, `cases.telegram`, subscribes and unsubscribes them)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from darcha.core.audit import audit_record

from ..models import Application, TelegramSubscription


def telegram_subscribe(*, actor, chat_id: str, application: Application, language: str = "uz", now=None) -> bool:
    """Follow an application from a Telegram chat; False if the chat already follows it. `actor`: the bot
    (`cases.telegram.BOT`), which has checked the application's number and access code."""
    now = now or timezone.now()
    with transaction.atomic():
        _subscription, created = TelegramSubscription.objects.get_or_create(
            application=application, chat_id=str(chat_id), defaults={"language": language, "created_at": now}
        )
        if created:
            audit_record(actor=actor, action="telegram_subscribe", obj=application, data={"chat": "telegram"})
    return created


def telegram_unsubscribe(*, actor, chat_id: str) -> int:
    """Stop every update to a Telegram chat (the person sent /stop); how many subscriptions ended."""
    with transaction.atomic():
        subscriptions = TelegramSubscription.objects.filter(chat_id=str(chat_id))
        numbers = list(subscriptions.values_list("application__number", flat=True))
        if numbers:
            subscriptions.delete()
            audit_record(actor=actor, action="telegram_unsubscribe", data={"applications": numbers})
    return len(numbers)
