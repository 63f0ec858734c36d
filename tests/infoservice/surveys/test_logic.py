"""The pure rules: which questions are shown, what a valid answer is, the keyed hash of a respondent."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from darcha.infoservice.surveys.logic import QuestionSpec, check, share, voter_key

SOURCE = QuestionSpec(1, "single", required=True, options=(10, 11, 12))
SITES = QuestionSpec(2, "multiple", required=True, options=(20, 21), show_if=(1, 12))
DEEP = QuestionSpec(5, "text", required=True, show_if=(2, 21))
SCALE = QuestionSpec(3, "scale", required=True)
MATRIX = QuestionSpec(4, "matrix", required=True, options=(40, 41), rows=(400, 401))
ALL = [SOURCE, SITES, DEEP, SCALE, MATRIX]


def full(**changes):
    data = {"q1": ["12"], "q2": ["20", "21"], "q5": ["yes"], "q3": ["5"], "q4_r400": ["40"], "q4_r401": ["41"]}
    data.update(changes)
    return data


def test_a_full_answer_passes_with_its_values():
    checked = check(ALL, full())
    assert checked.ok
    assert checked.shown == {1, 2, 3, 4, 5}
    assert {(v.question, v.option, v.row, v.value, v.text) for v in checked.values} == {
        (1, 12, None, None, ""),
        (2, 20, None, None, ""),
        (2, 21, None, None, ""),
        (5, None, None, None, "yes"),
        (3, None, None, 5, ""),
        (4, 40, 400, None, ""),
        (4, 41, 401, None, ""),
    }


def test_a_hidden_question_is_not_required_and_its_answers_are_ignored():
    checked = check(ALL, full(q1=["10"]))  # not the internet: the sites (and what depends on them) are hidden
    assert checked.ok
    assert checked.shown == {1, 3, 4}
    assert not [v for v in checked.values if v.question in (2, 5)]


def test_a_condition_on_a_hidden_question_is_not_met():
    checked = check(ALL, full(q2=["20"]))  # sites shown, but not option 21: the deep question hidden
    assert checked.ok and 5 not in checked.shown


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"q1": []}, "q1"),  # required
        ({"q1": ["10", "11"]}, "q1"),  # two for a single choice
        ({"q1": ["20"]}, "q1"),  # another question's option
        ({"q1": ["x"]}, "q1"),
        ({"q2": []}, "q2"),  # required once shown
        ({"q3": ["6"]}, "q3"),
        ({"q3": ["0"]}, "q3"),
        ({"q3": ["1", "2"]}, "q3"),
        ({"q4_r401": []}, "q4"),  # every row of a required matrix
        ({"q4_r400": ["10"]}, "q4"),
        ({"q5": ["x" * 4001]}, "q5"),
        ({"q5": ["   "]}, "q5"),
    ],
)
def test_bad_answers_are_named_by_their_question(changes, field):
    checked = check(ALL, full(**changes))
    assert not checked.ok
    assert field in checked.errors


def test_optional_questions_may_be_left_empty():
    optional = [QuestionSpec(1, "single", options=(1, 2)), QuestionSpec(2, "scale"), QuestionSpec(3, "text")]
    checked = check(optional, {})
    assert checked.ok and checked.values == []


@given(st.dictionaries(st.text(max_size=8), st.lists(st.text(max_size=12), max_size=3), max_size=8))
def test_any_posted_form_gives_values_or_errors_never_an_exception(data):
    checked = check(ALL, data)
    for value in checked.values:
        if value.option is not None:
            assert value.option in (10, 11, 12, 20, 21, 40, 41)


def test_the_voter_key_is_keyed_and_per_survey():
    one = voter_key("secret", 1, phone="+998901112233")
    assert len(one) == 64
    assert one == voter_key("secret", 1, phone="+998901112233")
    assert one != voter_key("secret", 2, phone="+998901112233")
    assert one != voter_key("other", 1, phone="+998901112233")
    assert one != voter_key("secret", 1, user_id=1)
    assert "998901112233" not in one
    with pytest.raises(ValueError):
        voter_key("secret", 1)


def test_share():
    assert share(1, 3) == 33.3
    assert share(0, 0) == 0.0
