"""The languages Darcha speaks (the one list), and content stored per language (names of services,
organizations, …) read in the current one."""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from .translit import latin_to_cyrillic


@dataclass(frozen=True)
class Language:
    code: str  # Django's language code, the URL prefix (/uz-cyrl/) and the stored preference
    native: str  # the name in the language itself, for switchers
    label: object  # the name in the interface's language (lazily translated)
    html: str  # BCP 47 tag for <html lang> and hreflang
    suffix: str  # suffix of the per-language model fields (name_uz_cyrl)


LANGUAGES = (
    Language("uz", "Oʻzbekcha", _("Uzbek (Latin)"), "uz", "uz"),
    Language("uz-cyrl", "Ўзбекча", _("Uzbek (Cyrillic)"), "uz-Cyrl", "uz_cyrl"),
    Language("ru", "Русский", _("Russian"), "ru", "ru"),
    Language("en", "English", _("English"), "en", "en"),
)
DEFAULT_LANGUAGE = LANGUAGES[0].code
LANGUAGE_CODES = tuple(language.code for language in LANGUAGES)
# (code, native name): the choices of a person's or user's preferred language.
LANGUAGE_CHOICES = [(language.code, language.native) for language in LANGUAGES]
CONTENT_LANGUAGES = tuple(language.suffix for language in LANGUAGES)


def language_or_default(code: str | None) -> str:
    """A known language code, else the default language."""
    return code if code in LANGUAGE_CODES else DEFAULT_LANGUAGE


def field_suffix(language: str | None) -> str:
    language = (language or "uz").lower().replace("-", "_")
    return language if language in CONTENT_LANGUAGES else "uz"


def translated_fields(base: str, field_class=models.CharField, required: tuple[str, ...] = ("uz",), **kwargs):
    """Model fields `<base>_uz`, `<base>_uz_cyrl`, `<base>_ru`, `<base>_en`; Uzbek Latin required."""
    labels = {language.suffix: language.label for language in LANGUAGES}
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

    Uzbek Cyrillic falls back to the Latin text transliterated; Russian and English to Uzbek Latin —
    or, given a `fallback` field (a short name's full name), to that field in the same language, so a
    page never shows another language's text where its own has one.
    """

    def __init__(self, base: str, fallback: str | None = None):
        self.base = base
        self.fallback = fallback

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
        if suffix == "uz_cyrl" and latin:
            return latin_to_cyrillic(latin)
        if self.fallback and (suffix != "uz" or not latin):
            return getattr(type(instance), self.fallback).value(instance, language)
        return latin


def all_languages_text(instance, base: str) -> str:
    """Every stored language of one field, for search indexing."""
    return " ".join(getattr(instance, f"{base}_{suffix}", "") or "" for suffix in CONTENT_LANGUAGES)
