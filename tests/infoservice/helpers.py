"""Builders of the appeals tests: a district hokimiyat with its departments and staff (an appeals officer,
an executor, a hokim), a center in the district, a partner reception with its clerk, the 2026–2027
calendar of days off, moments in Tashkent, and appeals registered through `appeal_register`.

Reference data (organizations, what an administrator enters) is written directly; appeals and everything
after them go through the services."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.test import override_settings
from django.utils import timezone

from darcha.core.audit import SYSTEM
from darcha.core.choices import OrganizationKind, Role
from darcha.core.models import Organization, User
from darcha.core.services import api_token_create, holidays_seed
from darcha.infoservice.choices import AppealType, Channel
from darcha.infoservice.models import Appeal, Topic
from darcha.infoservice.services import AUTHOR, appeal_register
from tests.factories import OrganizationFactory, staff

TASHKENT = timezone.get_default_timezone()
PARTNER_CODE = "test-virtual-reception"
PARTNERS = override_settings(APPEALS_PARTNERS=[f"{PARTNER_CODE}=virtual_reception"])


def at(year: int, month: int, day: int, hour: int = 10, minute: int = 0) -> dt.datetime:
    """A moment in Tashkent."""
    return dt.datetime(year, month, day, hour, minute, tzinfo=TASHKENT)


def end_of(day: dt.date) -> dt.datetime:
    """A stored due date: the end (24:00) of the day in Tashkent."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time.max), TASHKENT)


def calendar_2026() -> None:
    """The official days off and transferred working days of 2026 and 2027 (the Holiday table)."""
    holidays_seed(actor=SYSTEM, years=[2026, 2027])


@dataclass
class Place:
    region: Organization
    district: Organization
    hokimiyat: Organization
    departments: list[Organization]
    center: Organization
    officer: User
    executor: User
    hokim: User
    operator: User

    @property
    def department(self) -> Organization:
        return self.departments[0]


def hokimiyat(code: str = "chust", *, departments: int = 2, region: Organization | None = None) -> Place:
    """A district under a region (a new one unless given), its hokimiyat with `departments` departments
    (agency-kind organizations in the district), a center, and the staff: the appeals officer and the hokim
    at the hokimiyat, an executor at the first department, an operator at the center."""
    region = region or OrganizationFactory(
        code=f"{code}-region", kind=OrganizationKind.REGION, name_uz="Namangan viloyati"
    )
    district = OrganizationFactory(
        code=code, kind=OrganizationKind.DISTRICT, parent=region, name_uz=f"{code.title()} tumani"
    )
    office = OrganizationFactory(
        code=f"{code}-hokimiyat",
        kind=OrganizationKind.HOKIMIYAT,
        parent=district,
        name_uz=f"{code.title()} tumani hokimligi",
        name_ru=f"Хокимият района {code.title()}",
    )
    names = ["Yoʻllar boʻlimi", "Kommunal xoʻjalik boʻlimi", "Obodonlashtirish boʻlimi", "Ta’lim boʻlimi"]
    made = [
        OrganizationFactory(
            code=f"{code}-dept-{index + 1}",
            kind=OrganizationKind.AGENCY,
            parent=district,
            name_uz=names[index % len(names)],
        )
        for index in range(departments)
    ]
    center = OrganizationFactory(code=f"{code}-center", kind=OrganizationKind.CENTER, parent=district, name_uz="DXM")
    return Place(
        region=region,
        district=district,
        hokimiyat=office,
        departments=made,
        center=center,
        officer=staff(f"{code}-officer", office, Role.APPEALS_OFFICER),
        executor=staff(f"{code}-executor", made[0], Role.APPEALS_EXECUTOR) if made else None,
        hokim=staff(f"{code}-hokim", office, Role.HOKIM),
        operator=staff(f"{code}-operator", center, Role.OPERATOR),
    )


def partner(code: str = PARTNER_CODE) -> tuple[Organization, User, str]:
    """The partner reception (an agency; name it in APPEALS_PARTNERS: `PARTNERS`), its system's clerk and
    the clerk's API token."""
    reception = Organization.objects.filter(code=code).first() or OrganizationFactory(
        code=code, kind=OrganizationKind.AGENCY, name_uz="Virtual qabulxona"
    )
    clerk = staff(f"{code}-clerk", reception, Role.AGENCY_CLERK)
    _token, secret = api_token_create(actor=clerk, user=clerk, name="appeals import")
    return reception, clerk, secret


def topic(code: str = "roads", takes_location: bool = False) -> Topic:
    return Topic.objects.create(
        code=code, name_uz=f"Mavzu {code}", name_ru=f"Тема {code}", takes_location=takes_location
    )


def register(place: Place, *, now: dt.datetime | None = None, actor=None, **fields) -> Appeal:
    """An appeal to the place's hokimiyat from a named author with a residence and a phone, filed on the
    web form (fields override)."""
    fields.setdefault("text", "Mahallamizdagi yoʻl chuqurlarini tuzatib berishingizni soʻraymiz.")
    fields.setdefault("channel", Channel.WEB)
    fields.setdefault("type", AppealType.APPLICATION)
    fields.setdefault("author_name", "Karimov Aziz")
    fields.setdefault("author_address", "Chust sh., Navoiy koʻchasi, 5")
    fields.setdefault("author_phone", "+998901234567")
    return appeal_register(actor=actor or AUTHOR, organization=place.hokimiyat, now=now, **fields)
