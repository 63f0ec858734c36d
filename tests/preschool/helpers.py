"""Builders of the preschool tests: a city with its preschool department and kindergartens, programs,
privileged categories and the fee table. Reference data (what an administrator or the demo loader
enters) is written directly; applications and everything after go through the services."""

from __future__ import annotations

import datetime as dt

from darcha.core.choices import OrganizationKind, Role
from darcha.preschool.choices import AgeGroup, KindergartenKind, LocationClass, Regime, TeachingLanguage
from darcha.preschool.models import Benefit, FeeRate, Kindergarten, Program
from tests.factories import OrganizationFactory, staff


def district(code: str = "test-city", kind: str = OrganizationKind.CITY):
    """A city (or district) under a region, with its preschool department."""
    region = OrganizationFactory(code=f"{code}-region", kind=OrganizationKind.REGION, name_uz="Viloyat")
    place = OrganizationFactory(code=code, kind=kind, parent=region, name_uz=f"{code} shahri")
    OrganizationFactory(
        code=f"{code}-mtt-bolimi",
        kind=OrganizationKind.PRESCHOOL_DEPARTMENT,
        parent=place,
        name_uz="Maktabgacha ta'lim bo'limi",
    )
    return place


def department(place):
    return place.children.get(kind=OrganizationKind.PRESCHOOL_DEPARTMENT)


def kindergarten(place, number: int, kind: str = KindergartenKind.STATE, **fields) -> Kindergarten:
    organization = OrganizationFactory(
        code=f"{place.code}-mtt-{number}",
        kind=OrganizationKind.KINDERGARTEN,
        parent=place,
        name_uz=f"{number}-son MTT",
        name_ru=f"ДОУ № {number}",
    )
    fields.setdefault("location_class", LocationClass.REGIONAL_CENTRE)
    return Kindergarten.objects.create(organization=organization, number=str(number), kind=kind, **fields)


def program(
    garden: Kindergarten,
    age_group: str = AgeGroup.G3,
    seats: int = 2,
    language: str = TeachingLanguage.UZ,
    regime: str = Regime.H9,
) -> Program:
    return Program.objects.create(
        kindergarten=garden, age_group=age_group, language=language, regime=regime, seats=seats
    )


def benefit(code: str = "large-family", tier: int = 1, center_obtains: bool = False) -> Benefit:
    return Benefit.objects.create(
        code=code,
        name_uz=f"Imtiyoz {code}",
        name_ru=f"Льгота {code}",
        evidence_uz="Ma'lumotnoma",
        tier=tier,
        center_obtains=center_obtains,
        valid_from=dt.date(2021, 5, 20),
    )


def fee_table(valid_from: dt.date = dt.date(2025, 1, 1)) -> None:
    """The 2025 figures the issue quotes (Tashkent) and a regional centre's, for the program pages."""
    rows = [
        (LocationClass.TASHKENT, Regime.H9, False, 272_000),
        (LocationClass.TASHKENT, Regime.H9, True, 194_000),
        (LocationClass.TASHKENT, Regime.SHORT, False, 51_000),
        (LocationClass.REGIONAL_CENTRE, Regime.H9, False, 240_000),
        (LocationClass.REGIONAL_CENTRE, Regime.H9, True, 170_000),
    ]
    for location_class, regime, several, amount in rows:
        FeeRate.objects.create(
            valid_from=valid_from, location_class=location_class, regime=regime, several_children=several, amount=amount
        )


def director(garden: Kindergarten, username: str = "director"):
    return staff(username, garden.organization, Role.KINDERGARTEN_DIRECTOR)


def officer(place, username: str = "officer"):
    return staff(username, department(place), Role.PRESCHOOL_OFFICER)


def center(place, code: str | None = None):
    """A public service center in the city (its operators register children)."""
    return OrganizationFactory(
        code=code or f"{place.code}-center", kind=OrganizationKind.CENTER, parent=place, name_uz="Markaz"
    )


_children = iter(range(1, 10**6))


def enroll(place, choices, *, birth_date: dt.date = dt.date(2024, 3, 1), actor=None, now=None, **fields):
    """A child registered in the queue through `application_register` (by the system unless `actor`)."""
    from darcha.core.audit import SYSTEM
    from darcha.preschool.choices import Relation
    from darcha.preschool.services import application_register
    from tests.factories import PersonFactory

    n = next(_children)
    if "applicant" not in fields:
        fields["applicant"] = PersonFactory()
    fields.setdefault("relation", Relation.PARENT)
    fields.setdefault("phone", "+998901234567")
    return application_register(
        actor=actor or SYSTEM,
        child_name=fields.pop("child_name", f"Bola {n}"),
        birth_date=birth_date,
        birth_certificate=fields.pop("birth_certificate", f"I-NA{n:07d}"),
        district=place,
        choices=list(choices),
        now=now,
        **fields,
    )
