"""The catalog's part of sitemap.xml (django.contrib.sitemaps, served by darcha/config/sitemaps.py): the
home and list pages, each category with services and each active service, in every language (the catalog
is written per language with fallbacks, so every language's page is a page), with hreflang alternates."""

from __future__ import annotations

from django.contrib.sitemaps import Sitemap
from django.urls import reverse

from darcha.core.links import base_url

from .selectors import active_services, categories_with_counts


class AbsoluteSitemap(Sitemap):
    """Addresses by the one rule of core.links (PUBLIC_BASE_URL, else the request's own), in every language."""

    i18n = True
    alternates = True
    x_default = True

    def get_protocol(self, protocol=None):
        return base_url().split("://", 1)[0]

    def get_domain(self, site=None):
        return base_url().split("://", 1)[1]


class CatalogPagesSitemap(AbsoluteSitemap):
    changefreq = "weekly"
    priority = 0.8

    def items(self):
        return ["home", "catalog:service_list"]

    def location(self, name):
        return reverse(name)


class CategorySitemap(AbsoluteSitemap):
    changefreq = "weekly"
    priority = 0.5

    def items(self):
        return list(categories_with_counts().values_list("code", flat=True))

    def location(self, code):
        return reverse("catalog:category", args=[code])


class ServiceSitemap(AbsoluteSitemap):
    changefreq = "weekly"
    priority = 0.7

    def items(self):
        return active_services().order_by("code").values_list("code", flat=True)

    def location(self, code):
        return reverse("catalog:service", args=[code])
