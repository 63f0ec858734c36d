"""The press secretary's desk panel of mandatory disclosures: what is overdue, never published or due soon."""

from __future__ import annotations

from django.urls import reverse

from darcha.core.choices import Role
from darcha.core.desk import register_panel
from darcha.core.models import Membership

from .selectors_disclosures import disclosure_counts, disclosures_due


def disclosures_panel(request, membership: Membership) -> dict:
    organization = membership.organization
    due = disclosures_due(organization)
    return {
        "organization": organization,
        "due": due[:8],
        "more": max(len(due) - 8, 0),
        "counts": disclosure_counts(due),
        "staff_url": reverse("publications:staff_disclosures", args=[organization.code]),
        "subscribers_url": reverse("publications:staff_subscribers", args=[organization.code]),
    }


register_panel([Role.PRESS_SECRETARY], "publications/disclosures/panel.html", disclosures_panel, order=21)
