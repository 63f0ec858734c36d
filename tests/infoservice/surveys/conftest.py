import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _clean_cache(request):
    # The one-time codes' and the pages' limits and versions live in the (database) cache; the pure tests
    # of logic and charts touch no database.
    if request.node.get_closest_marker("django_db") is None:
        yield
        return
    cache.clear()
    yield
    cache.clear()
