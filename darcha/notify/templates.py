"""Message templates: a code, a subject and a text, translated through gettext.

Texts are English msgids (`gettext_lazy`) with `%(name)s` placeholders, rendered in the message's
language with `translation.override`. A body may instead be a function of the context (for plural
forms or optional parts); it runs with the language already switched.

Other apps add their own templates from their AppConfig.ready():

    from darcha.notify.templates import register_template
    register_template("application_ready", _("Your result is ready"), _("Application %(number)s: ..."))
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

Text = str | Promise
Body = Text | Callable[[Mapping], str]

# Shown instead of a one-time secret wherever the text is kept (admin, audit).
MASK = "••••••"


@dataclass(frozen=True)
class MessageTemplate:
    code: str
    subject: Text
    body: Body
    # Context keys holding one-time secrets: masked in the stored text, wiped after delivery.
    secret: tuple[str, ...] = ()
    # Values used when the caller's context leaves a key out.
    defaults: Mapping = field(default_factory=dict)

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
    code: str, subject: Text, body: Body, *, secret: tuple[str, ...] = (), defaults: Mapping | None = None
) -> MessageTemplate:
    """Add a template. Registering the same code again with a different text is an error."""
    template = MessageTemplate(code=code, subject=subject, body=body, secret=tuple(secret), defaults=defaults or {})
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


# --- Built-in templates -------------------------------------------------------------------------


def _queue_position(values: Mapping) -> str:
    values = {**values, "ahead": int(values["ahead"])}
    text = ngettext(
        "Ticket %(ticket)s: %(ahead)d person ahead of you.",
        "Ticket %(ticket)s: %(ahead)d people ahead of you.",
        values["ahead"],
    )
    text %= values
    if values.get("counter"):
        text += " " + gettext("You will be served at window %(counter)s.") % values
    return text


register_template(
    "otp",
    _("Confirmation code"),
    _("Your confirmation code: %(code)s. It is valid for %(minutes)s minutes. Do not tell it to anyone."),
    secret=("code",),
    defaults={"minutes": 5},
)
register_template("queue_position", _("Your place in the queue"), _queue_position)
register_template(
    "ticket_called",
    _("Your turn"),
    _("Ticket %(ticket)s, please come to window %(counter)s."),
)
register_template(
    "appointment_booked",
    _("Appointment booked"),
    _("You are booked for “%(service)s” at %(center)s on %(when)s. Booking code: %(code)s."),
)
register_template(
    "appointment_reminder",
    _("Appointment reminder"),
    _("Reminder: “%(service)s” at %(center)s on %(when)s. Booking code: %(code)s."),
)
register_template(
    "appointment_cancelled",
    _("Appointment cancelled"),
    _("Your appointment %(code)s on %(when)s has been cancelled."),
)
