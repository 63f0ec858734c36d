"""The printed checklist's address follows the one rule of absolute links (darcha.core.links, issue 9 item 1)."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_checklist_prints_the_address_the_request_came_in_on(client, published_service, settings):
    settings.PUBLIC_BASE_URL = ""
    html = client.get(f"/ru/services/{published_service.code}/checklist/", HTTP_HOST="127.0.0.1:8101").content
    assert f"http://127.0.0.1:8101/ru/services/{published_service.code}/</p>" in html.decode()


def test_the_checklist_prints_public_base_url_when_it_is_set(client, published_service, settings):
    settings.PUBLIC_BASE_URL = "https://darcha.example.uz"
    html = client.get(f"/ru/services/{published_service.code}/checklist/", HTTP_HOST="127.0.0.1:8101").content
    assert f"https://darcha.example.uz/ru/services/{published_service.code}/</p>" in html.decode()


def test_a_checklist_held_for_anonymous_visitors_is_held_per_address(client, published_service, settings):
    # The page cache (core.pagecache) must not hand the address printed for one host to a visitor of another.
    settings.PUBLIC_BASE_URL = ""
    path = f"/ru/services/{published_service.code}/checklist/"
    for host in ("127.0.0.1:8101", "localhost:8102", "127.0.0.1:8101"):
        html = client.get(path, HTTP_HOST=host).content.decode()
        assert f"http://{host}/ru/services/{published_service.code}/</p>" in html
