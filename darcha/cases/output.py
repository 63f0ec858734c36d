"""A step's output: the values the agency fills in when it completes a step (catalog.StepField), checked
here and shown with their labels on the task page, the result and the verification page.

Pure functions over the declared fields and plain values: `clean_output` turns what the clerk typed into
what is stored ({code: text}: dates as YYYY-MM-DD, numbers without spaces and with a decimal point,
choices as their Uzbek (Latin) text), `display_value` turns a stored value back into text of a language.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.utils import formats
from django.utils.translation import gettext as _

from darcha.catalog.choices import FieldKind
from darcha.catalog.models import StepField
from darcha.core.i18n import field_suffix
from darcha.core.translit import latin_to_cyrillic

TEXT_MAX = 1000
FORM_PREFIX = "field_"  # form inputs and error keys: field_<code>
_DATE_DOTTED = re.compile(r"^(\d{1,2})\.(\d{1,2})\.(\d{4})$")


def form_name(field: StepField) -> str:
    return f"{FORM_PREFIX}{field.code}"


def submitted(fields: Iterable[StepField], data: Mapping) -> dict[str, str]:
    """The values of the step's fields in a posted form (inputs named field_<code>), by code."""
    return {field.code: str(data.get(form_name(field), "") or "") for field in fields}


def _date(text: str) -> str:
    dotted = _DATE_DOTTED.match(text)
    try:
        if dotted:
            day, month, year = (int(part) for part in dotted.groups())
            return dt.date(year, month, day).isoformat()
        return dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise ValueError from None


def _number(text: str) -> str:
    compact = re.sub(r"[\s\u00a0\u202f]", "", text).replace(",", ".")
    try:
        value = Decimal(compact)
    except InvalidOperation:
        raise ValueError from None
    if not value.is_finite() or len(compact) > 30:
        raise ValueError
    return compact


def clean_output(fields: Iterable[StepField], values: Mapping[str, str]) -> dict[str, str]:
    """The values to store for these fields, or a ValidationError with a message per field (field_<code>).
    Codes that are not the step's fields are ignored; an optional field left empty is not stored."""
    cleaned: dict[str, str] = {}
    errors: dict[str, list[str]] = {}
    for field in fields:
        text = str(values.get(field.code, "") or "").strip()
        if not text:
            if field.required:
                errors[form_name(field)] = [_("Fill in “%(field)s”.") % {"field": field.label}]
            continue
        try:
            if field.kind == FieldKind.DATE:
                text = _date(text)
            elif field.kind == FieldKind.NUMBER:
                text = _number(text)
            elif field.kind == FieldKind.CHOICE:
                if text not in field.option_lines("uz"):
                    raise ValueError
            elif len(text) > TEXT_MAX:
                errors[form_name(field)] = [
                    _("“%(field)s” is at most %(max)d characters.") % {"field": field.label, "max": TEXT_MAX}
                ]
                continue
        except ValueError:
            messages = {
                FieldKind.DATE: _("“%(field)s” is a date, such as 25.12.2026."),
                FieldKind.NUMBER: _("“%(field)s” is a number, such as 120.5."),
                FieldKind.CHOICE: _("Choose “%(field)s” from the list."),
            }
            errors[form_name(field)] = [messages[field.kind] % {"field": field.label}]
            continue
        cleaned[field.code] = text
    if errors:
        raise ValidationError(errors)
    return cleaned


def choices(field: StepField, language: str | None) -> list[tuple[str, str]]:
    """(stored value, text shown in `language`) of a choice field's options."""
    latin = field.option_lines("uz")
    suffix = field_suffix(language)
    shown = field.option_lines(suffix)
    if len(shown) != len(latin):
        shown = [latin_to_cyrillic(line) for line in latin] if suffix == "uz_cyrl" else latin
    return list(zip(latin, shown, strict=True))


def display_value(field: StepField, value: str, language: str | None) -> str:
    """A stored value as the document of `language` prints it (a date in the active language's short format)."""
    if not value:
        return ""
    if field.kind == FieldKind.DATE:
        try:
            return formats.date_format(dt.date.fromisoformat(value), "SHORT_DATE_FORMAT")
        except ValueError:
            return value
    if field.kind == FieldKind.CHOICE:
        return dict(choices(field, language)).get(value, value)
    return value


@dataclass(frozen=True)
class Row:
    code: str
    label: str
    value: str


@dataclass(frozen=True)
class Section:
    """One completed step's output, as a document prints it."""

    step: str
    agency: str
    completed_by: str
    completed_at: dt.datetime | None
    rows: tuple[Row, ...]


def sections(tasks: Iterable, language: str | None) -> list[Section]:
    """The filled output of completed tasks (their step's fields prefetched), in the current language for
    labels and in `language` for choices; a task with nothing filled gives no section."""
    found = []
    for task in tasks:
        output = task.output or {}
        rows = tuple(
            Row(field.code, str(field.label), display_value(field, output[field.code], language))
            for field in task.step.output_fields.all()
            if output.get(field.code)
        )
        if not rows:
            continue
        user = task.completed_by
        found.append(
            Section(
                step=str(task.step.name),
                agency=str(task.agency.name),
                completed_by=(user.get_full_name() or user.get_username()) if user else "",
                completed_at=task.completed_at,
                rows=rows,
            )
        )
    return found
