"""The staff landing page is built from panels that each app registers for the roles it serves.

Core cannot import the apps built on it, so they register here (in their AppConfig.ready) and the
desk shows, for each role a user holds, the panels registered for that role.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .models import Membership


@dataclass(frozen=True)
class Panel:
    template: str
    context: Callable[[object, Membership], dict]
    order: int = 100


_PANELS: dict[str, list[Panel]] = {}


def register_panel(
    roles: list[str], template: str, context: Callable[[object, Membership], dict], order: int = 100
) -> None:
    for role in roles:
        _PANELS.setdefault(role, []).append(Panel(template, context, order))


def panels_for(request, membership: Membership) -> list[tuple[str, dict]]:
    panels = sorted(_PANELS.get(membership.role, []), key=lambda p: p.order)
    return [(p.template, p.context(request, membership)) for p in panels]
