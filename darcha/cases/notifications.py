"""Message templates of the cases app (texts are gettext msgids, rendered in the recipient's language)."""

from django.utils.translation import gettext_lazy as _

from darcha.notify.templates import register_template

register_template(
    "application_received",
    _("Application registered"),
    _(
        "Application %(number)s (“%(service)s”) is registered. Access code: %(code)s. "
        "Due by %(due)s. Track it on the center's website or with the Telegram bot."
    ),
    secret=("code",),  # the access code: sent, never stored or logged in clear (darcha.notify.sealing)
)
register_template(
    "application_progress",
    _("Your application has moved on"),
    _("Application %(number)s: %(status)s."),
)
register_template(
    "documents_requested",
    _("Documents needed"),
    _(
        "Application %(number)s needs more from you: %(requested)s. Bring it to %(center)s. "
        "The term is stopped until then."
    ),
)
register_template(
    "application_ready",
    _("Your result is ready"),
    _("Application %(number)s (“%(service)s”): the result is ready. Collect it at %(center)s with your passport."),
)
register_template(
    "application_refused",
    _("Decision on your application"),
    _(
        "Application %(number)s (“%(service)s”) was refused: %(reason)s. "
        "Collect the letter at %(center)s with your passport."
    ),
)
register_template(
    "rating_request",
    _("Rate the service"),
    _("Thank you for using “%(service)s”. Please rate the service (1–5): %(link)s"),
)
register_template(
    "task_assigned",
    _("New task"),
    _("Application %(number)s has been assigned to you."),
)
register_template(
    "task_supplemented",
    _("Documents supplied"),
    _("Application %(number)s: the applicant brought the requested documents; the term runs again."),
)
register_template(
    "task_due_soon",
    _("Task due soon"),
    _("Application %(number)s, step %(step)s at %(agency)s, is due on %(due)s."),
)
register_template(
    "task_overdue",
    _("Task overdue"),
    _("Application %(number)s, step %(step)s at %(agency)s, was due on %(due)s and is overdue."),
)
register_template(
    "tracking_locked",
    _("Tracking locked"),
    _(
        "Tracking of application %(number)s is locked after too many wrong access codes. It unlocks by itself "
        "at %(until)s. To unlock it now and get a new access code, open %(link)s or come to %(center)s with "
        "your passport."
    ),
    secret=("link",),  # the link unlocks the application's tracking
)
register_template(
    "tracking_new_code",
    _("New access code"),
    _("Application %(number)s: your new access code is %(code)s. The code on your receipt no longer works."),
    secret=("code",),
)
