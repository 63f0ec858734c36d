"""Reads of the core app that carry rules: which organizations a user works in, who an applicant is."""

from django.db.models import Q, QuerySet

from . import access
from .choices import PersonKind
from .models import ApiToken, Organization, Person, User


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


def person_find(
    *, kind: str, pinfl: str = "", passport: str = "", stir: str = "", for_update: bool = False
) -> Person | None:
    """The registered applicant these (normalised) identifiers name, or None.

    A legal entity by its STIR; an individual by PINFL, else by passport — one registered under another
    PINFL is someone else (a passport may have been replaced, a PINFL never is). The front office's
    lookup and `services.person_register` both ask here, so the lookup shows whom registering updates.
    """
    people = Person.objects.select_for_update() if for_update else Person.objects.all()
    if kind == PersonKind.LEGAL_ENTITY:
        return people.filter(stir=stir).first() if stir else None
    found = people.filter(pinfl=pinfl).first() if pinfl else None
    if found is None and passport:
        same = people.filter(kind=PersonKind.INDIVIDUAL, passport=passport)
        if pinfl:
            same = same.filter(Q(pinfl__isnull=True) | Q(pinfl=pinfl))
        found = same.first()
    return found
