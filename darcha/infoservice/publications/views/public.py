"""The public's publication pages (language-prefixed, no login), held by the page cache (content
"publications": core.pagecache) and carrying no form token or cookie.

    ""                          index       every organization's publications: ?q= kind= category= tag=
                                            organization= page=
    rss.xml, atom.xml           feed_rss, feed_atom   the latest of every organization (?kind=)
    <organization>/             organization          one hokimiyat's or center's publications (same filters)
    <organization>/rss.xml      org_rss, org_atom     its feeds (?kind=)
    <organization>/<slug>/      item        one publication: the text in the page's language, or in Uzbek
                                            (Latin) with a mark saying so; Open Graph and hreflang tags

Filters are checked (forms_public): an unknown kind, category, tag or organization answers 400 with the
message beside the filter. A text shown in the default language on another language's page is marked
(the reader is told, the article carries its own `lang`, and the canonical address is the default
language's), never silently passed off as a translation.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from darcha.core.i18n import LANGUAGES
from darcha.core.links import absolute_url
from darcha.core.pagecache import public_page

from .. import selectors
from .. import selectors_public as public
from ..feeds import AtomFeed, RssFeed
from ..forms_public import PublicFilterForm
from ..public_links import current_language, image_path, item_path, list_path, summary

LANGUAGE_BY_CODE = {language.code: language for language in LANGUAGES}
# Open Graph locales (language_TERRITORY); both Uzbek scripts are Uzbekistan's Uzbek.
UPDATED_AFTER = dt.timedelta(hours=12)
OG_LOCALES = {"uz": "uz_UZ", "uz-cyrl": "uz_UZ", "ru": "ru_RU", "en": "en_US"}


@dataclass(frozen=True)
class Row:
    """A publication as a list shows it in the page's language."""

    publication: object
    text: object
    fallback: bool
    url: str
    summary: str
    image: object | None

    @property
    def shown_language(self):
        return LANGUAGE_BY_CODE.get(self.text.language) if self.text else None


def row(publication, language: str) -> Row:
    text, fallback = selectors.publication_text(publication, language)
    images = getattr(publication, "image_list", None)
    return Row(
        publication=publication,
        text=text,
        fallback=fallback,
        url=item_path(publication.organization.code, publication.slug, language),
        summary=summary(text),
        image=images[0] if images else None,
    )


def _query_without_page(request) -> str:
    query = request.GET.copy()
    query.pop("page", None)
    return query.urlencode()


def _feed_query(filters: public.PublicFilters) -> str:
    return f"?{urlencode({'kind': filters.kind})}" if filters.kind else ""


def _list(request, organization=None):
    language = current_language()
    form = PublicFilterForm(request.GET or None, organization=organization)
    status = 200
    if form.is_bound and not form.is_valid():
        status = 400
        filters = public.PublicFilters(organization=organization)
        page = None
    else:
        filters = form.filters() if form.is_bound else public.PublicFilters(organization=organization)
        page = Paginator(public.public_list(filters), public.page_size()).get_page(request.GET.get("page"))
    rows = [row(publication, language) for publication in page] if page is not None else []
    rows = [item for item in rows if item.text is not None]  # none without its default text (public_publications)
    feed_query = _feed_query(filters)
    if organization is not None:
        rss = reverse("publications:org_rss", args=[organization.code]) + feed_query
        atom = reverse("publications:org_atom", args=[organization.code]) + feed_query
    else:
        rss, atom = reverse("publications:feed_rss") + feed_query, reverse("publications:feed_atom") + feed_query
    context = {
        "organization": organization,
        "form": form,
        "filters": filters,
        "page": page,
        "rows": rows,
        "query_string": _query_without_page(request),
        "kinds": public.kinds(),
        "categories": public.categories(),
        "tags": public.tags(),
        "organizations": public.publishing_organizations() if organization is None else [],
        "rss_url": rss,
        "atom_url": atom,
        "canonical": absolute_url(list_path(organization.code if organization else None), request),
    }
    return render(request, "publications/public/list.html", context, status=status)


@public_page("publications")
@require_GET
def index(request):
    return _list(request)


@public_page("publications")
@require_GET
def organization(request, code):
    found = public.publishing_organization(code)
    if found is None:
        raise Http404("no such organization")
    return _list(request, organization=found)


def open_graph(request, publication, text, language: str, languages: list[str], url: str) -> dict:
    """The Open Graph (and Twitter card) properties of an item page."""
    images = list(publication.images.all())
    image = images[0] if images else None
    shown = text.language if text else language
    alternates = sorted({OG_LOCALES[code] for code in languages} - {OG_LOCALES[shown]})
    return {
        "type": "article",
        "title": text.title if text else "",
        "description": summary(text, 300),
        "url": url,
        "site_name": "Darcha",
        "locale": OG_LOCALES[shown],
        "locale_alternates": alternates,
        "image": absolute_url(image_path(image.pk), request) if image else "",
        "image_width": image.width if image else None,
        "image_height": image.height if image else None,
        "image_alt": image.alt_text if image else "",
        "published_time": timezone.localtime(publication.published_at).isoformat() if publication.published_at else "",
        "modified_time": timezone.localtime(publication.updated_at).isoformat(),
        "section": publication.category.name if publication.category_id else "",
        "tags": [tag.name for tag in publication.tags.all()],
        "card": "summary_large_image" if image else "summary",
    }


@public_page("publications")
@require_GET
def item(request, code, slug):
    publication = public.public_item(code, slug)
    if publication is None:
        raise Http404("no such publication")
    language = current_language()
    text, fallback = selectors.publication_text(publication, language)
    languages = selectors.published_languages(publication)
    here = absolute_url(item_path(code, slug, language), request)
    # A fallback page is the default language's text: that page is the canonical one.
    canonical = absolute_url(item_path(code, slug, settings.LANGUAGE_CODE), request) if fallback else here
    alternates = [
        {"language": LANGUAGE_BY_CODE[code_], "url": absolute_url(item_path(code, slug, code_), request)}
        for code_ in languages
    ]
    feed_query = f"?{urlencode({'kind': publication.kind})}"
    context = {
        "publication": publication,
        "organization": publication.organization,
        "text": text,
        "fallback": fallback,
        "language": LANGUAGE_BY_CODE[language],
        "shown_language": LANGUAGE_BY_CODE.get(text.language) if text else None,
        "alternates": alternates,
        "canonical": canonical,
        "og": open_graph(request, publication, text, language, languages, canonical),
        "images": list(publication.images.all()),
        "attachments": list(publication.attachments.all()),
        "tags": list(publication.tags.all()),
        "related": [item for item in (row(other, language) for other in public.related(publication)) if item.text],
        "rss_url": reverse("publications:org_rss", args=[code]) + feed_query,
        "atom_url": reverse("publications:org_atom", args=[code]) + feed_query,
        "list_url": list_path(code),
        # "Updated" only for a change made after the day of publishing (not the minutes around it).
        "updated_later": bool(
            publication.published_at and publication.updated_at - publication.published_at > UPDATED_AFTER
        ),
    }
    return render(request, "publications/public/item.html", context)


rss_all = public_page("publications")(RssFeed())
atom_all = public_page("publications")(AtomFeed())
rss_org = public_page("publications")(RssFeed())
atom_org = public_page("publications")(AtomFeed())

# After the staff's routes (desk/, edit/, files/ are never an organization's code). A slug has no dot, so
# an organization's feeds never stand for one of its items.
urlpatterns = [
    path("", index, name="index"),
    path("rss.xml", rss_all, name="feed_rss"),
    path("atom.xml", atom_all, name="feed_atom"),
    path("<slug:code>/", organization, name="organization"),
    path("<slug:code>/rss.xml", rss_org, name="org_rss"),
    path("<slug:code>/atom.xml", atom_org, name="org_atom"),
    path("<slug:code>/<slug:slug>/", item, name="item"),
]
