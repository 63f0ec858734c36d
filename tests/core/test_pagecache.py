"""Anonymous public pages and the public read API held per process (core.pagecache).

Each test reads the content versions once (PAGE_CACHE_VERSION_SECONDS is an hour here, so nothing but a
new version makes a process read them again) and changes rows behind the cache's back with
`QuerySet.update()` — which no service function does — to see whether an answer came from the cache.
"""

import datetime as dt
from unittest import mock

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from darcha.catalog.models import Service
from darcha.core import pagecache
from darcha.core.audit import SYSTEM
from darcha.core.middleware import CSP_HEADER, PERMISSIONS_HEADER
from darcha.core.services import brv_set, record_save
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _versions_read_once(settings):
    # The versions are read again only when one changes here (or after an hour).
    settings.PAGE_CACHE_VERSION_SECONDS = 3600


@pytest.fixture
def page(published_service) -> str:
    # A process that has read the versions since the service was published.
    pagecache.content_version("catalog")
    return f"/services/{published_service.code}/"


def behind_the_cache(service, name: str) -> None:
    Service.objects.filter(pk=service.pk).update(name_uz=name, name_en=name)


def test_an_anonymous_page_is_served_from_the_cache_without_a_query(client, page, published_service):
    first = client.get(page)
    behind_the_cache(published_service, "Behind the cache")
    with CaptureQueriesContext(connection) as queries:
        second = client.get(page)
    assert second.status_code == 200
    assert len(queries) == 0
    assert second.content == first.content
    assert "Behind the cache" not in second.content.decode()


def test_a_page_rendered_before_the_versions_are_known_is_not_held(client, page, published_service):
    pagecache.reset()  # as a process that has not read the versions for a while
    client.get(page)
    behind_the_cache(published_service, "Rendered again")
    assert "Rendered again" in client.get(page).content.decode()  # rendered again, and now held
    behind_the_cache(published_service, "Held")
    assert "Held" not in client.get(page).content.decode()


def test_pages_never_held_read_no_version(client):
    pagecache.reset()
    with CaptureQueriesContext(connection) as queries:
        client.get("/track/")
    assert not [q for q in queries if "content-version" in q["sql"]]


def test_a_held_page_costs_no_query(client, page, query_counts):
    query_counts.check("pagecache.service_page_held", lambda: client.get(page))


def test_anonymous_pages_set_no_cookie_and_carry_no_csrf_token(client, page):
    for _ in range(2):  # rendered, then held
        response = client.get(page)
        assert response.status_code == 200
        assert not response.cookies
        html = response.content.decode()
        assert "csrfmiddlewaretoken" not in html
        assert f'href="/ru{page}"' in html  # the language switcher is links to this page in each language
        assert f'href="/en{page}"' in html


def test_the_language_links_keep_the_query(client):
    html = client.get("/ru/services/?q=kadastr").content.decode()
    assert 'href="/services/?q=kadastr"' in html
    assert 'href="/uz-cyrl/services/?q=kadastr"' in html


def test_held_answers_carry_the_security_headers(client, page):
    client.get(page)
    held = client.get(page)
    assert held[CSP_HEADER].startswith("default-src 'self'")
    assert held[PERMISSIONS_HEADER]
    assert held["X-Frame-Options"] == "DENY"
    assert held["X-Content-Type-Options"] == "nosniff"


def test_logged_in_users_are_never_served_a_held_page_nor_held(client, page, published_service):
    client.get(page)  # held for anonymous visitors
    user = UserFactory()
    client.force_login(user)
    behind_the_cache(published_service, "Seen when logged in")
    mine = client.get(page).content.decode()
    assert "Seen when logged in" in mine
    assert "csrfmiddlewaretoken" in mine  # the logout form and the remembering language switch
    client.logout()
    behind_the_cache(published_service, "Not held")
    anonymous = client.get(page).content.decode()
    assert "Seen when logged in" not in anonymous  # the logged-in page was not held
    assert "Not held" not in anonymous  # the anonymous one still is
    assert "csrfmiddlewaretoken" not in anonymous


def test_a_request_with_a_messages_cookie_or_a_token_renders_afresh(client, page, published_service):
    client.get(page)
    behind_the_cache(published_service, "Rendered afresh")
    assert "Rendered afresh" in client.get(page, HTTP_AUTHORIZATION="Token darcha_x").content.decode()
    client.cookies["messages"] = "x"
    assert "Rendered afresh" in client.get(page).content.decode()


def test_an_edit_through_the_services_gives_a_new_version(client, page, published_service):
    client.get(page)
    service = Service.objects.get(pk=published_service.pk)
    service.name_uz = "Edited in the admin"
    record_save(actor=SYSTEM, instance=service)
    assert "Edited in the admin" in client.get(page).content.decode()


def test_an_edit_rolled_back_leaves_the_page_as_it_was(client, page, published_service):
    client.get(page)
    with pytest.raises(RuntimeError), transaction.atomic():
        service = Service.objects.get(pk=published_service.pk)
        service.name_uz = "Rolled back"
        record_save(actor=SYSTEM, instance=service)
        raise RuntimeError
    assert "Rolled back" not in client.get(page).content.decode()
    assert published_service.name_uz in client.get(page).content.decode()


def test_committing_an_edit_sets_another_version(page, published_service, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        service = Service.objects.get(pk=published_service.pk)
        service.name_uz = "Committed"
        record_save(actor=SYSTEM, instance=service)
        during = pagecache.content_version("catalog")
    assert callbacks, "no version is set after the commit"
    for callback in callbacks:
        callback()
    assert pagecache.content_version("catalog") != during


def test_a_new_brv_gives_the_fees_a_new_version(client, page):
    client.get(page)
    before = pagecache.content_version("catalog")
    brv_set(actor=SYSTEM, valid_from=dt.date(2025, 8, 1), amount=500_000)
    assert pagecache.content_version("catalog") != before
    assert "500" in client.get(page).content.decode()


def test_a_page_is_rendered_again_the_next_day(client, page, published_service, monkeypatch):
    client.get(page)
    behind_the_cache(published_service, "Tomorrow")
    tomorrow = timezone.localdate() + dt.timedelta(days=1)
    monkeypatch.setattr(pagecache.timezone, "localdate", lambda: tomorrow)
    assert "Tomorrow" in client.get(page).content.decode()


def test_each_language_and_the_htmx_fragment_are_held_apart(client, page, published_service):
    uz = client.get("/services/?q=xizmat").content.decode()
    ru = client.get("/ru/services/?q=xizmat").content.decode()
    fragment = client.get("/services/?q=xizmat", HTTP_HX_REQUEST="true").content.decode()
    assert 'lang="uz"' in uz[:200] and 'lang="ru"' in ru[:200]
    assert "<html" not in fragment
    assert client.get("/services/?q=xizmat").content.decode() == uz


def test_the_api_answers_with_an_etag_and_304_while_nothing_changed(client, page, published_service):
    first = client.get("/api/v1/services/")
    etag = first["ETag"]
    assert etag.startswith('"')
    again = client.get("/api/v1/services/", HTTP_IF_NONE_MATCH=etag)
    assert again.status_code == 304
    assert again.content == b""
    assert again["ETag"] == etag
    service = Service.objects.get(pk=published_service.pk)
    service.name_uz = "Changed"
    record_save(actor=SYSTEM, instance=service)
    changed = client.get("/api/v1/services/", HTTP_IF_NONE_MATCH=etag)
    assert changed.status_code == 200
    assert changed["ETag"] != etag
    assert "Changed" in changed.content.decode()


def test_the_api_is_held_per_language(client, page, published_service):
    russian = client.get("/api/v1/services/?lang=ru").json()["results"][0]["name"]
    by_header = client.get("/api/v1/services/", HTTP_ACCEPT_LANGUAGE="ru").json()["results"][0]["name"]
    uzbek = client.get("/api/v1/services/").json()["results"][0]["name"]
    assert russian == by_header == published_service.name_ru
    assert uzbek == published_service.name_uz


def test_errors_are_not_held(client, published_service):
    assert client.get("/api/v1/services/?nonsense=1").status_code == 400
    assert client.get("/services/no-such-service/").status_code == 404
    assert not [key for key in pagecache.store.entries if key[0] == "/services/no-such-service/"]


def test_the_store_is_bounded_in_entries_and_bytes(settings):
    settings.PAGE_CACHE_ENTRIES, settings.PAGE_CACHE_BYTES = 3, 10_000
    store = pagecache.PageStore()

    def held(size: int) -> pagecache.Held:
        return pagecache.Held("catalog", 1, "2026-01-01", '"e"', 200, (), b"x" * size)

    for n in range(4):
        store.put((n,), "uz", held(100))
    assert list(store.entries) == [(1,), (2,), (3,)]  # the least recently used went first
    store.languages((1,))
    store.put((4,), "uz", held(100))
    assert list(store.entries) == [(3,), (1,), (4,)]
    store.put((4,), "ru", held(100))  # a second language of one address counts as a second answer
    assert list(store.entries) == [(1,), (4,)] and store.count == 3
    store.put((5,), "uz", held(9_600))
    assert list(store.entries) == [(5,)]  # bytes over the bound: the others made room
    store.put((6,), "uz", held(20_000))  # larger than the bound: never held
    assert (6,) not in store.entries
    assert store.count == 1
    assert store.bytes == sum(entry.size for languages in store.entries.values() for entry in languages.values())


def test_another_process_s_edit_is_seen_once_the_versions_are_read_again(client, page, published_service, settings):
    """A process reads the versions at most PAGE_CACHE_VERSION_SECONDS apart: an edit made elsewhere (a new
    version in the shared cache) is served from the next read on, never later, with the clock moved instead
    of waited for."""
    settings.PAGE_CACHE_VERSION_SECONDS = 1
    client.get(page)  # held
    behind_the_cache(published_service, "Edited elsewhere")
    cache.set(pagecache.VERSION_KEY.format(kind="catalog"), pagecache.content_version("catalog") + 1, None)
    read_at = pagecache._versions.read_at
    with mock.patch.object(pagecache.time, "monotonic", return_value=read_at + 0.5):
        assert "Edited elsewhere" not in client.get(page).content.decode()  # within the second: held
    with mock.patch.object(pagecache.time, "monotonic", return_value=read_at + 1.0):
        assert "Edited elsewhere" in client.get(page).content.decode()
