"""Builders of the public pages' tests: publications published through the services (a draft, then
publishing by the press secretary), with categories, tags, images and other languages as asked."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from darcha.infoservice.publications import services
from darcha.infoservice.publications.models import Category, Tag
from tests.infoservice.publications.editing_helpers import Office, draft, png, signed_pdf  # noqa: F401

EN = "/en"  # the pages' English prefix (tests read English messages)
RU = {"title": "Открылась новая школа", "lead": "В центре города", "body": "<p>Сегодня открылась новая школа.</p>"}
ENGLISH = {"title": "A new school opened", "lead": "In the city centre", "body": "<p>A new school opened today.</p>"}


def category(code="education", uz="Taʼlim", ru="Образование", en="Education") -> Category:
    return Category.objects.get_or_create(code=code, defaults={"name_uz": uz, "name_ru": ru, "name_en": en})[0]


def tag(code="schools", uz="Maktablar", ru="Школы", en="Schools") -> Tag:
    return Tag.objects.get_or_create(code=code, defaults={"name_uz": uz, "name_ru": ru, "name_en": en})[0]


def published(office: Office, *, texts=None, kind="news", data=None, at=None, image=False, pdf=False):
    """A publication of `office` published at `at` (now), through the services."""
    publication = draft(office, kind=kind, data=data, texts_=texts, signed_pdf=signed_pdf() if pdf else None)
    if image:
        services.image_add(
            actor=office.press,
            publication=publication,
            upload=png(1200, 800),
            alt_texts={"uz": "Yangi maktab binosi", "en": "The new school building"},
        )
    when = at or timezone.now()
    publication = services.publication_publish(actor=office.press, publication=publication, now=when)
    publication.refresh_from_db()
    return publication


def uz_text(title: str, lead: str = "", body: str = "") -> dict:
    return {"title": title, "lead": lead, "body": body or f"<p>{title}</p>"}


def days_ago(days: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)
