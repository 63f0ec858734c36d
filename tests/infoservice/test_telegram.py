"""The Telegram bot answers for appeal numbers: the state, the due date with its extensions, the answer's
link, under the tracking page's lookup rule (wrong ones counted per chat and number, a locked number
refused); the chat then follows the appeal and gets its notices in the chat's language; /stop ends them."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.utils import translation

from darcha.cases import telegram as bot
from darcha.infoservice import telegram
from darcha.infoservice.choices import ExtensionKind, Outcome
from darcha.infoservice.models import TelegramSubscription
from darcha.infoservice.services import chats_notify
from darcha.infoservice.services.answers import answer_approve, answer_draft
from darcha.infoservice.services.routing import appeal_assign
from darcha.infoservice.services.terms_control import appeal_extend
from darcha.notify.choices import Channel
from darcha.notify.models import Message
from tests.infoservice.work_helpers import at, file_appeal, fresh, hokimiyat_tree

pytestmark = pytest.mark.django_db

CHAT = 5512345678


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def tree(db):
    return hokimiyat_tree()


@pytest.fixture
def appeal(tree):
    filed = file_appeal(tree, at(2026, 11, 30))
    appeal_assign(actor=tree.officer, appeal=filed, executor=tree.department, now=at(2026, 11, 30, 11))
    return fresh(filed)


def say(text: str, language: str = "en") -> str:
    return bot.answer(CHAT, text, language=language)


def test_the_bot_recognises_appeal_numbers_and_says_so_in_its_help(appeal):
    assert telegram.recognises(appeal.number) and telegram.recognises(appeal.number.lower())
    assert not telegram.recognises("26-0000123") and not telegram.recognises("M26-0000123")
    assert telegram.TRACKER in bot.TRACKERS
    with translation.override("en"):
        assert "/status NC-26-000123 482913" in bot.help_text()


def test_a_right_number_and_code_answer_the_state_and_term_and_follow_the_appeal(appeal):
    reply = say(f"/status {appeal.number} {appeal.access_code}")
    assert appeal.number in reply and "Being considered" in reply
    assert "To be answered by 15 December 2026" in reply
    assert "Send /stop" in reply
    subscription = TelegramSubscription.objects.get()
    assert subscription.appeal == appeal and subscription.chat_id == str(CHAT) and subscription.language == "en"


def test_an_extension_is_in_the_answer(tree, appeal):
    appeal_extend(
        actor=tree.executor, appeal=appeal, kind=ExtensionKind.STUDY, reason="Joyida o‘rganiladi.", now=at(2026, 12, 1)
    )
    reply = say(f"/status {appeal.number} {appeal.access_code}", "ru")
    assert "Joyida o‘rganiladi." in reply and "30" in reply


def test_a_wrong_code_gets_the_not_found_answer_and_follows_nothing(appeal):
    wrong = "000000" if appeal.access_code != "000000" else "111111"
    reply = say(f"/status {appeal.number} {wrong}")
    with translation.override("en"):
        assert reply == telegram.not_found_text()
    assert not TelegramSubscription.objects.exists()


def test_a_locked_number_is_refused_even_with_the_right_code(appeal, settings):
    settings.CASES_TRACK_NUMBER_FAILURES = 2
    wrong = "000000" if appeal.access_code != "000000" else "111111"
    say(f"/status {appeal.number} {wrong}")
    say(f"/status {appeal.number} {wrong}")
    reply = say(f"/status {appeal.number} {appeal.access_code}")
    assert "locked" in reply and not TelegramSubscription.objects.exists()


def test_an_answered_appeal_gives_the_letters_link_and_is_not_followed(tree, appeal):
    draft = answer_draft(
        actor=tree.executor, appeal=appeal, outcome=Outcome.EXPLAINED, text="Tushuntirildi.", now=at(2026, 12, 1)
    )
    answer_approve(actor=tree.hokim, answer=draft, now=at(2026, 12, 1, 12))
    answer = fresh(appeal).answers.get()
    reply = say(f"/status {appeal.number} {appeal.access_code}")
    assert "Explained" in reply and f"/appeals/verify/{answer.code}/" in reply
    assert not TelegramSubscription.objects.exists()


def test_a_following_chat_gets_the_appeals_notices_in_its_language(appeal, django_capture_on_commit_callbacks):
    say(f"/status {appeal.number} {appeal.access_code}", "ru")
    with django_capture_on_commit_callbacks(execute=True):
        copies = chats_notify(appeal, "appeal_withdrawn", {"number": appeal.number})
    assert copies == 1
    message = Message.objects.get(channel=Channel.TELEGRAM)
    assert message.address == str(CHAT) and message.language == "ru" and appeal.number in message.body


def test_stop_ends_the_chats_notices(appeal):
    say(f"/status {appeal.number} {appeal.access_code}")
    reply = say("/stop")
    assert "no more updates" in reply
    assert not TelegramSubscription.objects.exists()
    assert chats_notify(appeal, "appeal_withdrawn", {"number": appeal.number}) == 0


def test_the_authors_notices_reach_the_following_chat(tree, appeal, django_capture_on_commit_callbacks):
    say(f"/status {appeal.number} {appeal.access_code}", "ru")
    with django_capture_on_commit_callbacks(execute=True):
        appeal_extend(
            actor=tree.executor,
            appeal=appeal,
            kind=ExtensionKind.STUDY,
            reason="Joyida o‘rganiladi.",
            now=at(2026, 12, 1),
        )
    copy = Message.objects.get(channel=Channel.TELEGRAM, template="appeal_extended")
    assert copy.address == str(CHAT) and copy.language == "ru" and "Joyida o‘rganiladi." in copy.body
