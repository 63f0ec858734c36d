"""The author's side on the web: tracking by number and access code (right, wrong, locked), kept in the
session; the appeal's page with its term, extensions and public history; the answer letter downloaded;
the rating ("not satisfied" flags the appeal to the head), a clarification within 10 days (late: the
service's refusal), a complaint to the higher body, withdrawal. Refused requests change nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.utils import timezone

from darcha.infoservice.choices import AppealStatus, AppealType, ExtensionKind, Outcome
from darcha.infoservice.models import Appeal
from darcha.infoservice.services.answers import answer_approve, answer_draft
from darcha.infoservice.services.routing import appeal_assign
from darcha.infoservice.services.terms_control import appeal_extend
from tests.infoservice.work_helpers import at, file_appeal, fresh, hokimiyat_tree

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def tree(db):
    return hokimiyat_tree()


def in_work(tree, received: dt.datetime, **fields):
    appeal = file_appeal(tree, received, **fields)
    appeal_assign(actor=tree.officer, appeal=appeal, executor=tree.department, now=received + dt.timedelta(hours=1))
    return fresh(appeal)


def answered(tree, approved: dt.datetime, **fields):
    appeal = in_work(tree, approved - dt.timedelta(days=10), **fields)
    draft = answer_draft(
        actor=tree.executor,
        appeal=appeal,
        outcome=Outcome.REFUSED,
        text="Yo‘l rejada yo‘q.",
        now=approved - dt.timedelta(hours=2),
    )
    answer_approve(actor=tree.hokim, answer=draft, now=approved)
    return fresh(appeal)


def recent(tree, **fields):
    """Answered an hour ago: every request of the author is still in time."""
    return answered(tree, timezone.now() - dt.timedelta(hours=1), **fields)


def unlock(client, appeal):
    response = client.get("/en/appeals/track/", {"number": appeal.number, "code": appeal.access_code})
    assert response.status_code == 303 and response["Location"] == f"/en/appeals/my/{appeal.number}/"


def text(response) -> str:
    return response.content.decode()


def test_the_right_number_and_code_open_the_appeal_in_this_session(client, tree):
    appeal = in_work(tree, at(2026, 11, 30))
    assert client.get(f"/en/appeals/my/{appeal.number}/").status_code == 303  # not yet: to the form
    unlock(client, appeal)
    page = client.get(f"/en/appeals/my/{appeal.number}/")
    assert page.status_code == 200
    html = text(page)
    assert appeal.number in html and "Being considered" in html
    assert "To be answered by 15 December 2026" in html  # 15 days from 30 November
    assert appeal.access_code not in html and "Karimov" not in html.split("What you wrote")[0].split("<main")[1]


def test_a_wrong_code_and_a_wrong_number_get_the_same_answer(client, tree):
    appeal = in_work(tree, at(2026, 11, 30))
    wrong = "000000" if appeal.access_code != "000000" else "111111"
    by_code = client.get("/en/appeals/track/", {"number": appeal.number, "code": wrong})
    by_number = client.get("/en/appeals/track/", {"number": "CHU-26-999999", "code": appeal.access_code})
    assert by_code.status_code == by_number.status_code == 404
    assert "No appeal has this number and access code" in text(by_code)
    assert "No appeal has this number and access code" in text(by_number)
    assert client.get(f"/en/appeals/my/{appeal.number}/").status_code == 303


def test_too_many_wrong_codes_lock_the_number_even_for_the_right_code(client, tree, settings):
    settings.CASES_TRACK_NUMBER_FAILURES = 3
    appeal = in_work(tree, at(2026, 11, 30))
    wrong = "000000" if appeal.access_code != "000000" else "111111"
    for _ in range(3):
        client.get("/en/appeals/track/", {"number": appeal.number, "code": wrong})
    locked = client.get("/en/appeals/track/", {"number": appeal.number, "code": appeal.access_code})
    assert locked.status_code == 429 and locked.has_header("Retry-After")
    assert "locked after too many wrong access codes" in text(locked)


def test_the_code_in_the_link_opens_the_page_and_leaves_the_address(client, tree):
    appeal = in_work(tree, at(2026, 11, 30))
    response = client.get(f"/en/appeals/my/{appeal.number}/", {"code": appeal.access_code})
    assert response.status_code == 303 and "code" not in response["Location"]
    assert client.get(response["Location"]).status_code == 200


def test_an_extension_is_shown_with_its_reason(client, tree):
    appeal = in_work(tree, at(2026, 11, 30))
    appeal_extend(
        actor=tree.executor,
        appeal=appeal,
        kind=ExtensionKind.STUDY,
        reason="Yo‘lni joyida o‘rganish kerak.",
        now=at(2026, 12, 1),
    )
    unlock(client, appeal)
    html = text(client.get(f"/en/appeals/my/{appeal.number}/"))
    assert "The term was extended" in html and "Yo‘lni joyida o‘rganish kerak." in html
    assert "15 December 2026 → 30 December 2026" in html


def test_the_answer_letter_is_downloaded_as_a_pdf(client, tree):
    appeal = recent(tree)
    unlock(client, appeal)
    html = text(client.get(f"/en/appeals/my/{appeal.number}/"))
    answer = appeal.answers.get()
    link = f"/en/appeals/my/{appeal.number}/letters/{answer.pk}.pdf"
    assert link in html and "Refused" in html
    letter = client.get(link)
    assert letter.status_code == 200 and letter["Content-Type"] == "application/pdf"
    assert letter.content.startswith(b"%PDF-")
    client.session.flush()
    other = client.__class__()
    assert other.get(link).status_code == 303  # another browser: to the tracking form


def test_not_satisfied_flags_the_appeal_to_the_head(client, tree):
    appeal = recent(tree)
    unlock(client, appeal)
    done = client.post(
        f"/en/appeals/my/{appeal.number}/rate/", {"satisfaction": "not_satisfied", "note": "Yo‘l hali buzuq"}
    )
    assert done.status_code == 303
    appeal = fresh(appeal)
    assert appeal.flagged_to_head and appeal.satisfaction == "not_satisfied"
    assert appeal.satisfaction_note == "Yo‘l hali buzuq"
    again = client.post(f"/en/appeals/my/{appeal.number}/rate/", {"satisfaction": "satisfied"})
    assert again.status_code == 409 and "already been rated" in text(again)
    assert fresh(appeal).satisfaction == "not_satisfied"


def test_a_rating_without_a_choice_is_a_field_message(client, tree):
    appeal = recent(tree)
    unlock(client, appeal)
    refused = client.post(f"/en/appeals/my/{appeal.number}/rate/", {"note": "?"})
    assert refused.status_code == 400 and fresh(appeal).satisfaction == ""


def test_a_clarification_within_ten_days_is_a_new_appeal(client, tree):
    appeal = recent(tree)
    unlock(client, appeal)
    done = client.post(f"/en/appeals/my/{appeal.number}/clarify/", {"clarify-text": "Qachon rejaga kiritiladi?"})
    assert done.status_code == 303
    follow = Appeal.objects.get(follows=appeal)
    assert follow.organization == tree.hokimiyat and follow.status == AppealStatus.REGISTERED
    assert follow.number in text(client.get(done["Location"]))


def test_a_late_clarification_is_refused_with_the_services_message(client, tree):
    appeal = answered(tree, at(2026, 11, 16))  # clarifications until 26 November 2026
    unlock(client, appeal)
    page = text(client.get(f"/en/appeals/my/{appeal.number}/"))
    assert "The time for a clarification has passed." in page
    refused = client.post(f"/en/appeals/my/{appeal.number}/clarify/", {"clarify-text": "Kech"})
    assert refused.status_code == 409
    assert "A clarification is asked for within 10 days of the answer, by 26 November 2026." in text(refused)
    assert Appeal.objects.count() == 1


def test_a_complaint_goes_to_the_regions_hokimiyat(client, tree):
    appeal = recent(tree)
    unlock(client, appeal)
    page = text(client.get(f"/en/appeals/my/{appeal.number}/"))
    assert tree.region_hokimiyat.name_uz in page
    done = client.post(f"/en/appeals/my/{appeal.number}/complain/", {"complain-text": "Yo‘l ta’mirlanmadi."})
    assert done.status_code == 303
    complaint = Appeal.objects.get(follows=appeal)
    assert complaint.organization == tree.region_hokimiyat and complaint.type == AppealType.COMPLAINT
    assert complaint.complained_body == tree.hokimiyat


def test_withdrawal_needs_a_confirmation(client, tree):
    appeal = in_work(tree, at(2026, 11, 30))
    unlock(client, appeal)
    unconfirmed = client.post(f"/en/appeals/my/{appeal.number}/withdraw/", {})
    assert unconfirmed.status_code == 400 and fresh(appeal).status == AppealStatus.IN_WORK
    done = client.post(f"/en/appeals/my/{appeal.number}/withdraw/", {"confirm": "on"})
    assert done.status_code == 303
    appeal = fresh(appeal)
    assert (appeal.status, appeal.outcome) == (AppealStatus.CLOSED, Outcome.TERMINATED)
    again = client.post(f"/en/appeals/my/{appeal.number}/withdraw/", {"confirm": "on"})
    assert again.status_code == 409


def test_requests_without_the_code_in_this_session_go_to_the_form(client, tree):
    appeal = recent(tree)
    response = client.post(f"/en/appeals/my/{appeal.number}/rate/", {"satisfaction": "not_satisfied"})
    assert response.status_code == 303 and "/appeals/track/" in response["Location"]
    assert not fresh(appeal).flagged_to_head
