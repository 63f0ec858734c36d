"""Telegram chats following an appeal: the bot (`infoservice.telegram`) subscribes a chat once it has
checked the appeal's number and access code, and every notice the author gets (an extension, the study
notice, a forward or return, the answer, a withdrawal) is copied to those chats in their language.

As cases' and preschool's subscriptions, with the same `/stop`: the bot ends the chat's subscriptions of
every app.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from darcha.core.audit import SYSTEM, audit_record
from darcha.core.i18n import language_or_default
from darcha.notify import services as notify
from darcha.notify.choices import Channel

from ..models import Appeal, TelegramSubscription
from ._common import log


def telegram_subscribe(*, actor, chat_id: str, appeal: Appeal, language: str = "uz", now=None) -> bool:
    """Follow an appeal from a Telegram chat; False if the chat follows it already (its language is
    updated: notices come in the language the chat asks in). `actor`: the bot, which has checked the
    appeal's number and access code."""
    now = now or timezone.now()
    language = language_or_default(language)
    with transaction.atomic():
        subscription, created = TelegramSubscription.objects.get_or_create(
            appeal=appeal, chat_id=str(chat_id), defaults={"language": language, "created_at": now}
        )
        if not created and subscription.language != language:
            subscription.language = language
            subscription.save(update_fields=["language"])
        if created:
            # The chat's id is not personal data the hokimiyat needs in its chain: only that one subscribed.
            audit_record(actor=actor, action="appeal_telegram_subscribe", obj=appeal, data={"chat": "telegram"})
    return created


def telegram_unsubscribe(*, actor, chat_id: str) -> int:
    """Stop every appeal's notices to a Telegram chat (the person sent /stop); how many ended."""
    with transaction.atomic():
        subscriptions = TelegramSubscription.objects.filter(chat_id=str(chat_id))
        rows = list(subscriptions.select_related("appeal__organization"))
        for row in rows:
            audit_record(actor=actor, action="appeal_telegram_unsubscribe", obj=row.appeal, data={"chat": "telegram"})
        if rows:
            subscriptions.delete()
    return len(rows)


def chats_notify(appeal: Appeal, template: str, context: dict) -> int:
    """Copy an author's notice to the Telegram chats following the appeal, once the transaction commits;
    how many copies will be sent. The template's words come in each chat's language."""
    chats = list(TelegramSubscription.objects.filter(appeal=appeal).values_list("chat_id", "language"))
    if not chats:
        return 0
    appeal_id, number = appeal.pk, appeal.number

    def send():
        for chat_id, language in chats:
            try:
                notify.message_send(
                    actor=SYSTEM,
                    channel=Channel.TELEGRAM,
                    address=chat_id,
                    template=template,
                    context=context,
                    language=language,
                    related=Appeal(pk=appeal_id),
                )
            except ValidationError:
                log.warning("appeal %s: a Telegram copy of %s not sent", number, template, exc_info=True)

    transaction.on_commit(send)
    return len(chats)
