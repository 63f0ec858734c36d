"""Reads of the mandatory disclosures: each category of an organization with its last publication and its
state, what is due (the press secretary's desk), the publications that may be marked. Views hold no queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import get_language

from darcha.core.choices import OrganizationKind
from darcha.core.models import Organization

from .choices import PublicationStatus
from .disclosure_rules import URGENCY, DisclosureState, DisclosureStatus, disclosure_state
from .models import Publication
from .models_disclosures import Disclosure, DisclosureCategory
from .selectors import publication_text, with_texts


def soon_days() -> int:
    return int(getattr(settings, "DISCLOSURES_DUE_SOON_DAYS", 7))


@dataclass(frozen=True)
class DisclosureRow:
    category: DisclosureCategory
    publication: Publication | None  # the last published one marked with the category
    state: DisclosureState

    @property
    def status(self) -> DisclosureStatus:
        return self.state.status

    @property
    def title(self) -> str:
        """The last publication's title in the current language (the default language's as fallback)."""
        if self.publication is None:
            return ""
        text, _fallback = publication_text(self.publication, get_language())
        return text.title if text is not None else self.publication.slug

    @property
    def title_language(self) -> str:
        """The language the title is in (the page marks a fallback's, for screen readers and spelling)."""
        if self.publication is None:
            return get_language()
        text, _fallback = publication_text(self.publication, get_language())
        return text.language if text is not None else get_language()


def disclosure_organizations():
    """The organizations that must publish the list: the active hokimiyats."""
    return Organization.objects.filter(kind=OrganizationKind.HOKIMIYAT, is_active=True).order_by("path", "code")


def disclosure_organization(code: str) -> Organization | None:
    return disclosure_organizations().filter(code=code).first()


def disclosure_rows(organization: Organization, now: dt.datetime | None = None, *, urgent_first=False) -> list:
    """Every category in force, with the organization's last publication marked with it and its state
    (three queries, whatever the number of categories and publications)."""
    now = now or timezone.now()
    last = Disclosure.objects.filter(
        category=OuterRef("pk"),
        publication__organization=organization,
        publication__status=PublicationStatus.PUBLISHED,
    ).order_by("-publication__published_at", "-publication_id")
    categories = list(
        DisclosureCategory.objects.filter(is_active=True)
        .annotate(
            last_publication_id=Subquery(last.values("publication_id")[:1]),
            last_published_at=Subquery(last.values("publication__published_at")[:1]),
        )
        .order_by("order", "code")
    )
    ids = {category.last_publication_id for category in categories if category.last_publication_id}
    publications = {p.pk: p for p in with_texts(Publication.objects.filter(pk__in=ids))} if ids else {}
    rows = [
        DisclosureRow(
            category=category,
            publication=publications.get(category.last_publication_id),
            state=disclosure_state(
                period_days=category.period_days, last_at=category.last_published_at, now=now, soon_days=soon_days()
            ),
        )
        for category in categories
    ]
    if urgent_first:
        rows.sort(key=lambda row: (URGENCY[row.status], row.state.due_at or now, row.category.order))
    return rows


def disclosures_due(organization: Organization, now: dt.datetime | None = None) -> list[DisclosureRow]:
    """What the organization must publish now or soon, the most urgent first."""
    return [row for row in disclosure_rows(organization, now, urgent_first=True) if row.status.is_due]


def disclosure_counts(rows) -> dict[str, int]:
    counts = dict.fromkeys(DisclosureStatus, 0)
    for row in rows:
        counts[row.status] += 1
    return {str(status): count for status, count in counts.items()}


def markable_publications(organization: Organization, category: DisclosureCategory, *, limit: int = 50):
    """The organization's recent publications (published or on their way) of kinds the category accepts,
    not yet marked with it — what the press secretary may mark."""
    queryset = Publication.objects.filter(
        organization=organization,
        status__in=(PublicationStatus.PUBLISHED, PublicationStatus.SCHEDULED, PublicationStatus.IN_REVIEW),
    ).exclude(disclosures__category=category)
    if category.kinds:
        queryset = queryset.filter(kind__in=category.kinds)
    return list(with_texts(queryset).order_by("-published_at", "-created_at", "-pk")[:limit])


def category_disclosures(organization: Organization, category: DisclosureCategory, *, limit: int = 20):
    """The publications marked with the category, the latest first."""
    return list(
        Disclosure.objects.filter(category=category, publication__organization=organization)
        .select_related("publication", "marked_by")
        .prefetch_related("publication__texts")
        .order_by("-publication__published_at", "-pk")[:limit]
    )


def publication_disclosures(publication: Publication):
    return list(Disclosure.objects.filter(publication=publication).select_related("category"))


def staff_entries(organization: Organization, now: dt.datetime | None = None, *, recent: int = 60, marked: int = 5):
    """The press secretary's page: each category (the most urgent first) with its latest marked
    publications and the recent ones it could be marked on — a fixed number of queries."""
    rows = disclosure_rows(organization, now, urgent_first=True)
    publications = list(
        with_texts(
            Publication.objects.filter(
                organization=organization,
                status__in=(PublicationStatus.PUBLISHED, PublicationStatus.SCHEDULED, PublicationStatus.IN_REVIEW),
            )
        ).order_by("-published_at", "-created_at", "-pk")[:recent]
    )
    disclosures = list(
        Disclosure.objects.filter(publication__organization=organization)
        .select_related("publication")
        .prefetch_related("publication__texts")
        .order_by("-publication__published_at", "-pk")[:500]
    )
    by_category: dict[int, list] = {}
    for disclosure in disclosures:
        by_category.setdefault(disclosure.category_id, []).append(disclosure)
    entries = []
    for row in rows:
        mine = by_category.get(row.category.pk, [])
        taken = {disclosure.publication_id for disclosure in mine}
        candidates = [p for p in publications if p.pk not in taken and row.category.accepts(p.kind)]
        entries.append({"row": row, "marked": mine[:marked], "candidates": candidates})
    return rows, entries
