"""The public's publication pages: what is listed (only the published), paging, filters, search across
languages and scripts, the item page with its Open Graph tags and the marked fallback, and the page cache."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from darcha.core.pagecache import content_changed
from darcha.infoservice.publications import services
from darcha.infoservice.publications.models import PublicationText
from tests.infoservice.publications.public_helpers import (
    EN,
    ENGLISH,
    RU,
    Office,
    category,
    days_ago,
    draft,
    published,
    tag,
    uz_text,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def office(db):
    return Office()


def titles(response) -> list[str]:
    return re.findall(r'class="h3 news-row__title"><a href="[^"]+">([^<]+)</a>', response.content.decode())


def meta(html: str, prop: str) -> list[str]:
    return re.findall(rf'<meta (?:property|name)="{re.escape(prop)}" content="([^"]*)">', html)


def test_the_lists_show_only_what_is_published_the_latest_first(client, office):
    published(office, texts={"uz": uz_text("Birinchi yangilik")}, at=days_ago(3))
    published(office, texts={"uz": uz_text("Ikkinchi yangilik")}, at=days_ago(1))
    draft(office, texts_={"uz": uz_text("Qoralama")})
    withdrawn = published(office, texts={"uz": uz_text("Qaytarib olingan")})
    services.publication_withdraw(actor=office.press, publication=withdrawn, reason="Xato")
    other = Office("pub-other-hokimiyat")
    published(other, texts={"uz": uz_text("Boshqa hokimiyat yangiligi")}, at=days_ago(2))

    everyone = client.get(f"{EN}/news/")
    assert everyone.status_code == 200
    assert titles(everyone) == ["Ikkinchi yangilik", "Boshqa hokimiyat yangiligi", "Birinchi yangilik"]
    own = client.get(f"{EN}/news/{office.organization.code}/")
    assert titles(own) == ["Ikkinchi yangilik", "Birinchi yangilik"]
    assert client.get(f"{EN}/news/{other.organization.code}/?organization=x").status_code == 200  # not a filter there
    assert client.get(f"{EN}/news/no-such-office/").status_code == 404


def test_paging_keeps_the_filters(client, office, settings):
    settings.PUBLICATIONS_PAGE_SIZE = 2
    for n in range(5):
        published(office, texts={"uz": uz_text(f"Yangilik {n}")}, at=days_ago(10 - n))
    first = client.get(f"{EN}/news/?kind=news")
    assert titles(first) == ["Yangilik 4", "Yangilik 3"]
    html = first.content.decode()
    assert "Page 1 of 3" in html and 'href="?kind=news&amp;page=2"' in html
    assert titles(client.get(f"{EN}/news/?kind=news&page=3")) == ["Yangilik 0"]
    assert titles(client.get(f"{EN}/news/?kind=news&page=99")) == ["Yangilik 0"]  # past the end: the last page


def test_filters_by_kind_category_tag_and_organization(client, office):
    schools, roads = tag("schools"), tag("roads", "Yoʻllar", "Дороги", "Roads")
    education = category()
    published(office, texts={"uz": uz_text("Maktab")}, data={"category": education, "tags": [schools]})
    published(office, texts={"uz": uz_text("Yoʻl taʼmiri")}, data={"tags": [roads]})
    published(office, kind="announcement", texts={"uz": uz_text("Eʼlon")})
    other = Office("pub-other-hokimiyat")
    published(other, texts={"uz": uz_text("Boshqa")}, data={"tags": [schools]})

    assert titles(client.get(f"{EN}/news/?kind=announcement")) == ["Eʼlon"]
    assert titles(client.get(f"{EN}/news/?category=education")) == ["Maktab"]
    assert set(titles(client.get(f"{EN}/news/?tag=schools"))) == {"Maktab", "Boshqa"}
    assert titles(client.get(f"{EN}/news/{office.organization.code}/?tag=schools")) == ["Maktab"]
    assert titles(client.get(f"{EN}/news/?tag=schools&organization={other.organization.code}")) == ["Boshqa"]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("kind=gossip", "There is no such kind of publication."),
        ("category=nothing", "There is no such category."),
        ("tag=nothing", "There is no such tag."),
        ("organization=nowhere", "No hokimiyat or center has this code."),
        ("tag=bad%20code", "This code has letters that no code has."),
    ],
)
def test_a_filter_that_matches_nothing_known_is_a_400_with_its_message(client, office, query, message):
    published(office, texts={"uz": uz_text("Yangilik")})
    response = client.get(f"{EN}/news/?{query}")
    assert response.status_code == 400
    html = response.content.decode()
    assert message in html and titles(response) == []
    assert "Some filters are not right" in html


def test_search_finds_words_in_any_language_and_script(client, office):
    published(office, texts={"uz": uz_text("Yangi maktab ochildi", "Shahar markazida"), "ru": RU, "en": ENGLISH})
    published(office, texts={"uz": uz_text("Yoʻl taʼmirlandi")})
    for words in ("maktab", "МАКТАБ", "мактаб ochildi", "школа", "shkola", "school", "new school", "makt"):
        assert titles(client.get(f"{EN}/news/", {"q": words})) == ["A new school opened"], words
    assert titles(client.get(f"{EN}/news/", {"q": "yol"})) == ["Yoʻl taʼmirlandi"]  # the apostrophe folded away
    assert titles(client.get(f"{EN}/news/", {"q": "ktab"})) == []  # words match at their start
    assert titles(client.get(f"{EN}/news/", {"q": "maktab taʼmirlandi"})) == []  # every word, in one text


def test_search_reads_only_published_texts(client, office):
    publication = published(office, texts={"uz": uz_text("Yangilik"), "ru": RU})
    assert titles(client.get(f"{EN}/news/", {"q": "школа"})) == ["Yangilik"]
    services.text_remove(actor=office.press, publication=publication, language="ru")
    assert titles(client.get(f"{EN}/news/", {"q": "школа"})) == []


def test_the_item_page_has_open_graph_and_language_alternates(client, office):
    publication = published(
        office,
        texts={"uz": uz_text("Yangi maktab ochildi", "Shahar markazida"), "en": ENGLISH},
        data={"category": category(), "tags": [tag()]},
        image=True,
    )
    address = f"/en/news/{office.organization.code}/{publication.slug}/"
    response = client.get(address)
    assert response.status_code == 200
    html = response.content.decode()
    assert meta(html, "og:type") == ["article"]
    assert meta(html, "og:title") == ["A new school opened"]
    assert meta(html, "og:description") == ["In the city centre"]
    assert meta(html, "og:url") == [f"http://testserver{address}"]
    assert meta(html, "og:locale") == ["en_US"] and meta(html, "og:locale:alternate") == ["uz_UZ"]
    image = publication.images.get()
    assert meta(html, "og:image") == [f"http://testserver/en/news/files/image/{image.pk}/"]
    assert meta(html, "og:image:width") == [str(image.width)]
    assert meta(html, "og:image:alt") == ["The new school building"]
    assert meta(html, "article:section") == ["Education"] and meta(html, "article:tag") == ["Schools"]
    assert meta(html, "twitter:card") == ["summary_large_image"]
    assert f'<link rel="canonical" href="http://testserver{address}">' in html
    assert f'hreflang="uz" href="http://testserver/news/{office.organization.code}/{publication.slug}/"' in html
    assert '<link rel="alternate" hreflang="en"' in html and '<link rel="alternate" hreflang="ru"' not in html
    assert 'class="news-fallback"' not in html
    assert client.get(f"{EN}/news/files/image/{image.pk}/").status_code == 200


def test_a_page_in_a_language_without_the_text_shows_the_uzbek_one_marked(client, office):
    publication = published(office, texts={"uz": uz_text("Faqat oʻzbekcha", "Qisqacha")})
    html = client.get(f"/ru/news/{office.organization.code}/{publication.slug}/").content.decode()
    assert 'class="news-fallback"' in html
    assert '<article class="pub-main news-article" lang="uz">' in html
    assert '<h1 class="news-title">Faqat oʻzbekcha</h1>' in html
    # The Uzbek page is the canonical one, and Open Graph says the text is Uzbek.
    uzbek = f"http://testserver/news/{office.organization.code}/{publication.slug}/"
    assert f'<link rel="canonical" href="{uzbek}">' in html
    assert meta(html, "og:locale") == ["uz_UZ"]
    listed = client.get("/ru/news/").content.decode()
    assert 'class="news-fallback news-fallback--small"' in listed


def test_removing_a_translation_turns_its_page_into_the_marked_fallback(client, office):
    publication = published(office, texts={"uz": uz_text("Yangi maktab ochildi"), "ru": RU})
    address = f"/ru/news/{office.organization.code}/{publication.slug}/"
    html = client.get(address).content.decode()
    assert "Открылась новая школа" in html and 'class="news-fallback"' not in html
    services.text_remove(actor=office.press, publication=publication, language="ru")
    html = client.get(address).content.decode()
    assert "Открылась новая школа" not in html and 'class="news-fallback"' in html


def test_what_is_not_published_has_no_page(client, office):
    unpublished = draft(office)
    assert client.get(f"{EN}/news/{office.organization.code}/{unpublished.slug}/").status_code == 404
    withdrawn = published(office, texts={"uz": uz_text("Qaytarildi")})
    services.publication_withdraw(actor=office.press, publication=withdrawn, reason="Xato")
    assert client.get(f"{EN}/news/{office.organization.code}/{withdrawn.slug}/").status_code == 404
    other = Office("pub-other-hokimiyat")
    mine = published(office, texts={"uz": uz_text("Meniki")})
    assert client.get(f"{EN}/news/{other.organization.code}/{mine.slug}/").status_code == 404


def test_a_decision_shows_its_number_date_and_signed_pdf(client, office):
    import datetime as dt

    publication = published(
        office,
        kind="decision",
        texts={"uz": uz_text("Hokim qarori")},
        data={"decision_number": "125-Q", "decision_subject": "Obodonlashtirish", "decision_date": dt.date(2026, 3, 2)},
        pdf=True,
    )
    html = client.get(f"{EN}/news/{office.organization.code}/{publication.slug}/").content.decode()
    assert "125-Q" in html and "Obodonlashtirish" in html
    pdf = f"/en/news/files/pdf/{publication.pk}/"
    assert f'href="{pdf}"' in html
    response = client.get(pdf)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"


def test_unsafe_html_written_around_the_services_never_reaches_the_page(client, office):
    publication = published(office, texts={"uz": uz_text("Yangilik")})
    PublicationText.objects.filter(publication=publication).update(
        body='<p onclick="steal()">Matn</p><script>alert(1)</script><a href="javascript:alert(2)">x</a>'
    )
    content_changed(kind="publications")
    html = client.get(f"{EN}/news/{office.organization.code}/{publication.slug}/").content.decode()
    body = html.split('class="news-body">', 1)[1].split("</div>", 1)[0]
    assert "Matn" in body and "<script" not in body and "onclick" not in body and "javascript:" not in body


def test_anonymous_pages_are_held_and_renewed_when_something_is_published(client, office):
    published(office, texts={"uz": uz_text("Birinchi")})
    address = f"{EN}/news/{office.organization.code}/"
    client.get(address)  # the content's versions read (a process reads them at most once a second)
    first = client.get(address)
    assert first.status_code == 200 and not first.cookies and "csrfmiddlewaretoken" not in first.content.decode()
    with CaptureQueriesContext(connection) as queries:
        again = client.get(address)
    assert again.status_code == 200 and len(queries) == 0 and again.content == first.content
    assert client.get(address, HTTP_IF_NONE_MATCH=first["ETag"]).status_code == 304
    published(office, texts={"uz": uz_text("Ikkinchi")})
    assert titles(client.get(address)) == ["Ikkinchi", "Birinchi"]


def test_the_lists_and_the_item_page_cost_the_same_with_three_times_the_publications(client, office, query_counts):
    schools = tag()

    def grow(n):
        for i in range(n):
            published(
                office,
                texts={"uz": uz_text(f"Maktab {i}"), "ru": RU} if i % 2 else {"uz": uz_text(f"Maktab {i}")},
                data={"category": category(), "tags": [schools]},
                image=i % 3 == 0,
            )

    grow(3)
    item = published(office, texts={"uz": uz_text("Sahifa"), "en": ENGLISH}, data={"tags": [schools]}, image=True)
    code = office.organization.code
    pages = {
        "publications.public.index": f"{EN}/news/",
        "publications.public.organization": f"{EN}/news/{code}/",
        "publications.public.search": f"{EN}/news/?q=maktab&tag=schools&kind=news",
        "publications.public.item": f"{EN}/news/{code}/{item.slug}/",
    }
    for name, address in pages.items():
        query_counts.check(name, lambda address=address: _uncached(client, address))
    grow(6)
    for name, address in pages.items():
        query_counts.check(name, lambda address=address: _uncached(client, address))


def _uncached(client, address):
    from darcha.core import pagecache

    pagecache.reset()
    return client.get(address)


def test_a_publication_written_around_the_services_without_its_uzbek_text_is_not_shown(client, office):
    kept = published(office, texts={"uz": uz_text("Bor")}, at=days_ago(1))
    broken = published(office, texts={"uz": uz_text("Matnsiz"), "ru": RU})
    PublicationText.objects.filter(publication=broken, language="uz").update(is_published=False)
    content_changed(kind="publications")
    assert titles(client.get(f"{EN}/news/")) == ["Bor"]
    assert client.get(f"{EN}/news/{office.organization.code}/{broken.slug}/").status_code == 404
    assert client.get(f"{EN}/news/{office.organization.code}/{kept.slug}/").status_code == 200
    assert client.get(f"/api/v1/publications/{broken.pk}/").status_code == 404
    assert b"Matnsiz" not in client.get(f"{EN}/news/rss.xml").content
