"""Tracking's limits (issue 10, item 2): only wrong lookups count, per application number and per client;
a right number and code is never refused unless the number is locked; a locked number tells the applicant
how to unlock it (a link that sends a new code, or the center), and unlocks by itself after its window.
The page, the API and the bot follow the one rule (services.track_lookup)."""

import datetime as dt
import time

import pytest
from django.core.cache import cache
from django.core.cache.backends import db as db_cache
from django.db import connection
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from darcha.cases import selectors
from darcha.cases import services as cases
from darcha.core.choices import Role
from darcha.core.models import AuditEntry
from darcha.core.throttle import count_attempt
from darcha.notify.models import Message
from tests.cases.helpers import staff

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _in_english(client):
    # The assertions read the English texts: the pages at /en/ (reverse under English), the API by Accept-Language.
    translation.activate("en")
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


def page(number, code):
    return f"{reverse('cases:track_detail', args=[number])}?code={code}"


def api(number, code):
    return f"/api/v1/track/{number}/?code={code}"


def wrong(code: str, n: int = 1) -> str:
    return f"{(int(code) + n) % 1_000_000:06d}"


def since(number) -> int:
    return selectors.tracking_limits().numbers.since(number)


def test_right_lookups_from_one_address_are_never_refused(client, application):
    # A center's Wi-Fi, a mobile operator's NAT: many people, one address.
    for _ in range(40):
        assert client.get(page(application.number, application.access_code)).status_code == 200
        assert client.get(api(application.number, application.access_code)).status_code == 200


def test_wrong_codes_lock_the_number_for_everyone_and_the_applicant_is_told(
    client, application, settings, django_capture_on_commit_callbacks
):
    settings.CASES_TRACK_NUMBER_FAILURES = 3
    with django_capture_on_commit_callbacks(execute=True):
        answers = [
            client.get(page(application.number, wrong(application.access_code, n)), REMOTE_ADDR=f"10.0.0.{n}")
            for n in range(1, 4)
        ]
    assert [a.status_code for a in answers] == [404, 404, 429]
    # Locked: the right code is refused too, from any address, saying how to unlock and until when.
    refused = client.get(page(application.number, application.access_code), REMOTE_ADDR="10.9.9.9")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 23 * 3600
    body = refused.content.decode()
    assert escape("Tracking of this application is locked after too many wrong access codes.") in body
    assert "It unlocks by itself at " in body and "ask at the center with your passport" in body
    assert "Qurilish" not in body
    refused = client.get(api(application.number, application.access_code))
    assert refused.status_code == 429 and refused.json()["code"] == "locked" and refused.headers["Retry-After"]
    # Told once, by the applicant's channel, with the unlock link; the lock is in the audit log.
    [notice] = Message.objects.filter(template="tracking_locked")
    assert notice.address == application.phone
    assert AuditEntry.objects.filter(action="tracking_lock", object_id=str(application.pk)).count() == 1
    # Other numbers are not affected.
    assert client.get(page("26-9999999", application.access_code), REMOTE_ADDR="10.9.9.9").status_code == 404


def test_a_number_that_does_not_exist_locks_the_same_way(client, settings):
    settings.CASES_TRACK_NUMBER_FAILURES = 2
    for n in range(2):
        client.get(page("26-9999999", f"00000{n}"), REMOTE_ADDR=f"10.0.0.{n}")
    refused = client.get(page("26-9999999", "123456"), REMOTE_ADDR="10.0.0.9")
    assert refused.status_code == 429
    assert escape("Tracking of this application is locked") in refused.content.decode()
    assert not Message.objects.exists()


def test_wrong_lookups_per_address_have_a_higher_limit_and_say_when(client, application, settings):
    settings.CASES_TRACK_CLIENT_FAILURES, settings.CASES_TRACK_NUMBER_FAILURES = 5, 100
    for n in range(5):
        assert client.get(api(f"26-000010{n}", "000000")).status_code == 404
    refused = client.get(api("26-0000200", "000000"))
    assert refused.status_code == 429 and refused.json()["code"] == "throttled"
    assert 3500 <= int(refused.headers["Retry-After"]) <= 3601
    assert refused.json()["detail"].startswith("Too many wrong numbers or access codes. Try again after ")
    # The address's own right lookups go on being answered.
    assert client.get(api(application.number, application.access_code)).status_code == 200
    assert client.get(page(application.number, application.access_code)).status_code == 200


def test_an_address_over_its_limit_cannot_have_texts_sent(
    client, application, settings, django_capture_on_commit_callbacks
):
    settings.CASES_TRACK_CLIENT_FAILURES, settings.CASES_TRACK_NUMBER_FAILURES = 2, 3
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(4):
            client.get(page(application.number, wrong(application.access_code, n + 1)))
    # Locked all the same (its guesses count), but the lock came from a client over its limit: no notice.
    assert client.get(page(application.number, application.access_code), REMOTE_ADDR="10.1.1.1").status_code == 429
    assert not Message.objects.filter(template="tracking_locked").exists()


def test_the_lock_lifts_by_itself_after_its_window(client, application, settings, monkeypatch):
    settings.CASES_TRACK_NUMBER_FAILURES, settings.CASES_TRACK_NUMBER_WINDOW = 2, 600
    for n in range(2):
        client.get(page(application.number, wrong(application.access_code, n + 1)))
    assert client.get(page(application.number, application.access_code)).status_code == 429
    # The clock moves past the window (the cache's expiry and the limit read the same clock); a slow
    # machine cannot make the window pass before the refusal is asked for.
    later = time.time() + 601
    monkeypatch.setattr(time, "time", lambda: later)
    monkeypatch.setattr(db_cache, "tz_now", lambda: dt.datetime.fromtimestamp(later, tz=dt.UTC))
    assert client.get(page(application.number, application.access_code)).status_code == 200


def lock(client, application, settings, django_capture_on_commit_callbacks):
    settings.CASES_TRACK_NUMBER_FAILURES = 2
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(2):
            client.get(page(application.number, wrong(application.access_code, n + 1)))
    assert client.get(page(application.number, application.access_code)).status_code == 429


def test_the_link_of_the_notice_unlocks_and_sends_a_new_code(
    client, application, settings, django_capture_on_commit_callbacks
):
    lock(client, application, settings, django_capture_on_commit_callbacks)
    old = application.access_code
    url = reverse("cases:track_unlock", args=[cases.unlock_token(application.number, since(application.number))])
    shown = client.get(url)  # opening the link (or a preview robot) changes nothing
    assert shown.status_code == 200 and "Unlock and send a new code" in shown.content.decode()
    assert client.get(page(application.number, old)).status_code == 429
    with django_capture_on_commit_callbacks(execute=True):
        unlocked = client.post(url)
    assert unlocked.status_code == 303
    application.refresh_from_db()
    assert application.access_code != old
    assert client.get(page(application.number, old)).status_code == 404
    assert client.get(page(application.number, application.access_code)).status_code == 200
    [sent] = Message.objects.filter(template="tracking_new_code")
    assert sent.address == application.phone
    entry = AuditEntry.objects.get(action="tracking_unlock", object_id=str(application.pk))
    assert entry.data["by"] == "link" and entry.data["was_locked"] is True
    # Once: the link is spent (the lock it was sent for is gone).
    again = client.post(url)
    assert again.status_code == 409 and "This link is no longer valid" in again.content.decode()
    forged = client.get(reverse("cases:track_unlock", args=["26-0000001:1:forged"]))
    assert forged.status_code == 404


def test_the_center_unlocks_after_checking_the_identity_document(
    client, application, settings, center, operator, other_center, django_capture_on_commit_callbacks
):
    lock(client, application, settings, django_capture_on_commit_callbacks)
    old = application.access_code
    url = f"/en/front/{center.code}/applications/{application.number}/access-code/"
    client.force_login(staff("elsewhere", other_center, Role.OPERATOR))
    assert client.post(url).status_code == 403  # not that center's staff
    client.force_login(operator)
    assert (
        "Issue a new access code"
        in client.get(f"/en/front/{center.code}/applications/{application.number}/").content.decode()
    )
    response = client.post(url, follow=True)
    assert response.status_code == 200
    application.refresh_from_db()
    assert application.access_code != old and f"New access code {application.access_code}" in response.content.decode()
    client.logout()
    assert client.get(page(application.number, application.access_code)).status_code == 200
    entry = AuditEntry.objects.get(action="tracking_unlock", object_id=str(application.pk))
    assert entry.data["by"] == "center" and entry.actor_label == "operator"


def test_a_lock_lasts_its_whole_window_on_the_database_cache():
    # Django's database cache increments by setting the value again with its default timeout (300 s):
    # the counter's expiry is put back to the window's end after each count.
    for _ in range(3):
        count_attempt("limit:probe:26-0000001", 24 * 3600)
    with connection.cursor() as cursor:
        cursor.execute("SELECT expires FROM darcha_cache WHERE cache_key LIKE %s", ["%limit:probe:26-0000001"])
        [(expires,)] = cursor.fetchall()
    if isinstance(expires, str):  # SQLite hands the timestamp back as text
        expires = dt.datetime.fromisoformat(expires)
    if expires.tzinfo is None:  # stored in UTC
        expires = expires.replace(tzinfo=dt.UTC)
    assert expires.timestamp() - time.time() > 23 * 3600
