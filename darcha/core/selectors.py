"""Reads of the core app that carry rules: which organizations a user works in."""

from django.db.models import Q, QuerySet

from . import access
from .models import ApiToken, Organization, User


def visible_organizations(user: User) -> QuerySet[Organization]:
    """Organizations a user works in: their own, and the subtree an oversight role reaches."""
    scope = access.scope(user)
    if scope.everything:
        return Organization.objects.all()
    if scope.empty:
        return Organization.objects.none()
    condition = Q(pk__in={m.organization_id for m in access.memberships(user)})
    for path in scope.subtree_paths:
        condition |= Q(path__startswith=path)
    return Organization.objects.filter(condition)


def api_tokens_of(user: User) -> QuerySet[ApiToken]:
    return ApiToken.objects.filter(user=user).order_by("-created")
