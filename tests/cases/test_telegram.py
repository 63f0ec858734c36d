"""The Telegram bot (`darcha telegram`) against a local stand-in of the Bot API on a real socket:
getUpdates serves what people wrote, sendMessage records what the bot answered."""

import io
import os
import signal
import threading
import time

import pytest
from django.core.management import CommandError, call_command
from django.utils import formats, timezone, translation

from darcha.cases import services as cases
from darcha.cases.models import TelegramSubscription
from darcha.cases.telegram import Bot, backoff, help_text, not_found_text
from darcha.catalog.choices import Action
from darcha.notify.choices import MessageStatus
from darcha.notify.models import Message
from tests.cases.helpers import submit
from tests.notify.standins import TelegramBotStandIn

pytestmark = pytest.mark.django_db

TOKEN = "987654:bot-stand-in-secret"
CHAT = 5512345678


@pytest.fixture
def api(settings):
    server = TelegramBotStandIn(token=TOKEN).start()
    settings.NOTIFY_TELEGRAM_URL = server.url
    settings.NOTIFY_TELEGRAM_TOKEN = TOKEN
    # Notices go through the console unless a test selects the Telegram channel.
    settings.NOTIFY_EMAIL_BACKEND = settings.NOTIFY_SMS_BACKEND = settings.NOTIFY_TELEGRAM_BACKEND = "console"
    yield server
    server.stop()


def poll() -> str:
    out = io.StringIO()
    call_command("telegram", "--once", stdout=out)
    return out.getvalue()


def status(application, code=None, number=None) -> str:
    return f"/status {number or application.number} {code or application.access_code}"


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_status_answers_and_subscribes_the_chat(api, application):
    api.say(status(application), language_code="en")
    assert poll() == "1 update(s), 1 repl(ies)\n"
    [reply] = api.replies(CHAT)
    assert f"Application {application.number}" in reply
    assert "Service: Building permit" in reply and "Status: In progress" in reply
    assert "Now: land-check" in reply  # the current step's citizen label
    with translation.override("en"):
        assert f"Due by: {formats.date_format(timezone.localtime(application.due_at), 'DATE_FORMAT')}" in reply
    assert reply.endswith("You will get updates on this application here.")
    assert application.access_code not in reply
    subscription = TelegramSubscription.objects.get(application=application)
    assert (subscription.chat_id, subscription.language) == (str(CHAT), "en")
    # A reply is an answer, not a notification: no Message for it.
    assert not Message.objects.filter(channel="telegram").exists()

    api.say(status(application), language_code="ru")  # asking again: the same answer, still one subscription
    poll()
    assert TelegramSubscription.objects.filter(application=application).count() == 1
    assert "land-check: на рассмотрении" in api.replies(CHAT)[-1]  # in the person's language


def test_a_wrong_code_and_a_wrong_number_get_the_same_answer(api, application, service, applicant, center, operator):
    other = submit(service, applicant, center, operator)
    api.say(status(application, code=wrong(application.access_code)), language_code="en")
    api.say(status(application, number="26-9999999"), language_code="en")
    api.say(status(application, number=other.number), language_code="en")  # a real number, another's code
    api.say(f"/status {application.number}", language_code="en")  # the code missing: how to ask
    poll()
    by_code, by_number, by_other_number, incomplete = api.replies(CHAT)
    assert by_code == by_number == by_other_number
    with translation.override("en"):
        assert by_code == not_found_text() and incomplete == help_text()
    assert application.number not in by_code
    assert not TelegramSubscription.objects.exists()


def test_help_and_anything_else(api):
    api.say("/start", language_code="en")
    api.say("/help@DarchaBot", language_code="de")  # a language we do not speak: Uzbek
    api.say("salom", language_code=None)
    api.say("What is this?", chat_id=-100200300, chat_type="group", language_code="en")  # chatter in a group
    assert poll() == "4 update(s), 3 repl(ies)\n"
    start, help_, hello = api.replies()
    with translation.override("en"):
        assert start == help_text() and "/status" in start
    with translation.override("uz"):
        assert help_ == hello == help_text()
    assert api.replies(-100200300) == []


def test_a_status_asked_in_a_group_is_answered_there(api, application):
    api.say(f"/status@DarchaBot {application.number} {application.access_code}", chat_id=-100200300, chat_type="group")
    poll()
    [reply] = api.replies(-100200300)
    assert application.number in reply
    assert TelegramSubscription.objects.filter(chat_id="-100200300").exists()


def test_the_offset_advances_and_survives_a_restart(api):
    first = api.say("/help")
    second = api.say("/start")
    poll()
    [poll_request] = [r.json for r in api.polls]
    assert poll_request["allowed_updates"] == ["message"] and poll_request["timeout"] == 25
    assert "offset" not in poll_request  # nothing handled yet
    assert len(api.replies()) == 2

    assert poll() == "0 update(s), 0 repl(ies)\n"  # a new process: the offset came from the cache
    assert api.polls[-1].json["offset"] == second["update_id"] + 1 > first["update_id"]
    assert len(api.replies()) == 2  # nothing answered twice

    edited = api.say("/help")
    edited["edited_message"] = edited.pop("message")  # not a new message: skipped, but confirmed
    third = api.say("/status")
    poll()
    assert len(api.replies()) == 3
    poll()
    assert api.polls[-1].json["offset"] == third["update_id"] + 1


def test_a_subscribed_chat_gets_the_application_updates(
    api, application, land_clerk, settings, django_capture_on_commit_callbacks
):
    settings.NOTIFY_TELEGRAM_BACKEND = "telegram"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    api.say(status(application), language_code="ru")
    poll()
    task = application.tasks.get()
    with django_capture_on_commit_callbacks(execute=True):
        cases.task_act(
            actor=land_clerk, task=task, action=Action.REQUEST_DOCUMENTS, comment="Joy rejasining asl nusxasi"
        )
    message = Message.objects.get(channel="telegram")
    assert (message.address, message.template, message.language) == (str(CHAT), "documents_requested", "ru")
    assert message.status == MessageStatus.DELIVERED  # through the notify app to the Bot API
    answer, notice = api.replies(CHAT)
    assert "Joy rejasining asl nusxasi" in notice and application.number in notice

    api.say(status(application), language_code="en")  # the bot now says what is needed
    poll()
    assert "Needed from you: Joy rejasining asl nusxasi" in api.replies(CHAT)[-1]


def test_status_lookups_count_wrong_codes_per_chat_and_per_number(api, application, settings):
    # The tracking page's rule (services.track_lookup): right lookups are never counted or refused,
    # wrong ones count per chat and per number.
    settings.CASES_TRACK_CLIENT_FAILURES, settings.CASES_TRACK_NUMBER_FAILURES = 3, 5
    for _attempt in range(20):
        api.say(status(application), language_code="en")
    for _attempt in range(3):
        api.say(status(application, code=wrong(application.access_code)), language_code="en")
    api.say(status(application), language_code="en")  # right, after the chat's limit: still answered
    api.say(status(application, code=wrong(application.access_code)), language_code="en")
    api.say(status(application, code=wrong(application.access_code)), chat_id=777, language_code="en")
    api.say(status(application), chat_id=778, language_code="en")  # the number is locked now
    poll()
    replies = api.replies(CHAT)
    assert all(f"Application {application.number}" in reply for reply in replies[:20])
    with translation.override("en"):
        assert replies[20:23] == [not_found_text()] * 3
    assert f"Application {application.number}" in replies[23]
    assert replies[24].startswith("Too many wrong numbers or access codes. Try again after ")
    assert api.replies(777)[0].startswith("Tracking of this application is locked after too many wrong access codes.")
    assert api.replies(778)[0].startswith("Tracking of this application is locked")
    assert set(TelegramSubscription.objects.values_list("chat_id", flat=True)) == {str(CHAT)}


def test_without_a_token_the_bot_does_not_start(settings):
    settings.NOTIFY_TELEGRAM_TOKEN = ""
    with pytest.raises(CommandError, match="NOTIFY_TELEGRAM_TOKEN"):
        call_command("telegram", "--once")
    with pytest.raises(CommandError, match="NOTIFY_TELEGRAM_TOKEN"):
        call_command("telegram")


def test_a_refused_token_and_an_unreachable_api_are_clear_errors(api, settings):
    settings.NOTIFY_TELEGRAM_TOKEN = "987654:not-the-token"
    with pytest.raises(CommandError, match="401") as refused:
        poll()
    assert "not-the-token" not in str(refused.value)
    settings.NOTIFY_TELEGRAM_TOKEN = TOKEN
    api.stop()
    with pytest.raises(CommandError, match="no answer"):
        poll()


class Pauses:
    """Stands for the stop event in Bot.run: records each pause instead of sleeping, and stops the
    loop once the bot has answered."""

    def __init__(self, api):
        self.api = api
        self.waits = []

    def is_set(self):
        return bool(self.api.replies())

    def wait(self, seconds):
        self.waits.append(seconds)


def test_failures_back_off_and_the_bot_keeps_going(api):
    api.fail_next(502, 502, 502)
    api.say("/help")
    pauses = Pauses(api)
    Bot(poll_timeout=0).run(pauses)
    assert pauses.waits == [1, 2, 4]
    assert len(api.polls) == 4 and len(api.replies()) == 1
    assert [backoff(n) for n in (1, 2, 3, 6, 7, 20)] == [1, 2, 4, 32, 60, 60]


def test_sigterm_stops_the_bot_in_the_middle_of_a_long_poll(api):
    api.long_poll = True
    api.say("/help")
    before = signal.getsignal(signal.SIGTERM)

    def terminate_once_waiting():
        deadline = time.monotonic() + 20  # a guard, should the bot never poll a second time
        while len(api.polls) < 2 and time.monotonic() < deadline:
            time.sleep(0.01)
        os.kill(os.getpid(), signal.SIGTERM)

    killer = threading.Thread(target=terminate_once_waiting)
    killer.start()
    out = io.StringIO()
    call_command("telegram", "--poll-timeout", "600", stdout=out)
    killer.join()
    assert out.getvalue().endswith("Telegram bot stopped.\n")
    assert TOKEN not in out.getvalue()
    assert len(api.polls) == 2 and api.polls[-1].json["timeout"] == 600  # the second poll was cut short
    assert len(api.replies()) == 1
    assert signal.getsignal(signal.SIGTERM) == before


def test_stop_ends_the_updates(api, application):
    api.say(f"/status {application.number} {application.access_code}", chat_id=555)
    api.say("/stop", chat_id=555)
    api.say("/stop", chat_id=555)
    poll()
    _status, stopped, nothing = api.replies(555)
    assert not TelegramSubscription.objects.filter(chat_id="555").exists()
    assert stopped != nothing and "/status" in stopped
