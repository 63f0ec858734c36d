"""core.access: the one answer to "may this user act as role R at organization O"."""

import pytest
from django.contrib.auth.models import AnonymousUser

from darcha.core import access
from darcha.core.audit import SYSTEM
from darcha.core.choices import OrganizationKind, Role
from darcha.core.errors import Forbidden
from darcha.core.services import membership_grant, membership_revoke
from tests.factories import OrganizationFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    region = OrganizationFactory(code="region", kind=OrganizationKind.REGION)
    city = OrganizationFactory(code="city", kind=OrganizationKind.CITY, parent=region)
    hokimiyat = OrganizationFactory(code="city-hokimiyat", kind=OrganizationKind.HOKIMIYAT, parent=city)
    center = OrganizationFactory(code="center", kind=OrganizationKind.CENTER, parent=city)
    agency = OrganizationFactory(code="cadastre", kind=OrganizationKind.AGENCY, parent=city)
    district = OrganizationFactory(code="district", kind=OrganizationKind.DISTRICT, parent=region)
    other_center = OrganizationFactory(code="other-center", kind=OrganizationKind.CENTER, parent=district)
    return {
        "region": region,
        "city": city,
        "hokimiyat": hokimiyat,
        "center": center,
        "agency": agency,
        "district": district,
        "other_center": other_center,
    }


def _user_with(organization, role):
    user = UserFactory()
    membership_grant(actor=SYSTEM, user=user, organization=organization, role=role)
    return user


def test_a_role_holds_at_its_own_organization_only(tree):
    operator = _user_with(tree["center"], Role.OPERATOR)
    assert access.has_role(operator, Role.OPERATOR, tree["center"])
    assert not access.has_role(operator, Role.OPERATOR, tree["other_center"])
    assert not access.has_role(operator, Role.CENTER_MANAGER, tree["center"])
    assert not access.has_role(operator, Role.OPERATOR, tree["city"])


def test_a_head_may_do_what_clerks_may_and_a_manager_what_operators_may(tree):
    head = _user_with(tree["agency"], Role.AGENCY_HEAD)
    manager = _user_with(tree["center"], Role.CENTER_MANAGER)
    assert access.roles_at(head, tree["agency"]) == {Role.AGENCY_HEAD, Role.AGENCY_CLERK}
    assert access.roles_at(manager, tree["center"]) == {Role.CENTER_MANAGER, Role.OPERATOR}
    clerk = _user_with(tree["agency"], Role.AGENCY_CLERK)
    assert access.roles_at(clerk, tree["agency"]) == {Role.AGENCY_CLERK}


def test_administrators_reach_their_subtree_and_leadership_its_jurisdiction(tree):
    admin = _user_with(tree["city"], Role.ADMINISTRATOR)
    assert access.has_role(admin, Role.ADMINISTRATOR, tree["center"])
    assert not access.has_role(admin, Role.ADMINISTRATOR, tree["other_center"])
    # Leadership of the city hokimiyat oversees the city's centers (the hokimiyat's parent), not the district's.
    hokim = _user_with(tree["hokimiyat"], Role.LEADERSHIP)
    assert access.has_role(hokim, access.CENTER_WATCHERS, tree["center"])
    assert not access.has_role(hokim, access.CENTER_WATCHERS, tree["other_center"])
    # Oversight does not make anyone an operator.
    assert not access.has_role(admin, access.CENTER_STAFF, tree["center"])
    assert not access.has_role(hokim, access.CENTER_STAFF, tree["center"])


def test_a_superuser_holds_every_role_everywhere(tree):
    root = UserFactory(is_superuser=True, is_staff=True)
    for organization in tree.values():
        assert access.roles_at(root, organization) == set(Role.values)
    assert access.holds_any(root, Role.AGENCY_HEAD)
    assert access.scope(root).everything


def test_nobody_else_holds_anything(tree):
    inactive = _user_with(tree["center"], Role.OPERATOR)
    inactive.is_active = False
    for nobody in (AnonymousUser(), SYSTEM, None, inactive):
        assert not access.has_role(nobody, Role.OPERATOR, tree["center"])
        assert access.scope(nobody).empty
        assert not access.holds_any(nobody, Role.OPERATOR)


def test_require_role_refuses_with_a_403_refusal(tree):
    clerk = _user_with(tree["agency"], Role.AGENCY_CLERK)
    access.require_role(clerk, access.AGENCY_STAFF, tree["agency"], "no")
    with pytest.raises(Forbidden) as refusal:
        access.require_role(clerk, Role.AGENCY_HEAD, tree["agency"], "Only the head.")
    assert (
        refusal.value.status == 403 and refusal.value.message == "Only the head." and refusal.value.code == "forbidden"
    )


def test_scope_lists_own_organizations_per_role_and_subtrees(tree):
    user = _user_with(tree["center"], Role.CENTER_MANAGER)
    membership_grant(actor=SYSTEM, user=user, organization=tree["district"], role=Role.ADMINISTRATOR)
    scope = access.scope(user)
    assert scope.organizations(access.CENTER_STAFF) == {tree["center"].pk}
    assert scope.organizations(Role.OPERATOR) == {tree["center"].pk}  # included role
    assert scope.subtree_paths == (tree["district"].path,)


def test_memberships_are_read_once_per_user_and_granting_refreshes_them(tree, django_assert_num_queries):
    user = _user_with(tree["center"], Role.OPERATOR)
    access.memberships(user)
    with django_assert_num_queries(0):
        for _ in range(3):
            access.has_role(user, Role.OPERATOR, tree["center"])
            access.scope(user)
    membership = user.memberships.get()
    membership_revoke(actor=SYSTEM, membership=membership)
    assert not access.has_role(membership.user, Role.OPERATOR, tree["center"])
    membership_grant(actor=SYSTEM, user=user, organization=tree["agency"], role=Role.AGENCY_CLERK)
    assert access.has_role(user, Role.AGENCY_CLERK, tree["agency"])
