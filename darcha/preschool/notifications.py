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

# Referrals (services.campaigns, services.referrals): the offer with its code, its reminder, lapse,
# pause, decline and enrolment, and a child leaving the kindergarten.
register_template(
    "preschool_referral",
    _("Kindergarten referral"),
    _(
        "Kindergarten queue %(number)s: a referral to %(kindergarten)s, %(group)s. Come with the child's "
        "documents and show the code %(code)s at the kindergarten by %(expires)s, or the referral lapses."
    ),
    secret=("code",),  # the code takes the seat up: sent, never stored in clear
)
register_template(
    "preschool_referral_reminder",
    _("Your kindergarten referral lapses soon"),
    _(
        "Kindergarten queue %(number)s: the referral to %(kindergarten)s lapses at the end of %(expires)s. "
        "Show the code of the referral's SMS at the kindergarten before then."
    ),
)
register_template(
    "preschool_referral_lapsed",
    _("Kindergarten referral lapsed"),
    _(
        "Kindergarten queue %(number)s: the referral to %(kindergarten)s lapsed, not taken up by %(expires)s; "
        "its seat went to the next child. Your child stays in the queue for the other kindergartens chosen."
    ),
)
register_template(
    "preschool_referral_declined",
    _("Kindergarten referral declined"),
    _(
        "Kindergarten queue %(number)s: the referral to %(kindergarten)s is declined; its seat goes to the "
        "next child. Your child stays in the queue for the other kindergartens chosen."
    ),
)
register_template(
    "preschool_referral_paused",
    _("Kindergarten referral paused"),
    _(
        "Kindergarten queue %(number)s: the referral to %(kindergarten)s is paused (%(reason)s). Its term "
        "stops until it resumes; you will be told."
    ),
)
register_template(
    "preschool_referral_resumed",
    _("Kindergarten referral resumed"),
    _("Kindergarten queue %(number)s: the referral to %(kindergarten)s runs again; take it up by %(expires)s."),
)
register_template(
    "preschool_enrolled",
    _("Enrolled at the kindergarten"),
    _("Kindergarten queue %(number)s: your child is enrolled at %(kindergarten)s, %(group)s."),
)
register_template(
    "preschool_left_kindergarten",
    _("Left the kindergarten"),
    _(
        "Kindergarten queue %(number)s: your child has left %(kindergarten)s, and the application is closed. "
        "Its seat goes to the next child."
    ),
)
