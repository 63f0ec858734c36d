"""Content stored per language (names of services, organizations, …) and read in the current one."""

from django.db import models
from django.utils.translation import get_language

from .translit import latin_to_cyrillic

CONTENT_LANGUAGES = ("uz", "uz_cyrl", "ru", "en")


def field_suffix(language: str | None) -> str:
    language = (language or "uz").lower().replace("-", "_")
    return language if language in CONTENT_LANGUAGES else "uz"


def translated_fields(base: str, field_class=models.CharField, required: tuple[str, ...] = ("uz",), **kwargs):
    """Model fields `<base>_uz`, `<base>_uz_cyrl`, `<base>_ru`, `<base>_en`; Uzbek Latin required."""
    from django.utils.translation import gettext_lazy as _

    labels = {"uz": _("Uzbek (Latin)"), "uz_cyrl": _("Uzbek (Cyrillic)"), "ru": _("Russian"), "en": _("English")}
    fields = {}
    for suffix in CONTENT_LANGUAGES:
        options = dict(kwargs)
        if suffix not in required:
            options["blank"] = True
            options.setdefault("default", "")
        fields[f"{base}_{suffix}"] = field_class(verbose_name=labels[suffix], **options)
    return fields


class Translated:
    """Descriptor: `obj.name` gives `name_<current language>` with sensible fallbacks.

    Uzbek Cyrillic falls back to the Latin text transliterated; Russian and English to Uzbek Latin.
    """

    def __init__(self, base: str):
        self.base = base

    def __set_name__(self, owner, name):
        self.base = self.base or name

    def __get__(self, instance, owner=None):
        if instance is None:
            return self
        return self.value(instance, get_language())

    def value(self, instance, language: str | None) -> str:
        suffix = field_suffix(language)
        text = getattr(instance, f"{self.base}_{suffix}", "") or ""
        if text:
            return text
        latin = getattr(instance, f"{self.base}_uz", "") or ""
        if suffix == "uz_cyrl":
            return latin_to_cyrillic(latin)
        return latin


def all_languages_text(instance, base: str) -> str:
    """Every stored language of one field, for search indexing."""
    return " ".join(getattr(instance, f"{base}_{suffix}", "") or "" for suffix in CONTENT_LANGUAGES)
