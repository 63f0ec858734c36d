"""Fixtures of the subscriptions' tests: the local SMTP stand-in (aiosmtpd) and the Bot API stand-in of
the notify tests, tasks run at once, and a publication published through the editor's services."""

from __future__ import annotations

import pytest
from django.core.cache import cache

from darcha.infoservice.publications import services
from tests.notify.helpers import TELEGRAM_TOKEN
from tests.notify.standins import SmtpStandIn, TelegramStandIn

from .editing_helpers import Office, draft


@pytest.fixture
def smtp(settings):
    server = SmtpStandIn().start()
    settings.NOTIFY_EMAIL_BACKEND = "smtp"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = server.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.DEFAULT_FROM_EMAIL = "Darcha <noreply@darcha.example.uz>"
    yield server
    server.stop()


@pytest.fixture
def telegram(settings):
    server = TelegramStandIn(token=TELEGRAM_TOKEN).start()
    settings.NOTIFY_TELEGRAM_BACKEND = "telegram"
    settings.NOTIFY_TELEGRAM_URL = server.url
    settings.NOTIFY_TELEGRAM_TOKEN = TELEGRAM_TOKEN
    yield server
    server.stop()


@pytest.fixture
def now_tasks(settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.PUBLIC_BASE_URL = "https://darcha.example.uz"
    cache.clear()


@pytest.fixture
def office(db):
    return Office()


def publish(office: Office, capture, *, kind="news", now=None, **data):
    """A publication of the office published (its on-commit work — the signal, the fan-out, the
    deliveries — run)."""
    publication = draft(office, kind=kind, data=data)
    with capture(execute=True):
        services.publication_publish(actor=office.press, publication=publication, now=now)
    publication.refresh_from_db()
    return publication
