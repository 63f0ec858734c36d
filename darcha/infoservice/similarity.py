"""Repeated and duplicate appeals: the same author, or near-identical text, within a year.

Texts are folded to one plain Latin form first (`core.translit.search_key`: Uzbek Cyrillic and Russian
letters to Latin, apostrophes and case dropped), so an appeal retyped in the other script still matches.
Near-identical means the Jaccard similarity of the two texts' sets of three-word shingles (single words
for a text of fewer than three) is at least APPEALS_SIMILAR_THRESHOLD (0.75).

Candidates are the hokimiyat's appeals received in the APPEALS_REPEAT_DAYS (365) before: found through
the (organization, received_at) index, and narrowed in the database to the same author (the person, or
the phone) or a folded text of comparable length (half to twice as long: a text twice as long cannot
share three quarters of its shingles), so a year of a big city's appeals is not read whole. The match
is the most similar near-identical text (the same author's first on a tie); failing that, the same
author's most similar appeal, shown to the officer as a possible repeat whatever its text.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from django.db.models.functions import Length

from darcha.core.translit import search_key

SHINGLE = 3
DEFAULT_THRESHOLD = 0.75
DEFAULT_REPEAT_DAYS = 365
LENGTH_BAND = 2.0


def threshold() -> float:
    return float(getattr(settings, "APPEALS_SIMILAR_THRESHOLD", DEFAULT_THRESHOLD))


def repeat_days() -> int:
    return int(getattr(settings, "APPEALS_REPEAT_DAYS", DEFAULT_REPEAT_DAYS))


def fold(text: str) -> str:
    """The text in one script, lower case, words separated by single spaces (what is stored as search_text)."""
    return search_key(str(text or ""))


def shingles(folded: str, size: int = SHINGLE) -> frozenset:
    words = folded.split()
    if len(words) < size:
        return frozenset(words)
    return frozenset(zip(*(words[i:] for i in range(size)), strict=False))


def jaccard(a: frozenset, b: frozenset) -> float:
    if not a or not b:
        return 0.0
    common = len(a & b)
    return common / (len(a) + len(b) - common)


@dataclass(frozen=True)
class Candidate:
    appeal_id: int
    folded: str
    same_author: bool


@dataclass(frozen=True)
class Match:
    appeal_id: int
    similarity: float
    same_author: bool


def best_match(folded: str, candidates: Iterable[Candidate], limit: float | None = None) -> Match | None:
    """The candidate most like `folded` (see the module's rule); None when none is near-identical and
    none is by the same author. Candidates come newest first: on equal scores the newer wins."""
    limit = threshold() if limit is None else limit
    mine = shingles(folded)
    best_text: Match | None = None
    best_author: Match | None = None
    for candidate in candidates:
        score = round(jaccard(mine, shingles(candidate.folded)), 4)
        match = Match(candidate.appeal_id, score, candidate.same_author)
        if score >= limit and (
            best_text is None or (score, match.same_author) > (best_text.similarity, best_text.same_author)
        ):
            best_text = match
        if candidate.same_author and (best_author is None or score > best_author.similarity):
            best_author = match
    return best_text or best_author


def find_similar(
    *,
    organization_id: int,
    text: str,
    now: dt.datetime,
    person_id: int | None = None,
    phone: str = "",
    exclude: Iterable[int] = (),
) -> Match | None:
    """The hokimiyat's appeal of the last year this one repeats or duplicates, if any (`best_match`)."""
    from .models import Appeal

    folded = fold(text)
    author = Q(pk__in=[])
    if person_id is not None:
        author |= Q(person_id=person_id)
    if phone:
        author |= Q(author_phone=phone)
    size = len(folded)
    comparable = Q(text_length__gte=int(size / LENGTH_BAND), text_length__lte=int(size * LENGTH_BAND) + 1)
    rows = (
        Appeal.objects.filter(
            organization_id=organization_id,
            received_at__gte=now - dt.timedelta(days=repeat_days()),
            received_at__lte=now,
        )
        .exclude(pk__in=list(exclude))
        .annotate(text_length=Length("search_text"))
        .filter(author | comparable)
        .order_by("-received_at", "-id")
        .values_list("pk", "search_text", "person_id", "author_phone")
    )
    candidates = (
        Candidate(
            pk,
            search_text,
            (person_id is not None and candidate_person == person_id) or (bool(phone) and candidate_phone == phone),
        )
        for pk, search_text, candidate_person, candidate_phone in rows.iterator(chunk_size=2000)
    )
    return best_match(folded, candidates)
