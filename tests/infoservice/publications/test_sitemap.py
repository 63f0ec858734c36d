"""sitemap.xml: the index of its sections, the catalog's pages in every language, the publications in each
language they are published in with their hreflang alternates, and robots.txt pointing to it."""

import xml.etree.ElementTree as ET

import pytest

from darcha.infoservice.publications import services
from tests.factories import ServiceFactory
from tests.infoservice.publications.public_helpers import ENGLISH, RU, Office, draft, published, uz_text

pytestmark = pytest.mark.django_db
NS = {"sm": "http://www.sitemaps.org/schemas/sitemap/0.9", "xhtml": "http://www.w3.org/1999/xhtml"}


def urlset(client, address: str) -> dict[str, dict[str, str]]:
    """location → {hreflang: alternate}"""
    response = client.get(address)
    assert response.status_code == 200 and response["Content-Type"].startswith("application/xml")
    root = ET.fromstring(response.content)  # noqa: S314 — our own answer, parsed to prove it well-formed
    found = {}
    for url in root.findall("sm:url", NS):
        alternates = {link.get("hreflang"): link.get("href") for link in url.findall("xhtml:link", NS)}
        found[url.find("sm:loc", NS).text] = alternates
    return found


def test_the_index_names_every_section(client, db):
    root = ET.fromstring(client.get("/sitemap.xml").content)  # noqa: S314 — our own answer
    locations = [item.find("sm:loc", NS).text for item in root.findall("sm:sitemap", NS)]
    assert locations == [
        "http://testserver/sitemap-catalog.xml",
        "http://testserver/sitemap-news.xml",
        "http://testserver/sitemap-news-items.xml",
    ]
    robots = client.get("/robots.txt").content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in robots and "Disallow: /admin/" in robots


def test_publications_are_listed_in_each_language_they_are_published_in(client, db):
    office = Office()
    both = published(office, texts={"uz": uz_text("Ikki tilda"), "ru": RU, "en": ENGLISH})
    only_uz = published(office, texts={"uz": uz_text("Faqat oʻzbekcha")})
    hidden = draft(office, texts_={"uz": uz_text("Qoralama")})
    withdrawn = published(office, texts={"uz": uz_text("Qaytarildi")})
    services.publication_withdraw(actor=office.press, publication=withdrawn, reason="Xato")
    code = office.organization.code

    urls = urlset(client, "/sitemap-news-items.xml")
    base = f"http://testserver/news/{code}"
    assert set(urls) == {
        f"{base}/{both.slug}/",
        f"http://testserver/ru/news/{code}/{both.slug}/",
        f"http://testserver/en/news/{code}/{both.slug}/",
        f"{base}/{only_uz.slug}/",
    }
    assert urls[f"{base}/{both.slug}/"] == {
        "uz": f"{base}/{both.slug}/",
        "ru": f"http://testserver/ru/news/{code}/{both.slug}/",
        "en": f"http://testserver/en/news/{code}/{both.slug}/",
        "x-default": f"{base}/{both.slug}/",
    }
    assert urls[f"{base}/{only_uz.slug}/"] == {}
    assert not any(hidden.slug in url or withdrawn.slug in url for url in urls)
    assert client.get("/sitemap-news-items.xml?p=2").status_code == 404

    lists = urlset(client, "/sitemap-news.xml")
    assert "http://testserver/news/" in lists and f"http://testserver/ru/news/{code}/" in lists
    assert lists["http://testserver/news/"]["uz-cyrl"] == "http://testserver/uz-cyrl/news/"


def test_the_catalog_section_has_its_services_in_every_language(client, db):
    service = ServiceFactory(code="cadastre-extract")
    urls = urlset(client, "/sitemap-catalog.xml")
    page = f"http://testserver/services/{service.code}/"
    assert page in urls and f"http://testserver/ru/services/{service.code}/" in urls
    assert urls[page]["en"] == f"http://testserver/en/services/{service.code}/"
    assert "http://testserver/services/" in urls and "http://testserver/" in urls


def test_addresses_follow_the_public_base_url(client, db, settings):
    settings.PUBLIC_BASE_URL = "https://darcha.example.uz"
    office = Office()
    item = published(office, texts={"uz": uz_text("Yangilik")})
    assert "https://darcha.example.uz/sitemap-news.xml" in client.get("/sitemap.xml").content.decode()
    urls = urlset(client, "/sitemap-news-items.xml")
    assert list(urls) == [f"https://darcha.example.uz/news/{office.organization.code}/{item.slug}/"]
