"""Message templates of the preschool app (texts are gettext msgids, rendered in the family's language).

Registered, the position summary (its lines written by `explain.reason_text` in the family's language
before it is queued); the referral, its reminder and its lapse are the referrals' (`services.referrals`).
"""

from django.utils.translation import gettext_lazy as _

from darcha.notify.templates import register_template

register_template(
    "preschool_registered",
    _("In the kindergarten queue"),
    _(
        "The child is in the kindergarten queue: number %(number)s, access code %(code)s. See the position "
        "and its changes on the family page or with the Telegram bot."
    ),
    secret=("code",),  # the access code opens the family page: sent, never stored in clear
)
register_template(
    "preschool_position",
    _("Your position in the kindergarten queue"),
    _("Kindergarten queue %(number)s: %(summary)s"),
)
