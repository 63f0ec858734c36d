"""What every channel implements: send one text to one address, say what the provider answered, and
— where the provider can tell — whether an earlier, interrupted attempt already got through."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class Outgoing:
    message_id: int
    address: str
    subject: str
    body: str
    language: str
    # The same for every attempt at one message, and unique to this installation: the idempotency
    # key given to providers that take one (Eskiz's user_sms_id, the e-mail's Message-ID, a spool file).
    key: str = ""
    # The text with its secrets masked: what may be logged.
    masked_subject: str = ""
    masked_body: str = ""
    # Extra mail headers (name, value) from the template (MessageTemplate.headers); only e-mail sends them.
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Sent:
    """The provider accepted the message. `delivered`: it also confirmed delivery to the person."""

    provider_id: str = ""
    provider_status: str = ""
    delivered: bool = False


class DeliveryError(Exception):
    """The provider did not take the message. Transient errors (network, 5xx, rate limits) are retried;
    permanent ones (a refused address, a bad request) fail the message at once."""

    def __init__(self, reason: str, *, transient: bool = True):
        super().__init__(reason)
        self.reason = reason
        self.transient = transient


class CannotCheck(Exception):
    """The provider cannot say whether an interrupted attempt got through: the message is sent again."""


class BaseChannel:
    #: The name recorded on the message as `backend`.
    name = ""
    #: Whether `find_sent` can tell if an interrupted attempt reached the provider.
    can_check = False

    def send(self, outgoing: Outgoing) -> Sent:
        raise NotImplementedError

    def find_sent(self, outgoing: Outgoing, *, since: dt.datetime) -> Sent | None:
        """Asked before sending again after an attempt (started at `since`) was cut off: the provider's
        record of that attempt, found by `outgoing.key`, or None if it never arrived. A channel that
        cannot tell raises CannotCheck (the message is sent again: at least once); a lookup that
        failed for now raises DeliveryError (nothing is sent, the attempt is retried later)."""
        raise CannotCheck(f"{self.name or 'this channel'} cannot say whether an attempt got through")

    def delivery_status(self, provider_id: str) -> str:
        """The provider's current status word for a sent message ("" if it cannot tell)."""
        return ""
