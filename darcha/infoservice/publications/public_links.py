"""Addresses and short texts of the public's publications, shared by the pages, the feeds, the sitemap and
the API: an item's page in a language, a list's page, an image's file, and the one-line summary."""

from __future__ import annotations

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from darcha.core.i18n import language_or_default

from .sanitize import plain_text

DESCRIPTION_CHARS = 200


def current_language() -> str:
    return language_or_default(translation.get_language() or settings.LANGUAGE_CODE)


def item_path(organization_code: str, slug: str, language: str | None = None) -> str:
    """The item page's path in `language` (the current one when None)."""
    with translation.override(language or current_language()):
        return reverse("publications:item", args=[organization_code, slug])


def list_path(organization_code: str | None = None, language: str | None = None) -> str:
    with translation.override(language or current_language()):
        if organization_code:
            return reverse("publications:organization", args=[organization_code])
        return reverse("publications:index")


def image_path(image_pk: int) -> str:
    return reverse("publications:file", args=["image", image_pk])


def pdf_path(publication_pk: int) -> str:
    return reverse("publications:file", args=["pdf", publication_pk])


def attachment_path(attachment_pk: int) -> str:
    return reverse("publications:file", args=["attachment", attachment_pk])


def summary(text, limit: int = DESCRIPTION_CHARS) -> str:
    """The lead, else the beginning of the body's text: a line for lists, feeds and link previews."""
    if text is None:
        return ""
    value = text.lead.strip() or plain_text(text.body)
    if len(value) <= limit:
        return value
    cut = value[:limit].rsplit(" ", 1)[0].rstrip(",;:—-")
    return cut + "…"
