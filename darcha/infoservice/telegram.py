"""The citizens' Telegram bot (`darcha.cases.telegram`) answers for appeal numbers too.

    /status NC-26-000123 482913   → the appeal's state, its due date (and extensions), the answer's
                                    verification link; the chat then gets the appeal's notices
    /stop                         → ends them (with the chat's applications' and queue numbers' ones)

The bot recognises an appeal number by its format (`services._common.NUMBER_FORMAT`: the hokimiyat's
letters, the year, six digits) and hands it here through `cases.telegram.register_tracker`, so the cases
app never imports this one. Lookups go through `services.track_lookup`, the tracking page's rule: wrong
ones are counted per number and per chat, and a wrong number and a wrong code get the same answer.
"""

from __future__ import annotations

from django.utils import formats
from django.utils.translation import gettext as _

from darcha.cases import telegram as bot
from darcha.core.errors import Refused
from darcha.core.links import absolute_url

from . import selectors, services, terms
from .choices import AppealStatus, Outcome
from .letters import verify_path
from .services._common import NUMBER_FORMAT


def recognises(number: str) -> bool:
    return bool(NUMBER_FORMAT.fullmatch(str(number or "").strip().upper()))


def help_line() -> str:
    return _(
        "For an appeal to a hokimiyat, send its registration number and the access code from the SMS or "
        "the acknowledgement, for example:\n/status NC-26-000123 482913"
    )


def not_found_text() -> str:
    return _("No appeal has this number and access code. Check both in the SMS or on the paper.")


def _date(day) -> str:
    return formats.date_format(day, "DATE_FORMAT")


def status_text(appeal, *, following: bool) -> str:
    """The answer: what the author's page says, in a few lines."""
    if appeal.status == AppealStatus.CLOSED and appeal.outcome:
        state = Outcome(appeal.outcome).label
    else:
        state = AppealStatus(appeal.status).label
    lines = [
        _("Appeal %(number)s to %(organization)s") % {"number": appeal.number, "organization": appeal.organization},
        _("State: %(state)s") % {"state": state},
    ]
    if appeal.is_open:
        lines.append(_("To be answered by %(date)s") % {"date": _date(terms.local_day(appeal.due_at))})
        for extension in appeal.extensions.all():
            lines.append(
                _("The term was extended to %(date)s: %(reason)s")
                % {"date": _date(terms.local_day(extension.new_due_at)), "reason": extension.reason}
            )
    answer = services.current_answer(appeal)
    if answer is not None and answer.code:
        lines.append(_("The answer: %(link)s") % {"link": absolute_url(verify_path(answer))})
        lines.append(_("Download the letter on the tracking page with the number and the access code."))
    if following:
        lines += ["", _("You will get every notice on this appeal here. Send /stop to end them.")]
    return "\n".join(str(line) for line in lines)


def answer(chat_id, number: str, code: str, language: str) -> str:
    try:
        appeal = services.track_lookup(number=number, code=code, client=f"telegram:{chat_id}")
    except Refused as refusal:  # locked, or too many wrong lookups from this chat
        return refusal.message
    if appeal is None:
        return not_found_text()
    appeal = selectors.author_appeal(appeal.number)
    following = appeal.is_open
    if following:
        services.telegram_subscribe(actor=bot.BOT, chat_id=str(chat_id), appeal=appeal, language=language)
    return status_text(appeal, following=following)


def unsubscribe(chat_id: str) -> int:
    return services.telegram_unsubscribe(actor=bot.BOT, chat_id=chat_id)


TRACKER = bot.Tracker(recognises=recognises, answer=answer, unsubscribe=unsubscribe, help=help_line)
bot.register_tracker(TRACKER)
