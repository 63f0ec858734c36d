"""What every channel implements: send one text to one address, say what the provider answered."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Outgoing:
    message_id: int
    address: str
    subject: str
    body: str
    language: str


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


class BaseChannel:
    #: The name recorded on the message as `backend`.
    name = ""

    def send(self, outgoing: Outgoing) -> Sent:
        raise NotImplementedError

    def delivery_status(self, provider_id: str) -> str:
        """The provider's current status word for a sent message ("" if it cannot tell)."""
        return ""
