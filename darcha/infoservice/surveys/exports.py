"""Exports of a survey's responses for the press secretary: CSV (UTF-8 with a byte-order mark, so a
spreadsheet opens it in the right encoding) and XLSX (openpyxl) with a sheet of responses and a sheet of
each question's figures. One row per response: its number, time and language, then a column per question
(a matrix: one per row; a multiple choice: its answers joined with "; "). Phones and accounts are never
exported: the answers are what the survey is for."""

from __future__ import annotations

import csv
import io

from django.utils import timezone
from django.utils.translation import gettext as _

from . import selectors
from .choices import QuestionKind
from .models import Survey

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _safe(value):
    """A cell a spreadsheet does not run as a formula (free text may start with "=")."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _columns(items) -> list[tuple[object, str]]:
    columns = []
    for number, question in enumerate(items, start=1):
        if question.kind == QuestionKind.MATRIX:
            for row in question.rows.all():
                columns.append(((question.pk, row.pk), f"{number}. {question.text} — {row.text}"))
        else:
            columns.append((question.pk, f"{number}. {question.text}"))
    return columns


def _table(survey: Survey):
    items = selectors.questions(survey)
    options = {o.pk: str(o.text) for q in items for o in q.options.all()}
    columns = _columns(items)
    header = [_("Response"), _("Submitted at"), _("Language"), *(label for _key, label in columns)]

    def rows():
        for response, values in selectors.export_rows(survey, items):
            cells = [
                response.pk,
                timezone.localtime(response.submitted_at).strftime("%Y-%m-%d %H:%M"),
                response.language,
            ]
            for key, _label in columns:
                answers = values.get(key, [])
                parts = []
                for answer in answers:
                    if answer.option_id:
                        parts.append(options.get(answer.option_id, ""))
                    elif answer.value is not None:
                        parts.append(answer.value)
                    else:
                        parts.append(answer.text)
                if len(parts) == 1 and isinstance(parts[0], int):
                    cells.append(parts[0])
                else:
                    cells.append(_safe("; ".join(str(p) for p in parts)))
            yield cells

    return items, header, rows()


def csv_bytes(survey: Survey) -> bytes:
    _items, header, rows = _table(survey)
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def xlsx_bytes(survey: Survey) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    items, header, rows = _table(survey)
    book = Workbook(write_only=False)
    sheet = book.active
    sheet.title = _("Responses")[:31]
    sheet.append(header)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(row)
    sheet.freeze_panes = "A2"
    summary = book.create_sheet(_("Results")[:31])
    summary.append([_("Question"), _("Answer"), _("Count"), _("Percent")])
    for cell in summary[1]:
        cell.font = Font(bold=True)
    for result in selectors.results(survey, items, published_only=False):
        title = f"{result.number}. {result.question.text}"
        summary.append([_safe(title), _("Answered"), result.respondents, None])
        for bar in result.bars:
            summary.append([None, _safe(bar.label), bar.count, bar.percent])
        for label, bars in result.matrix:
            for bar in bars:
                summary.append([None, _safe(f"{label} — {bar.label}"), bar.count, bar.percent])
        if result.mean is not None:
            summary.append([None, _("Mean"), None, result.mean])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
