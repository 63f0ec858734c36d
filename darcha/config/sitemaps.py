"""sitemap.xml (the sitemaps protocol, django.contrib.sitemaps): an index of the sections, each its own file.

    /robots.txt                     where the sitemap is (and the administration kept out)
    /sitemap.xml                    the index: every section's pages (?p=2, … for the large ones)
    /sitemap-catalog.xml            the catalog: home, the list, its categories and services (every language)
    /sitemap-news.xml               the publications' lists (all and per organization, every language)
    /sitemap-news-items.xml?p=N     each public publication in each language it is published in

Addresses follow core.links (PUBLIC_BASE_URL in production). The catalog's and the lists' sections are
public pages held by the page cache under their content ("catalog", "publications"); the index is one count
a request, an items' page one indexed read of 1,000 rows and one of their languages.
"""

from __future__ import annotations

from django.contrib.sitemaps import views as sitemap_views
from django.contrib.sitemaps.views import SitemapIndexItem
from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.cache import patch_cache_control
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from darcha.catalog.sitemaps import CatalogPagesSitemap, CategorySitemap, ServiceSitemap
from darcha.core.links import absolute_url
from darcha.core.pagecache import public_page
from darcha.infoservice.publications.sitemaps import PublicationListSitemap, PublicationSitemap

# section → (the page cache's content kind, or None: not held; its sitemaps). The items' pages (a couple of
# megabytes each, read by crawlers now and then) are not held: they would push the visitors' pages out of
# the bounded page cache; proxies may keep them an hour.
SECTIONS = {
    "sitemap-catalog": (
        "catalog",
        {"pages": CatalogPagesSitemap, "categories": CategorySitemap, "services": ServiceSitemap},
    ),
    "sitemap-news": ("publications", {"news": PublicationListSitemap}),
    "sitemap-news-items": (None, {"news-items": PublicationSitemap}),
}


@require_GET
def index(request):
    items = []
    for name, (_kind, sitemaps) in SECTIONS.items():
        pages = max(sitemap().paginator.num_pages for sitemap in sitemaps.values())
        url = absolute_url(reverse(name), request)
        items.append(SitemapIndexItem(url, None))
        items += [SitemapIndexItem(f"{url}?{urlencode({'p': page})}", None) for page in range(2, pages + 1)]
    response = TemplateResponse(request, "sitemap_index.xml", {"sitemaps": items}, content_type="application/xml")
    response["X-Robots-Tag"] = "noindex, noodp, noarchive"
    return response


@require_GET
def robots(request):
    lines = ["User-agent: *", "Disallow: /admin/", f"Sitemap: {absolute_url(reverse('sitemap'), request)}", ""]
    return HttpResponse("\n".join(lines), content_type="text/plain; charset=utf-8")


def _section(name: str):
    kind, sitemaps = SECTIONS[name]

    @require_GET
    def view(request):
        page = request.GET.get("p", "1")
        if not page.isdigit() or int(page) < 1:
            raise Http404("no such sitemap page")
        response = sitemap_views.sitemap(request, sitemaps={key: cls() for key, cls in sitemaps.items()})
        if kind is None:
            patch_cache_control(response, public=True, max_age=3600)
        return response

    view.__name__ = name.replace("-", "_")
    return public_page(kind)(view) if kind else view


urlpatterns = [
    path("robots.txt", robots, name="robots"),
    path("sitemap.xml", index, name="sitemap"),
    *(path(f"{name}.xml", _section(name), name=name) for name in SECTIONS),
]
