"""Telegram Bot API: POST {base}/bot<token>/sendMessage with chat_id and text. A message the Bot API
accepts is in the person's chat, so success counts as delivered.

The Bot API takes no idempotency key and cannot list what a bot sent, so an attempt cut off between
Telegram's answer and our record of it cannot be checked: it is sent again after its lease (at least
once), and the message counts the interruption (`Message.interrupted`). Only that instant — a few
milliseconds — can give a duplicate; a worker that dies at any other moment loses nothing and
repeats nothing."""

from __future__ import annotations

from django.conf import settings

from . import httpapi
from .base import BaseChannel, DeliveryError, Outgoing, Sent


class TelegramChannel(BaseChannel):
    name = "telegram"

    def send(self, outgoing: Outgoing) -> Sent:
        url = f"{settings.NOTIFY_TELEGRAM_URL.rstrip('/')}/bot{settings.NOTIFY_TELEGRAM_TOKEN}/sendMessage"
        answer = httpapi.request(
            "POST",
            url,
            json_body={"chat_id": outgoing.address, "text": outgoing.body, "disable_web_page_preview": True},
            provider="Telegram",
        )
        if answer.ok and answer.data.get("ok"):
            result = answer.data.get("result") or {}
            return Sent(provider_id=str(result.get("message_id", "")), provider_status="ok", delivered=True)
        detail = answer.data.get("description") or answer.text[:200]
        # 400 (chat not found) and 403 (the person blocked the bot) will not get better by retrying.
        raise DeliveryError(f"Telegram HTTP {answer.status}: {detail}", transient=httpapi.is_transient(answer.status))
