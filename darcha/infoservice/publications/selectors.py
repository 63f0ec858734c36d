"""Reads of publications: the text in a language with the marked fallback, the staff's lists and counts,
the organizations a user edits for, and the desk's figures. Views hold no queries."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from darcha.core import access
from darcha.core.i18n import LANGUAGE_CODES
from darcha.core.models import Organization

from .choices import PublicationStatus
from .models import Publication, PublicationText

DEFAULT = settings.LANGUAGE_CODE


def _published_texts(publication: Publication) -> dict[str, PublicationText]:
    cache = getattr(publication, "_prefetched_objects_cache", {})
    texts = cache["texts"] if "texts" in cache else publication.texts.all()
    return {text.language: text for text in texts if text.is_published}


def publication_text(publication: Publication, language: str | None) -> tuple[PublicationText | None, bool]:
    """(the published text in `language`, False), else (the default language's, True: a marked fallback),
    else (None, True). Uses prefetched `texts` when there are."""
    texts = _published_texts(publication)
    language = language if language in LANGUAGE_CODES else DEFAULT
    if language in texts:
        return texts[language], False
    return texts.get(DEFAULT), True


def published_languages(publication: Publication) -> list[str]:
    texts = _published_texts(publication)
    return [code for code in LANGUAGE_CODES if code in texts]


def with_texts(queryset):
    return queryset.select_related("organization", "category", "author").prefetch_related(
        Prefetch("texts", queryset=PublicationText.objects.order_by("language"))
    )


# --- staff ------------------------------------------------------------------------------------------
def staff_organization(code: str) -> Organization | None:
    return Organization.objects.filter(code=code, is_active=True).first()


def editable_organizations(user) -> list[Organization]:
    """The organizations whose publications the user writes (where a writer's role is held)."""
    from .services import WRITER_ROLES

    scope = access.scope(user)
    if scope.everything:
        return list(Organization.objects.filter(is_active=True, kind__in=("hokimiyat", "center")).order_by("code"))
    ids = scope.organizations(WRITER_ROLES)
    return list(Organization.objects.filter(pk__in=ids, is_active=True).order_by("code"))


STAFF_FILTERS = (
    PublicationStatus.DRAFT,
    PublicationStatus.IN_REVIEW,
    PublicationStatus.SCHEDULED,
    PublicationStatus.PUBLISHED,
    PublicationStatus.WITHDRAWN,
)


def staff_list(organization: Organization, *, status: str | None = None, q: str = ""):
    """The organization's publications, the latest first; filtered by status and by words in any text."""
    queryset = Publication.objects.filter(organization=organization)
    if status in PublicationStatus.values:
        queryset = queryset.filter(status=status)
    if q:
        from darcha.core.translit import search_key

        for word in search_key(q).split()[:6]:
            queryset = queryset.filter(texts__search_text__contains=f" {word}")
        queryset = queryset.distinct()
    if status == PublicationStatus.SCHEDULED:
        order = ["publish_at", "pk"]
    elif status == PublicationStatus.PUBLISHED:
        order = ["-published_at", "-pk"]
    else:
        order = ["-updated_at", "-pk"]
    return with_texts(queryset).order_by(*order)


def status_counts(organization: Organization) -> dict[str, int]:
    rows = Publication.objects.filter(organization=organization).values("status").annotate(n=Count("pk"))
    counts = dict.fromkeys(PublicationStatus.values, 0)
    counts.update({row["status"]: row["n"] for row in rows})
    return counts


def staff_publication(pk: int) -> Publication | None:
    return (
        with_texts(Publication.objects.filter(pk=pk))
        .select_related("reviewed_by")
        .prefetch_related("tags", "images", "attachments")
        .first()
    )


@dataclass(frozen=True)
class DeskCounts:
    drafts: int
    in_review: int
    scheduled: int
    published_30: int
    missed: list


def desk_counts(organization: Organization, now: dt.datetime | None = None) -> DeskCounts:
    """The press secretary's figures: drafts, to review, scheduled, published in 30 days, and the
    scheduled ones still not out PUBLICATIONS_MISSED_MINUTES after their time (the missed schedule)."""
    now = now or timezone.now()
    minutes = int(getattr(settings, "PUBLICATIONS_MISSED_MINUTES", 5))
    since = now - dt.timedelta(days=30)
    base = Publication.objects.filter(organization=organization)
    counts = base.aggregate(
        drafts=Count("pk", filter=Q(status=PublicationStatus.DRAFT)),
        in_review=Count("pk", filter=Q(status=PublicationStatus.IN_REVIEW)),
        scheduled=Count("pk", filter=Q(status=PublicationStatus.SCHEDULED)),
        published_30=Count("pk", filter=Q(status=PublicationStatus.PUBLISHED, published_at__gte=since)),
    )
    missed = list(
        with_texts(
            base.filter(status=PublicationStatus.SCHEDULED, publish_at__lt=now - dt.timedelta(minutes=minutes))
        ).order_by("publish_at")[:10]
    )
    return DeskCounts(missed=missed, **counts)


# What each audited action of a publication is called on its page.
HISTORY_LIMIT = 50


def publication_history(publication: Publication) -> list:
    """The publication's audit entries, the latest first (at most HISTORY_LIMIT)."""
    from darcha.core.models import AuditEntry

    return list(
        AuditEntry.objects.filter(object_type=Publication._meta.label_lower, object_id=str(publication.pk))
        .select_related("actor")
        .order_by("-id")[:HISTORY_LIMIT]
    )
