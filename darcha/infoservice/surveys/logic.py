"""Pure functions of surveys over plain values: which questions a respondent sees, the check of a
submitted form against the questions, the keyed hash that counts a respondent once, and the tally of
counts into results."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from django.utils.translation import gettext as _

from .choices import SCALE_MAX, SCALE_MIN, QuestionKind

TEXT_MAX = 4000


@dataclass(frozen=True)
class QuestionSpec:
    id: int
    kind: str
    required: bool = False
    options: tuple[int, ...] = ()
    rows: tuple[int, ...] = ()
    show_if: tuple[int, int] | None = None  # (earlier question's id, the option that shows this one)


@dataclass(frozen=True)
class Value:
    question: int
    option: int | None = None
    row: int | None = None
    value: int | None = None
    text: str = ""


@dataclass
class Checked:
    values: list[Value] = field(default_factory=list)
    errors: dict[str, list[str]] = field(default_factory=dict)
    shown: set[int] = field(default_factory=set)

    @property
    def ok(self) -> bool:
        return not self.errors


def field_name(question: int, row: int | None = None) -> str:
    return f"q{question}" if row is None else f"q{question}_r{row}"


def _ints(raw: Sequence[str]) -> list[int] | None:
    out = []
    for item in raw:
        item = str(item).strip()
        if not item:
            continue
        if not item.isdigit() or len(item) > 12:
            return None
        out.append(int(item))
    return out


def check(questions: Sequence[QuestionSpec], data: Mapping[str, Sequence[str]]) -> Checked:
    """The submitted form (`data`: field name → the values posted) checked against `questions` in order.

    A question whose condition is not met (its earlier question hidden, or the option not chosen) is not
    shown: what was posted for it is ignored, and it is never required. Anything else wrong — a required
    question unanswered, an option not of this question, two options for a single choice, a scale value
    out of 1–5, a text too long — is an error under the question's field name."""
    result = Checked()
    chosen: dict[int, set[int]] = {}
    for question in questions:
        if question.show_if is not None:
            parent, option = question.show_if
            if parent not in result.shown or option not in chosen.get(parent, set()):
                continue
        result.shown.add(question.id)
        name = field_name(question.id)
        errors: list[str] = []
        values: list[Value] = []
        if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            picked = _ints(data.get(name, ()))
            if picked is None or any(p not in question.options for p in picked):
                errors.append(_("Choose one of the answers offered."))
            else:
                picked = list(dict.fromkeys(picked))
                if question.kind == QuestionKind.SINGLE and len(picked) > 1:
                    errors.append(_("Choose only one answer."))
                elif question.required and not picked:
                    errors.append(_("This question needs an answer."))
                else:
                    chosen[question.id] = set(picked)
                    values = [Value(question.id, option=p) for p in picked]
        elif question.kind == QuestionKind.SCALE:
            picked = _ints(data.get(name, ()))
            if picked is None or len(picked) > 1 or any(not SCALE_MIN <= p <= SCALE_MAX for p in picked):
                errors.append(_("Choose a number from 1 to 5."))
            elif question.required and not picked:
                errors.append(_("This question needs an answer."))
            else:
                values = [Value(question.id, value=p) for p in picked]
        elif question.kind == QuestionKind.TEXT:
            texts = [str(t) for t in data.get(name, ())]
            text = (texts[0] if texts else "").replace("\x00", "").strip()
            if len(texts) > 1 or len(text) > TEXT_MAX:
                errors.append(_("The answer is too long: at most %(limit)d characters.") % {"limit": TEXT_MAX})
            elif question.required and not text:
                errors.append(_("This question needs an answer."))
            elif text:
                values = [Value(question.id, text=text)]
        elif question.kind == QuestionKind.MATRIX:
            missing = False
            for row in question.rows:
                picked = _ints(data.get(field_name(question.id, row), ()))
                if picked is None or len(picked) > 1 or any(p not in question.options for p in picked):
                    errors.append(_("Choose one answer in each row."))
                    values = []
                    break
                if picked:
                    values.append(Value(question.id, option=picked[0], row=row))
                else:
                    missing = True
            if not errors and question.required and missing:
                errors.append(_("Answer every row of this question."))
                values = []
        if errors:
            result.errors[name] = errors
        else:
            result.values.extend(values)
    return result


def voter_key(secret: str, survey_id: int, *, phone: str = "", user_id: int | None = None) -> str:
    """The keyed hash (HMAC-SHA256) that counts a respondent once in one survey: of the phone, or of the
    account. Without the secret a hash cannot be tested against guessed phones; with the survey's id in
    it, one phone's hashes in two surveys cannot be matched."""
    if bool(phone) == (user_id is not None):
        raise ValueError("a respondent is a phone or an account")
    subject = f"phone:{phone}" if phone else f"user:{user_id}"
    message = f"darcha.surveys:{survey_id}:{subject}".encode()
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def share(count: int, total: int) -> float:
    """count / total in percent, one decimal (0 when nobody answered)."""
    return round(100.0 * count / total, 1) if total else 0.0
