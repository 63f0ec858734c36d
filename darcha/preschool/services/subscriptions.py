"""Telegram chats following a kindergarten application: the bot (`preschool.telegram`) subscribes a chat
once it has checked the number and access code, and every notice the family gets (the referral, its
reminders and lapse, the summary of a change of position) is copied to those chats in their language.

As cases' subscriptions (`cases.services.subscriptions`), with the same `/stop`: the bot ends the
chat's subscriptions of both apps.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from darcha.core.audit import SYSTEM, audit_record
from darcha.notify import services as notify
from darcha.notify.choices import Channel

from ..models import EnrollmentApplication, TelegramSubscription
from ._common import log

CHUNK = 2000  # application ids per query when a campaign's many notices are copied


def telegram_subscribe(
    *, actor, chat_id: str, application: EnrollmentApplication, language: str = "uz", now=None
) -> bool:
    """Follow an application from a Telegram chat; False if the chat follows it already. `actor`: the bot,
    which has checked the application's number and access code."""
    now = now or timezone.now()
    with transaction.atomic():
        subscription, created = TelegramSubscription.objects.get_or_create(
            application=application, chat_id=str(chat_id), defaults={"language": language, "created_at": now}
        )
        if not created and subscription.language != language:
            subscription.language = language  # answers come in the chat's language: so do the notices
            subscription.save(update_fields=["language"])
        if created:
            audit_record(actor=actor, action="preschool_telegram_subscribe", obj=application, data={"chat": "telegram"})
    return created


def telegram_unsubscribe(*, actor, chat_id: str) -> int:
    """Stop every kindergarten notice to a Telegram chat (the person sent /stop); how many ended."""
    with transaction.atomic():
        subscriptions = TelegramSubscription.objects.filter(chat_id=str(chat_id))
        numbers = list(subscriptions.values_list("application__number", flat=True))
        if numbers:
            subscriptions.delete()
            audit_record(actor=actor, action="preschool_telegram_unsubscribe", data={"applications": numbers})
    return len(numbers)


def chats_notify(notices: Iterable[tuple[int, str, dict]]) -> int:
    """Copy family notices — (application id, template, context) — to the Telegram chats following those
    applications, once the transaction commits; how many copies will be sent. The context's values are
    as the family's notice has them; the template's words come in each chat's language."""
    by_application: dict[int, list[tuple[str, dict]]] = defaultdict(list)
    for application_id, template, context in notices:
        by_application[application_id].append((template, context))
    if not by_application:
        return 0
    if notify.muted_notices() is not None:
        return 0  # replaying history (`notify.notices_muted`): no chat is told, none is looked up
    ids = list(by_application)
    chats: list[tuple[int, str, str]] = []
    for start in range(0, len(ids), CHUNK):
        chats += TelegramSubscription.objects.filter(application_id__in=ids[start : start + CHUNK]).values_list(
            "application_id", "chat_id", "language"
        )
    copies = [
        (application_id, chat_id, language, template, context)
        for application_id, chat_id, language in chats
        for template, context in by_application[application_id]
    ]
    if copies:
        transaction.on_commit(lambda: _send(copies))
    return len(copies)


def _send(copies) -> None:
    for application_id, chat_id, language, template, context in copies:
        try:
            notify.message_send(
                actor=SYSTEM,
                channel=Channel.TELEGRAM,
                address=chat_id,
                template=template,
                context=context,
                language=language,
                related=EnrollmentApplication(pk=application_id),
            )
        except ValidationError:
            log.warning("preschool application %s: a Telegram copy of %s not sent", application_id, template)
