"""What the survey pages and endpoints cost does not grow with the answers, the questions' options or the
number of surveys: measured with N and 3N (tests/querycounts.py; baselines in tests/infoservice/query_counts.json)."""

from __future__ import annotations

import pytest

from darcha.core import pagecache
from darcha.infoservice.surveys import services

from . import helpers

pytestmark = pytest.mark.django_db


def _answers(made, count: int, start: int) -> None:
    for n in range(start, start + count):
        services.response_submit(
            actor=services.RESPONDENT,
            survey=made,
            respondent=services.Respondent(phone=f"+99890{n:07d}"),
            data=helpers.answers(made, source=n % 3),
        )


def _more_surveys(where, count: int, start: int) -> None:
    for n in range(start, start + count):
        made = helpers.survey(where, code=f"extra-{n}")
        services.survey_results_publish(actor=where.press, survey=made, published=True)


def _fresh(client, url):
    pagecache.reset()  # the view's own cost, not the held page's
    return client.get(url)


def test_pages_and_api_cost_the_same_with_3n_rows(client, query_counts):
    where = helpers.place()
    made = helpers.survey(where)
    services.survey_results_publish(actor=where.press, survey=made, published=True)
    measured = {
        "surveys.index": "/en/surveys/",
        "surveys.results": f"/en/surveys/{made.code}/results/",
        "surveys.api.list": "/api/v1/surveys/",
        "surveys.api.detail": f"/api/v1/surveys/{made.code}/",
    }
    staff = {
        "surveys.staff.list": f"/en/surveys/desk/{where.hokimiyat.code}/",
        "surveys.staff.builder": f"/en/surveys/manage/{made.code}/",
        "surveys.staff.results": f"/en/surveys/manage/{made.code}/results/",
    }
    for rows, start in ((1, 0), (3, 10)):
        _answers(made, rows, start * 10)
        _more_surveys(where, rows, start)
        client.logout()
        for name, url in measured.items():
            query_counts.check(name, lambda url=url: _fresh(client, url))
        client.force_login(where.press)
        for name, url in staff.items():
            query_counts.check(name, lambda url=url: client.get(url))
