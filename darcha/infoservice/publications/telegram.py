"""The citizens' Telegram bot (`darcha.cases.telegram`) takes subscriptions to publications too:

    /subscribe                        → the hokimiyats and centers, numbered, and this chat's subscriptions
    /subscribe 2                      → every publication of the second one, as soon as it is out
    /subscribe 2 decision news daily  → only its decisions and news, in one message a day
    /subscribe all                    → every hokimiyat's and center's publications
    /unsubscribe 2 · /unsubscribe     → end that subscription · end every one of this chat's

An organization is named by its number in the list or its code; kinds by their code (decision) or their
name in the chat's language (Qaror, Решение). The commands are registered with `cases.telegram`, so the
cases app never imports this one. The chat asked itself, so no confirmation is needed; the chat id and the
choice are all that is kept, and /unsubscribe deletes them."""

from __future__ import annotations

from django.utils.translation import gettext as _

from darcha.cases import telegram as bot

from .choices import PublicationKind
from .models_subscriptions import ChatSubscription, Frequency
from .services import subscriptions as subs

ALL = {"all", "hammasi", "barchasi", "все", "всё"}
DAILY = {"daily", "kunlik", "ежедневно", "дайджест", "digest"}


def _organizations() -> list:
    return list(subs.publishing_organizations())


def _find(word: str, organizations: list):
    word = word.strip().lower()
    if word.isdigit():
        index = int(word) - 1
        return organizations[index] if 0 <= index < len(organizations) else None
    return next((organization for organization in organizations if organization.code.lower() == word), None)


def _kind(word: str) -> str | None:
    word = word.strip().casefold()
    for kind in PublicationKind:
        if word in {kind.value, kind.value.replace("_", ""), str(kind.label).casefold()}:
            return kind.value
    return None


def subscriptions_lines(chat_id) -> list[str]:
    rows = ChatSubscription.objects.filter(chat_id=str(chat_id)).select_related("organization").order_by("pk")
    lines = []
    for row in rows:
        name = row.organization.name if row.organization else _("every hokimiyat and center")
        lines.append(f"• {name}: {subs.kinds_text(row.kinds)}, {subs.frequency_text(row.frequency)}")
    return lines


def usage(chat_id) -> str:
    organizations = _organizations()
    listing = "\n".join(f"{number}. {o.name} ({o.code})" for number, o in enumerate(organizations, 1))
    kinds = ", ".join(f"{kind.value} ({kind.label})" for kind in PublicationKind)
    parts = [
        _("Send /subscribe with the number of a hokimiyat or center (or “all”) to get its publications here:"),
        listing,
        _(
            "Add kinds to get only those (%(kinds)s) and “daily” for one message a day, for example:\n"
            "/subscribe 2 decision news daily"
        )
        % {"kinds": kinds},
    ]
    mine = subscriptions_lines(chat_id)
    if mine:
        parts += [_("This chat is subscribed to:"), "\n".join(mine), _("Send /unsubscribe to end them.")]
    return "\n\n".join(parts)


def answer_subscribe(chat_id, arguments: list, language: str) -> str:
    if not arguments:
        return usage(chat_id)
    organizations = _organizations()
    target, *rest = arguments
    organization = None
    if target.lower() not in ALL:
        organization = _find(target, organizations)
        if organization is None:
            return (
                _("There is no hokimiyat or center “%(name)s” in the list.") % {"name": target}
                + "\n\n"
                + usage(chat_id)
            )
    kinds, frequency = [], Frequency.IMMEDIATE
    for word in rest:
        if word.strip().casefold() in DAILY:
            frequency = Frequency.DAILY
            continue
        kind = _kind(word)
        if kind is None:
            return _("“%(word)s” is not a kind of publication. Kinds: %(kinds)s.") % {
                "word": word,
                "kinds": ", ".join(PublicationKind.values),
            }
        kinds.append(kind)
    subscription = subs.chat_subscribe(
        actor=bot.BOT,
        chat_id=str(chat_id),
        organization=organization,
        kinds=kinds,
        frequency=frequency,
        language=language,
    )
    return "\n".join(
        [
            _("Subscribed: %(what)s.") % {"what": subs.what_text(organization)},
            _("Kinds: %(kinds)s.") % {"kinds": subs.kinds_text(subscription.kinds)},
            _("When: %(when)s.") % {"when": subs.frequency_text(subscription.frequency)},
            "",
            _("Send /unsubscribe to end it."),
        ]
    )


def answer_unsubscribe(chat_id, arguments: list, language: str) -> str:
    organization = None
    if arguments and arguments[0].lower() not in ALL:
        organization = _find(arguments[0], _organizations())
        if organization is None:
            return _("There is no hokimiyat or center “%(name)s” in the list.") % {"name": arguments[0]}
    ended = subs.chat_unsubscribe(actor=bot.BOT, chat_id=str(chat_id), organization=organization)
    if not ended:
        return _("This chat has no such subscription to publications.")
    return _("Done: this chat will get no more of these publications.")


def help_subscribe() -> str:
    return _("Send /subscribe to get a hokimiyat's news, announcements and decisions here; /unsubscribe ends it.")


def help_unsubscribe() -> str:
    return ""


SUBSCRIBE = bot.Command(name="subscribe", answer=answer_subscribe, help=help_subscribe)
UNSUBSCRIBE = bot.Command(name="unsubscribe", answer=answer_unsubscribe, help=help_unsubscribe)
bot.register_command(SUBSCRIBE)
bot.register_command(UNSUBSCRIBE)
