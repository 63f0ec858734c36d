"""What the catalog's lists cost: the same number of queries with N and with 3N rows (tests/querycounts.py).

What rendering them costs, that is: the process's page cache is off here (a held page costs no query at
all: tests/core/test_pagecache.py)."""

import pytest

from tests.factories import CategoryFactory, ServiceFactory

pytestmark = pytest.mark.django_db

PAGES = {
    "home": "/",
    "category_page": "/services/category/shared/",
    "search_results": "/services/?q=xizmat",
    "search_results_htmx": ("/services/?q=xizmat", {"HTTP_HX_REQUEST": "true"}),
    "api.services": "/api/v1/services/",
    "api.categories": "/api/v1/categories/",
    "api.agencies": "/api/v1/agencies/",
}


def add(n: int, shared) -> None:
    """n services with a published two-stage procedure in the shared category, n more in categories
    and agencies of their own."""
    for _ in range(n):
        ServiceFactory.with_parallel_procedure(category=shared)
        ServiceFactory()


def test_the_lists_cost_the_same_with_3n_rows(client, query_counts, subtests, settings):
    settings.PAGE_CACHE_ENABLED = False
    shared = CategoryFactory(code="shared")
    for n in (2, 4):  # N, then 3N
        add(n, shared)
        for name, page in PAGES.items():
            address, headers = page if isinstance(page, tuple) else (page, {})
            with subtests.test(name, rows=n):
                query_counts.check(name, lambda address=address, headers=headers: client.get(address, **headers))
