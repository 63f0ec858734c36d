"""Reads of accreditation: the journalist's account (their accreditations, their press requests with due
dates), the commission's list and one application, the outlets' registry, and the hokimiyats one may
apply to. Each list is a fixed number of queries."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Q
from django.utils import timezone

from darcha.core.choices import OrganizationKind, Role
from darcha.core.models import Membership, Organization

from . import quotas
from .choices import HELD_STATUSES, AccreditationStatus, OutletKind
from .models import Accreditation, Journalist, Outlet, PressRequest

COMMISSION_PAGE = 50


def journalist_of(user) -> Journalist | None:
    if not getattr(user, "is_authenticated", False) or not getattr(user, "pk", None):
        return None
    return Journalist.objects.filter(user_id=user.pk).select_related("user", "outlet").first()


def hokimiyats() -> list[Organization]:
    return list(Organization.objects.filter(kind=OrganizationKind.HOKIMIYAT, is_active=True).order_by("code"))


def hokimiyat(code: str) -> Organization | None:
    return Organization.objects.filter(kind=OrganizationKind.HOKIMIYAT, is_active=True, code=code).first()


def journalist_hokimiyats(journalist: Journalist) -> list[Organization]:
    """The hokimiyats where the journalist holds the role Journalist (may apply and send requests)."""
    ids = Membership.objects.filter(user_id=journalist.user_id, role=Role.JOURNALIST).values("organization_id")
    return list(Organization.objects.filter(pk__in=ids).order_by("code"))


def journalist_accreditations(journalist: Journalist) -> list[Accreditation]:
    return list(
        Accreditation.objects.filter(journalist=journalist)
        .select_related("organization", "outlet")
        .order_by("-submitted_at", "-pk")
    )


def journalist_accreditation(journalist: Journalist, pk) -> Accreditation | None:
    return (
        Accreditation.objects.filter(journalist=journalist, pk=pk)
        .select_related("organization", "outlet", "journalist__user", "decided_by", "renewal_of")
        .prefetch_related("events")
        .first()
    )


def renewable(accreditation: Accreditation, accreditations: list[Accreditation], *, today: dt.date) -> bool:
    """May the journalist apply to renew it now: in force, within the reminder window, and nothing newer
    submitted or granted at that hokimiyat."""
    if accreditation.status != AccreditationStatus.APPROVED or not accreditation.valid_until:
        return False
    if today < quotas.reminder_day(accreditation.valid_until):
        return False
    return not any(
        other.organization_id == accreditation.organization_id
        and other.pk != accreditation.pk
        and other.submitted_at > accreditation.submitted_at
        and other.status in (AccreditationStatus.SUBMITTED, AccreditationStatus.APPROVED)
        for other in accreditations
    )


def journalist_requests(journalist: Journalist, limit: int = 100) -> list[PressRequest]:
    return list(
        PressRequest.objects.filter(journalist=journalist)
        .select_related("appeal", "appeal__organization")
        .order_by("-created_at", "-pk")[:limit]
    )


def journalist_request(journalist: Journalist, pk) -> PressRequest | None:
    return (
        PressRequest.objects.filter(journalist=journalist, pk=pk)
        .select_related("appeal", "appeal__organization")
        .first()
    )


def commission_counts(organization: Organization, *, today: dt.date | None = None) -> dict:
    today = today or timezone.localdate()
    soon = today + dt.timedelta(days=quotas.reminder_window_days())
    return Accreditation.objects.filter(organization=organization).aggregate(
        submitted=Count("pk", filter=Q(status=AccreditationStatus.SUBMITTED)),
        approved=Count("pk", filter=Q(status=AccreditationStatus.APPROVED, valid_until__gte=today)),
        expiring=Count(
            "pk", filter=Q(status=AccreditationStatus.APPROVED, valid_until__gte=today, valid_until__lte=soon)
        ),
        suspended=Count("pk", filter=Q(status=AccreditationStatus.SUSPENDED)),
    )


def commission_list(organization: Organization, *, status: str = "", query: str = "") -> list[Accreditation]:
    rows = Accreditation.objects.filter(organization=organization).select_related("journalist", "outlet")
    if status in AccreditationStatus.values:
        rows = rows.filter(status=status)
    if query:
        rows = rows.filter(
            Q(journalist__full_name__icontains=query) | Q(outlet__name__icontains=query) | Q(card_code=query.upper())
        )
    order = ["submitted_at", "pk"] if status == AccreditationStatus.SUBMITTED else ["-changed_at", "-pk"]
    return list(rows.order_by(*order)[:COMMISSION_PAGE])


def commission_item(organization: Organization, pk) -> Accreditation | None:
    return (
        Accreditation.objects.filter(organization=organization, pk=pk)
        .select_related("journalist__user", "outlet", "organization", "decided_by", "renewal_of")
        .prefetch_related("events__actor")
        .first()
    )


def quota_state(accreditation: Accreditation, *, today: dt.date | None = None) -> dict:
    """How many of the outlet's journalists the hokimiyat holds accredited, and its quota."""
    today = today or timezone.localdate()
    held = (
        Accreditation.objects.filter(
            outlet_id=accreditation.outlet_id,
            organization_id=accreditation.organization_id,
            status__in=HELD_STATUSES,
            valid_until__gte=today,
        )
        .exclude(journalist_id=accreditation.journalist_id)
        .values("journalist_id")
        .distinct()
        .count()
    )
    quota = quotas.quota_for(accreditation.outlet.kind)
    return {"held": held, "quota": quota, "full": held >= quota}


def outlets(*, kind: str = "", query: str = "") -> list[Outlet]:
    today = timezone.localdate()
    rows = Outlet.objects.filter(is_active=True)
    if kind in OutletKind.values:
        rows = rows.filter(kind=kind)
    if query:
        rows = rows.filter(Q(name__icontains=query) | Q(registration_number__iexact=query))
    return list(
        rows.annotate(
            accredited=Count(
                "accreditations__journalist",
                filter=Q(
                    accreditations__status=AccreditationStatus.APPROVED,
                    accreditations__valid_until__gte=today,
                ),
                distinct=True,
            )
        ).order_by("name", "pk")[:500]
    )


def outlet_choices() -> list[Outlet]:
    return list(Outlet.objects.filter(is_active=True).order_by("name", "pk"))
