"""What the front office's pages and the staff API cost: the same number of queries with three times the
kindergartens, applications and claims (tests/preschool/query_counts.json, "front.*" and "api.staff.*")."""

from __future__ import annotations

import itertools

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from darcha.core.audit import SYSTEM
from darcha.core.choices import Role
from darcha.preschool import services
from darcha.preschool.choices import AgeGroup
from tests.factories import PDF, staff
from tests.preschool import helpers
from tests.preschool.test_front import EN, born_aged

_numbers = itertools.count(1)


@pytest.fixture
def city(db):
    return helpers.district("test-city")


@pytest.fixture
def center(city):
    return helpers.center(city, "center-1")


@pytest.fixture
def claimed(db):
    return helpers.benefit("large-family")


def grow(city, center, benefit, times: int) -> None:
    """`times` kindergartens with two groups each, and a child choosing them with a privilege scanned."""
    for _ in range(times):
        n = next(_numbers)
        garden = helpers.kindergarten(city, n)
        groups = [helpers.program(garden, AgeGroup.G3), helpers.program(garden, AgeGroup.G4)]
        scan = SimpleUploadedFile("certificate.pdf", PDF, content_type="application/pdf")
        helpers.enroll(
            city,
            groups[:1],
            birth_date=born_aged(3),
            actor=SYSTEM,
            center=center,
            benefits=[services.BenefitClaim(benefit=benefit, evidence_file=scan)],
        )


def test_the_front_office_pages_do_not_grow(client, city, center, claimed, query_counts):
    operator = staff("operator", center, Role.OPERATOR)
    client.force_login(operator)
    pages = {
        "front.new": f"{EN}/preschool/front/{center.code}/new/",
        "front.privileges": f"{EN}/preschool/privileges/{city.code}/",
    }
    for times in (2, 6):
        grow(city, center, claimed, times)
        for name, address in pages.items():
            query_counts.check(name, lambda address=address: client.get(address))
        query_counts.check(
            "front.new_refresh",
            lambda: client.post(pages["front.new"], {"birth_date": born_aged(3).isoformat(), "refresh": "1"}),
        )


def test_the_staff_api_lists_do_not_grow(city, center, claimed, query_counts):
    client = APIClient()
    client.force_authenticate(helpers.officer(city))
    for times in (2, 6):
        grow(city, center, claimed, times)
        for name, address in (
            ("api.staff.applications", "applications/"),
            ("api.staff.referrals", "referrals/?status=all"),
            ("api.staff.programs", "programs/"),
        ):
            query_counts.check(name, lambda address=address: client.get(f"/api/v1/preschool/staff/{address}"))
