"""The demo data files: every `*.toml` of `darcha/demo/data/<region>/`, read with the standard
library's tomllib into the structures `darcha.demo.loader` turns into records.

The files of a region are merged by their top-level keys (`organizations`, `services`, `users`, …).
A key defined in two files is refused, naming both: a new demo (kindergartens, the information
service) adds its own file beside the others and cannot silently replace a part of them.

How the files are written:
- Texts are tables of the three languages the demo is written in — `name.uz`, `name.ru`,
  `name.en` (Uzbek Latin, Russian, English) — read as (uz, ru, en) triples; all three are needed.
  Uzbek Cyrillic is left empty on purpose, it is transliterated from the Latin text when shown.
  Uzbek is written with ʻ (U+02BB) in oʻ and gʻ and ʼ (U+02BC) for the tutuq belgisi (maʼlumot, taʼlim).
- TOML has no null: a key without a value is left out, and the loader uses its default.
- Times are TOML local times (`09:00:00`); amounts are decimal strings (`"0.5"`), never floats.
- Fees and terms are plausible demo values, not legal references (DESIGN §5).

A few keys are read into the loader's compact shapes (see `_SHAPES`): an opening-hours row
becomes (weekday, opens, closes), a counter (number, categories, services), a service's fee
(kind, value), a required document that `use`s a shared one its key (or (key, overrides)), and a
step [kind, agency, days] a tuple — an array of such steps is one stage run in parallel.
"""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from pathlib import Path

DATA = Path(__file__).with_name("data")
LANGUAGES = ("uz", "ru", "en")  # the languages the demo's texts are written in, in triple order


class DemoDataError(ValueError):
    """A demo data file that cannot be read: bad TOML, a key defined twice, a text missing a language."""


def load_region(region: str) -> dict:
    """The demo data of one region: the top-level keys of every `*.toml` in `data/<region>/`."""
    return load_folder(DATA / region)


def load_folder(folder: Path) -> dict:
    files = sorted(folder.glob("*.toml"))
    if not files:
        raise DemoDataError(f"{folder}: no demo data files (*.toml)")
    merged: dict = {}
    source: dict[str, str] = {}
    for path in files:
        try:
            with path.open("rb") as file:
                document = tomllib.load(file)
        except tomllib.TOMLDecodeError as error:
            raise DemoDataError(f"{path}: {error}") from error
        for key, value in document.items():
            if key in source:
                raise DemoDataError(
                    f"{folder}: the top-level key {key!r} is defined in both {source[key]} and {path.name}"
                )
            source[key] = path.name
            value = _texts(value, f"{path.name}: {key}")
            try:
                merged[key] = _SHAPES.get(key, _same)(value)
            except (KeyError, TypeError, ValueError) as error:
                raise DemoDataError(f"{path.name}: {key}: cannot read {error!r}") from error
    return merged


def _texts(value, where: str):
    """Tables of the three languages become (uz, ru, en) triples, wherever they are."""
    if isinstance(value, dict):
        if value and value.keys() <= set(LANGUAGES):
            missing = [lang for lang in LANGUAGES if lang not in value]
            if missing:
                raise DemoDataError(f"{where}: a text needs {', '.join(LANGUAGES)}; missing {', '.join(missing)}")
            return tuple(value[lang] for lang in LANGUAGES)
        return {key: _texts(item, f"{where}.{key}") for key, item in value.items()}
    if isinstance(value, list):
        return [_texts(item, f"{where}[{index}]") for index, item in enumerate(value)]
    return value


def _same(value):
    return value


def _opening_hours(rows: list[dict]) -> list[tuple]:
    return [(row["weekday"], row["opens"], row["closes"]) for row in rows]


def _counters(rows: list[dict]) -> list[tuple]:
    return [(row["number"], row.get("categories", []), row.get("services", [])) for row in rows]


def _services(services: list[dict]) -> list[dict]:
    return [
        {
            **service,
            "fee": (service["fee"]["kind"], service["fee"]["value"]),
            "documents": [_document(item) for item in service["documents"]],
            "steps": [_stage(item) for item in service["steps"]],
        }
        for service in services
    ]


def _document(item: dict):
    """{use = "passport"} → "passport"; with other keys → ("passport", {the overrides}); else the document."""
    if "use" not in item:
        return item
    overrides = {key: value for key, value in item.items() if key != "use"}
    return (item["use"], overrides) if overrides else item["use"]


def _stage(item):
    """[kind, agency, days] or {kind, agency, days, …} is one step; an array of steps runs in parallel."""
    if isinstance(item, list) and item and all(isinstance(step, list | dict) for step in item):
        return [_step(step) for step in item]
    return _step(item)


def _step(item):
    if isinstance(item, dict):
        return item
    kind, agency, days = item
    return (kind, agency, days)


_SHAPES: dict[str, Callable] = {
    "opening_hours": _opening_hours,
    "counters": _counters,
    "services": _services,
}
