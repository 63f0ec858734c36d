"""Desk panels that read the catalog, registered from CatalogConfig.ready().

Each context function takes (request, membership) and returns the panel's template context in a
handful of queries. The queue counters are read through the reverse relation `center.counters`:
the catalog never imports darcha.queues (DESIGN §2).
"""

from __future__ import annotations

import datetime as dt
from collections import Counter

from django.contrib.auth import get_user_model
from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from darcha.core.choices import HolidayKind, Role
from darcha.core.desk import register_panel
from darcha.core.desk_panels import opening_summary, opening_today
from darcha.core.models import Holiday, Membership, Organization

from .choices import VersionStatus
from .models import ProcedureVersion, Service, Step
from .selectors import active_services, categories_with_counts

UPCOMING_DAYS = 60


def agency_services(request, membership: Membership) -> dict:
    """Services in which the agency acts — responsible for them, or a step of the published
    procedure — with the steps it handles and whether each runs in parallel with others."""
    agency = membership.organization
    acting_in = Step.objects.filter(version__status=VersionStatus.PUBLISHED, agency=agency).values("version__service")
    published = ProcedureVersion.objects.filter(status=VersionStatus.PUBLISHED).prefetch_related(
        Prefetch("steps", queryset=Step.objects.order_by("stage", "id"))
    )
    services = (
        active_services()
        .filter(Q(responsible_agency=agency) | Q(pk__in=acting_in))
        .prefetch_related(Prefetch("versions", queryset=published, to_attr="published_versions"))
        .order_by("category__position", "code")
    )
    rows = []
    for service in services:
        version = service.published_versions[0] if service.published_versions else None
        steps = list(version.steps.all()) if version else []
        per_stage = Counter(step.stage for step in steps)
        mine = [{"step": step, "parallel": per_stage[step.stage] > 1} for step in steps if step.agency_id == agency.pk]
        rows.append(
            {
                "service": service,
                "responsible": service.responsible_agency_id == agency.pk,
                "version": version,
                "steps": mine,
            }
        )
    return {"agency": agency, "rows": rows}


def center_card(request, membership: Membership) -> dict:
    """The center: where and when it receives citizens, days off ahead, its counters."""
    center = membership.organization
    today = timezone.localdate()
    hours = list(center.opening_hours.all())
    holidays = list(Holiday.objects.filter(date__gte=today, date__lte=today + dt.timedelta(days=UPCOMING_DAYS)))
    counters_manager = getattr(center, "counters", None)
    counters = (
        list(counters_manager.filter(is_active=True).prefetch_related("categories").order_by("number"))
        if counters_manager is not None
        else []
    )
    return {
        "center": center,
        "today": opening_today(hours, holidays),
        "week": opening_summary(hours),
        "days_off": [h for h in holidays if h.kind == HolidayKind.DAY_OFF],
        "working_days": [h for h in holidays if h.kind == HolidayKind.WORKING_DAY],
        "upcoming_days": UPCOMING_DAYS,
        "counters": counters,
        "service_count": active_services().count(),
    }


def administration(request, membership: Membership) -> dict:
    """Counts over the administrator's subtree and the catalog, with links into the admin."""
    scope = membership.organization
    today = timezone.localdate()
    users = get_user_model().objects.filter(memberships__organization__path__startswith=scope.path)
    services = Service.objects.aggregate(total=Count("pk"), active=Count("pk", filter=Q(is_active=True)))
    return {
        "scope": scope,
        "organization_count": Organization.objects.filter(path__startswith=scope.path).count(),
        "user_count": users.distinct().count(),
        "service_count": services["active"],
        "service_total": services["total"],
        "procedure_count": ProcedureVersion.objects.filter(status=VersionStatus.PUBLISHED).count(),
        "holiday_count": Holiday.objects.filter(date__year=today.year, kind=HolidayKind.DAY_OFF).count(),
        "year": today.year,
        "can_administer": request.user.is_staff,
    }


def catalog_overview(request, membership: Membership) -> dict:
    """How many services each category holds, and how many of them can be applied for online."""
    categories = list(
        categories_with_counts()
        .annotate(online_count=Count("services", filter=Q(services__is_active=True, services__online=True)))
        .order_by("position", "code")
    )
    return {
        "categories": categories,
        "total": sum(c.service_count for c in categories),
        "online_total": sum(c.online_count for c in categories),
    }


register_panel([Role.AGENCY_CLERK, Role.AGENCY_HEAD], "catalog/panels/agency_services.html", agency_services, order=10)
register_panel([Role.OPERATOR, Role.CENTER_MANAGER], "catalog/panels/center_card.html", center_card, order=10)
register_panel([Role.ADMINISTRATOR], "catalog/panels/administration.html", administration, order=10)
register_panel(
    [Role.PRESS_SECRETARY, Role.LEADERSHIP], "catalog/panels/catalog_overview.html", catalog_overview, order=50
)
