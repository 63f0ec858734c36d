"""May this user act as role R at organization O: the one place roles are checked.

The rules (DESIGN §3, "Organizations scope everything"):
- A role is held within one organization (a `Membership`). Operators and center managers work at a
  center, clerks and heads at an agency, press secretaries at a hokimiyat.
- Administrators and leadership reach below the organization they hold the role in: an administrator
  the whole subtree; leadership the part of the tree the organization governs — a city or district
  hokimiyat governs its city or district (its parent), so its leadership oversees the centers and
  agencies there.
- A role includes the roles it leads: an agency head may do whatever the agency's clerks may, a center
  manager whatever the center's operators may, a district preschool officer whatever the district's
  kindergarten directors may (the officer's role reaches the district, as leadership's does).
- A superuser holds every role at every organization — Django's own meaning of the flag, and the same
  at the console, the kiosk, intake, the manager board and the API.
- Nobody else holds anything: anonymous users, inactive users and system actors hold no role. (The
  system acts through services that do not ask.)

Memberships are read once per user object (one query) and kept on it, so a page asks as often as it
likes. Views and services ask here and nowhere else; refusals are `core.errors.Forbidden`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from .choices import OrganizationKind, Role
from .errors import Forbidden
from .models import Membership, Organization, User

CENTER_STAFF = frozenset({Role.OPERATOR, Role.CENTER_MANAGER})
AGENCY_STAFF = frozenset({Role.AGENCY_CLERK, Role.AGENCY_HEAD})
INFOSERVICE_STAFF = frozenset({Role.PRESS_SECRETARY})
PRESCHOOL_STAFF = frozenset({Role.KINDERGARTEN_DIRECTOR, Role.PRESCHOOL_OFFICER})
APPEALS_STAFF = frozenset({Role.APPEALS_OFFICER, Role.APPEALS_EXECUTOR, Role.HOKIM})
OVERSIGHT = frozenset({Role.ADMINISTRATOR, Role.LEADERSHIP})
# Those who watch a center's figures: its manager, and administrators and leadership above it.
CENTER_WATCHERS = frozenset({Role.CENTER_MANAGER}) | OVERSIGHT

# A role includes the roles it leads.
ROLE_INCLUDES: dict[str, frozenset[str]] = {
    Role.AGENCY_HEAD: frozenset({Role.AGENCY_CLERK}),
    Role.CENTER_MANAGER: frozenset({Role.OPERATOR}),
    # The district's preschool department runs its kindergartens' seats, enrolments and pauses too.
    Role.PRESCHOOL_OFFICER: frozenset({Role.KINDERGARTEN_DIRECTOR}),
    # The hokim (or a deputy) signs off answers and may do whatever the appeals officer does.
    Role.HOKIM: frozenset({Role.APPEALS_OFFICER}),
}
# Roles that reach below the organization they are held in.
SUBTREE_ROLES = OVERSIGHT | {Role.PRESCHOOL_OFFICER}
# Organizations that govern their parent's subtree rather than their own: a hokimiyat runs its city or
# district, and so does the district's preschool department for the kindergartens there.
GOVERNING_KINDS = frozenset({OrganizationKind.HOKIMIYAT, OrganizationKind.PRESCHOOL_DEPARTMENT})

_CACHE = "_darcha_access_memberships"


def _person(user) -> User | None:
    """The user whose roles count: an active, signed-in User (not a system actor or anonymous)."""
    if not isinstance(user, User) or not user.is_authenticated or not user.is_active:
        return None
    return user


def memberships(user) -> list[Membership]:
    """The user's memberships with their organizations, read once per user object."""
    person = _person(user)
    if person is None:
        return []
    cached = person.__dict__.get(_CACHE)
    if cached is None:
        cached = list(person.memberships.select_related("organization", "organization__parent").order_by("role"))
        person.__dict__[_CACHE] = cached
    return cached


def forget(user) -> None:
    """Drop the kept memberships (after a role is granted or taken to this very user object)."""
    if isinstance(user, User):
        user.__dict__.pop(_CACHE, None)


def is_superuser(user) -> bool:
    person = _person(user)
    return bool(person and person.is_superuser)


def _with_included(roles: Iterable[str]) -> set[str]:
    held = set(roles)
    for role in list(held):
        held |= ROLE_INCLUDES.get(role, frozenset())
    return held


def jurisdiction(organization: Organization) -> Organization:
    """The part of the tree an organization governs: a hokimiyat or a preschool department, its city or
    district (its parent); any other organization, its own subtree."""
    if organization.kind in GOVERNING_KINDS and organization.parent_id:
        return organization.parent
    return organization


def _reach(membership: Membership) -> str:
    """The tree path below which a subtree role counts."""
    if membership.role in (Role.LEADERSHIP, Role.PRESCHOOL_OFFICER):
        return jurisdiction(membership.organization).path
    return membership.organization.path


def _holds_at(membership: Membership, organization: Organization) -> bool:
    if membership.organization_id == organization.pk:
        return True
    return (
        membership.role in SUBTREE_ROLES
        and bool(organization.path)
        and organization.path.startswith(_reach(membership))
    )


def roles_at(user, organization: Organization) -> frozenset[str]:
    """Every role the user may act as at the organization (included roles too)."""
    if is_superuser(user):
        return frozenset(Role.values)
    return frozenset(_with_included(m.role for m in memberships(user) if _holds_at(m, organization)))


def has_role(user, roles: str | Iterable[str], organization: Organization) -> bool:
    """May the user act as one of `roles` at the organization?"""
    wanted = {roles} if isinstance(roles, str) else set(roles)
    return bool(roles_at(user, organization) & wanted)


def require_role(user, roles: str | Iterable[str], organization: Organization, message) -> None:
    """Refuse (403, `Forbidden`) unless the user may act as one of `roles` at the organization."""
    if not has_role(user, roles, organization):
        raise Forbidden(message)


def holds_any(user, roles: str | Iterable[str]) -> bool:
    """Does the user hold one of `roles` anywhere (a superuser: always)?"""
    wanted = {roles} if isinstance(roles, str) else set(roles)
    if is_superuser(user):
        return True
    return any(_with_included([m.role]) & wanted for m in memberships(user))


@dataclass(frozen=True)
class Scope:
    """What a user's roles open, for selectors to filter by: organizations per role held there (with
    included roles), the subtree paths that oversight roles reach, or everything (a superuser)."""

    everything: bool
    by_role: dict[str, frozenset[int]]
    subtree_paths: tuple[str, ...]
    paths_by_role: dict[str, tuple[str, ...]] = field(default_factory=dict)

    def organizations(self, roles: str | Iterable[str]) -> set[int]:
        """Ids of the organizations where the user holds one of `roles` itself (not through a subtree)."""
        wanted = {roles} if isinstance(roles, str) else set(roles)
        return {pk for role in wanted for pk in self.by_role.get(role, ())}

    def paths(self, roles: str | Iterable[str]) -> tuple[str, ...]:
        """The subtree paths that the user's oversight roles among `roles` reach (`subtree_paths`, by role)."""
        wanted = {roles} if isinstance(roles, str) else set(roles)
        return tuple(dict.fromkeys(p for role in sorted(wanted) for p in self.paths_by_role.get(role, ())))

    @property
    def empty(self) -> bool:
        return not (self.everything or self.subtree_paths or any(self.by_role.values()))


def scope(user) -> Scope:
    if is_superuser(user):
        return Scope(everything=True, by_role={}, subtree_paths=())
    by_role: dict[str, set[int]] = {}
    paths: dict[str, list[str]] = {}
    for membership in memberships(user):
        for role in _with_included([membership.role]):
            by_role.setdefault(role, set()).add(membership.organization_id)
        if membership.role in SUBTREE_ROLES:
            paths.setdefault(membership.role, []).append(_reach(membership))
    return Scope(
        everything=False,
        by_role={role: frozenset(ids) for role, ids in by_role.items()},
        subtree_paths=tuple(dict.fromkeys(p for role_paths in paths.values() for p in role_paths)),
        paths_by_role={role: tuple(dict.fromkeys(role_paths)) for role, role_paths in paths.items()},
    )
