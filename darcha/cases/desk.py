"""Desk panels of the cases app (registered from CasesConfig.ready()).

agency clerks and heads             Inbox: open, overdue, due today, waiting; a link to the inbox
operators and center managers       Applications: new application, the list; ready to hand over, waiting
managers, agency heads, leadership  Overdue: how many tasks past their term they answer for
leadership                          Applications of the city or district: counts by status and overdue
                                    (figures, no applicant: selectors.application_figures)
"""

from __future__ import annotations

from django.urls import reverse

from darcha.core import access
from darcha.core.choices import Role
from darcha.core.desk import register_panel
from darcha.core.models import Membership

from .choices import ApplicationStatus
from .selectors import application_figures, center_counts, inbox_counts, overdue_tasks


def inbox_panel(request, membership: Membership) -> dict:
    agency = membership.organization
    return {
        "agency": agency,
        "counts": inbox_counts(agency, request.user),
        "inbox_url": reverse("cases:inbox", args=[agency.code]),
    }


def applications_panel(request, membership: Membership) -> dict:
    center = membership.organization
    return {
        "center": center,
        "counts": center_counts(center),
        "list_url": reverse("cases:front_list", args=[center.code]),
        "new_url": reverse("cases:front_new", args=[center.code]),
    }


def overdue_panel(request, membership: Membership) -> dict:
    return {"overdue": overdue_tasks(request.user).count(), "overdue_url": reverse("cases:overdue")}


def figures_panel(request, membership: Membership) -> dict:
    area = access.jurisdiction(membership.organization)
    figures = application_figures(request.user, within=area)
    return {
        "area": area,
        "figures": figures,
        "by_status": [(label, figures["by_status"][status]) for status, label in ApplicationStatus.choices],
    }


register_panel([Role.AGENCY_CLERK, Role.AGENCY_HEAD], "cases/desk/inbox.html", inbox_panel, order=1)
register_panel([Role.OPERATOR, Role.CENTER_MANAGER], "cases/desk/applications.html", applications_panel, order=6)
register_panel(
    [Role.CENTER_MANAGER, Role.AGENCY_HEAD, Role.LEADERSHIP], "cases/desk/overdue.html", overdue_panel, order=7
)
register_panel([Role.LEADERSHIP], "cases/desk/figures.html", figures_panel, order=6)
