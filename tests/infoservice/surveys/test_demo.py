"""The demo's surveys (darcha/demo/surveys.py over surveys.toml): built through the builder, a few
thousand answers generated from a seeded random, the conditions followed, the results published as the
data says; loading again adds nothing."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import pytest

from darcha.core.choices import OrganizationKind, Role
from darcha.demo import surveys as demo
from darcha.demo.reader import load_region
from darcha.infoservice.surveys import logic, selectors
from darcha.infoservice.surveys.models import Answer, Response, Survey
from tests.factories import OrganizationFactory, staff

pytestmark = pytest.mark.django_db


@dataclass
class Result:
    created: Counter = field(default_factory=Counter)


@dataclass
class Loader:
    data: dict
    result: Result = field(default_factory=Result)


@pytest.fixture
def loader():
    city = OrganizationFactory(code="namangan-city", kind=OrganizationKind.CITY)
    office = OrganizationFactory(code="namangan-city-hokimiyat", kind=OrganizationKind.HOKIMIYAT, parent=city)
    staff("press", office, Role.PRESS_SECRETARY)
    return Loader(data=load_region("namangan"))


def test_two_surveys_with_thousands_of_answers(loader):
    from django.utils import timezone

    made = demo.load(loader, now=timezone.now())
    assert made.surveys == 2 and made.responses == 3040
    old = Survey.objects.get(code="hokimiyat-information-2010")
    new = Survey.objects.get(code="information-service-2026")
    assert old.state() == "closed" and new.state() == "open"
    assert old.response_count == 2400 == Response.objects.filter(survey=old).count()
    assert not Response.objects.filter(survey=old).exclude(phone="").exists()  # anonymous: hashes only
    questions = selectors.questions(old)
    # The website's satisfaction is asked only of those who visited it.
    visited = questions[2].options.order_by("order")[0]
    asked = set(Answer.objects.filter(question=questions[3]).values_list("response_id", flat=True))
    yes = set(Answer.objects.filter(option=visited).values_list("response_id", flat=True))
    assert asked == yes and 150 < len(yes) < 450
    # Every generated respondent passes the same rules a real one does.
    specs = selectors.specs(questions)
    for response in Response.objects.filter(survey=old).prefetch_related("answers")[:50]:
        data: dict = {}
        for answer in response.answers.all():
            key = logic.field_name(answer.question_id, answer.row_id)
            value = answer.option_id or answer.value or answer.text
            data.setdefault(key, []).append(str(value))
        assert logic.check(specs, data).ok
    shown = selectors.results(old, questions, published_only=True)
    assert len(shown) == len(questions)
    tv = shown[0].bars[0]
    assert tv.label == "Television" and 60 < tv.percent < 80
    assert [q.number for q in selectors.results(new, selectors.questions(new), published_only=True)] == [1, 4, 5]
    again = demo.load(loader, now=timezone.now())
    assert again.surveys == 0 and Response.objects.count() == 3040
