"""The pages: a citizen confirms the phone by SMS, answers once (a second try is refused with the
translated message), an answer after closing is refused; the results page shows only the published
questions as SVG charts with their tables; the press secretary's builder, results and exports; others
are refused."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from darcha.core.choices import Role
from darcha.infoservice.surveys import services
from darcha.infoservice.surveys.models import Question, Response, Survey
from tests.factories import staff

from . import helpers

pytestmark = pytest.mark.django_db


@pytest.fixture
def where():
    return helpers.place()


@pytest.fixture
def made(where):
    return helpers.survey(where)


def url(survey, lang="/en", tail=""):
    return f"{lang}/surveys/{survey.code}/{tail}"


def confirm(client, survey, phone="90 111 22 33"):
    assert client.post(url(survey), {"step": "phone", "phone": phone}).status_code == 303
    assert client.post(url(survey), {"step": "code", "code": helpers.sms_code()}).status_code == 303


def post_answers(client, survey, data, lang="/en"):
    return client.post(url(survey, lang), {"step": "submit", **data})


def test_a_citizen_answers_once_and_a_second_try_is_refused(client, made):
    page = client.get(url(made))
    assert page.status_code == 200 and b'name="phone"' in page.content
    confirm(client, made)
    form = client.get(url(made))
    assert b"data-survey-form" in form.content and b"Main source" in form.content
    done = post_answers(client, made, helpers.answers(made))
    assert done.status_code == 303 and done["Location"].endswith("/thanks/")
    assert client.get(done["Location"]).status_code == 200
    assert Response.objects.filter(survey=made).count() == 1
    again = client.get(url(made))
    assert b"data-survey-answered" in again.content
    second = post_answers(client, made, helpers.answers(made))
    assert second.status_code == 409
    assert b"You have already answered this survey" in second.content
    # In Russian, the message is translated (the catalogs are the lead's; the key is the same page).
    assert post_answers(client, made, helpers.answers(made), lang="/ru").status_code == 409
    assert Response.objects.filter(survey=made).count() == 1


def test_bad_answers_come_back_with_messages_and_save_nothing(client, made):
    confirm(client, made)
    data = helpers.answers(made)
    q = helpers.questions(made)
    data[f"q{q[2].pk}"] = ["9"]
    page = post_answers(client, made, data)
    assert page.status_code == 400
    assert b"Choose a number from 1 to 5." in page.content
    assert b"checked" in page.content  # what was chosen is kept
    assert not Response.objects.exists()


def test_answering_without_a_confirmed_phone_is_refused(client, made):
    page = post_answers(client, made, helpers.answers(made))
    assert page.status_code == 400 and not Response.objects.exists()


def test_an_answer_after_closing_is_refused_with_a_message(client, made):
    confirm(client, made)
    Survey.objects.filter(pk=made.pk).update(
        opens_at=timezone.now() - dt.timedelta(days=5), closes_at=timezone.now() - dt.timedelta(minutes=1)
    )
    page = post_answers(client, made, helpers.answers(made))
    assert page.status_code == 409
    assert b"answers are no longer accepted" in page.content
    assert not Response.objects.exists()


def test_an_account_survey_sends_to_the_login(client, where):
    made = helpers.survey(where, code="accounts", identity="account")
    page = client.get(url(made))
    assert page.status_code == 302 and "/login/" in page["Location"]


def test_results_show_only_published_questions_with_chart_and_table(client, where, made):
    services.response_submit(
        actor=services.RESPONDENT,
        survey=made,
        respondent=services.Respondent(phone=helpers.PHONE),
        data=helpers.answers(made),
    )
    empty = client.get(url(made, tail="results/"))
    assert empty.status_code == 200 and b"have not been published yet" in empty.content
    q = helpers.questions(made)
    services.question_results_publish(actor=where.press, question=q[0], published=True)
    services.question_results_publish(actor=where.press, question=q[3], published=True)
    page = client.get(url(made, tail="results/"))
    body = page.content.decode()
    assert page.status_code == 200
    assert body.count('<svg class="survey-chart"') == 2
    assert 'role="img"' in body and '<title id="chart-q' in body and '<desc id="chart-q' in body
    assert "Internet: 100.0 % (1)" in body  # the numbers in the description
    assert "<table" in body and "Trust" not in body  # unpublished questions are not there
    assert "csrfmiddlewaretoken" not in body  # a public page, held by the page cache


def test_the_index_lists_open_surveys_and_results(client, where, made):
    page = client.get("/en/surveys/")
    assert page.status_code == 200 and made.title_en.encode() in page.content


def test_a_draft_is_not_public(client, where):
    draft = helpers.survey(where, code="draft", launch=False)
    assert client.get(url(draft)).status_code == 404
    assert client.get(url(draft, tail="results/")).status_code == 404


def test_the_press_secretary_builds_launches_and_publishes(client, where):
    client.force_login(where.press)
    code = where.hokimiyat.code
    assert client.get(f"/en/surveys/desk/{code}/").status_code == 200
    now = timezone.localtime()
    created = client.post(
        f"/en/surveys/desk/{code}/new/",
        {
            "code": "roads-2026",
            "title_uz": "Yoʻllar",
            "identity": "anonymous",
            "opens_at": now.strftime("%Y-%m-%dT%H:%M"),
            "closes_at": (now + dt.timedelta(days=7)).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert created.status_code == 303, created.content
    survey = Survey.objects.get(code="roads-2026")
    bad = client.post(
        f"/en/surveys/manage/{survey.code}/questions/new/", {"kind": "single", "text_uz": "?", "options_uz": "one"}
    )
    assert bad.status_code == 400 and b"at least two answers" in bad.content
    added = client.post(
        f"/en/surveys/manage/{survey.code}/questions/new/",
        {"kind": "single", "text_uz": "Yoʻl holati", "options_uz": "Yaxshi\nYomon", "required": "on"},
    )
    assert added.status_code == 303
    question = Question.objects.get(survey=survey)
    assert client.get(f"/en/surveys/manage/{survey.code}/questions/{question.pk}/").status_code == 200
    builder = client.get(f"/en/surveys/manage/{survey.code}/")
    assert builder.status_code == 200 and "Yoʻl holati" in builder.content.decode()
    assert client.post(f"/en/surveys/manage/{survey.code}/launch/").status_code == 303
    again = client.post(f"/en/surveys/manage/{survey.code}/launch/")
    assert again.status_code == 409 and b"already been launched" in again.content
    assert client.get(f"/en/surveys/manage/{survey.code}/results/").status_code == 200
    published = client.post(f"/en/surveys/manage/{survey.code}/questions/{question.pk}/publish/", {"back": "results"})
    assert published.status_code == 303
    question.refresh_from_db()
    assert question.published
    desk = client.get("/en/desk/")
    assert b"Open the surveys" in desk.content


def test_exports(client, where, made):
    services.response_submit(
        actor=services.RESPONDENT,
        survey=made,
        respondent=services.Respondent(phone=helpers.PHONE),
        data=helpers.answers(made, text="=HYPERLINK(1)"),
    )
    client.force_login(where.press)
    exported = client.get(f"/en/surveys/manage/{made.code}/export.csv")
    assert exported.status_code == 200
    rows = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert len(rows) == 2 and len(rows[0]) == 3 + 6  # 5 questions, the matrix in 2 columns
    assert rows[1][3] == "Internet" and rows[1][5] == "4"
    assert rows[1][-1].startswith("'=")  # never a formula
    assert helpers.PHONE not in exported.content.decode()
    book = load_workbook(io.BytesIO(client.get(f"/en/surveys/manage/{made.code}/export.xlsx").content))
    assert book.sheetnames == ["Responses", "Results"]
    assert book["Responses"].max_row == 2


def test_others_are_refused(client, where, made):
    other = helpers.place("pop")
    client.force_login(other.press)
    assert client.get(f"/en/surveys/manage/{made.code}/").status_code == 403
    assert client.get(f"/en/surveys/desk/{where.hokimiyat.code}/").status_code == 403
    assert client.post(f"/en/surveys/manage/{made.code}/close/").status_code == 403
    client.logout()
    assert client.get(f"/en/surveys/manage/{made.code}/").status_code == 302
    officer = staff("officer", where.hokimiyat, Role.APPEALS_OFFICER)
    client.force_login(officer)
    assert client.get(f"/en/surveys/manage/{made.code}/export.csv").status_code == 403


def test_the_api_gives_published_results_only(client, where, made):
    assert client.get("/api/v1/surveys/").json()["results"] == []
    assert client.get(f"/api/v1/surveys/{made.code}/").status_code == 404
    services.response_submit(
        actor=services.RESPONDENT,
        survey=made,
        respondent=services.Respondent(phone=helpers.PHONE),
        data=helpers.answers(made),
    )
    q = helpers.questions(made)
    services.question_results_publish(actor=where.press, question=q[0], published=True)
    listed = client.get("/api/v1/surveys/?lang=en").json()
    assert [s["code"] for s in listed["results"]] == [made.code]
    detail = client.get(f"/api/v1/surveys/{made.code}/?lang=en").json()
    assert detail["responses"] == 1 and len(detail["questions"]) == 1
    first = detail["questions"][0]
    assert first["text"] == "Main source" and first["respondents"] == 1
    assert [a["count"] for a in first["answers"]] == [0, 0, 1]
    assert client.get("/api/v1/surveys/?nope=1").status_code == 400
    assert client.get("/api/v1/surveys/?hokimiyat=%00").status_code == 400


def test_a_preview_sends_nothing_and_a_draft_can_be_deleted(client, where):
    draft = helpers.survey(where, code="draft-2", launch=False)
    client.force_login(where.press)
    preview = client.get(f"/en/surveys/manage/{draft.code}/preview/")
    assert preview.status_code == 200
    assert b"Main source" in preview.content and b"Send my answers" not in preview.content
    deleted = client.post(f"/en/surveys/manage/{draft.code}/delete/")
    assert deleted.status_code == 303 and not Survey.objects.filter(code="draft-2").exists()
    launched = helpers.survey(where, code="launched")
    refused = client.post(f"/en/surveys/manage/{launched.code}/delete/")
    assert refused.status_code == 409 and b"Only a draft survey can be deleted" in refused.content
