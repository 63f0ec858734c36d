"""Channels and the providers behind them, chosen by settings.

| channel  | setting                          | provider     | needs                                    |
| -------- | -------------------------------- | ------------ | ---------------------------------------- |
| console  | —                                | the log      | nothing                                  |
| email    | NOTIFY_EMAIL_BACKEND=smtp        | SMTP server  | EMAIL_HOST, EMAIL_PORT (…USER, …PASSWORD) |
| sms      | NOTIFY_SMS_BACKEND=eskiz         | Eskiz        | NOTIFY_ESKIZ_EMAIL, NOTIFY_ESKIZ_PASSWORD |
| telegram | NOTIFY_TELEGRAM_BACKEND=telegram | Telegram bot | NOTIFY_TELEGRAM_TOKEN                    |

Each setting also takes `file` (a spool folder, NOTIFY_SPOOL_DIR: channels/file.py), `off` (the
channel is not used: its messages fail at once, the preferred-channel choice skips it) and
`console` (the log). In development a channel whose provider is not selected or not configured
falls back to the console, with the real text (a developer needs the code). In production
(DARCHA_PRODUCTION) the console is refused: the system check below is an error, so `check
--deploy`, `migrate`, `serve` and the workers do not start, and a region without a provider says so
explicitly with `file` or `off`.

What each provider can deduplicate on, for an attempt cut off by a worker that died (the message
is taken over after its lease, see services.message_deliver):

| backend  | idempotency key                   | before sending again                              |
| -------- | --------------------------------- | ------------------------------------------------- |
| eskiz    | `user_sms_id` = the message's key | looks the key up in the account's history         |
| smtp     | `Message-ID` from the key         | cannot ask: sent again with the same Message-ID   |
| telegram | none                              | cannot ask: sent again (at least once)            |
| file     | the file's name                   | the file exists                                   |
"""

from __future__ import annotations

import os

from django.conf import settings
from django.core import checks

from ..choices import Channel
from .base import BaseChannel, CannotCheck, DeliveryError, Outgoing, Sent
from .console import ConsoleChannel, OffChannel, UnconfiguredChannel
from .eskiz import EskizSmsChannel
from .file import FileChannel, spool_dir
from .smtp import SmtpChannel
from .telegram import TelegramChannel

__all__ = [
    "BaseChannel",
    "CannotCheck",
    "ConsoleChannel",
    "DeliveryError",
    "EskizSmsChannel",
    "FileChannel",
    "OffChannel",
    "Outgoing",
    "Sent",
    "SmtpChannel",
    "TelegramChannel",
    "backend_for",
    "is_live",
    "is_off",
    "settings_check",
]

# channel -> (setting that selects the provider, its value, provider class, settings it needs)
PROVIDERS = {
    Channel.EMAIL: ("NOTIFY_EMAIL_BACKEND", "smtp", SmtpChannel, ("EMAIL_HOST",)),
    Channel.SMS: ("NOTIFY_SMS_BACKEND", "eskiz", EskizSmsChannel, ("NOTIFY_ESKIZ_EMAIL", "NOTIFY_ESKIZ_PASSWORD")),
    Channel.TELEGRAM: ("NOTIFY_TELEGRAM_BACKEND", "telegram", TelegramChannel, ("NOTIFY_TELEGRAM_TOKEN",)),
}
CONSOLE, FILE, OFF = "console", "file", "off"


def _chosen(channel: str) -> str:
    setting = PROVIDERS[channel][0]
    return str(getattr(settings, setting, CONSOLE) or CONSOLE).strip().lower()


def _configured(channel: str) -> bool:
    return all(getattr(settings, name, "") for name in PROVIDERS[channel][3])


def is_live(channel: str) -> bool:
    """Whether messages on this channel are delivered (by a provider, or to the spool) — not just logged."""
    if channel not in PROVIDERS:
        return False
    chosen = _chosen(channel)
    return chosen == FILE or (chosen == PROVIDERS[channel][1] and _configured(channel))


def is_off(channel: str) -> bool:
    """Whether the channel is switched off (NOTIFY_<CHANNEL>_BACKEND=off)."""
    return channel in PROVIDERS and _chosen(channel) == OFF


def backend_for(channel: str) -> tuple[BaseChannel, bool]:
    """(the channel implementation to use, whether it is the console standing in for a provider).

    The console stands in only outside production; in production an unconfigured provider is an
    error that retries (never the log)."""
    if channel == Channel.CONSOLE:
        return ConsoleChannel(), False
    setting, value, provider, _needs = PROVIDERS[channel]
    chosen = _chosen(channel)
    if chosen == OFF:
        return OffChannel(setting), False
    if chosen == FILE:
        return FileChannel(channel), False
    if chosen == value and _configured(channel):
        return provider(), False
    if getattr(settings, "PRODUCTION", False):
        return UnconfiguredChannel(setting), False
    return ConsoleChannel(), True


def settings_check(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """A provider selected but not configured would silently send nothing, and in production the
    console would write one-time codes to the log: say so (errors stop every command in production)."""
    production = getattr(settings, "PRODUCTION", False)
    problems = []
    for channel, (setting, value, _cls, needs) in PROVIDERS.items():
        chosen = _chosen(channel)
        choices = f"'{value}', '{FILE}' (a spool folder, NOTIFY_SPOOL_DIR) or '{OFF}'"
        if chosen not in {CONSOLE, FILE, OFF, value}:
            problems.append(
                checks.Error(
                    f"{setting}={chosen!r} is not known; use {choices}, or 'console' in development.",
                    id="notify.E001",
                    obj=setting,
                )
            )
        elif chosen == CONSOLE and production:
            problems.append(
                checks.Error(
                    f"{setting} is 'console' (the default) in production: {channel} messages, one-time codes "
                    f"included, would only be written to the log.",
                    hint=f"Set {setting} to {choices}.",
                    id="notify.E002",
                    obj=setting,
                )
            )
        elif chosen == value:
            missing = [name for name in needs if not getattr(settings, name, "")]
            if missing and production:
                problems.append(
                    checks.Error(
                        f"{setting}={value} but {', '.join(missing)} is not set: {channel} messages cannot be sent.",
                        id="notify.E003",
                        obj=setting,
                    )
                )
            elif missing:
                problems.append(
                    checks.Warning(
                        f"{setting}={value} but {', '.join(missing)} is not set: "
                        f"{channel} messages go to the log only.",
                        id="notify.W001",
                        obj=setting,
                    )
                )
        elif chosen == FILE:
            problem = _spool_problem()
            if problem:
                problems.append(
                    checks.Error(
                        f"{setting}=file but the spool folder {spool_dir()} {problem}.", id="notify.E004", obj=setting
                    )
                )
    return problems


def _spool_problem() -> str:
    folder = spool_dir()
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if existing.exists() and not existing.is_dir():
        return "is not a folder"
    if not os.access(existing, os.W_OK | os.X_OK):
        return "cannot be written" if existing == folder else f"cannot be created ({existing} is not writable)"
    return ""
