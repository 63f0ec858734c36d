"""The press events stage of the Namangan demo loader (media_events.toml): a year of the hokimiyats' press
conferences and briefings — one a month, but for one month the city hokimiyat missed (its press
secretary's desk shows it) — each planned and announced a week ahead by the hokimiyat's press secretary
through the press events' services (the journalists accredited on the day invited), held, with its
materials and the hokimiyat's press release of that week linked afterwards; and one announced for next week,
with a demo journalist registered. Loaded with the demo users, after the media stage (the journalists);
without journalists the events are there all the same, with nobody invited. Idempotent: an event already
there (same hokimiyat, day and title) is left alone."""

from __future__ import annotations

import datetime as dt
import io
import logging

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from darcha.core.audit import SYSTEM
from darcha.core.errors import Refused
from darcha.core.models import User
from darcha.infoservice.media.events import selectors, services
from darcha.infoservice.media.models_events import PressEvent
from darcha.infoservice.publications.choices import PublicationKind, PublicationStatus
from darcha.infoservice.publications.models import Publication

from .reader import LANGUAGES

log = logging.getLogger("darcha.demo")
WEEK = dt.timedelta(days=7)


def _pdf(title: str) -> SimpleUploadedFile:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": title})
    out = io.BytesIO()
    writer.write(out)
    return SimpleUploadedFile("material.pdf", out.getvalue(), content_type="application/pdf")


def _month_back(today: dt.date, months: int) -> tuple[int, int]:
    index = today.year * 12 + today.month - 1 - months
    return index // 12, index % 12 + 1


def _starts_at(spec: dict, now: dt.datetime) -> dt.datetime:
    local = timezone.localtime(now)
    hour = int(spec.get("hour", 11))
    if "days_ahead" in spec:
        day = local.date() + dt.timedelta(days=int(spec["days_ahead"]))
    else:
        year, month = _month_back(local.date(), int(spec["months_ago"]))
        day = dt.date(year, month, min(int(spec.get("day", 15)), 28))
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _text(value) -> dict:
    """A text of the demo data by language: the reader's (uz, ru, en) triple, or a table as written."""
    if isinstance(value, (tuple, list)):
        return dict(zip(LANGUAGES, value, strict=True))
    return dict(value or {})


def _texts(spec: dict) -> dict:
    return {name: _text(spec.get(name)) for name in ("title", "place", "description", "speakers")}


def _linked_publication(organization, starts_at: dt.datetime):
    """The hokimiyat's press release of the week after the event, if any (news of other things is not)."""
    return (
        Publication.objects.filter(
            organization=organization,
            kind=PublicationKind.PRESS_RELEASE,
            status=PublicationStatus.PUBLISHED,
            published_at__gte=starts_at,
            published_at__lt=starts_at + WEEK,
        )
        .order_by("published_at")
        .first()
    )


def load(loader, *, now: dt.datetime) -> int:
    specs = loader.data.get("press_events", [])
    logins = (loader.data.get("publications") or {}).get("press", {})
    if not specs or not logins:
        return 0
    press = {u.username: u for u in User.objects.filter(username__in=logins.values())}
    made = 0
    for spec in specs:
        code = spec["organization"]
        organization = loader.orgs.get(code)
        secretary = press.get(logins.get(code, ""))
        if organization is None or secretary is None:
            continue
        starts_at = _starts_at(spec, now)
        title = _text(spec["title"])["uz"]
        if PressEvent.objects.filter(organization=organization, starts_at=starts_at, title_uz=title).exists():
            continue
        planned = min(starts_at - WEEK, now - dt.timedelta(hours=1))
        event = services.press_event_create(
            actor=secretary,
            organization=organization,
            kind=spec["kind"],
            texts=_texts(spec),
            starts_at=starts_at,
            duration_minutes=int(spec.get("duration_minutes", 60)),
            seats=spec.get("seats"),
            now=planned,
        )
        services.press_event_announce(actor=secretary, event=event, now=planned)
        made += 1
        if starts_at > now:
            for username in spec.get("register", []):
                journalist = selectors.journalist_of(User.objects.filter(username=username).first())
                if journalist is None:
                    continue
                try:
                    services.press_event_register(actor=journalist.user, event=event, companions=1, now=now)
                except Refused as refusal:  # not accredited there in this demo
                    log.info("demo: %s not registered for %s: %s", username, title, refusal.message)
            continue
        services.press_events_mark_held(actor=SYSTEM, now=starts_at + dt.timedelta(hours=1))
        after = starts_at + dt.timedelta(hours=3)
        for material in spec.get("materials", []):
            services.material_add(
                actor=secretary,
                event=event,
                title=material["title"],
                upload=_pdf(material["title"]) if material.get("pdf") else None,
                url=material.get("url", ""),
                now=after,
            )
        publication = _linked_publication(organization, starts_at)
        if publication is not None:
            services.publication_link(actor=secretary, event=event, publication=publication)
    loader.result.created["press events"] += made
    return made
