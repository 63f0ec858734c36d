"""The list of mandatory disclosure categories shipped with Darcha (data/disclosure_categories.toml, from
Cabinet resolution 373 of 15 June 2021, annex 3), loaded by migration 0004 and by the demo: a category
whose code is missing is added; one already there (perhaps edited in the admin) is left as it is."""

from __future__ import annotations

import tomllib
from pathlib import Path

DATA = Path(__file__).parent / "data" / "disclosure_categories.toml"
TEXT_FIELDS = ("name_uz", "name_uz_cyrl", "name_ru", "name_en", "description_uz", "description_ru", "description_en")


def categories() -> list[dict]:
    with DATA.open("rb") as file:
        return list(tomllib.load(file)["category"])


def load_categories(model) -> int:
    """Add the shipped categories missing from `model` (the real model, or a migration's). Returns how many."""
    existing = set(model.objects.values_list("code", flat=True))
    added = 0
    for row in categories():
        if row["code"] in existing:
            continue
        model.objects.create(
            code=row["code"],
            order=row.get("order", 0),
            legal_basis=row["legal_basis"],
            period_days=row.get("period_days"),
            kinds=list(row.get("kinds", [])),
            **{name: row[name] for name in TEXT_FIELDS if name in row},
        )
        added += 1
    return added
