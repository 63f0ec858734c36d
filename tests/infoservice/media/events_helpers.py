"""Builders of the press events' tests: a city hokimiyat with its press secretary, accredited journalists
(built on the media models: an approved accreditation in its dates counts), events and embargoed releases."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from darcha.core.choices import OrganizationKind, Role
from darcha.infoservice.media import models as media_models
from darcha.infoservice.media.choices import AccreditationStatus, OutletKind
from darcha.infoservice.media.events.choices import PressEventKind, PressEventStatus
from darcha.infoservice.media.models_events import PressEvent
from darcha.infoservice.publications import services as publishing
from darcha.infoservice.publications.choices import PublicationKind
from tests.factories import OrganizationFactory, UserFactory, staff

TEXTS = {"title": {"uz": "Obodonlashtirish ishlari", "ru": "Благоустройство"}, "place": {"uz": "Hokimiyat, 2-zal"}}


def hokimiyat(code: str = "nam-city-hokimiyat"):
    region = OrganizationFactory(code=f"{code}-region", kind=OrganizationKind.REGION)
    city = OrganizationFactory(code=f"{code}-city", kind=OrganizationKind.CITY, parent=region)
    return OrganizationFactory(code=code, kind=OrganizationKind.HOKIMIYAT, parent=city)


def press_secretary(office, username: str = "press"):
    return staff(username, office, Role.PRESS_SECRETARY, email=f"{username}@example.org")


def journalist(
    office,
    name: str,
    *,
    valid_from=dt.date(2026, 1, 1),
    valid_until=dt.date(2026, 12, 31),
    status=AccreditationStatus.APPROVED,
):
    outlet = media_models.Outlet.objects.create(name=f"{name} gazetasi", kind=OutletKind.NEWSPAPER)
    user = UserFactory(username=name, email=f"{name}@example.org")
    person = media_models.Journalist.objects.create(
        user=user, full_name=name.title(), phone="", email=f"{name}@example.org", outlet=outlet, position="muxbir"
    )
    media_models.Accreditation.objects.create(
        journalist=person,
        outlet=outlet,
        organization=office,
        status=status,
        valid_from=valid_from,
        valid_until=valid_until,
    )
    return person


def journalist_now(office, name: str, **extra):
    """A journalist accredited from a month ago for most of a year (around the real today)."""
    today = timezone.localdate()
    return journalist(
        office, name, valid_from=today - dt.timedelta(days=30), valid_until=today + dt.timedelta(days=300), **extra
    )


def past_event(office, author, *, starts_at, status=PressEventStatus.HELD, title="Matbuot anjumani"):
    """An event as it stands after it took place (rows as the services leave them)."""
    return PressEvent.objects.create(
        organization=office,
        kind=PressEventKind.PRESS_CONFERENCE,
        status=status,
        title_uz=title,
        place_uz="Hokimiyat, majlislar zali",
        starts_at=starts_at,
        created_by=author,
        created_at=starts_at - dt.timedelta(days=7),
        updated_at=starts_at,
        announced_at=starts_at - dt.timedelta(days=7),
        held_at=starts_at if status == PressEventStatus.HELD else None,
    )


def embargoed_release(office, press, *, title="Yangi maktab", lead="Ochilish marosimi"):
    return publishing.publication_create(
        actor=press,
        organization=office,
        data={"kind": PublicationKind.PRESS_RELEASE, "embargo": True},
        texts={"uz": {"title": title, "lead": lead, "body": "<p>Toʻliq matn: 12-maktab ochiladi.</p>"}},
    )
