import pytest
from django.core.exceptions import ValidationError

from darcha.core.audit import SYSTEM
from darcha.core.choices import OrganizationKind, Role
from darcha.core.selectors import visible_organizations
from darcha.core.services import membership_grant, membership_revoke
from tests.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    region = OrganizationFactory(code="region", kind=OrganizationKind.REGION)
    city = OrganizationFactory(code="city", kind=OrganizationKind.CITY, parent=region)
    center = OrganizationFactory(code="center", kind=OrganizationKind.CENTER, parent=city)
    agency = OrganizationFactory(code="cadastre", kind=OrganizationKind.AGENCY, parent=city)
    other = OrganizationFactory(code="other-district", kind=OrganizationKind.DISTRICT, parent=region)
    return {"region": region, "city": city, "center": center, "agency": agency, "other": other}


def test_paths_and_subtrees(tree):
    assert tree["center"].path == f"/{tree['region'].pk}/{tree['city'].pk}/{tree['center'].pk}/"
    assert set(tree["city"].descendants()) == {tree["city"], tree["center"], tree["agency"]}
    assert list(tree["center"].ancestors()) == [tree["region"], tree["city"], tree["center"]]


def test_moving_an_organization_moves_its_subtree(tree):
    city = tree["city"]
    city.parent = tree["other"]
    city.save()
    tree["center"].refresh_from_db()
    assert tree["center"].path.startswith(tree["other"].path)


def test_roles_are_held_only_in_fitting_organizations(tree):
    user = UserFactory()
    membership_grant(actor=SYSTEM, user=user, organization=tree["center"], role=Role.OPERATOR)
    with pytest.raises(ValidationError):
        membership_grant(actor=SYSTEM, user=user, organization=tree["center"], role=Role.AGENCY_CLERK)
    with pytest.raises(ValidationError):
        membership_grant(actor=SYSTEM, user=user, organization=tree["agency"], role=Role.OPERATOR)


def test_visibility_follows_memberships(tree):
    clerk, admin = UserFactory(), UserFactory()
    membership_grant(actor=SYSTEM, user=clerk, organization=tree["agency"], role=Role.AGENCY_CLERK)
    membership_grant(actor=SYSTEM, user=admin, organization=tree["city"], role=Role.ADMINISTRATOR)
    assert set(visible_organizations(clerk)) == {tree["agency"]}
    assert set(visible_organizations(admin)) == {tree["city"], tree["center"], tree["agency"]}
    membership = clerk.memberships.get()
    membership_revoke(actor=SYSTEM, membership=membership)
    assert not visible_organizations(clerk).exists()
