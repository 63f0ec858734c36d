"""The citizens' pages: tracking (one answer for a wrong number or code, wrong lookups limited per address;
the rest of tracking's limits in test_tracking_limits.py),
result verification (a hash, no personal data) and rating after handover."""

import re
from dataclasses import replace

import pytest
from django.core.cache import cache
from django.urls import reverse
from django.utils.html import escape
from django.utils.translation import gettext

from darcha.cases import selectors
from darcha.cases import services as cases
from darcha.cases.choices import ApplicationStatus, EventKind
from darcha.cases.models import Event, Rating, Task
from darcha.cases.views import public
from darcha.catalog.choices import Action
from tests.cases.helpers import submit

pytestmark = pytest.mark.django_db

CSRF = re.compile(rb'name="csrfmiddlewaretoken" value="[^"]*"')


@pytest.fixture(autouse=True)
def _clean_cache():
    # The lookup limits are counted in the cache (the database cache table in tests).
    cache.clear()
    yield
    cache.clear()


def track_url(number, code=None):
    url = reverse("cases:track_detail", args=[number])
    return url if code is None else f"{url}?code={code}"


def only_task(application, status="open"):
    return Task.objects.get(application=application, status=status)


def finish(application, land_clerk, arch_clerk):
    cases.task_act(actor=land_clerk, task=only_task(application), action=Action.APPROVE)
    cases.task_act(actor=arch_clerk, task=only_task(application), action=Action.APPROVE)
    application.refresh_from_db()
    assert application.status == ApplicationStatus.READY
    return application


def without_csrf(content: bytes) -> bytes:
    return CSRF.sub(b"", content)


# --- tracking -----------------------------------------------------------------------------------
def test_the_right_code_shows_the_status_and_the_citizen_label(client, application):
    response = client.get(track_url(application.number, application.access_code))
    assert response.status_code == 200
    body = response.content.decode()
    assert escape("land-check: koʻrib chiqilmoqda") in body  # the step's citizen label
    assert escape(application.get_status_display()) in body
    assert "Qurilish ruxsatnomasi" in body
    assert "Markaz 1" in body  # the center where it is collected
    # No personal data: not the name, the PINFL or the phone.
    for personal in ("Aliyev", "31203901230017", "901234567", "1234567"):
        assert personal not in body
    assert "no-store" in response["Cache-Control"]
    assert '<meta name="robots" content="noindex">' in body


def test_the_form_goes_on_to_the_application_page(client, application):
    typed_number = application.number.replace("-", "")  # typed without the dash
    response = client.get(reverse("cases:track"), {"number": typed_number, "code": application.access_code})
    assert response.status_code == 303
    assert response["Location"] == track_url(application.number, application.access_code)
    assert client.get(response["Location"]).status_code == 200


def test_an_empty_form_says_what_is_missing(client):
    response = client.get(reverse("cases:track"), {"number": "", "code": ""})
    assert response.status_code == 400
    assert response.content.count(b' aria-invalid="true"') == 2
    assert client.get(reverse("cases:track")).status_code == 200


def test_the_number_without_a_code_asks_for_the_code(client, application):
    response = client.get(track_url(application.number))
    assert response.status_code == 200
    assert f'value="{application.number}"'.encode() in response.content
    assert b"Qurilish" not in response.content


def test_a_wrong_number_and_a_wrong_code_get_the_same_answer(client, application):
    wrong_code = f"{(int(application.access_code) + 1) % 1_000_000:06d}"
    wrong_number = application.number[:-1] + ("1" if application.number[-1] != "1" else "2")
    answers = [
        client.get(track_url(application.number, wrong_code)),
        client.get(track_url(wrong_number, application.access_code)),
        client.get(track_url(wrong_number, wrong_code)),
        client.get(track_url("no-such-number", "12")),
    ]
    assert [a.status_code for a in answers] == [404] * 4
    # The number typed comes back in its field (the visitor typed it); all else reads the same.
    typed = [application.number, wrong_number, wrong_number, "no-such-number"]
    for answer, number in zip(answers, typed, strict=True):
        assert f'name="number" value="{number}"'.encode() in answer.content
    bodies = {without_csrf(a.content).replace(n.encode(), b"NUMBER") for a, n in zip(answers, typed, strict=True)}
    assert len(bodies) == 1
    body = bodies.pop().decode()
    assert escape(str(public.NOT_FOUND)) in body
    assert application.access_code not in body and wrong_code not in body
    assert "no-store" in answers[0]["Cache-Control"]


def test_wrong_lookups_are_limited_per_client_address(client, application, settings):
    settings.CASES_TRACK_CLIENT_FAILURES = 3
    for n in range(3):
        assert client.get(track_url(f"25-000000{n}", "000000")).status_code == 404
    refused = client.get(track_url("25-0000009", "000000"))
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    prefix = gettext("Too many wrong numbers or access codes. Try again after %(time)s.").split("%(time)s")[0]
    assert escape(prefix) in refused.content.decode()
    assert b"Qurilish" not in refused.content
    # The right number and code is answered all the same; another address is not affected.
    assert client.get(track_url(application.number, application.access_code)).status_code == 200
    other = client.get(track_url("25-0000009", "000000"), REMOTE_ADDR="10.0.0.9")
    assert other.status_code == 404
    assert client.get(reverse("cases:verify", args=["ABCDEFGHJKLM"])).status_code == 404


def test_tracking_shows_what_is_needed_and_the_history(client, application, land_clerk, arch_clerk):
    cases.task_act(actor=land_clerk, task=only_task(application), action=Action.APPROVE)
    cases.task_act(
        actor=arch_clerk,
        task=only_task(application),
        action=Action.REQUEST_DOCUMENTS,
        comment="Joy rejasining asl nusxasini olib keling",
    )
    application.refresh_from_db()
    response = client.get(track_url(application.number, application.access_code))
    assert response.status_code == 200
    body = response.content.decode()
    view = selectors.tracking_view(application)
    assert view["needed"] == ["Joy rejasining asl nusxasini olib keling"] and view["clock_stopped"]
    assert body.count("Joy rejasining asl nusxasini olib keling") == 2  # what is needed, and in the history
    assert escape(application.get_status_display()) in body
    history = body.split('class="history"', 1)[1]
    for entry in view["timeline"]:
        assert escape(entry.label) in history
    # Newest first: the request for documents comes before the registration.
    requested = str(EventKind.DOCUMENTS_REQUESTED.label)
    registered = str(EventKind.SUBMITTED.label)
    assert history.index(escape(requested)) < history.index(escape(registered))
    # Internal notes (a clerk taking the task) stay off the citizen's page.
    cases.application_supplement(actor=application.registered_by, application=application, comment="Olib keldi")
    task = only_task(application)
    cases.task_claim(actor=arch_clerk, task=task)
    assert Event.objects.filter(application=application, kind=EventKind.CLAIMED).exists()
    again = client.get(track_url(application.number, application.access_code)).content.decode()
    assert escape(str(EventKind.CLAIMED.label)) not in again
    assert "arch.clerk" not in again


def test_a_ready_result_says_where_to_collect_it(client, application, land_clerk, arch_clerk):
    finish(application, land_clerk, arch_clerk)
    response = client.get(track_url(application.number, application.access_code))
    body = response.content.decode()
    assert response.status_code == 200
    assert "Markaz 1" in body
    assert 'class="notice notice--success"' in body


# --- verification -------------------------------------------------------------------------------
def test_the_verification_page_shows_the_hash_and_no_personal_data(client, application, land_clerk, arch_clerk):
    finish(application, land_clerk, arch_clerk)
    result = application.result
    response = client.get(reverse("cases:verify", args=[result.code]))
    assert response.status_code == 200
    body = response.content.decode()
    assert result.document.sha256 and result.document.sha256 in body
    assert application.number in body
    assert "Qurilish ruxsatnomasi" in body and "Arxitektura" in body
    for personal in ("Aliyev", "31203901230017", "901234567"):
        assert personal not in body
    assert "no-store" in response["Cache-Control"]
    assert '<meta name="robots" content="noindex">' in body
    # The code as typed in lower case is the same code.
    assert client.get(reverse("cases:verify", args=[result.code.lower()])).status_code == 200


def test_an_altered_or_unknown_code_is_no_such_document(client, application, land_clerk, arch_clerk):
    finish(application, land_clerk, arch_clerk)
    code = application.result.code
    altered = code[:-1] + ("A" if code[-1] != "A" else "B")
    answers = [client.get(reverse("cases:verify", args=[c])) for c in (altered, "X" * 12, "X" * 40)]
    assert [a.status_code for a in answers] == [404, 404, 404]
    for answer in answers:
        assert application.number.encode() not in answer.content
        assert application.result.document.sha256.encode() not in answer.content


def test_verification_lookups_are_limited(client, application, land_clerk, arch_clerk, monkeypatch):
    finish(application, land_clerk, arch_clerk)
    monkeypatch.setitem(public.LIMITS, "verify", replace(public.LIMITS["verify"], attempts=2))
    url = reverse("cases:verify", args=[application.result.code])
    assert client.get(url).status_code == 200
    assert client.get(reverse("cases:verify", args=["NOPE"])).status_code == 404
    refused = client.get(url)
    assert refused.status_code == 429
    assert application.result.document.sha256.encode() not in refused.content
    # Tracking keeps its own count.
    assert client.get(track_url(application.number, application.access_code)).status_code == 200


# --- rating -------------------------------------------------------------------------------------
@pytest.fixture
def handed_over(application, land_clerk, arch_clerk, operator):
    finish(application, land_clerk, arch_clerk)
    cases.application_handover(actor=operator, application=application, identifier="31203901230017")
    application.refresh_from_db()
    return application


def test_rating_after_handover(client, handed_over):
    url = reverse("cases:rate", args=[cases.rating_token(handed_over)])
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Qurilish ruxsatnomasi" in body and "Markaz 1" in body
    assert body.count('type="radio"') == 5 and 'name="score"' in body
    assert "Aliyev" not in body

    response = client.post(url, {"score": "4", "comment": "Tez va qulay"})
    assert response.status_code == 303 and response["Location"] == url
    rating = Rating.objects.get(application=handed_over)
    assert rating.score == 4 and rating.comment == "Tez va qulay"
    assert rating.center.code == "center-1" and rating.agency.code == "arch"
    thanks = client.get(url)
    assert thanks.status_code == 200 and b'name="score"' not in thanks.content
    assert b"Tez va qulay" in thanks.content


def test_a_second_rating_is_refused(client, handed_over):
    url = reverse("cases:rate", args=[cases.rating_token(handed_over)])
    assert client.post(url, {"score": "5"}).status_code == 303
    again = client.post(url, {"score": "1", "comment": "boshqa"})
    assert again.status_code == 409
    assert Rating.objects.get(application=handed_over).score == 5


def test_a_forged_or_early_rating_link_is_not_found(client, handed_over, service, applicant, center, operator):
    token = cases.rating_token(handed_over)
    forged = token[:-2] + ("xx" if not token.endswith("xx") else "yy")
    for url in (
        reverse("cases:rate", args=[forged]),
        reverse("cases:rate", args=[handed_over.number]),
        # A genuine link for an application whose result has not been handed over yet.
        reverse("cases:rate", args=[cases.rating_token(submit(service, applicant, center, operator))]),
    ):
        response = client.get(url)
        assert response.status_code == 404
        assert escape(gettext("This rating link is not valid or has expired.")) in response.content.decode()
        assert client.post(url, {"score": "5"}).status_code == 404
    assert not Rating.objects.exists()


@pytest.mark.parametrize("score", ["7", "0", "", "five"])
def test_a_score_outside_one_to_five_is_refused(client, handed_over, score):
    url = reverse("cases:rate", args=[cases.rating_token(handed_over)])
    response = client.post(url, {"score": score, "comment": "Yaxshi"})
    assert response.status_code == 400
    assert b'role="alert"' in response.content
    assert b"Yaxshi" in response.content  # the comment is kept for the next try
    assert not Rating.objects.exists()
