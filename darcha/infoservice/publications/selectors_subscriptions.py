"""Reads of the subscriptions for the staff: how many subscribe (never who) and how the latest publications'
messages fared (the notify app's statuses). Addresses are not listed anywhere but in the admin, to its
administrators."""

from __future__ import annotations

from django.db.models import Count, Q

from darcha.core.models import Organization
from darcha.notify.choices import MessageStatus

from .choices import PublicationStatus
from .models import Publication
from .models_subscriptions import (
    ChatSubscription,
    EmailSubscription,
    Frequency,
    SubscriptionDelivery,
    SubscriptionStatus,
)
from .selectors import with_texts


def subscriber_counts(organization: Organization | None) -> dict:
    """Subscriptions to the organization (and, apart, to every organization), by channel and frequency."""

    def counted(model, **filters) -> dict:
        rows = model.objects.filter(**filters)
        mine = rows.filter(organization=organization) if organization else rows.filter(organization__isnull=True)
        every = rows.filter(organization__isnull=True)
        return {
            "immediate": mine.filter(frequency=Frequency.IMMEDIATE).count(),
            "daily": mine.filter(frequency=Frequency.DAILY).count(),
            "every": every.count() if organization else 0,
        }

    return {
        "email": counted(EmailSubscription, status=SubscriptionStatus.ACTIVE),
        "pending": EmailSubscription.objects.filter(
            status=SubscriptionStatus.PENDING, organization=organization
        ).count()
        if organization
        else 0,
        "telegram": counted(ChatSubscription),
    }


def recent_deliveries(organization: Organization, *, limit: int = 10) -> list:
    """The organization's latest published publications, each with its deliveries' message statuses
    ({status: count}, "none" for a delivery whose message is gone)."""
    publications = list(
        with_texts(Publication.objects.filter(organization=organization, status=PublicationStatus.PUBLISHED)).order_by(
            "-published_at", "-pk"
        )[:limit]
    )
    if not publications:
        return []
    rows = (
        SubscriptionDelivery.objects.filter(publication__in=publications)
        .values("publication_id", "message__status")
        .annotate(n=Count("pk"))
    )
    statuses: dict[int, dict] = {p.pk: {} for p in publications}
    for row in rows:
        statuses[row["publication_id"]][row["message__status"] or "none"] = row["n"]
    order = [*MessageStatus.values, "none"]
    labels = dict(MessageStatus.choices)
    return [(p, [(labels.get(s, "—"), statuses[p.pk][s]) for s in order if s in statuses[p.pk]]) for p in publications]


def subscribers_total() -> dict:
    return {
        "email": EmailSubscription.objects.aggregate(
            active=Count("pk", filter=Q(status=SubscriptionStatus.ACTIVE)),
            pending=Count("pk", filter=Q(status=SubscriptionStatus.PENDING)),
        ),
        "telegram": ChatSubscription.objects.count(),
    }
