"""The press secretary's desk panel for surveys: open ones and their answers, drafts, closed ones."""

from __future__ import annotations

from django.urls import reverse

from darcha.core.choices import OrganizationKind, Role
from darcha.core.desk import register_panel
from darcha.core.models import Membership

from .selectors import state_counts


def surveys_panel(request, membership: Membership) -> dict:
    organization = membership.organization
    if organization.kind != OrganizationKind.HOKIMIYAT:
        return {"hokimiyat": None}
    return {
        "hokimiyat": organization,
        "counts": state_counts(organization),
        "list_url": reverse("surveys:staff_list", args=[organization.code]),
        "new_url": reverse("surveys:staff_new", args=[organization.code]),
    }


register_panel([Role.PRESS_SECRETARY], "surveys/staff/panel.html", surveys_panel, order=30)
