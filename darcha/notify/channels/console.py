import logging

from django.conf import settings

from .base import BaseChannel, DeliveryError, Outgoing, Sent

logger = logging.getLogger("darcha.notify.console")


class ConsoleChannel(BaseChannel):
    """Writes the message to the log instead of sending it: in development the default for every
    channel when no provider is configured, so development and demos need no SMS or mail account,
    and the real text is written (a developer needs the code). In production (DARCHA_PRODUCTION)
    only the console channel itself (a person who asked for no messages) comes here, and the log
    gets the text with its secrets masked."""

    name = "console"

    def send(self, outgoing: Outgoing) -> Sent:
        production = getattr(settings, "PRODUCTION", False)
        subject = outgoing.masked_subject if production else outgoing.subject
        body = outgoing.masked_body if production else outgoing.body
        logger.info(
            "message #%s to %s [%s]%s\n%s",
            outgoing.message_id,
            outgoing.address,
            outgoing.language,
            f" {subject}" if subject else "",
            body,
        )
        return Sent(provider_status="logged")


class OffChannel(BaseChannel):
    """A channel switched off (NOTIFY_<CHANNEL>_BACKEND=off): its messages fail at once, unsent and unlogged."""

    name = "off"

    def __init__(self, setting: str = ""):
        self.setting = setting

    def send(self, outgoing: Outgoing) -> Sent:
        raise DeliveryError(f"{self.setting or 'the channel'} is off: the message was not sent", transient=False)


class UnconfiguredChannel(BaseChannel):
    """In production, a provider selected but not configured (the system check refuses to start so;
    settings changed at run time end here): retried, so fixing the settings delivers it — never logged."""

    name = "unconfigured"

    def __init__(self, setting: str = ""):
        self.setting = setting

    def send(self, outgoing: Outgoing) -> Sent:
        raise DeliveryError(f"{self.setting or 'the provider'} is not configured: the message was not sent")
