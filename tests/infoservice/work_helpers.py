"""Builders of the tests of the work on appeals (routing, terms, answers, the author's side, letters, jobs):
Namangan region with its hokimiyat, a district hokimiyat with a department and its staff, the 2026
calendar, and appeals registered through `appeal_register` at a given moment."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from darcha.core.audit import SYSTEM
from darcha.core.choices import OrganizationKind, Role
from darcha.core.models import Organization, User
from darcha.core.services import holidays_seed
from darcha.infoservice.models import Appeal
from darcha.infoservice.services.intake import appeal_register
from tests.factories import OrganizationFactory
from tests.factories import staff as _staff

TASHKENT = timezone.get_default_timezone()


def at(year, month, day, hour=10, minute=0) -> dt.datetime:
    """A moment in Tashkent."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=TASHKENT)


def end_of(year, month, day) -> dt.datetime:
    """A stored due date: the end (24:00) of the day in Tashkent."""
    return timezone.make_aware(dt.datetime.combine(dt.date(year, month, day), dt.time.max), TASHKENT)


@dataclass
class Hokimiyat:
    region: Organization
    region_hokimiyat: Organization
    district: Organization
    hokimiyat: Organization
    department: Organization
    other_department: Organization
    far_agency: Organization
    other_hokimiyat: Organization
    center: Organization
    officer: User
    executor: User
    other_executor: User
    hokim: User
    region_officer: User


def staff(username, organization, role) -> User:
    return _staff(username, organization, role, phone="", email=f"{username}@example.org")


def hokimiyat_tree() -> Hokimiyat:
    """Namangan region → Chust district → its hokimiyat, with a department and a center in the district,
    an agency in another district, and the region's hokimiyat; the 2026 calendar of days off."""
    holidays_seed(actor=SYSTEM, years=[2026, 2027])
    region = OrganizationFactory(code="namangan", kind=OrganizationKind.REGION, name_uz="Namangan viloyati")
    region_hokimiyat = OrganizationFactory(
        code="namangan-region-hokimiyat",
        kind=OrganizationKind.HOKIMIYAT,
        parent=region,
        name_uz="Namangan viloyati hokimligi",
        name_ru="Хокимият Наманганской области",
    )
    district = OrganizationFactory(code="chust", kind=OrganizationKind.DISTRICT, parent=region, name_uz="Chust tumani")
    hokimiyat = OrganizationFactory(
        code="chust-hokimiyat",
        kind=OrganizationKind.HOKIMIYAT,
        parent=district,
        name_uz="Chust tumani hokimligi",
        name_ru="Хокимият Чустского района",
        address="Chust sh., Mustaqillik ko‘chasi, 1",
        phone="+998 69 000 00 00",
    )
    department = OrganizationFactory(
        code="chust-roads",
        kind=OrganizationKind.AGENCY,
        parent=district,
        name_uz="Yo‘llar bo‘limi",
        name_ru="Отдел дорог",
    )
    other_department = OrganizationFactory(
        code="chust-water", kind=OrganizationKind.AGENCY, parent=district, name_uz="Suv ta’minoti bo‘limi"
    )
    other_district = OrganizationFactory(
        code="pop", kind=OrganizationKind.DISTRICT, parent=region, name_uz="Pop tumani"
    )
    far_agency = OrganizationFactory(code="pop-gas", kind=OrganizationKind.AGENCY, parent=other_district, name_uz="Gaz")
    other_hokimiyat = OrganizationFactory(
        code="pop-hokimiyat", kind=OrganizationKind.HOKIMIYAT, parent=other_district, name_uz="Pop tumani hokimligi"
    )
    center = OrganizationFactory(code="chust-center", kind=OrganizationKind.CENTER, parent=district, name_uz="Markaz")
    return Hokimiyat(
        region=region,
        region_hokimiyat=region_hokimiyat,
        district=district,
        hokimiyat=hokimiyat,
        department=department,
        other_department=other_department,
        far_agency=far_agency,
        other_hokimiyat=other_hokimiyat,
        center=center,
        officer=staff("officer", hokimiyat, Role.APPEALS_OFFICER),
        executor=staff("executor", department, Role.APPEALS_EXECUTOR),
        other_executor=staff("water", other_department, Role.APPEALS_EXECUTOR),
        hokim=staff("hokim", hokimiyat, Role.HOKIM),
        region_officer=staff("region-officer", region_hokimiyat, Role.APPEALS_OFFICER),
    )


def file_appeal(tree: Hokimiyat, received_at: dt.datetime, **fields) -> Appeal:
    """An appeal received at `received_at`, registered by the officer through appeal_register."""
    values = {
        "text": "Ko‘chamizdagi yo‘l buzilgan, ta’mirlashni so‘raymiz.",
        "channel": "web",
        "author_name": "Karimov Anvar",
        "author_address": "Chust, Navbahor ko‘chasi, 12",
        "author_phone": "+998901112233",
        "phone_confirmed": True,
        "language": "uz",
    }
    values.update(fields)
    actor = values.pop("actor", tree.officer)
    return appeal_register(actor=actor, organization=tree.hokimiyat, received_at=received_at, now=received_at, **values)


def fresh(appeal: Appeal) -> Appeal:
    return Appeal.objects.get(pk=appeal.pk)
