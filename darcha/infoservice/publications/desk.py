"""The press secretary's (and a center manager's) desk panel for publications: drafts, to review,
scheduled, published in 30 days, and what did not go out at its scheduled time."""

from __future__ import annotations

from django.urls import reverse

from darcha.core.choices import Role
from darcha.core.desk import register_panel
from darcha.core.models import Membership

from .selectors import desk_counts, publication_text


def publications_panel(request, membership: Membership) -> dict:
    organization = membership.organization
    counts = desk_counts(organization)
    missed = [(publication, publication_text(publication, request.LANGUAGE_CODE)[0]) for publication in counts.missed]
    return {
        "organization": organization,
        "counts": counts,
        "missed": missed,
        "list_url": reverse("publications:staff_list", args=[organization.code]),
        "new_url": reverse("publications:staff_new", args=[organization.code]),
    }


register_panel([Role.PRESS_SECRETARY], "publications/staff/panel.html", publications_panel, order=20)
register_panel([Role.CENTER_MANAGER], "publications/staff/panel.html", publications_panel, order=60)
