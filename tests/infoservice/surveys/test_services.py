"""The builder's and the respondents' services: who may build, the questions frozen once answered,
conditions only on earlier choices, one response per respondent (phone, account, hashed phone), nothing
accepted before it opens or after it closes, results published question by question."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from darcha.core.audit import SYSTEM
from darcha.core.errors import Forbidden, Refused
from darcha.infoservice.surveys import selectors, services
from darcha.infoservice.surveys.choices import SurveyRefusal
from darcha.infoservice.surveys.models import Answer, Option, Response
from tests.factories import UserFactory

from . import helpers

pytestmark = pytest.mark.django_db


@pytest.fixture
def where():
    return helpers.place()


def submit(made, data, phone=helpers.PHONE, **kwargs):
    return services.response_submit(
        actor=services.RESPONDENT, survey=made, respondent=services.Respondent(phone=phone, **kwargs), data=data
    )


def test_only_the_press_secretary_builds(where):
    other = helpers.place("pop")
    with pytest.raises(Forbidden):  # another hokimiyat's press secretary
        helpers.survey(helpers.Place(hokimiyat=other.hokimiyat, press=where.press))
    with pytest.raises(Forbidden):
        services.survey_create(actor=SYSTEM, organization=where.hokimiyat, data={})


def test_the_survey_needs_a_title_a_free_address_and_dates_in_order(where):
    helpers.survey(where)
    now = timezone.now()
    with pytest.raises(ValidationError) as error:
        services.survey_create(
            actor=where.press,
            organization=where.hokimiyat,
            data={"code": "info-2010", "identity": "phone", "opens_at": now, "closes_at": now - dt.timedelta(1)},
        )
    assert set(error.value.message_dict) == {"code", "title_uz", "closes_at"}
    with pytest.raises(ValidationError):
        services.survey_create(
            actor=where.press,
            organization=where.hokimiyat,
            data={"code": "manage", "title_uz": "x", "opens_at": now, "closes_at": now + dt.timedelta(1)},
        )


def test_options_are_given_in_each_language_line_by_line(where):
    made = helpers.survey(where, launch=False)
    with pytest.raises(ValidationError) as error:
        services.question_save(
            actor=where.press,
            survey=made,
            data={"kind": "single", "text_uz": "?", "options_uz": "a\nb", "options_ru": "а"},
        )
    assert "options_uz" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.question_save(
            actor=where.press, survey=made, data={"kind": "matrix", "text_uz": "?", "options_uz": "a"}
        )
    assert {"options_uz", "rows_uz"} <= set(error.value.message_dict)


def test_a_condition_points_only_at_an_earlier_choice_question(where):
    made = helpers.survey(where, launch=False)
    q = helpers.questions(made)
    with pytest.raises(ValidationError) as error:  # the first question cannot depend on the second
        services.question_save(
            actor=where.press,
            survey=made,
            question=q[0],
            data={"kind": "single", "text_uz": "?", "options_uz": "a\nb", "show_if_option": q[1].options.first()},
        )
    assert "show_if_option" in error.value.message_dict
    with pytest.raises(Refused):  # nor move above the question it depends on
        services.question_move(actor=where.press, question=q[1], up=True)


def test_editing_options_keeps_the_condition_on_a_kept_option(where):
    made = helpers.survey(where, launch=False)
    q = helpers.questions(made)
    internet = q[0].options.all()[2]
    services.question_save(
        actor=where.press,
        survey=made,
        question=q[0],
        data={"kind": "single", "text_uz": "Manba", "options_uz": "TV\nGazeta\nInternet tarmogʻi\nMahalla"},
    )
    q = helpers.questions(made)
    assert q[1].show_if_option_id == internet.pk
    assert Option.objects.get(pk=internet.pk).text_uz == "Internet tarmogʻi"
    assert q[0].options.count() == 4


def test_launch_needs_questions(where):
    made = services.survey_create(
        actor=where.press,
        organization=where.hokimiyat,
        data={
            "code": "empty",
            "title_uz": "x",
            "identity": "phone",
            "opens_at": timezone.now(),
            "closes_at": timezone.now() + dt.timedelta(days=1),
        },
    )
    with pytest.raises(Refused) as error:
        services.survey_launch(actor=where.press, survey=made)
    assert error.value.code == SurveyRefusal.NO_QUESTIONS


def test_a_response_is_kept_with_its_answers_and_counted(where):
    made = helpers.survey(where)
    response = submit(made, helpers.answers(made))
    assert response.phone == helpers.PHONE
    assert Answer.objects.filter(response=response).count() == 7  # source, 2 sites, trust, 2 matrix rows, text
    made.refresh_from_db()
    assert made.response_count == 1


def test_a_second_response_from_the_same_phone_is_refused_and_changes_nothing(where):
    made = helpers.survey(where)
    submit(made, helpers.answers(made))
    with pytest.raises(Refused) as error:
        submit(made, helpers.answers(made, source=0))
    assert error.value.code == SurveyRefusal.ALREADY_ANSWERED
    assert "already answered" in error.value.message
    assert Response.objects.count() == 1
    made.refresh_from_db()
    assert made.response_count == 1
    submit(made, helpers.answers(made), phone="+998901112244")  # another phone may
    assert Response.objects.count() == 2


def test_anonymous_keeps_only_the_keyed_hash(where):
    made = helpers.survey(where, identity="anonymous")
    response = submit(made, helpers.answers(made))
    assert response.phone == "" and response.user_id is None
    assert response.voter_key == selectors.respondent_key(made, phone=helpers.PHONE)
    assert "901112233" not in response.voter_key
    with pytest.raises(Refused):
        submit(made, helpers.answers(made))


def test_account_mode_counts_the_account(where):
    made = helpers.survey(where, identity="account")
    with pytest.raises(Refused) as error:
        submit(made, helpers.answers(made))  # a phone is not an account
    assert error.value.code == SurveyRefusal.IDENTITY
    user = UserFactory(username="citizen")
    services.response_submit(
        actor=services.RESPONDENT, survey=made, respondent=services.Respondent(user=user), data=helpers.answers(made)
    )
    with pytest.raises(Refused):
        services.response_submit(
            actor=services.RESPONDENT,
            survey=made,
            respondent=services.Respondent(user=user),
            data=helpers.answers(made),
        )


def test_an_answer_after_the_survey_closed_is_refused(where):
    made = helpers.survey(where)
    later = made.closes_at + dt.timedelta(minutes=1)
    with pytest.raises(Refused) as error:
        services.response_submit(
            actor=services.RESPONDENT,
            survey=made,
            respondent=services.Respondent(phone=helpers.PHONE),
            data=helpers.answers(made),
            now=later,
        )
    assert error.value.code == SurveyRefusal.CLOSED
    assert "closed" in error.value.message
    assert not Response.objects.exists()


def test_a_draft_takes_no_answers(where):
    made = helpers.survey(where, launch=False)
    with pytest.raises(Refused):
        submit(made, helpers.answers(made))


def test_missing_required_answers_save_nothing(where):
    made = helpers.survey(where)
    data = helpers.answers(made)
    q = helpers.questions(made)
    del data[f"q{q[1].pk}"]  # internet chosen, so the sites are required
    with pytest.raises(ValidationError) as error:
        submit(made, data)
    assert f"q{q[1].pk}" in error.value.message_dict
    assert not Response.objects.exists()


def test_questions_are_frozen_once_answered(where):
    made = helpers.survey(where)
    submit(made, helpers.answers(made))
    q = helpers.questions(made)
    with pytest.raises(Refused) as error:
        services.question_delete(actor=where.press, question=q[0])
    assert error.value.code == SurveyRefusal.LOCKED
    with pytest.raises(Refused):
        services.question_save(actor=where.press, survey=made, data={"kind": "text", "text_uz": "?"})


def test_closing_early_and_results_published_one_by_one(where):
    made = helpers.survey(where)
    submit(made, helpers.answers(made))
    submit(made, helpers.answers(made, source=0, trust=2), phone="+998901112244")
    services.survey_close(actor=where.press, survey=made)
    made.refresh_from_db()
    assert made.state() == "closed"
    q = helpers.questions(made)
    assert selectors.results(made, q, published_only=True) == []
    services.question_results_publish(actor=where.press, question=q[0], published=True)
    shown = selectors.results(made, helpers.questions(made), published_only=True)
    assert [r.question.pk for r in shown] == [q[0].pk]
    first = shown[0]
    assert first.respondents == 2
    assert [(b.count, b.percent) for b in first.bars] == [(1, 50.0), (0, 0.0), (1, 50.0)]
    assert "<title" in first.chart and "<desc" in first.chart
    every = selectors.results(made, helpers.questions(made), published_only=False)
    scale = every[2]
    assert scale.mean == 3.0
    matrix = every[3]
    assert [[b.count for b in bars] for _label, bars in matrix.matrix] == [[2, 0], [0, 2]]
    assert every[4].texts == 2
    assert services.survey_results_publish(actor=where.press, survey=made, published=True) == 4


def test_the_press_secretary_is_told_once_when_a_survey_closes(where):
    from darcha.infoservice.surveys import jobs
    from darcha.notify.models import Message

    made = helpers.survey(where)
    submit(made, helpers.answers(made))
    assert jobs.closed() == 0  # still open
    later = made.closes_at + dt.timedelta(minutes=1)
    from django.test import TestCase

    with TestCase.captureOnCommitCallbacks(execute=True):
        assert jobs.closed(now=later) == 1
    assert jobs.closed(now=later) == 0
    notice = Message.objects.get(template="survey_closed")
    assert "1" in notice.body and f"/surveys/manage/{made.code}/results/" in notice.body
    closed_by_hand = helpers.survey(where, code="by-hand")
    services.survey_close(actor=where.press, survey=closed_by_hand)
    assert jobs.closed(now=later) == 0


def test_a_survey_opening_or_closing_at_its_time_renews_the_pages(where):
    from django.core.cache import cache

    from darcha.core.pagecache import VERSION_KEY
    from darcha.infoservice.surveys import jobs

    made = helpers.survey(where)  # opened a day ago
    assert jobs.states(now=timezone.now()) == 0  # the first run looks an hour back
    before = cache.get(VERSION_KEY.format(kind="surveys"))
    assert jobs.states(now=made.closes_at - dt.timedelta(minutes=1)) == 0
    assert cache.get(VERSION_KEY.format(kind="surveys")) == before
    assert jobs.states(now=made.closes_at + dt.timedelta(minutes=1)) == 1
    assert cache.get(VERSION_KEY.format(kind="surveys")) != before
    assert jobs.states(now=made.closes_at + dt.timedelta(minutes=2)) == 0
