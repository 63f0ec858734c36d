"""Reads of the notify app."""

from __future__ import annotations

from django.db import models
from django.db.models import QuerySet

from .models import ChannelPreference, Message


def messages_for(obj: models.Model) -> QuerySet[Message]:
    """The messages sent about one object (a ticket, an appointment, an application), newest first."""
    return Message.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk))


def channel_preference(phone: str) -> ChannelPreference | None:
    """The preference stored for a phone number in E.164 form (see core.identifiers.validate_phone)."""
    return ChannelPreference.objects.filter(phone=phone).first() if phone else None


def message_values(message: Message) -> dict:
    """The values a message is rendered from, its sealed secrets opened: what the provider is sent
    (`Message.context` has the mask in their place). For the delivery and for tests; never shown."""
    from .sealing import unseal

    return {**message.context, **unseal(message.sealed)}
