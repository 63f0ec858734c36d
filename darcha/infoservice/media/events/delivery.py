"""How a notice reaches a journalist: by e-mail and by Telegram where they have them (both, for an
invitation or an embargoed release must not be missed), by SMS only when neither is known. Each notice is
queued through the notify app once the caller's transaction commits, in the journalist's language, so
its delivery has the notify app's statuses (and the admin's view of them).

A journalist's Telegram chat is the one their phone number is linked to in the notify app's channel
preferences (the citizens' bot links it), or the journalist's own field when the account has one."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import translation

from darcha.core.audit import SYSTEM
from darcha.core.i18n import language_or_default
from darcha.core.links import absolute_url
from darcha.notify import services as notify
from darcha.notify.choices import Channel
from darcha.notify.selectors import channel_preference

from .choices import PressEventKind

log = logging.getLogger("darcha.media")


def _field(obj, *names) -> str:
    for name in names:
        value = getattr(obj, name, "") or ""
        if value:
            return str(value).strip()
    return ""


def journalist_language(journalist) -> str:
    user = getattr(journalist, "user", None)
    return language_or_default(_field(journalist, "language") or _field(user, "language"))


def addresses_of(journalist) -> list[tuple[str, str]]:
    """[(channel, address)] a notice to this journalist goes to."""
    user = getattr(journalist, "user", None)
    email = _field(journalist, "email") or _field(user, "email")
    phone = _field(journalist, "phone")
    chat = _field(journalist, "telegram_chat")
    if not chat and phone:
        preference = channel_preference(phone)
        chat = preference.telegram_chat if preference is not None else ""
    found = []
    if email:
        found.append((Channel.EMAIL.value, email))
    if chat:
        found.append((Channel.TELEGRAM.value, chat))
    if not found and phone:
        found.append((Channel.SMS.value, phone))
    return found


def channels_of(journalist) -> list[str]:
    return [channel for channel, _address in addresses_of(journalist)]


def _send(journalists, template: str, context_for, related) -> None:
    """Queue the notice to each journalist by each of their channels, after the commit."""
    plan = [(journalist_language(j), addresses_of(j), j.pk) for j in journalists]
    plan = [row for row in plan if row[1]]
    if not plan:
        return

    def send():
        for language, addresses, journalist_id in plan:
            with translation.override(language):
                context = context_for(language)
            for channel, address in addresses:
                try:
                    notify.message_send(
                        actor=SYSTEM,
                        channel=channel,
                        address=address,
                        template=template,
                        context=context,
                        language=language,
                        related=related,
                    )
                except ValidationError:
                    log.warning("%s to journalist %s by %s not sent", template, journalist_id, channel, exc_info=True)

    transaction.on_commit(send)


def event_context(event, language: str, **extra) -> dict:
    """The values of a press event's notices, in `language` (called with it active)."""
    kind = str(PressEventKind(event.kind).label)
    return {
        "organization": event.organization.name,
        "kind": kind,
        "kind_lower": kind[:1].lower() + kind[1:],
        "title": type(event).title.value(event, language),
        "place": type(event).place.value(event, language),
        "when": event.starts_at,
        "link": absolute_url(reverse("media:event", args=[event.pk])),
        **extra,
    }


def event_notice(event, template: str, journalists: Iterable, **extra) -> None:
    journalists = list(journalists)
    _send(journalists, template, lambda language: event_context(event, language, **extra), event)


def release_notice(publication, dispatch, template: str, journalists: Iterable, *, texts) -> None:
    """An embargoed release's notice. `texts(language) -> (title, lead)` in that language (or the default's)."""
    journalists = list(journalists)

    def context_for(language):
        title, lead = texts(language)
        return {
            "organization": publication.organization.name,
            "title": title,
            "lead": lead,
            "until": dispatch.embargo_until,
            "link": absolute_url(reverse("media:release", args=[publication.pk])),
        }

    _send(journalists, template, context_for, dispatch)
