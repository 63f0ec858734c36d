"""The one refusal type, and its one mapping to what a page shows.

A service refuses in one of three ways, and only these:
- `ValidationError` (Django's) — the input is wrong: 400, with field messages;
- `Refused(message, code)` — not possible in the present state: 409;
- `Forbidden(message, code)` — not for this actor: 403 (also a Django `PermissionDenied`, so a refusal
  raised outside a service call still gives Django's and DRF's 403).

`code` is a member of an app's refusal enum (a `StrEnum`: `cases.choices.CaseRefusal`,
`queues.choices.QueueRefusal`, `AccessRefusal` below), never a loose string: the API hands it to clients
as the stable `code` of its JSON errors. The API maps refusals in `core.api.exception_handler`; pages
run a service through `attempt()`, which turns a refusal into the page's message and status.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _


class AccessRefusal(enum.StrEnum):
    FORBIDDEN = "forbidden"


class Refused(Exception):
    """An action refused in the present state of things (HTTP 409)."""

    status = 409

    def __init__(self, message: str, code: enum.StrEnum):
        if not isinstance(code, enum.StrEnum):
            raise TypeError(f"refusal codes are members of an app's refusal enum, not {code!r}")
        super().__init__(message)
        self.message = str(message)
        self.code = code

    def __str__(self) -> str:
        return self.message


class Forbidden(Refused, PermissionDenied):
    """An action refused to this actor (HTTP 403)."""

    status = 403

    def __init__(self, message: str, code: enum.StrEnum = AccessRefusal.FORBIDDEN):
        super().__init__(message, code)


def validation_messages(error: ValidationError) -> dict[str, list[str]]:
    """A ValidationError's messages by field; messages without a field under "__all__"."""
    if hasattr(error, "error_dict"):
        return {name: [str(m) for m in messages] for name, messages in error.message_dict.items()}
    return {"__all__": [str(m) for m in error.messages]}


@dataclass
class Attempt:
    """What a page needs from one service call: its value, or the refusal's message and status."""

    value: Any = None
    status: int = 200
    message: str = ""
    field_errors: dict[str, list[str]] = field(default_factory=dict)
    error: Exception | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def attempt(run: Callable[[], Any]) -> Attempt:
    """Run one service call for a page. Bad input gives 400 with the field messages, a refusal 409 or
    403 with its message; anything else is a bug and propagates."""
    try:
        return Attempt(value=run())
    except Refused as error:
        return Attempt(status=error.status, message=error.message, error=error)
    except ValidationError as error:
        messages = validation_messages(error)
        text = " ".join(m for ms in messages.values() for m in ms)
        return Attempt(status=400, message=text, field_errors=messages, error=error)
    except PermissionDenied as error:
        return Attempt(status=403, message=str(error) or _("You may not do this."), error=error)
