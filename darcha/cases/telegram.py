"""The citizens' Telegram bot (`darcha telegram`): long polling of the Bot API.

A person sends `/status <number> <access code>` (both printed on the receipt); the bot answers with
the application's status, current steps, due date and what is needed, and the chat then follows
the application: every notice the applicant gets is also sent to the chat (see
darcha.cases.services._common.notify_applicant, through the notify app). A wrong number and a wrong code
get the same answer, and lookups follow the tracking page's rule (services.track_lookup: wrong ones
counted per number and per chat), so the bot cannot be used to guess codes.

Other apps' numbers are answered by their own trackers (`register_tracker`): the preschool app's queue
numbers (M26-0000123) go to `darcha.preschool.telegram`, which answers with the child's place and
referral under the same rule; cases never imports them. Other apps' commands are theirs too
(`register_command`): the publications' `/subscribe` and `/unsubscribe` (darcha.infoservice.publications.telegram).

Replies are answers, not notifications: they go straight to sendMessage through the notify app's
small HTTP client and leave no Message rows. The offset of the last update handled is kept in the
cache, so a restarted bot does not answer old messages again.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import DatabaseError, connections
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from darcha.core.audit import SystemActor
from darcha.core.i18n import language_or_default
from darcha.notify.channels import httpapi
from darcha.notify.channels.base import DeliveryError

from . import selectors, services
from .choices import ApplicationStatus

log = logging.getLogger("darcha.cases.telegram")

DEFAULT_POLL_TIMEOUT = 25  # seconds Telegram holds a getUpdates call open while nothing arrives
MAX_BACKOFF = 60  # seconds; after a failed call the bot waits 1, 2, 4 … up to this, then tries again
BOT = SystemActor("telegram")  # the actor of the bot's subscriptions in the audit log


class BotUnavailable(Exception):
    """The Bot API did not answer, or answered with an error that may pass: wait and try again."""


class BotRefused(Exception):
    """The Bot API refused the token (401/404): polling again will not help."""


class Interrupted(BaseException):  # like KeyboardInterrupt: no `except Exception` catches it
    """Raised by the stop signal while the bot waits on a long poll, so it stops at once."""


def configured() -> bool:
    return bool(settings.NOTIFY_TELEGRAM_TOKEN and settings.NOTIFY_TELEGRAM_URL)


def chat_language(language_code: str | None) -> str:
    """Telegram's language_code (an IETF tag: "ru", "en-US") → one of ours; anything else the default."""
    code = str(language_code or "").strip().lower().replace("_", "-").split("-")[0]
    return language_or_default(code)


def backoff(failures: int) -> int:
    """Seconds to wait after this many failures in a row: 1, 2, 4, … at most MAX_BACKOFF."""
    return min(2 ** max(failures - 1, 0), MAX_BACKOFF)


@dataclass(frozen=True)
class Tracker:
    """Another app's numbers the bot answers for: `recognises(number)`, `answer(chat_id, number, code,
    language) -> reply`, `unsubscribe(chat_id) -> subscriptions ended`, and a line for the help text."""

    recognises: Callable[[str], bool]
    answer: Callable[[object, str, str, str], str]
    unsubscribe: Callable[[str], int]
    help: Callable[[], str]


TRACKERS: list[Tracker] = []


def register_tracker(tracker: Tracker) -> None:
    """Add another app's numbers to the bot (from that app's AppConfig.ready, once per process)."""
    if tracker not in TRACKERS:
        TRACKERS.append(tracker)


def _tracker_for(number: str) -> Tracker | None:
    return next((tracker for tracker in TRACKERS if tracker.recognises(number)), None)


@dataclass(frozen=True)
class Command:
    """Another app's command (`/subscribe`): `answer(chat_id, arguments, language) -> reply` and a line
    for the help text. Registered from that app's AppConfig.ready, as trackers are."""

    name: str
    answer: Callable[[object, list, str], str]
    help: Callable[[], str]


COMMANDS: dict[str, Command] = {}


def register_command(command: Command) -> None:
    COMMANDS[command.name] = command


# --- The Bot API ----------------------------------------------------------------------------------


class BotApi:
    """getUpdates (a long poll: the socket waits longer than the poll) and sendMessage."""

    def __init__(self, *, url: str | None = None, token: str | None = None):
        self.base = (url or settings.NOTIFY_TELEGRAM_URL).rstrip("/")
        self.token = token or settings.NOTIFY_TELEGRAM_TOKEN
        # A token is "<bot id>:<secret>": only the id, never the secret, names the bot's cache entries.
        bot_id, _colon, _secret = self.token.partition(":")
        self.bot_id = bot_id if _colon else hashlib.sha256(self.token.encode()).hexdigest()[:16]

    def _url(self, method: str) -> str:
        return f"{self.base}/bot{self.token}/{method}"

    def get_updates(self, *, offset: int | None, timeout: int) -> list[dict]:
        body = {"timeout": timeout, "allowed_updates": ["message"]}
        if offset is not None:
            body["offset"] = offset
        try:
            answer = httpapi.request(
                "POST",
                self._url("getUpdates"),
                json_body=body,
                provider="Telegram",
                timeout=timeout + settings.NOTIFY_TIMEOUT,
            )
        except DeliveryError as error:
            raise BotUnavailable(str(error)) from None
        if answer.ok and answer.data.get("ok"):
            result = answer.data.get("result")
            return [update for update in result if isinstance(update, dict)] if isinstance(result, list) else []
        detail = answer.data.get("description") or answer.text[:200]
        if answer.status in (401, 404):
            raise BotRefused(f"Telegram HTTP {answer.status}: {detail}")
        # 409: another process polls with this token, or a webhook is set; 429 and 5xx pass too.
        raise BotUnavailable(f"Telegram HTTP {answer.status}: {detail}")

    def send_message(self, chat_id, text: str) -> None:
        """Answer in a chat. A refusal that will not pass (the person blocked the bot, the chat is
        gone) is logged and dropped; a failure that may pass raises BotUnavailable."""
        try:
            answer = httpapi.request(
                "POST",
                self._url("sendMessage"),
                json_body={"chat_id": chat_id, "text": text, "disable_web_page_preview": True},
                provider="Telegram",
            )
        except DeliveryError as error:
            raise BotUnavailable(str(error)) from None
        if answer.ok and answer.data.get("ok"):
            return
        detail = answer.data.get("description") or answer.text[:200]
        if httpapi.is_transient(answer.status):
            raise BotUnavailable(f"Telegram HTTP {answer.status}: {detail}")
        log.warning("telegram: reply not delivered (HTTP %s: %s)", answer.status, detail)


# --- Answers --------------------------------------------------------------------------------------


def help_text() -> str:
    return "\n\n".join(
        [
            _("Hello! This bot tells you where your application at the public service center is."),
            _(
                "Send /status followed by the tracking number and the 6-digit access code from your receipt, "
                "for example:\n/status 26-0000123 482913"
            ),
            *(tracker.help() for tracker in TRACKERS),
            _("After that you will get every update on the application in this chat. Send /stop to end them."),
            *(line for command in COMMANDS.values() if (line := command.help())),
        ]
    )


def not_found_text() -> str:
    return _("No application was found for this number and access code. Check both on your receipt and try again.")


def status_text(application, view: dict, *, following: bool) -> str:
    lines = [
        _("Application %(number)s") % {"number": application.number},
        _("Service: %(service)s") % {"service": application.service.name},
        _("Status: %(status)s") % {"status": view["status"]},
    ]
    steps = "; ".join(str(task.step.citizen_label) for task in view["current"] if str(task.step.citizen_label))
    if steps:
        lines.append(_("Now: %(steps)s") % {"steps": steps})
    if application.is_open and view["due_at"]:
        due = formats.date_format(timezone.localtime(view["due_at"]), "DATE_FORMAT")
        lines.append(_("Due by: %(date)s") % {"date": due})
    if view["needed"]:
        lines.append(_("Needed from you: %(needed)s") % {"needed": "; ".join(view["needed"])})
        lines.append(_("Bring it to %(center)s. The term is stopped until then.") % {"center": application.center.name})
    if application.status == ApplicationStatus.READY:
        lines.append(_("Collect the result at %(center)s with your passport.") % {"center": application.center.name})
    if following:
        lines.append("")
        lines.append(_("You will get updates on this application here."))
    return "\n".join(lines)


def answer_status(chat_id, arguments: list[str], language: str) -> str:
    if len(arguments) != 2:
        return help_text()
    number, code = arguments
    tracker = _tracker_for(number)
    if tracker is not None:
        return tracker.answer(chat_id, number, code, language)
    try:
        application = services.track_lookup(number=number, code=code, client=f"telegram:{chat_id}")
    except services.TrackingRefused as refusal:  # locked, or too many wrong lookups from this chat
        return refusal.message
    if application is None:
        return not_found_text()
    following = application.status != ApplicationStatus.CLOSED  # a handed-over application has no more news
    if following:
        services.telegram_subscribe(actor=BOT, chat_id=str(chat_id), application=application, language=language)
    return status_text(application, selectors.tracking_view(application), following=following)


def answer(chat_id, text: str, *, language: str, private: bool = True) -> str | None:
    """The reply to a message, in the chat's language; None: say nothing (chatter in a group)."""
    words = (text or "").split()
    command = words[0].split("@", 1)[0].lower() if words and words[0].startswith("/") else ""
    with translation.override(language):
        if command == "/status":
            return answer_status(chat_id, words[1:], language)
        if command[1:] in COMMANDS:
            return COMMANDS[command[1:]].answer(chat_id, words[1:], language)
        if command == "/stop":
            ended = services.telegram_unsubscribe(actor=BOT, chat_id=str(chat_id))
            ended += sum(tracker.unsubscribe(str(chat_id)) for tracker in TRACKERS)
            if ended:
                return _("Done: this chat will get no more updates. Send /status again to follow an application.")
            return _("This chat follows no application.")
        if command or private:  # /start, /help, unknown commands, anything said in a private chat
            return help_text()
    return None


# --- Polling --------------------------------------------------------------------------------------


def _drop_stale_connections() -> None:
    """A long-lived process: close database connections that went bad or outlived CONN_MAX_AGE
    (as Django does between requests), never one inside a transaction."""
    for connection in connections.all(initialized_only=True):
        if not connection.in_atomic_block:
            connection.close_if_unusable_or_obsolete()


@dataclass
class Round:
    updates: int = 0
    replies: int = 0


class Bot:
    def __init__(self, *, api: BotApi | None = None, poll_timeout: int = DEFAULT_POLL_TIMEOUT):
        self.api = api or BotApi()
        self.poll_timeout = max(int(poll_timeout), 0)
        self.offset_key = f"cases:telegram:offset:{self.api.bot_id}"
        self.polling = False  # True while waiting on getUpdates: nothing in hand, safe to interrupt

    @property
    def offset(self) -> int | None:
        return cache.get(self.offset_key)

    def _confirm(self, update_id: int) -> None:
        cache.set(self.offset_key, update_id + 1, timeout=None)

    def poll(self) -> Round:
        """One getUpdates call and every update it brings. Raises BotUnavailable (try again later)
        or BotRefused (the token is wrong)."""
        self.polling = True
        try:
            updates = self.api.get_updates(offset=self.offset, timeout=self.poll_timeout)
        finally:
            self.polling = False
        done = Round()
        for update in sorted(updates, key=lambda u: u.get("update_id", 0)):
            update_id = update.get("update_id")
            if not isinstance(update_id, int):
                continue
            if self.handle(update):
                done.replies += 1
            done.updates += 1
            self._confirm(update_id)
        return done

    def handle(self, update: dict) -> bool:
        """Answer one update; True if a reply was sent. A failure that may pass (the Bot API or the
        database unreachable) raises BotUnavailable and the update is handled again after the pause."""
        message = update.get("message")
        if not isinstance(message, dict):
            return False
        chat = message.get("chat") or {}
        chat_id = chat.get("id")
        if not isinstance(chat_id, int):
            return False
        sender = message.get("from") or {}
        if sender.get("is_bot"):
            return False
        language = chat_language(sender.get("language_code"))
        try:
            reply = answer(chat_id, message.get("text") or "", language=language, private=chat.get("type") == "private")
        except DatabaseError as error:
            raise BotUnavailable(f"database: {error.__class__.__name__}") from error
        except Exception:
            # A bug must not stop the bot nor make it answer the same message for ever: log and go on.
            log.exception("telegram: update %s could not be answered", update.get("update_id"))
            return False
        if reply is None:
            return False
        self.api.send_message(chat_id, reply)
        return True

    def run(self, stop: threading.Event) -> None:
        """Poll until `stop` is set; after a failure wait 1, 2, 4 … 60 s (on `stop`) and go on."""
        failures = 0
        while not stop.is_set():
            _drop_stale_connections()
            try:
                done = self.poll()
            except BotRefused:
                raise
            except Exception as error:  # the Bot API, the database or the cache unreachable: wait, go on
                failures += 1
                delay = backoff(failures)
                if isinstance(error, BotUnavailable | DatabaseError):
                    log.warning("telegram: %s; trying again in %s s", error, delay)
                else:
                    log.exception("telegram: polling failed; trying again in %s s", delay)
                stop.wait(delay)
                continue
            failures = 0
            if done.updates:
                log.info("telegram: %s update(s), %s repl(ies)", done.updates, done.replies)
