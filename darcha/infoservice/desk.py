"""Desk panels of the information service (registered from InfoserviceConfig.ready()).

appeals officers    The hokimiyat's appeals: to route, in work, awaiting approval, overdue, due this
                    week; links to the inbox and to registering a written or oral appeal
appeals executors   The organization's assigned appeals: how many, overdue, awaiting approval
hokims              Answers to approve, "not satisfied" flags, overdue; links to the head's desk
center operators    Registering a written or oral appeal to the hokimiyat of the center's city or district
"""

from __future__ import annotations

from django.urls import reverse

from darcha.core.choices import OrganizationKind, Role
from darcha.core.desk import register_panel
from darcha.core.models import Membership, Organization

from .selectors import executor_counts, inbox_counts


def _hokimiyat_links(organization) -> dict:
    return {
        "inbox_url": reverse("infoservice:staff_inbox", args=[organization.code]),
        "register_url": reverse("infoservice:staff_register", args=[organization.code]),
        "overdue_url": reverse("infoservice:staff_overdue", args=[organization.code]),
        "head_url": reverse("infoservice:staff_head", args=[organization.code]),
    }


def officer_panel(request, membership: Membership) -> dict:
    organization = membership.organization
    if organization.kind != OrganizationKind.HOKIMIYAT:
        return {"hokimiyat": None}
    return {"hokimiyat": organization, "counts": inbox_counts(organization), **_hokimiyat_links(organization)}


def executor_panel(request, membership: Membership) -> dict:
    organization = membership.organization
    return {
        "organization": organization,
        "counts": executor_counts(organization),
        "work_url": reverse("infoservice:staff_work", args=[organization.code]),
    }


register_panel([Role.APPEALS_OFFICER], "infoservice/staff/panel_officer.html", officer_panel, order=2)
register_panel([Role.HOKIM], "infoservice/staff/panel_head.html", officer_panel, order=2)
register_panel([Role.APPEALS_EXECUTOR], "infoservice/staff/panel_executor.html", executor_panel, order=2)


def operator_panel(request, membership: Membership) -> dict:
    """The center's city or district's hokimiyat(s) an operator registers appeals to (one query)."""
    center = membership.organization
    hokimiyats = list(
        Organization.objects.filter(kind=OrganizationKind.HOKIMIYAT, is_active=True, parent_id=center.parent_id)
        .exclude(parent_id=None)
        .order_by("code")
    )
    return {
        "hokimiyats": [
            (hokimiyat, reverse("infoservice:staff_register", args=[hokimiyat.code])) for hokimiyat in hokimiyats
        ]
    }


register_panel([Role.OPERATOR, Role.CENTER_MANAGER], "infoservice/staff/panel_operator.html", operator_panel, order=8)
