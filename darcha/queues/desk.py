"""The queue's desk panel, registered from QueuesConfig.ready(): operators and managers of a center
reach the operator console of their center from their desk, and see who works at which counter."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse

from darcha.core.choices import Role
from darcha.core.desk import register_panel
from darcha.core.models import Membership

from .models import Counter, OperatorSession


def console_links(request, membership: Membership) -> dict:
    """The center's active counters with whoever is signed in at each (two queries)."""
    center = membership.organization
    counters = list(Counter.objects.filter(center=center, is_active=True).order_by("number"))
    sessions = {
        session.counter_id: session
        for session in OperatorSession.objects.filter(counter__center=center, ended_at__isnull=True).select_related(
            "operator", "counter"
        )
    }
    try:
        issue_url = reverse("queues:ticket_issue", args=[center.code])
    except NoReverseMatch:
        issue_url = f"/queue/{center.code}/tickets/issue/"
    return {
        "center": center,
        "counters": [(counter, sessions.get(counter.pk)) for counter in counters],
        "busy": sum(1 for counter in counters if counter.pk in sessions),
        "mine": next((s for s in sessions.values() if s.operator_id == request.user.pk), None),
        "issue_url": issue_url,
    }


register_panel([Role.OPERATOR, Role.CENTER_MANAGER], "queues/console/desk_panel.html", console_links, order=5)
