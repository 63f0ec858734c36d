"""Channels and the providers behind them, chosen by settings.

| channel  | setting                         | provider      | needs                                         |
| -------- | ------------------------------- | ------------- | --------------------------------------------- |
| console  | —                               | the log       | nothing                                       |
| email    | NOTIFY_EMAIL_BACKEND=smtp       | SMTP server   | EMAIL_HOST, EMAIL_PORT (…USER, …PASSWORD)      |
| sms      | NOTIFY_SMS_BACKEND=eskiz        | Eskiz         | NOTIFY_ESKIZ_EMAIL, NOTIFY_ESKIZ_PASSWORD      |
| telegram | NOTIFY_TELEGRAM_BACKEND=telegram | Telegram bot | NOTIFY_TELEGRAM_TOKEN                         |

A channel whose provider is not selected or not configured falls back to the console.
"""

from __future__ import annotations

from django.conf import settings
from django.core import checks

from ..choices import Channel
from .base import BaseChannel, DeliveryError, Outgoing, Sent
from .console import ConsoleChannel
from .eskiz import EskizSmsChannel
from .smtp import SmtpChannel
from .telegram import TelegramChannel

__all__ = [
    "BaseChannel",
    "ConsoleChannel",
    "DeliveryError",
    "EskizSmsChannel",
    "Outgoing",
    "Sent",
    "SmtpChannel",
    "TelegramChannel",
    "backend_for",
    "is_live",
    "settings_check",
]

# channel -> (setting that selects the provider, its value, provider class, settings it needs)
PROVIDERS = {
    Channel.EMAIL: ("NOTIFY_EMAIL_BACKEND", "smtp", SmtpChannel, ("EMAIL_HOST",)),
    Channel.SMS: ("NOTIFY_SMS_BACKEND", "eskiz", EskizSmsChannel, ("NOTIFY_ESKIZ_EMAIL", "NOTIFY_ESKIZ_PASSWORD")),
    Channel.TELEGRAM: ("NOTIFY_TELEGRAM_BACKEND", "telegram", TelegramChannel, ("NOTIFY_TELEGRAM_TOKEN",)),
}


def is_live(channel: str) -> bool:
    """Whether messages on this channel reach a real provider (not just the log)."""
    provider = PROVIDERS.get(channel)
    if provider is None:
        return False
    setting, value, _cls, needs = provider
    return getattr(settings, setting, "console") == value and all(getattr(settings, name, "") for name in needs)


def backend_for(channel: str) -> tuple[BaseChannel, bool]:
    """(the channel implementation to use, whether it is the console standing in for a provider)."""
    if channel == Channel.CONSOLE:
        return ConsoleChannel(), False
    if is_live(channel):
        return PROVIDERS[channel][2](), False
    return ConsoleChannel(), True


def settings_check(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """A provider selected but not configured would silently send nothing: say so."""
    problems = []
    for channel, (setting, value, _cls, needs) in PROVIDERS.items():
        chosen = getattr(settings, setting, "console")
        if chosen not in {"console", value}:
            problems.append(
                checks.Error(
                    f"{setting}={chosen!r} is not known; use 'console' or '{value}'.", id="notify.E001", obj=setting
                )
            )
        elif chosen == value:
            missing = [name for name in needs if not getattr(settings, name, "")]
            if missing:
                problems.append(
                    checks.Warning(
                        f"{setting}={value} but {', '.join(missing)} is not set: "
                        f"{channel} messages go to the log only.",
                        id="notify.W001",
                        obj=setting,
                    )
                )
    return problems
