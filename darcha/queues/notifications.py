"""Message templates of the queue (texts are gettext msgids, rendered in the recipient's language),
registered from QueuesConfig.ready(): the position notice, the call, and the appointments' messages."""

from collections.abc import Mapping

from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from darcha.notify.templates import register_template


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
    secret=("code",),  # the booking code checks in and cancels: never stored or logged in clear
)
register_template(
    "appointment_reminder",
    _("Appointment reminder"),
    _("Reminder: “%(service)s” at %(center)s on %(when)s. Booking code: %(code)s."),
    secret=("code",),
)
register_template(
    "appointment_cancelled",
    _("Appointment cancelled"),
    _("Your appointment %(code)s on %(when)s has been cancelled."),
    secret=("code",),
)
