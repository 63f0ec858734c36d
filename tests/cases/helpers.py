"""Helpers of the cases tests (fixtures are in conftest.py; files to upload in tests/factories.py)."""

import functools

from darcha.core.choices import OrganizationKind
from tests import layers
from tests.factories import ApplicationFactory, OrganizationFactory, PersonFactory, two_agency_service
from tests.factories import staff as _staff


def _building_permit():
    return layers.refs(
        two_agency_service(code="building-permit", name_uz="Qurilish ruxsatnomasi", name_en="Building permit")
    )


def center_1():
    return OrganizationFactory(code="center-1", kind=OrganizationKind.CENTER, name_uz="Markaz 1")


def center_2():
    return OrganizationFactory(code="center-2", kind=OrganizationKind.CENTER, name_uz="Markaz 2")


def aliyev():
    """The applicant of the story."""
    return PersonFactory(name="Aliyev Vali", pinfl="31203901230017", phone="+998901234567")


# The story's two-agency service, the `service` fixture: built once per worker (tests/layers.py).
BUILDING_PERMIT = layers.Layer(build=_building_permit)


@functools.cache
def real_pdf() -> bytes:
    """A real one-page PDF, as an agency's system would produce (rendered once per process)."""
    import weasyprint

    return weasyprint.HTML(string="<p>Ruxsatnoma / Разрешение</p>").write_pdf()


def city_leader(center, username="hokim"):
    """A hokim: leadership of a city's hokimiyat, with `center` moved under that city (so in his jurisdiction)."""
    from darcha.core.choices import Role

    city = OrganizationFactory(code="city", kind=OrganizationKind.CITY, name_uz="Shahar")
    hokimiyat = OrganizationFactory(code="city-hokimiyat", kind=OrganizationKind.HOKIMIYAT, parent=city)
    center.parent = city
    center.save()  # its path under the city
    return staff(username, hokimiyat, Role.LEADERSHIP)


# What leadership must never read of the story's applicant: the name, the PINFL, the phone.
APPLICANT_SECRETS = ("Aliyev", "Vali", "31203901230017", "901234567")


def staff(username, organization, role):
    """A member of staff with no phone and an e-mail address of their own."""
    return _staff(username, organization, role, phone="", email=f"{username}@example.org")


def submit(service, applicant, center, operator, **changes):
    """An application taken at `center` by `operator` (see ApplicationFactory for the defaults)."""
    return ApplicationFactory(service=service, applicant=applicant, center=center, operator=operator, **changes)
