"""Desk panels of accreditation (registered from the media app's ready()):

journalists            their accreditations in force and a link to their account
accreditation commission   applications to consider, accreditations in force and ending within a month
"""

from __future__ import annotations

from django.urls import reverse

from darcha.core.choices import Role
from darcha.core.desk import register_panel
from darcha.core.models import Membership

from . import selectors


def journalist_panel(request, membership: Membership) -> dict:
    return {"organization": membership.organization, "account_url": reverse("media:account")}


def commission_panel(request, membership: Membership) -> dict:
    organization = membership.organization
    return {
        "organization": organization,
        "counts": selectors.commission_counts(organization),
        "url": reverse("media:commission", args=[organization.code]),
    }


register_panel([Role.JOURNALIST], "media/panel_journalist.html", journalist_panel, order=3)
register_panel([Role.ACCREDITATION_COMMISSION], "media/panel_commission.html", commission_panel, order=3)
