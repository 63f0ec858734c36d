"""RSS 2.0 and Atom feeds of publications (django.contrib.syndication): every organization's or one's,
of every kind or one (`?kind=decision`), in the language of the address's prefix (/ru/news/rss.xml).

Each entry is the item in the feed's language, else in Uzbek (Latin) marked as such (the summary opens
with the note and the title keeps its own text): a Russian reader's feed never loses a decision published
in Uzbek only. Links are absolute by core.links (PUBLIC_BASE_URL in production). The entries' id is the
item's address in the default language, the same in every language's feed, so an aggregator reading two of
them sees one item. The feeds are public pages held by the page cache (views.public marks them).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.http import Http404
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.feedgenerator import Atom1Feed, Enclosure, Rss201rev2Feed
from django.utils.html import format_html
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from darcha.core.i18n import LANGUAGES
from darcha.core.links import absolute_url

from . import selectors
from . import selectors_public as public
from .choices import PublicationKind
from .public_links import current_language, item_path, list_path, pdf_path
from .sanitize import clean_html

NATIVE = {language.code: language.native for language in LANGUAGES}


@dataclass(frozen=True)
class Scope:
    organization: object | None
    kind: str
    language: str
    request: object

    @property
    def query(self) -> str:
        return f"?{urlencode({'kind': self.kind})}" if self.kind else ""


class _Feed(Feed):
    """The shared part of the RSS and Atom feeds; `route` names its URL ("rss" or "atom")."""

    route = "rss"

    def get_object(self, request, code=None):
        organization = None
        if code is not None:
            organization = public.publishing_organization(code)
            if organization is None:
                raise Http404("no such organization")
        kind = request.GET.get("kind", "")
        if kind and kind not in PublicationKind.values:
            raise Http404("no such kind of publication")
        return Scope(organization=organization, kind=kind, language=current_language(), request=request)

    def title(self, scope: Scope) -> str:
        owner = scope.organization.name if scope.organization else _("Hokimiyats' publications")
        if scope.kind:
            return f"{owner}: {PublicationKind(scope.kind).label}"
        return str(owner)

    def description(self, scope: Scope) -> str:
        if scope.organization:
            return _("The latest publications of %(organization)s.") % {"organization": scope.organization.name}
        return _("The latest publications of the hokimiyats and public service centers.")

    subtitle = description

    def link(self, scope: Scope) -> str:
        code = scope.organization.code if scope.organization else None
        return absolute_url(list_path(code, scope.language) + scope.query, scope.request)

    def feed_url(self, scope: Scope) -> str:
        if scope.organization:
            route = reverse(f"publications:org_{self.route}", args=[scope.organization.code])
        else:
            route = reverse(f"publications:feed_{self.route}")
        return absolute_url(route + scope.query, scope.request)

    def author_name(self, scope: Scope) -> str:
        return str(scope.organization.name) if scope.organization else "Darcha"

    def items(self, scope: Scope):
        filters = public.PublicFilters(organization=scope.organization, kind=scope.kind)
        items = []
        for publication in public.feed_items(filters):
            text, fallback = selectors.publication_text(publication, scope.language)
            if text is None:  # no default text (written around the services): not an entry
                continue
            publication.feed_text, publication.feed_fallback = text, fallback
            publication.feed_scope = scope
            items.append(publication)
        return items

    def item_title(self, publication) -> str:
        return publication.feed_text.title

    def item_description(self, publication) -> str:
        text = publication.feed_text
        parts = []
        if publication.feed_fallback:
            parts.append(
                format_html(
                    "<p><em>{}</em></p>",
                    _("Not published in %(wanted)s; the text in %(shown)s.")
                    % {"wanted": NATIVE[publication.feed_scope.language], "shown": NATIVE[text.language]},
                )
            )
        if text.lead:
            parts.append(format_html("<p><strong>{}</strong></p>", text.lead))
        if publication.is_decision and publication.decision_number:
            date = (
                formats.date_format(publication.decision_date, "SHORT_DATE_FORMAT") if publication.decision_date else ""
            )
            parts.append(
                format_html(
                    "<p>{}</p>",
                    _("Decision No. %(number)s of %(date)s") % {"number": publication.decision_number, "date": date},
                )
            )
        parts.append(clean_html(text.body))
        return "\n".join(str(part) for part in parts if part)

    def item_link(self, publication) -> str:
        scope = publication.feed_scope
        return absolute_url(item_path(publication.organization.code, publication.slug, scope.language), scope.request)

    def item_guid(self, publication) -> str:
        path = item_path(publication.organization.code, publication.slug, settings.LANGUAGE_CODE)
        return absolute_url(path, publication.feed_scope.request)

    def item_guid_is_permalink(self, publication) -> bool:
        return publication.feed_scope.language == settings.LANGUAGE_CODE

    def item_pubdate(self, publication):
        return timezone.localtime(publication.published_at) if publication.published_at else None

    def item_updateddate(self, publication):
        return timezone.localtime(publication.updated_at)

    def item_author_name(self, publication) -> str:
        return str(publication.organization.name)

    def item_categories(self, publication) -> list[str]:
        names = [str(PublicationKind(publication.kind).label)]
        if publication.category_id:
            names.append(str(publication.category.name))
        names += [str(tag.name) for tag in publication.tags.all()]
        return names

    def item_enclosures(self, publication):
        if not (publication.is_decision and publication.signed_pdf):
            return []
        try:
            size = publication.signed_pdf.size
        except OSError:
            return []
        url = absolute_url(pdf_path(publication.pk), publication.feed_scope.request)
        return [Enclosure(url, str(size), "application/pdf")]


class RssFeed(_Feed):
    feed_type = Rss201rev2Feed
    route = "rss"


class AtomFeed(_Feed):
    feed_type = Atom1Feed
    route = "atom"
