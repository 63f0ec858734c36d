"""Repeated and duplicate appeals: folding to one script, shingles and Jaccard, the rule that picks the
match, and the candidates the database narrows to (the hokimiyat's year, the same author or a text of
comparable length) in one query."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from hypothesis import given
from hypothesis import strategies as st

from darcha.infoservice import similarity
from darcha.infoservice.similarity import Candidate, Match, best_match, fold, jaccard, shingles
from tests.infoservice.helpers import at, calendar_2026, hokimiyat, register

words = st.lists(st.sampled_from(["yol", "suv", "gaz", "maktab", "chiroq", "kocha", "bogcha", "tuzatish"]), max_size=30)


def test_folding_makes_cyrillic_and_latin_uzbek_one_text():
    assert fold("Йўл чуқурлари ТУЗАТИЛСИН!") == fold("Yoʻl chuqurlari tuzatilsin") == "yol chuqurlari tuzatilsin"
    assert fold("Gʻisht, o‘quvchi; o'g'il") == "gisht oquvchi ogil"


def test_three_word_shingles_and_single_words_for_short_texts():
    assert shingles("a b c d") == {("a", "b", "c"), ("b", "c", "d")}
    assert shingles("gaz yoq") == {"gaz", "yoq"}
    assert shingles("") == frozenset()


@given(a=words, b=words)
def test_jaccard_is_symmetric_bounded_and_one_for_the_same_text(a, b):
    first, second = shingles(" ".join(a)), shingles(" ".join(b))
    assert jaccard(first, second) == jaccard(second, first)
    assert 0.0 <= jaccard(first, second) <= 1.0
    if first:
        assert jaccard(first, first) == 1.0


def test_best_match_prefers_a_near_identical_text_over_the_same_authors_other_appeal():
    text = "mahallamizdagi yol chuqurlarini tuzatib berishingizni soraymiz"
    candidates = [
        Candidate(1, "maktab oldida svetofor ornatish kerak", same_author=True),
        Candidate(2, text, same_author=False),
    ]
    assert best_match(text, candidates, limit=0.75) == Match(2, 1.0, False)


def test_best_match_falls_back_to_the_same_authors_most_similar_appeal():
    candidates = [
        Candidate(1, "maktab oldida svetofor ornatish kerak", same_author=True),
        Candidate(2, "yol chuqurlari haqida yana murojaat qilaman", same_author=True),
        Candidate(3, "butunlay boshqa mavzu haqida xat", same_author=False),
    ]
    match = best_match("yol chuqurlari haqida yana bir bor murojaat", candidates, limit=0.75)
    assert match.appeal_id == 2 and match.same_author and match.similarity < 0.75


def test_no_match_when_nothing_is_near_identical_and_no_author_is_the_same():
    assert best_match("gaz yoq", [Candidate(1, "suv yoq kocha qorongi", same_author=False)], limit=0.75) is None


def test_on_a_tie_the_same_author_wins_then_the_newer():
    text = "gaz bosimi past qishda isitish yoq"
    candidates = [Candidate(9, text, False), Candidate(8, text, True), Candidate(7, text, True)]
    assert best_match(text, candidates, limit=0.75).appeal_id == 8


@pytest.mark.django_db
def test_candidates_are_the_hokimiyats_year_narrowed_in_one_query(monkeypatch):
    calendar_2026()
    place = hokimiyat("chust")
    other = hokimiyat("pop", region=place.region)
    text = "Mahallamizdagi yoʻl chuqurlarini tuzatib berishingizni soʻraymiz, bolalar maktabga qiynalib boradi"
    register(other, now=at(2026, 3, 2, 10), text=text, author_phone="+998907654321")  # another hokimiyat
    long_one = register(place, now=at(2026, 3, 3, 10), text=text * 5, author_phone="+998907654322")
    mine = register(place, now=at(2026, 3, 4, 10), text=text, author_phone="+998907654323")
    seen = []
    real = similarity.best_match

    def recording(folded, candidates, limit=None):
        candidates = list(candidates)
        seen.extend(candidate.appeal_id for candidate in candidates)
        return real(folded, candidates, limit)

    monkeypatch.setattr(similarity, "best_match", recording)
    with CaptureQueriesContext(connection) as queries:
        match = similarity.find_similar(
            organization_id=place.hokimiyat.pk, text=text, now=at(2026, 3, 5, 10), phone="+998900000000"
        )
    assert len(queries) == 1
    assert match == Match(mine.pk, 1.0, False)
    # Neither the other hokimiyat's appeal nor a text five times as long (it cannot be near-identical) is read.
    assert seen == [mine.pk]
    by_phone = similarity.find_similar(
        organization_id=place.hokimiyat.pk,
        text="Butunlay boshqa mavzu",
        now=at(2026, 3, 5, 10),
        phone="+998907654322",
    )
    assert by_phone == Match(long_one.pk, 0.0, True)
