"""Reads of the core app that carry rules: who may see which organizations."""

from django.db.models import Q, QuerySet

from .choices import OrganizationKind, Role
from .models import Membership, Organization, User


def user_memberships(user: User) -> list[Membership]:
    if not user.is_authenticated:
        return []
    return list(user.memberships.select_related("organization", "organization__parent").order_by("role"))


def visible_organizations(user: User) -> QuerySet[Organization]:
    """Organizations a user works in: their own, and for administrators the whole subtree."""
    if not user.is_authenticated:
        return Organization.objects.none()
    if user.is_superuser:
        return Organization.objects.all()
    condition = Q(pk__in=[])
    for membership in user_memberships(user):
        if membership.role == Role.ADMINISTRATOR:
            condition |= Q(path__startswith=membership.organization.path)
        else:
            condition |= Q(pk=membership.organization_id)
    return Organization.objects.filter(condition)


def jurisdiction(organization: Organization) -> Organization:
    """The part of the tree an organization governs: a hokimiyat runs its city or district (its parent);
    any other organization, its own subtree."""
    if organization.kind == OrganizationKind.HOKIMIYAT and organization.parent_id:
        return organization.parent
    return organization


def user_has_role(user: User, role: str, organization: Organization | None = None) -> bool:
    return any(
        m.role == role and (organization is None or m.organization_id == organization.pk)
        for m in user_memberships(user)
    )
