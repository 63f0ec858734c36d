"""The publications' part of sitemap.xml (django.contrib.sitemaps, served by darcha/config/sitemaps.py).

    PublicationListSitemap   every organization's list and each publishing organization's, in every language
    PublicationSitemap       each public publication once per language it is published in (a page that
                             would show the Uzbek text as a fallback is not listed: its canonical address is
                             the Uzbek one), with hreflang alternates between those languages and x-default

The items are plain rows (pk, organization code, slug, updated) in pk order, sliced by the sitemap's
paginator: 1,000 rows a page, each up to four addresses with their alternates (about 2 MB, well under the
protocol's 50,000 addresses and 50 MB), and one query for the page's published languages.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.sitemaps import Sitemap

from darcha.core.i18n import LANGUAGES
from darcha.core.links import base_url

from . import selectors_public as public
from .public_links import item_path, list_path

HTML_TAG = {language.code: language.html for language in LANGUAGES}


class _Absolute(Sitemap):
    def get_protocol(self, protocol=None):
        return base_url().split("://", 1)[0]

    def get_domain(self, site=None):
        return base_url().split("://", 1)[1]


class PublicationListSitemap(_Absolute):
    i18n = True
    alternates = True
    x_default = True
    changefreq = "daily"
    priority = 0.6

    def items(self):
        return [(None, None), *public.organization_list_rows()]

    def location(self, row):
        return list_path(row[0])

    def lastmod(self, row):
        return row[1]


class PublicationSitemap(_Absolute):
    limit = 1000
    changefreq = "monthly"
    priority = 0.5

    def items(self):
        return public.sitemap_rows()

    def get_urls(self, page=1, site=None, protocol=None):
        root = base_url()
        rows = list(self.paginator.page(page).object_list)
        languages = public.published_languages_of([row[0] for row in rows])
        urls, latest = [], None
        for pk, code, slug, updated in rows:
            published = languages.get(pk, [])
            locations = {language: root + item_path(code, slug, language) for language in published}
            alternates = [{"location": locations[language], "lang_code": HTML_TAG[language]} for language in published]
            if settings.LANGUAGE_CODE in locations and len(published) > 1:
                alternates.append({"location": locations[settings.LANGUAGE_CODE], "lang_code": "x-default"})
            for language in published:
                urls.append(
                    {
                        "item": pk,
                        "location": locations[language],
                        "lastmod": updated,
                        "changefreq": self.changefreq,
                        "priority": str(self.priority),
                        "alternates": alternates if len(published) > 1 else [],
                    }
                )
            latest = updated if latest is None or updated > latest else latest
        self.latest_lastmod = latest
        return urls
