import pytest
from django.core.cache import cache

from darcha.notify.channels.eskiz import TOKEN_CACHE_KEY

from .helpers import CALLBACK_URL, ESKIZ_EMAIL, ESKIZ_PASSWORD, TELEGRAM_TOKEN
from .standins import EskizStandIn, SmtpStandIn, TelegramStandIn


@pytest.fixture
def eskiz(settings):
    server = EskizStandIn(email=ESKIZ_EMAIL, password=ESKIZ_PASSWORD).start()
    settings.NOTIFY_SMS_BACKEND = "eskiz"
    settings.NOTIFY_ESKIZ_URL = server.url
    settings.NOTIFY_ESKIZ_EMAIL = ESKIZ_EMAIL
    settings.NOTIFY_ESKIZ_PASSWORD = ESKIZ_PASSWORD
    settings.NOTIFY_ESKIZ_FROM = "Darcha"
    settings.NOTIFY_ESKIZ_CALLBACK_URL = CALLBACK_URL
    cache.delete(TOKEN_CACHE_KEY)
    yield server
    server.stop()
    cache.delete(TOKEN_CACHE_KEY)


@pytest.fixture
def telegram(settings):
    server = TelegramStandIn(token=TELEGRAM_TOKEN).start()
    settings.NOTIFY_TELEGRAM_BACKEND = "telegram"
    settings.NOTIFY_TELEGRAM_URL = server.url
    settings.NOTIFY_TELEGRAM_TOKEN = TELEGRAM_TOKEN
    yield server
    server.stop()


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
def immediate_tasks(settings):
    """Tasks run as soon as they are enqueued (the retries' run_after cannot be honoured)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(autouse=True)
def _notify_defaults(settings):
    # Whatever the environment says, a test reaches a provider only through a stand-in fixture.
    settings.NOTIFY_EMAIL_BACKEND = settings.NOTIFY_SMS_BACKEND = settings.NOTIFY_TELEGRAM_BACKEND = "console"
    settings.NOTIFY_RETRY_DELAYS = [30, 120, 600]
    settings.NOTIFY_ESKIZ_STATUS_CHECK_DELAY = 300
