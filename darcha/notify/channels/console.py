import logging

from .base import BaseChannel, Outgoing, Sent

logger = logging.getLogger("darcha.notify.console")


class ConsoleChannel(BaseChannel):
    """Writes the message to the log instead of sending it: the default for every channel when no
    provider is configured, so development and demos need no SMS or mail account."""

    name = "console"

    def send(self, outgoing: Outgoing) -> Sent:
        logger.info(
            "message #%s to %s [%s]%s\n%s",
            outgoing.message_id,
            outgoing.address,
            outgoing.language,
            f" {outgoing.subject}" if outgoing.subject else "",
            outgoing.body,
        )
        return Sent(provider_status="logged")
