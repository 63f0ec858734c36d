"""The Telegram bot answers for kindergarten queue numbers: the child's status, the referral and the place
in each group, under the family page's lookup rule; the chat then gets the family's notices, and /stop
ends them. Against the local stand-in of the Bot API, as the cases bot's tests."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone, translation

from darcha.cases.telegram import help_text, not_found_text
from darcha.notify.models import Message
from darcha.preschool import ages, telegram
from darcha.preschool import services as preschool
from darcha.preschool.choices import AgeGroup, PlacementStatus
from darcha.preschool.models import Placement, Position, TelegramSubscription
from tests.notify.standins import TelegramBotStandIn
from tests.preschool import helpers
from tests.preschool.test_family import register

pytestmark = pytest.mark.django_db

TOKEN = "987654:bot-stand-in-secret"
CHAT = 5512345678


@pytest.fixture
def api(settings):
    cache.clear()
    server = TelegramBotStandIn(token=TOKEN).start()
    settings.NOTIFY_TELEGRAM_URL = server.url
    settings.NOTIFY_TELEGRAM_TOKEN = TOKEN
    settings.NOTIFY_EMAIL_BACKEND = settings.NOTIFY_SMS_BACKEND = settings.NOTIFY_TELEGRAM_BACKEND = "console"
    yield server
    server.stop()
    cache.clear()


def poll() -> str:
    out = io.StringIO()
    call_command("telegram", "--once", stdout=out)
    return out.getvalue()


@pytest.fixture
def city(db):
    return helpers.district("test-city")


@pytest.fixture
def gardens(city):
    return {
        "g12": helpers.program(helpers.kindergarten(city, 12), AgeGroup.G3),
        "g7": helpers.program(helpers.kindergarten(city, 7), AgeGroup.G3),
    }


@pytest.fixture
def application(city, gardens):
    return register(city, [gardens["g12"], gardens["g7"]])


def test_the_bot_recognises_queue_numbers():
    assert telegram.recognises("M26-0000123") and telegram.recognises("m26-0000123")
    assert not telegram.recognises("26-0000123")  # an application's tracking number: the cases bot's


def test_status_answers_with_the_place_and_the_referral_and_subscribes(api, application, gardens):
    now = timezone.now()
    Position.objects.create(
        application=application, program=gardens["g12"], position=3, ahead_privileged=1, computed_at=now
    )
    Placement.objects.create(
        application=application,
        program=gardens["g7"],
        status=PlacementStatus.OFFERED,
        offered_at=now,
        expires_at=now + dt.timedelta(days=21),
    )
    api.say(f"/status {application.number.lower()} {application.access_code}", language_code="en")
    assert poll() == "1 update(s), 1 repl(ies)\n"
    [reply] = api.replies(CHAT)
    assert f"Queue number {application.number}" in reply and "Child: K. A. B. O." in reply
    assert "Referral: 7-son MTT" in reply and "Take it up by" in reply
    assert "1. 12-son MTT · 3–4 years · Uzbek: place 3 in the queue; 1 of those ahead has a privilege" in reply
    assert application.access_code not in reply and "Karimov" not in reply
    subscription = TelegramSubscription.objects.get(application=application)
    assert (subscription.chat_id, subscription.language) == (str(CHAT), "en")
    assert not Message.objects.filter(channel="telegram").exists()  # an answer, not a notice


def test_a_wrong_code_gets_the_not_found_answer_and_subscribes_nothing(api, application):
    wrong = f"{(int(application.access_code) + 1) % 1_000_000:06d}"
    api.say(f"/status {application.number} {wrong}", language_code="en")
    api.say(f"/status M26-9999999 {application.access_code}", language_code="en")
    poll()
    with translation.override("en"):
        assert api.replies(CHAT) == [not_found_text(), not_found_text()]
    assert not TelegramSubscription.objects.exists()


def test_wrong_codes_lock_the_number_for_the_bot_too(api, application, settings):
    settings.CASES_TRACK_NUMBER_FAILURES = 2
    wrong = f"{(int(application.access_code) + 1) % 1_000_000:06d}"
    for _ in range(2):
        api.say(f"/status {application.number} {wrong}", language_code="en")
    api.say(f"/status {application.number} {application.access_code}", language_code="en")
    poll()
    *_, locked = api.replies(CHAT)
    assert "locked after too many wrong access codes" in locked
    assert not TelegramSubscription.objects.exists()


def test_the_familys_notices_reach_the_chat_and_stop_ends_them(
    api, application, gardens, django_capture_on_commit_callbacks
):
    api.say(f"/status {application.number} {application.access_code}", language_code="ru")
    poll()
    now = timezone.now()
    placement = Placement.objects.create(
        application=application,
        program=gardens["g7"],
        status=PlacementStatus.OFFERED,
        offered_at=now,
        expires_at=now + dt.timedelta(days=21),
    )
    with django_capture_on_commit_callbacks(execute=True):
        preschool.placement_decline(actor=preschool.FAMILY, placement=placement)
    # The notice the family gets by SMS is copied to the chat, in the chat's language.
    sms = Message.objects.get(channel="sms", template="preschool_referral_declined")
    copy = Message.objects.get(channel="telegram", address=str(CHAT))
    assert copy.template == sms.template and copy.language == "ru" and sms.language == "en"

    api.say("/stop", language_code="en")
    poll()
    assert api.replies(CHAT)[-1].startswith("Done: this chat will get no more updates.")
    assert not TelegramSubscription.objects.exists()


def test_the_help_names_queue_numbers_too(api):
    api.say("/start", language_code="en")
    poll()
    [reply] = api.replies(CHAT)
    with translation.override("en"):
        assert reply == help_text() and "/status M26-0000123 482913" in reply


def test_a_referral_of_the_main_campaign_reaches_the_chat(api, city, gardens, django_capture_on_commit_callbacks):
    application = register(city, [gardens["g12"]])
    api.say(f"/status {application.number} {application.access_code}", language_code="en")
    poll()
    officer = helpers.officer(city)
    campaign = preschool.campaign_create(actor=officer, district=city, school_year=ages.school_year_for(timezone.now()))
    with django_capture_on_commit_callbacks(execute=True):
        preschool.campaign_run(actor=officer, campaign=campaign)
    assert Placement.objects.get(application=application).status == PlacementStatus.OFFERED
    copies = Message.objects.filter(channel="telegram", address=str(CHAT))
    assert "preschool_referral" in set(copies.values_list("template", flat=True))
