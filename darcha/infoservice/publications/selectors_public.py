"""Reads of the public's publications: the lists (every organization's, or one's) with their filters and
search, one item, the feeds' items, the sitemap's rows and the API's querysets. Only what is published:
a publication in the `published` status whose organization is active. Its default-language text is there:
the services publish nothing without it and never remove it (withdrawing is the way), so the lists do not
ask the database again for each row — one indexed count of 100,000 rows, not a semi-join of their texts;
a row that lacks it all the same (data written around the services) is left out of the page it is on.

Search is the catalog's: the words typed, folded by core.translit.search_key (one Latin script, no
apostrophes or accents), are matched at word starts in `PublicationText.search_text`, all of them in one
published text of the item, whatever its language — `maktab`, `мактаб` and `school` each find what is
written in their language and script.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Exists, Max, OuterRef, Prefetch, QuerySet

from darcha.core.choices import OrganizationKind
from darcha.core.i18n import LANGUAGE_CODES
from darcha.core.models import Organization
from darcha.core.translit import search_key

from .choices import PublicationKind, PublicationStatus
from .models import Category, Publication, PublicationImage, PublicationText, Tag

DEFAULT = settings.LANGUAGE_CODE
PUBLISHING_KINDS = (OrganizationKind.HOKIMIYAT, OrganizationKind.CENTER)
SEARCH_WORDS = 8  # more words than this are ignored (as the catalog)
FEED_ITEMS = 30


def page_size() -> int:
    return max(1, int(getattr(settings, "PUBLICATIONS_PAGE_SIZE", 20)))


@dataclass(frozen=True)
class PublicFilters:
    organization: Organization | None = None
    kind: str = ""
    category: Category | None = None
    tag: Tag | None = None
    q: str = ""

    @property
    def any(self) -> bool:
        return bool(self.kind or self.category or self.tag or self.q)


def public_publications() -> QuerySet[Publication]:
    """Every public publication (unordered, no related rows)."""
    return Publication.objects.filter(status=PublicationStatus.PUBLISHED, organization__is_active=True)


def has_default_text() -> Exists:
    """The default language's text is published (for single items, where the check costs one probe)."""
    return Exists(PublicationText.objects.filter(publication=OuterRef("pk"), language=DEFAULT, is_published=True))


def search_words(query: str) -> list[str]:
    return search_key(query or "").split()[:SEARCH_WORDS]


def matching(queryset: QuerySet[Publication], query: str) -> QuerySet[Publication]:
    """The publications with one published text holding every word of `query` (at a word's start)."""
    words = search_words(query)
    if not words:
        return queryset
    texts = PublicationText.objects.filter(publication=OuterRef("pk"), is_published=True)
    for word in words:
        texts = texts.filter(search_text__contains=f" {word}")
    return queryset.filter(Exists(texts))


def filtered(filters: PublicFilters) -> QuerySet[Publication]:
    queryset = public_publications()
    if filters.organization is not None:
        queryset = queryset.filter(organization=filters.organization)
    if filters.kind:
        queryset = queryset.filter(kind=filters.kind)
    if filters.category is not None:
        queryset = queryset.filter(category=filters.category)
    if filters.tag is not None:
        queryset = queryset.filter(
            Exists(Publication.tags.through.objects.filter(publication=OuterRef("pk"), tag=filters.tag))
        )
    return matching(queryset, filters.q)


def _texts_prefetch() -> Prefetch:
    return Prefetch("texts", queryset=PublicationText.objects.filter(is_published=True).order_by("language"))


def _listed(queryset: QuerySet[Publication]) -> QuerySet[Publication]:
    """What a list row shows: the organization's name, the category, the published texts, the first image."""
    return queryset.select_related("organization", "category").prefetch_related(
        _texts_prefetch(),
        Prefetch("images", queryset=PublicationImage.objects.order_by("order", "id"), to_attr="image_list"),
    )


def public_list(filters: PublicFilters) -> QuerySet[Publication]:
    """The public list, the latest first (`-published_at`, then `-pk`: a stable order for the pages)."""
    return _listed(filtered(filters)).order_by("-published_at", "-pk")


def public_item(organization_code: str, slug: str) -> Publication | None:
    """One public publication with everything its page shows."""
    return (
        public_publications()
        .filter(has_default_text(), organization__code=organization_code, slug=slug)
        .select_related("organization", "category")
        .prefetch_related(
            _texts_prefetch(),
            "tags",
            Prefetch("images", queryset=PublicationImage.objects.order_by("order", "id")),
            "attachments",
        )
        .first()
    )


def public_by_pk(pk: int) -> Publication | None:
    return (
        public_publications()
        .filter(has_default_text(), pk=pk)
        .select_related("organization", "category")
        .prefetch_related(
            _texts_prefetch(),
            "tags",
            Prefetch("images", queryset=PublicationImage.objects.order_by("order", "id")),
            "attachments",
        )
        .first()
    )


def publishing_organization(code: str) -> Organization | None:
    """An active hokimiyat or center by its code (the organizations that publish)."""
    return Organization.objects.filter(code=code, is_active=True, kind__in=PUBLISHING_KINDS).first()


def publishing_organizations() -> list[Organization]:
    """The active organizations with at least one public publication, by their codes (one index probe each)."""
    having = Publication.objects.filter(organization=OuterRef("pk"), status=PublicationStatus.PUBLISHED)
    return list(Organization.objects.filter(Exists(having), is_active=True).order_by("code"))


def category_by_code(code: str) -> Category | None:
    return Category.objects.filter(code=code).first()


def tag_by_code(code: str) -> Tag | None:
    return Tag.objects.filter(code=code).first()


def categories() -> list[Category]:
    return list(Category.objects.order_by("order", "code"))


def tags() -> list[Tag]:
    return list(Tag.objects.order_by("code"))


def kinds() -> list[tuple[str, str]]:
    return list(PublicationKind.choices)


def feed_items(filters: PublicFilters, limit: int = FEED_ITEMS) -> list[Publication]:
    """The latest public items of a feed, with their texts, category and tags."""
    queryset = filtered(filters).select_related("organization", "category")
    return list(queryset.prefetch_related(_texts_prefetch(), "tags").order_by("-published_at", "-pk")[:limit])


def related(publication: Publication, limit: int = 4) -> list[Publication]:
    """The organization's latest other public items (the item page's "more from")."""
    queryset = public_publications().filter(organization_id=publication.organization_id).exclude(pk=publication.pk)
    return list(_listed(queryset).order_by("-published_at", "-pk")[:limit])


# --- the sitemap --------------------------------------------------------------------------------------
def sitemap_rows() -> QuerySet:
    """(pk, organization code, slug, updated_at) of every public publication, in a stable order."""
    return public_publications().order_by("pk").values_list("pk", "organization__code", "slug", "updated_at")


def published_languages_of(pks: list[int]) -> dict[int, list[str]]:
    """pk → the languages whose text is published, in the one order of core.i18n."""
    found: dict[int, set[str]] = {}
    rows = PublicationText.objects.filter(publication_id__in=pks, is_published=True).values_list(
        "publication_id", "language"
    )
    for pk, language in rows:
        found.setdefault(pk, set()).add(language)
    return {pk: [code for code in LANGUAGE_CODES if code in languages] for pk, languages in found.items()}


def organization_list_rows() -> list[tuple[str, object]]:
    """(code, latest published_at) of the organizations with public publications (their lists' pages)."""
    rows = (
        public_publications()
        .values("organization__code")
        .annotate(latest=Max("published_at"))
        .order_by("organization__code")
    )
    return [(row["organization__code"], row["latest"]) for row in rows]
