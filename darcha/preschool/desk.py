"""Desk panels of the preschool app (registered from PreschoolConfig.ready()).

kindergarten directors       The kindergarten: seats, free, referrals expected (of them paused), children
                             attending, whether it is closed; a link to its desk
district preschool officers  The city or district: kindergartens, seats, held, free, the latest main
                             campaign; a link to the department's desk
"""

from __future__ import annotations

from django.urls import reverse

from darcha.core import access
from darcha.core.choices import Role
from darcha.core.desk import register_panel
from darcha.core.models import Membership

from .choices import CampaignKind
from .selectors import desk_panel_kindergarten, district_campaigns, district_kindergartens
from .views.department import school_years


def kindergarten_panel(request, membership: Membership) -> dict:
    figures = desk_panel_kindergarten(membership.organization)
    if figures is None:
        return {"garden": None}
    return {**figures, "desk_url": reverse("preschool:kindergarten_desk", args=[membership.organization.code])}


def department_panel(request, membership: Membership) -> dict:
    district = access.jurisdiction(membership.organization)
    rows = district_kindergartens(district)
    latest = district_campaigns(district, kind=CampaignKind.MAIN).first()
    return {
        "district": district,
        "kindergartens": len(rows),
        "seats": sum(r.seats for r in rows),
        "held": sum(r.held for r in rows),
        "free": sum(r.free for r in rows),
        "latest": latest,
        "latest_years": school_years(latest.school_year) if latest else "",
        "desk_url": reverse("preschool:department_desk", args=[district.code]),
    }


register_panel([Role.KINDERGARTEN_DIRECTOR], "preschool/kindergarten/panel.html", kindergarten_panel, order=3)
register_panel([Role.PRESCHOOL_OFFICER], "preschool/department/panel.html", department_panel, order=3)


def register_front_panel() -> None:
    """The front office's panel: operators' kindergarten application at their center, and the privileges to
    check in the district (for its officers too)."""
    from .views.front import desk_panel

    roles = [Role.OPERATOR, Role.CENTER_MANAGER, Role.PRESCHOOL_OFFICER]
    register_panel(roles, "preschool/front/desk_panel.html", desk_panel, order=7)


register_front_panel()
