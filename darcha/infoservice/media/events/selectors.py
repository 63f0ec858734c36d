"""Reads of press events and embargoed releases: the public list and page, the press secretary's desk
(its events, the months without one, the embargoed releases), the journalist's account (events open to
them, the releases sent to them), and who is accredited where (over the accreditation models).

Every list is a fixed number of queries whatever its length."""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, Prefetch, Q, Sum
from django.utils import timezone

from darcha.core.choices import OrganizationKind
from darcha.core.models import Organization
from darcha.infoservice.publications.choices import PublicationKind, PublicationStatus
from darcha.infoservice.publications.models import Publication

from ..choices import AccreditationStatus
from ..models import Accreditation, Journalist
from ..models_events import (
    EmbargoDispatch,
    EmbargoRecipient,
    PressEvent,
    PressEventMaterial,
    PressEventRegistration,
)
from . import months
from .choices import PUBLIC_STATUSES, DispatchStatus, PressEventStatus, RegistrationStatus

PUBLIC_PAGE_SIZE = 20
# A suspended accreditation is held but gives no access: only an approved one in its dates counts.
APPROVED = AccreditationStatus.APPROVED
PRESS_RELEASE = PublicationKind.PRESS_RELEASE
PUBLISHED = PublicationStatus.PUBLISHED
SCHEDULED = PublicationStatus.SCHEDULED


# --- accreditation ------------------------------------------------------------------------------------


def _valid_on(on: dt.datetime | dt.date) -> Q:
    day = timezone.localdate(on) if isinstance(on, dt.datetime) else on
    return (
        Q(status=APPROVED)
        & (Q(valid_from__isnull=True) | Q(valid_from__lte=day))
        & (Q(valid_until__isnull=True) | Q(valid_until__gte=day))
    )


def accredited_journalists(organization: Organization, *, on: dt.datetime | dt.date) -> list[Journalist]:
    """The journalists whose accreditation at the hokimiyat is valid on that day (one query)."""
    accreditations = Accreditation.objects.filter(_valid_on(on), organization=organization)
    return list(
        Journalist.objects.filter(pk__in=accreditations.values("journalist_id"))
        .select_related("user", "outlet")
        .order_by("pk")
    )


def is_accredited(journalist: Journalist, organization: Organization, *, on: dt.datetime | dt.date) -> bool:
    return Accreditation.objects.filter(_valid_on(on), organization=organization, journalist=journalist).exists()


def journalist_of(user) -> Journalist | None:
    """The journalist whose account this is (None for anyone else)."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "pk", None):
        return None
    return Journalist.objects.filter(user_id=user.pk).select_related("user", "outlet").first()


def accrediting_organizations(journalist: Journalist, *, on: dt.date) -> list[Organization]:
    ids = Accreditation.objects.filter(_valid_on(on), journalist=journalist).values("organization_id")
    return list(Organization.objects.filter(pk__in=ids).order_by("code"))


# --- events -------------------------------------------------------------------------------------------


def seats_taken(event: PressEvent) -> int:
    """Seats the registered journalists take (each with the people they bring)."""
    totals = event.registrations.filter(status=RegistrationStatus.REGISTERED).aggregate(
        people=Count("pk"), companions=Sum("companions")
    )
    return (totals["people"] or 0) + (totals["companions"] or 0)


def event_audience(event: PressEvent) -> list[Journalist]:
    """Those told of a change: the journalists invited and those registered (not cancelled)."""
    invited = event.invitations.values("journalist_id")
    registered = event.registrations.filter(status=RegistrationStatus.REGISTERED).values("journalist_id")
    return list(
        Journalist.objects.filter(Q(pk__in=invited) | Q(pk__in=registered)).select_related("user").order_by("pk")
    )


def _with_counts(queryset):
    return queryset.annotate(
        registered_count=Count(
            "registrations", filter=Q(registrations__status=RegistrationStatus.REGISTERED), distinct=True
        ),
        materials_count=Count("materials", distinct=True),
    )


def public_events(*, organization: Organization | None = None, when: str = "", now: dt.datetime | None = None):
    """The public list: announced, held and cancelled events; `when` "upcoming" or "past"."""
    now = now or timezone.now()
    events = PressEvent.objects.filter(status__in=PUBLIC_STATUSES).select_related("organization")
    if organization is not None:
        events = events.filter(organization=organization)
    if when == "upcoming":
        events = events.filter(starts_at__gt=now).exclude(status=PressEventStatus.CANCELLED).order_by("starts_at")
    elif when == "past":
        events = events.filter(starts_at__lte=now).order_by("-starts_at")
    return _with_counts(events)


def public_event(pk) -> PressEvent | None:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return (
        PressEvent.objects.filter(pk=pk, status__in=PUBLIC_STATUSES)
        .select_related("organization")
        .prefetch_related(
            Prefetch("materials", queryset=PressEventMaterial.objects.order_by("order", "pk")),
            Prefetch("publications", queryset=_publications_queryset()),
        )
        .first()
    )


def _publications_queryset():
    return (
        Publication.objects.filter(status=PUBLISHED)
        .select_related("organization")
        .prefetch_related("texts")
        .order_by("-published_at")
    )


def event_hokimiyats():
    """Hokimiyats that have a public press event (for the list's filter)."""
    ids = PressEvent.objects.filter(status__in=PUBLIC_STATUSES).values("organization_id")
    return list(Organization.objects.filter(pk__in=ids).order_by("code"))


def public_hokimiyat(code: str) -> Organization | None:
    return Organization.objects.filter(code=str(code)[:100], kind=OrganizationKind.HOKIMIYAT, is_active=True).first()


def staff_events(organization: Organization):
    return _with_counts(PressEvent.objects.filter(organization=organization)).order_by("-starts_at", "-pk")


def staff_event(organization: Organization, pk) -> PressEvent | None:
    try:
        pk = int(pk)
    except (TypeError, ValueError):
        return None
    return (
        PressEvent.objects.filter(organization=organization, pk=pk)
        .select_related("organization", "created_by")
        .prefetch_related(
            Prefetch("materials", queryset=PressEventMaterial.objects.order_by("order", "pk")),
            Prefetch("publications", queryset=_publications_queryset()),
        )
        .first()
    )


def event_registrations(event: PressEvent) -> list[PressEventRegistration]:
    return list(
        event.registrations.select_related("journalist__outlet", "journalist__user").order_by("status", "registered_at")
    )


def event_invitations(event: PressEvent):
    return list(event.invitations.select_related("journalist__outlet", "journalist__user").order_by("invited_at", "pk"))


def linkable_publications(event: PressEvent, limit: int = 50):
    """The hokimiyat's latest published publications not linked yet (for the event's form)."""
    return list(
        Publication.objects.filter(organization_id=event.organization_id, status=PUBLISHED)
        .exclude(pk__in=event.publications.values("pk"))
        .prefetch_related("texts")
        .order_by("-published_at")[:limit]
    )


def is_published(publication) -> bool:
    return publication.status == PUBLISHED


def month_summary(organization: Organization, *, now: dt.datetime | None = None, count: int = 12) -> list:
    """The last `count` months (this one last): events held and announced in each, and which had none.
    Months before the hokimiyat's first press event in Darcha are not counted (one query)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    rows = list(
        PressEvent.objects.filter(organization=organization)
        .exclude(status__in=(PressEventStatus.DRAFT, PressEventStatus.CANCELLED))
        .values_list("starts_at", "status")
    )
    first = (
        PressEvent.objects.filter(organization=organization)
        .order_by("created_at")
        .values_list("created_at", flat=True)
        .first()
    )
    held = [timezone.localdate(at) for at, status in rows if at <= now]
    planned = [timezone.localdate(at) for at, status in rows if at > now]
    since = min([timezone.localdate(first)] + held) if first else None
    if since is None:
        return months.months_summary(held=[], planned=[], today=today, months=1)
    return months.months_summary(held=held, planned=planned, today=today, months=count, since=since)


def upcoming_for_journalist(journalist: Journalist, *, now: dt.datetime | None = None):
    """Announced events not started of the hokimiyats where the journalist is accredited, with their own
    registration (`mine`)."""
    now = now or timezone.now()
    organizations = Accreditation.objects.filter(_valid_on(now), journalist=journalist).values("organization_id")
    events = list(
        _with_counts(
            PressEvent.objects.filter(
                status=PressEventStatus.ANNOUNCED, starts_at__gt=now, organization_id__in=organizations
            ).select_related("organization")
        ).order_by("starts_at")
    )
    mine = {
        r.event_id: r
        for r in PressEventRegistration.objects.filter(journalist=journalist, event_id__in=[e.pk for e in events])
    }
    for event in events:
        event.mine = mine.get(event.pk)
    return events


def journalist_past_registrations(journalist: Journalist, *, now: dt.datetime | None = None, limit: int = 20):
    now = now or timezone.now()
    return list(
        PressEventRegistration.objects.filter(
            journalist=journalist, status=RegistrationStatus.REGISTERED, event__starts_at__lte=now
        )
        .select_related("event__organization")
        .order_by("-event__starts_at")[:limit]
    )


# --- embargoed releases -------------------------------------------------------------------------------


def embargo_candidates(*, now: dt.datetime):
    """Embargoed press releases scheduled for later and not sent to the journalists yet (or called back
    and scheduled again)."""
    return list(
        Publication.objects.filter(kind=PRESS_RELEASE, embargo=True, status=SCHEDULED, publish_at__gt=now)
        .filter(Q(embargo_dispatch__isnull=True) | Q(embargo_dispatch__status=DispatchStatus.WITHDRAWN))
        .select_related("organization")
        .order_by("publish_at", "pk")
    )


def dispatches_under_embargo():
    return list(
        EmbargoDispatch.objects.filter(status=DispatchStatus.UNDER_EMBARGO)
        .select_related("publication", "organization")
        .order_by("pk")
    )


def staff_releases(organization: Organization, *, now: dt.datetime | None = None):
    """The hokimiyat's embargoed press releases: scheduled (sent or not) and recent dispatches."""
    now = now or timezone.now()
    return list(
        Publication.objects.filter(organization=organization, kind=PRESS_RELEASE, embargo=True)
        .filter(Q(status=SCHEDULED) | Q(embargo_dispatch__isnull=False))
        .select_related("embargo_dispatch")
        .prefetch_related("texts")
        .order_by("-publish_at", "-pk")[:50]
    )


def journalist_releases(journalist: Journalist, limit: int = 50):
    return list(
        EmbargoRecipient.objects.filter(journalist=journalist)
        .select_related("dispatch__publication__organization", "dispatch")
        .prefetch_related("dispatch__publication__texts")
        .order_by("-dispatch__sent_at")[:limit]
    )


def journalist_release(journalist: Journalist, publication_id) -> EmbargoRecipient | None:
    try:
        publication_id = int(publication_id)
    except (TypeError, ValueError):
        return None
    return (
        EmbargoRecipient.objects.filter(journalist=journalist, dispatch__publication_id=publication_id)
        .select_related("dispatch__publication__organization", "dispatch")
        .first()
    )


def under_embargo_count(organization: Organization) -> int:
    return EmbargoDispatch.objects.filter(organization=organization, status=DispatchStatus.UNDER_EMBARGO).count()
