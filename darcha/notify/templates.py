"""Message templates: a code, a subject and a text, translated through gettext.

Texts are English msgids (`gettext_lazy`) with `%(name)s` placeholders, rendered in the message's
language with `translation.override`. A body may instead be a function of the context (for plural
forms or optional parts); it runs with the language already switched.

This module is the registry only. Each app keeps its templates in its own `notifications.py`,
imported from its AppConfig.ready() (`cases.notifications`, `queues.notifications`, and this app's
`notify.notifications` for the confirmation code):

    from darcha.notify.templates import register_template
    register_template("application_ready", _("Your result is ready"), _("Application %(number)s: ..."))
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext

Text = str | Promise
Body = Text | Callable[[Mapping], str]

# Shown instead of a secret wherever the text is kept or logged (the body, the context, the admin, the log).
MASK = "••••••"


@dataclass(frozen=True)
class MessageTemplate:
    code: str
    subject: Text
    body: Body
    # Context keys holding secrets (one-time codes, access and booking codes): the text sent to the
    # provider has them; the stored body and context have MASK, the values are sealed until delivery
    # (see darcha.notify.sealing).
    secret: tuple[str, ...] = ()
    # Values used when the caller's context leaves a key out.
    defaults: Mapping = field(default_factory=dict)
    # A one-time secret is worthless after its message fails (the person asks for a new code): it is
    # wiped then too, and the message cannot be sent again. Other secrets (an access code) stay sealed
    # on a failed message, so an administrator can send it again.
    one_time: bool = False
    # Mail headers made from the context at each attempt (the e-mail channel sends them; others ignore
    # them): a subscription's List-Unsubscribe and List-Unsubscribe-Post (RFC 2369, RFC 8058).
    headers: Callable[[Mapping], Mapping[str, str]] | None = None

    def render_headers(self, context: Mapping) -> tuple[tuple[str, str], ...]:
        """The mail headers for this context (secrets unsealed): name/value pairs, no line breaks."""
        if self.headers is None:
            return ()
        made = self.headers({**self.defaults, **context}) or {}
        return tuple(
            (str(name).strip(), " ".join(str(value).split())) for name, value in made.items() if str(value).strip()
        )

    def split(self, context: Mapping) -> tuple[dict, dict]:
        """(the context as stored, with MASK for each secret; the secret values)."""
        stored = {key: (MASK if key in self.secret else value) for key, value in context.items()}
        return stored, {key: str(context[key]) for key in self.secret if key in context}

    def render(self, context: Mapping, language: str, *, masked: bool = False) -> tuple[str, str]:
        """(subject, body) in `language`. Raises ValidationError if the context does not fit."""
        values = {**self.defaults, **context}
        if masked:
            values.update({key: MASK for key in self.secret if key in values})
        try:
            with translation.override(language):
                subject = str(self.subject) % values
                body = self.body(values) if callable(self.body) else str(self.body) % values
        except KeyError as error:
            raise ValidationError(
                gettext("The message template “%(template)s” needs the value “%(key)s”.")
                % {"template": self.code, "key": error.args[0]},
                code="context",
            ) from error
        except (TypeError, ValueError) as error:
            raise ValidationError(
                gettext("The values given do not fit the message template “%(template)s”.") % {"template": self.code},
                code="context",
            ) from error
        return subject.strip(), body.strip()


_registry: dict[str, MessageTemplate] = {}


def register_template(
    code: str,
    subject: Text,
    body: Body,
    *,
    secret: tuple[str, ...] = (),
    defaults: Mapping | None = None,
    one_time: bool = False,
    headers: Callable[[Mapping], Mapping[str, str]] | None = None,
) -> MessageTemplate:
    """Add a template. Registering the same code again with a different text is an error.

    `secret` names the context values that must never be stored or logged in clear (a one-time
    code, an access code, a booking code); `one_time` says they are worthless once the message fails;
    `headers(context)` gives an e-mail's extra headers (List-Unsubscribe), made at each attempt."""
    template = MessageTemplate(
        code=code,
        subject=subject,
        body=body,
        secret=tuple(secret),
        defaults=defaults or {},
        one_time=one_time,
        headers=headers,
    )
    existing = _registry.get(code)
    if existing is not None and existing != template:
        raise ImproperlyConfigured(f"Message template {code!r} is already registered with another text.")
    _registry[code] = template
    return template


def get_template(code: str) -> MessageTemplate:
    try:
        return _registry[code]
    except KeyError:
        raise ValidationError(
            gettext("Unknown message template “%(template)s”.") % {"template": code}, code="template"
        ) from None


def template_codes() -> list[str]:
    return sorted(_registry)
