"""The queue's desk panel, registered from QueuesConfig.ready(): operators and managers of a center
reach the operator console of their center from their desk, and see who works at which counter."""

from __future__ import annotations

from django.urls import reverse

from darcha.core import access
from darcha.core.choices import Role
from darcha.core.desk import register_panel
from darcha.core.models import Membership

from .selectors import counters_with_sessions


def console_links(request, membership: Membership) -> dict:
    """The center's active counters with whoever is signed in at each (two queries)."""
    center = membership.organization
    counters = counters_with_sessions(center)
    return {
        "center": center,
        "counters": counters.rows,
        "busy": counters.busy,
        "mine": counters.session_of(request.user),
        "issue_url": reverse("queues:ticket_issue", args=[center.code]),
        # A manager registers the center's kiosk terminals (their higher ticket limit: queues.kiosks).
        "kiosk_device_url": reverse("queues:kiosk_device", args=[center.code])
        if access.has_role(request.user, Role.CENTER_MANAGER, center)
        else "",
    }


register_panel(sorted(access.CENTER_STAFF), "queues/console/desk_panel.html", console_links, order=5)
