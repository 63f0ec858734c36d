"""One date format per language (darcha/core/formats), the month in Uzbek in lower case, file sizes with
their units — in templates, in Python and in notices alike; and no page, PDF or notice with a date
format of its own."""

import datetime as dt
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template import Context, Template
from django.utils import formats, translation

from darcha.notify.services import _plain

DAY = dt.date(2026, 12, 2)
MOMENT = dt.datetime(2026, 12, 2, 9, 5, tzinfo=dt.UTC)  # 14:05 in Tashkent

EXPECTED = {
    "uz": ("2026-yil 2-dekabr", "02.12.2026", "2026-yil 2-dekabr, 14:05", "02.12.2026 14:05"),
    "uz-cyrl": ("2026-йил 2-декабрь", "02.12.2026", "2026-йил 2-декабрь, 14:05", "02.12.2026 14:05"),
    "ru": ("2 декабря 2026 г.", "02.12.2026", "2 декабря 2026 г., 14:05", "02.12.2026 14:05"),
    "en": ("2 December 2026", "02.12.2026", "2 December 2026, 14:05", "02.12.2026 14:05"),
}


@pytest.mark.parametrize("language", EXPECTED)
def test_each_language_has_one_date_format_in_python_and_templates(language):
    date, short, datetime, short_datetime = EXPECTED[language]
    with translation.override(language):
        assert formats.date_format(DAY, "DATE_FORMAT") == date
        assert formats.date_format(DAY, "SHORT_DATE_FORMAT") == short
        template = Template(
            '{{ day|date:"DATE_FORMAT" }}|{{ moment|date:"DATETIME_FORMAT" }}|{{ moment|date:"SHORT_DATETIME_FORMAT" }}'
        )
        assert template.render(Context({"day": DAY, "moment": MOMENT})) == f"{date}|{datetime}|{short_datetime}"


def test_uzbek_cyrillic_names_the_weekdays_in_its_own_script():
    with translation.override("uz-cyrl"):
        days = [formats.date_format(dt.date(2026, 11, 30) + dt.timedelta(days=n), "D") for n in range(7)]
    assert days == ["Душ", "Сеш", "Чор", "Пай", "Жум", "Шан", "Як"]


def test_uzbek_writes_every_month_in_lower_case_in_its_own_script():
    for month in range(1, 13):
        day = dt.date(2026, month, 1)
        with translation.override("uz"):
            latin = formats.date_format(day, "DATE_FORMAT")
        with translation.override("uz-cyrl"):
            cyrillic = formats.date_format(day, "DATE_FORMAT")
        assert latin == latin.lower() and re.fullmatch(r"2026-yil 1-[a-z]+", latin), latin
        assert re.fullmatch(r"2026-йил 1-[а-яёўқғҳ]+", cyrillic), cyrillic


@pytest.mark.parametrize(
    ("language", "small", "large"),
    [
        ("uz", "193\xa0bayt", "2,2\xa0MB"),
        ("uz-cyrl", "193\xa0байт", "2,2\xa0МБ"),
        ("ru", "193\xa0байта", "2,2\xa0МБ"),
        ("en", "193\xa0bytes", "2.2\xa0MB"),
    ],
)
def test_file_sizes_have_a_space_and_the_units_of_the_language(language, small, large):
    with translation.override(language):
        rendered = Template("{{ small|filesizeformat }}|{{ large|filesizeformat }}").render(
            Context({"small": 193, "large": 2_345_678})
        )
    assert rendered == f"{small}|{large}"


def test_a_notice_stores_dates_in_its_language_format():
    assert _plain(MOMENT, "uz") == "02.12.2026 14:05"
    assert _plain(DAY, "ru") == "02.12.2026"
    assert _plain(dt.time(9, 5), "en") == "09:05"


def test_no_template_or_module_writes_a_date_format_of_its_own():
    """Dates reach people through the named formats only (a machine format — ISO "c", "Y-m-d" for a form
    value or a file name — is not for reading)."""
    root = Path(settings.BASE_DIR)
    named = {
        "DATE_FORMAT",
        "SHORT_DATE_FORMAT",
        "DATETIME_FORMAT",
        "SHORT_DATETIME_FORMAT",
        "MONTH_DAY_FORMAT",
        "YEAR_MONTH_FORMAT",
    }
    machine = {"c", "Y-m-d", "D", "H:i", "U"}
    # Formats a machine reads: the SMS provider's API.
    machine_modules = {"notify/channels/eskiz.py"}
    # ISO dates, file names, and the survey exports' sortable times (a spreadsheet sorts them as text)
    machine_strftime = {"%Y-%m-%d", "%Y%m%d", "%Y%m%dT%H%M%SZ", "%Y-%m-%d %H:%M"}
    found = []
    for path in root.rglob("*.html"):
        for value in re.findall(r"\|date:[\"']([^\"']*)[\"']", path.read_text(encoding="utf-8")):
            if value not in named | machine:
                found.append(f"{path.relative_to(root)}: {value}")
    for path in root.rglob("*.py"):
        if str(path.relative_to(root)) in machine_modules or "migrations" in path.parts:
            continue
        text = path.read_text(encoding="utf-8")
        formats_written = re.findall(r"strftime\(\"([^\"]*)\"\)", text)
        formats_written += re.findall(r"\{[^{}:\n]+:(%[^}\n]*)\}", text)  # f"{day:%d.%m.%Y}"
        for value in formats_written:
            if "%d" in value and value not in machine_strftime:
                found.append(f"{path.relative_to(root)}: {value}")
        for value in re.findall(r"date_format\([^,]+, \"([^\"]*)\"\)", text):
            if value not in named:
                found.append(f"{path.relative_to(root)}: date_format {value}")
    assert not found, found
