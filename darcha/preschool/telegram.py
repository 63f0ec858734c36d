"""The citizens' Telegram bot (`darcha.cases.telegram`) answers for kindergarten queue numbers too.

    /status M26-0000123 482913   → the child's status, the referral, the place in each group ranked above
                                   the seat held; the chat then gets the family's notices
    /stop                        → ends them (with the chat's applications' ones)

The bot recognises a queue number by its format (`services.intake.NUMBER_FORMAT`, "M" and the year) and
hands it here through `cases.telegram.register_tracker`, so the cases app never imports this one. Lookups
go through `services.track_lookup`, the family page's rule: wrong ones are counted per number and per
chat, and a wrong number and a wrong code get the same answer.
"""

from __future__ import annotations

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from darcha.cases import telegram as bot
from darcha.core.errors import Refused
from darcha.core.identifiers import mask_name

from . import selectors
from . import services as preschool
from .choices import EnrollmentStatus
from .services.intake import NUMBER_FORMAT


def recognises(number: str) -> bool:
    return bool(NUMBER_FORMAT.fullmatch(str(number or "").strip().upper()))


def help_line() -> str:
    return _(
        "For a child in the kindergarten queue, send the queue number and the access code from the receipt, "
        "for example:\n/status M26-0000123 482913"
    )


def _date(moment) -> str:
    return formats.date_format(timezone.localtime(moment), "DATE_FORMAT")


def _group(program) -> str:
    parts = (program.kindergarten.name, program.get_age_group_display(), program.get_language_display())
    return " · ".join(str(part) for part in parts)


def status_text(view: dict, *, following: bool) -> str:
    """The answer: what the family's page says, in a few lines."""
    application = view["application"]
    lines = [
        _("Queue number %(number)s") % {"number": application.number},
        _("Child: %(child)s") % {"child": mask_name(application.child.name)},
        _("Status: %(status)s") % {"status": application.get_status_display()},
        _("In the queue since %(date)s") % {"date": _date(application.queue_date)},
    ]
    enrolled, offered = view["enrolled"], view["offered"]
    if enrolled is not None:
        lines.append(_("Attends: %(group)s") % {"group": _group(enrolled.program)})
    if offered is not None:
        lines.append(_("Referral: %(group)s") % {"group": _group(offered.program)})
        if offered.paused_at:
            lines.append(_("The term is paused: %(reason)s") % {"reason": offered.pause_reason})
        else:
            lines.append(_("Take it up by %(date)s with the code sent by SMS.") % {"date": _date(offered.expires_at)})
    for choice in view["choices"]:
        position = choice["position"]
        if position is None:
            continue
        line = _("%(rank)d. %(group)s: place %(position)d in the queue") % {
            "rank": choice["rank"],
            "group": _group(choice["program"]),
            "position": position.position,
        }
        if position.ahead_privileged:
            line += "; " + ngettext(
                "%(count)d of those ahead has a privilege",
                "%(count)d of those ahead have a privilege",
                position.ahead_privileged,
            ) % {"count": position.ahead_privileged}
        lines.append(line)
    if following:
        lines += ["", _("You will get the referral and every change of place here. Send /stop to end it.")]
    return "\n".join(lines)


def answer(chat_id, number: str, code: str, language: str) -> str:
    try:
        application = preschool.track_lookup(number=number, code=code, client=f"telegram:{chat_id}")
    except Refused as refusal:  # locked, or too many wrong lookups from this chat
        return refusal.message
    if application is None:
        return bot.not_found_text()
    application = selectors.family_application(application.number)
    following = application.status != EnrollmentStatus.LEFT
    if following:
        preschool.telegram_subscribe(actor=bot.BOT, chat_id=str(chat_id), application=application, language=language)
    return status_text(selectors.family_view(application), following=following)


def unsubscribe(chat_id: str) -> int:
    return preschool.telegram_unsubscribe(actor=bot.BOT, chat_id=chat_id)


TRACKER = bot.Tracker(recognises=recognises, answer=answer, unsubscribe=unsubscribe, help=help_line)
bot.register_tracker(TRACKER)
