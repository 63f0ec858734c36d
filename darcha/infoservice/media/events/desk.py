"""The press secretary's desk panel: the last twelve months with the press events held in each — the
months without one stand out (a 2018 government decision asks for at least one a month) — the next
events with their registrations, and the embargoed press releases under embargo now."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from darcha.core.choices import OrganizationKind, Role
from darcha.core.desk import register_panel
from darcha.core.models import Membership

from . import months, selectors


def press_events_panel(request, membership: Membership) -> dict:
    organization = membership.organization
    if organization.kind != OrganizationKind.HOKIMIYAT:
        return {"hokimiyat": None}
    now = timezone.now()
    summary = selectors.month_summary(organization, now=now)
    upcoming = list(selectors.public_events(organization=organization, when="upcoming", now=now)[:3])
    return {
        "hokimiyat": organization,
        "months": summary,
        "missed": months.missed_months(summary),
        "current": summary[-1] if summary else None,
        "upcoming": upcoming,
        "under_embargo": selectors.under_embargo_count(organization),
        "events_url": reverse("media:staff_events", args=[organization.code]),
        "new_url": reverse("media:staff_event_new", args=[organization.code]),
        "releases_url": reverse("media:staff_releases", args=[organization.code]),
    }


register_panel([Role.PRESS_SECRETARY], "media/events/panel.html", press_events_panel, order=3)
