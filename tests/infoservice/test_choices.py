"""The word "Satisfied" means two things in the appeals app: the outcome of an appeal (the hokimiyat granted it: uz
"qanoatlantirildi", ru "удовлетворено") and the author's rating of the answer (they are satisfied with it:
uz "qoniqdim"). Each is its own msgid under a context (pgettext), so a catalog translates each as meant.

The catalogs below are the test's own entries (the project's .po files are merged separately): what is
checked is which msgid each label asks the catalog for."""

import pytest
from django.utils import translation
from django.utils.translation import trans_real

from darcha.infoservice.choices import SATISFACTION_ANSWERS, Outcome, Satisfaction
from darcha.infoservice.forms import RateForm

ENTRIES = {
    "Satisfied": "PLAIN",  # the old, ambiguous msgid: no label may pick it up any more
    "appeal outcome\x04Satisfied": "Удовлетворено",
    "answer rating\x04Satisfied": "Удовлетворяет",
    "answer rating\x04Not satisfied": "Не удовлетворяет",
    "answer rating\x04Satisfied with the answer": "Ответ удовлетворяет",
    "answer rating\x04Not satisfied with the answer": "Ответ не удовлетворяет",
}


@pytest.fixture
def russian_entries():
    with translation.override("ru"):
        catalog = trans_real.translation("ru")._catalog
        first = catalog._catalogs[0]
        saved = {key: first[key] for key in ENTRIES if key in first}
        first.update(ENTRIES)
        try:
            yield
        finally:
            for key in ENTRIES:
                first.pop(key, None)
            first.update(saved)


def test_the_outcome_and_the_rating_are_translated_each_by_its_context(russian_entries):
    assert str(Outcome.SATISFIED.label) == "Удовлетворено"
    assert str(Satisfaction.SATISFIED.label) == "Ответ удовлетворяет"
    assert str(Satisfaction.NOT_SATISFIED.label) == "Ответ не удовлетворяет"
    assert [str(label) for _value, label in SATISFACTION_ANSWERS] == ["Удовлетворяет", "Не удовлетворяет"]


def test_the_rating_form_offers_the_authors_answers_not_the_outcome(russian_entries):
    field = RateForm().fields["satisfaction"]
    assert [(value, str(label)) for value, label in field.choices] == [
        ("satisfied", "Удовлетворяет"),
        ("not_satisfied", "Не удовлетворяет"),
    ]
    assert {value for value, _label in field.choices} == set(Satisfaction.values)
    html = str(RateForm()["satisfaction"])
    assert "Удовлетворяет" in html and "Удовлетворено" not in html and "PLAIN" not in html


def test_in_english_the_labels_read_as_before():
    with translation.override("en"):
        assert str(Outcome.SATISFIED.label) == "Satisfied"
        assert str(Satisfaction.SATISFIED.label) == "Satisfied with the answer"
        assert [str(label) for _value, label in SATISFACTION_ANSWERS] == ["Satisfied", "Not satisfied"]
