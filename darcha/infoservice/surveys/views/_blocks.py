"""The questions as the answer page draws them: each with its inputs' values, what was posted before and
its messages (plain values for the template; the rules stay in logic.check)."""

from __future__ import annotations

from dataclasses import dataclass, field

from ..choices import SCALE_MAX, SCALE_MIN, QuestionKind
from ..logic import field_name
from ..models import Question


@dataclass
class Block:
    question: Question
    number: int
    name: str
    errors: list[str]
    choices: list[tuple[int, str, bool]] = field(default_factory=list)  # (value, label, checked)
    scale: list[tuple[int, bool]] = field(default_factory=list)
    rows: list[tuple[str, str, list[tuple[int, bool]]]] = field(default_factory=list)  # (name, label, cells)
    columns: list[str] = field(default_factory=list)
    text: str = ""
    condition_name: str = ""  # the field whose value shows this question
    condition_value: int | None = None
    condition_number: int | None = None
    condition_label: str = ""

    @property
    def kind(self) -> str:
        return self.question.kind


def blocks(items: list[Question], posted=None, errors: dict | None = None) -> list[Block]:
    posted = posted if posted is not None else {}
    errors = errors or {}

    def values(name: str) -> list[str]:
        return posted.getlist(name) if hasattr(posted, "getlist") else list(posted.get(name, ()))

    numbers = {q.pk: index for index, q in enumerate(items, start=1)}
    out = []
    for question in items:
        name = field_name(question.pk)
        block = Block(question=question, number=numbers[question.pk], name=name, errors=list(errors.get(name, ())))
        picked = set(values(name))
        if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            block.choices = [(o.pk, str(o.text), str(o.pk) in picked) for o in question.options.all()]
        elif question.kind == QuestionKind.SCALE:
            block.scale = [(n, str(n) in picked) for n in range(SCALE_MIN, SCALE_MAX + 1)]
        elif question.kind == QuestionKind.TEXT:
            block.text = (values(name) or [""])[0]
        elif question.kind == QuestionKind.MATRIX:
            options = list(question.options.all())
            block.columns = [str(o.text) for o in options]
            for row in question.rows.all():
                row_name = field_name(question.pk, row.pk)
                chosen = set(values(row_name))
                block.rows.append((row_name, str(row.text), [(o.pk, str(o.pk) in chosen) for o in options]))
        if question.show_if_option_id:
            option = question.show_if_option
            block.condition_name = field_name(option.question_id)
            block.condition_value = option.pk
            block.condition_number = numbers.get(option.question_id)
            block.condition_label = str(option.text)
        out.append(block)
    return out
