"""Message templates of the information service's appeals (texts are gettext msgids, rendered in the
author's language). Each helper adds its templates here, under its own heading."""

from django.utils.translation import gettext_lazy as _

from darcha.notify.templates import register_template

# --- intake (a-intake) ---------------------------------------------------------------------------

register_template(
    "appeal_registered",
    _("Appeal registered"),
    _(
        "Your appeal to %(organization)s is registered under number %(number)s. Access code: %(code)s. "
        "It will be answered by %(due)s. Track it with the number and the code on the hokimiyat's website "
        "or with the Telegram bot."
    ),
    secret=("code",),  # the access code: sent, never stored or logged in clear (darcha.notify.sealing)
)

# --- work on the appeal: routing, terms, answers, the author's side (a-work) ----------------------

register_template(
    "appeal_assigned",
    _("New appeal to answer"),
    _("Appeal %(number)s has been assigned to you. Answer it by %(due)s."),
)
register_template(
    "appeal_resolution",
    _("The hokim's resolution"),
    _("Appeal %(number)s: the hokim's resolution is on it. Answer it by %(due)s."),
)
register_template(
    "appeal_forwarded",
    _("Your appeal was forwarded"),
    _("Your appeal %(number)s is outside this hokimiyat's competence and was forwarded to %(to)s. Ground: %(ground)s"),
)
register_template(
    "appeal_returned",
    _("Your appeal is returned"),
    _("Your appeal %(number)s is returned to you: %(reasons)s. You may write again with what is missing."),
)
register_template(
    "appeal_extended",
    _("The term of your appeal is extended"),
    _("The term of your appeal %(number)s is extended to %(due)s. Reason: %(reason)s"),
)
register_template(
    "appeal_study_notice",
    _("Your proposal needs more study"),
    _("Your proposal %(number)s needs more study: %(reason)s. It will be answered by %(due)s."),
)
register_template(
    "appeal_answer_to_approve",
    _("An answer awaits your approval"),
    _("Appeal %(number)s: a draft answer awaits your approval."),
)
register_template(
    "appeal_answer_sent_back",
    _("Draft answer sent back"),
    _("Appeal %(number)s: the head sent your draft answer back. See what to change."),
)
register_template(
    "appeal_answered",
    _("Your appeal is answered"),
    _(
        "Your appeal %(number)s is answered: %(outcome)s. Check the letter: %(link)s "
        "Download it on the tracking page with the number and your access code."
    ),
)
register_template(
    "appeal_due_soon",
    _("Appeal due soon"),
    _("Appeal %(number)s is due on %(due)s."),
)
register_template(
    "appeal_overdue",
    _("Appeal overdue"),
    _("Appeal %(number)s is overdue: it was due on %(due)s (executor: %(executor)s)."),
)
register_template(
    "appeal_not_satisfied",
    _("The author is not satisfied"),
    _("The author of appeal %(number)s is not satisfied with the answer."),
)
register_template(
    "appeal_withdrawn",
    _("Your appeal is withdrawn"),
    _("Your appeal %(number)s is withdrawn: its consideration is terminated."),
)
register_template(
    "appeal_withdrawn_staff",
    _("Appeal withdrawn"),
    _("Appeal %(number)s was withdrawn by its author."),
)
