"""RSS 2.0 and Atom feeds per organization and kind, read with feedparser as a feed reader would."""

import datetime as dt

import feedparser
import pytest

from darcha.infoservice.publications import services
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


def parse(client, address: str, content_type: str):
    response = client.get(address)
    assert response.status_code == 200, address
    assert response["Content-Type"] == f"{content_type}; charset=utf-8"
    feed = feedparser.parse(response.content)
    assert not feed.bozo, feed.bozo_exception
    return feed


@pytest.mark.parametrize(
    ("route", "content_type", "version"),
    [("rss", "application/rss+xml", "rss20"), ("atom", "application/atom+xml", "atom10")],
)
def test_an_organizations_feed_lists_its_published_items_the_latest_first(client, office, route, content_type, version):
    published(office, texts={"uz": uz_text("Eski yangilik", "Qisqa")}, at=days_ago(5))
    latest = published(
        office,
        texts={"uz": uz_text("Yangi maktab ochildi", "Shahar markazida"), "en": ENGLISH},
        data={"category": category(), "tags": [tag()]},
        at=days_ago(1),
    )
    draft(office, texts_={"uz": uz_text("Qoralama")})
    other = Office("pub-other-hokimiyat")
    published(other, texts={"uz": uz_text("Boshqa hokimiyat")})

    feed = parse(client, f"{EN}/news/{office.organization.code}/{route}.xml", content_type)
    assert feed.version == version
    assert feed.feed.title == office.organization.name_en or feed.feed.title == str(office.organization.name)
    assert feed.feed.link == f"http://testserver/en/news/{office.organization.code}/"
    assert [entry.title for entry in feed.entries] == ["A new school opened", "Eski yangilik"]
    entry = feed.entries[0]
    assert entry.link == f"http://testserver/en/news/{office.organization.code}/{latest.slug}/"
    # The same id in every language's feed: the Uzbek address.
    assert entry.id == f"http://testserver/news/{office.organization.code}/{latest.slug}/"
    assert "In the city centre" in entry.summary and "A new school opened today." in entry.summary
    assert {term.term for term in entry.tags} == {"News", "Education", "Schools"}
    assert entry.published_parsed[:3] == latest.published_at.astimezone(dt.UTC).timetuple()[:3]
    assert client.get(f"{EN}/news/{office.organization.code}/{route}.xml").get("Last-Modified")


def test_the_feed_of_one_kind_and_of_every_organization(client, office):
    published(office, kind="announcement", texts={"uz": uz_text("Eʼlon")})
    published(office, texts={"uz": uz_text("Yangilik")})
    other = Office("pub-other-hokimiyat")
    published(other, kind="announcement", texts={"uz": uz_text("Boshqa eʼlon")}, at=days_ago(1))

    everyone = parse(client, f"{EN}/news/rss.xml?kind=announcement", "application/rss+xml")
    assert [entry.title for entry in everyone.entries] == ["Eʼlon", "Boshqa eʼlon"]
    assert everyone.feed.link == "http://testserver/en/news/?kind=announcement"
    own = parse(client, f"{EN}/news/{office.organization.code}/atom.xml?kind=announcement", "application/atom+xml")
    assert [entry.title for entry in own.entries] == ["Eʼlon"]
    self_link = next(link.href for link in own.feed.links if link.rel == "self")
    assert self_link == f"http://testserver/en/news/{office.organization.code}/atom.xml?kind=announcement"
    assert client.get(f"{EN}/news/rss.xml?kind=gossip").status_code == 404
    assert client.get(f"{EN}/news/no-such-office/rss.xml").status_code == 404


def test_a_feed_in_another_language_marks_the_items_shown_in_uzbek(client, office):
    published(office, texts={"uz": uz_text("Faqat oʻzbekcha")}, at=days_ago(2))
    published(office, texts={"uz": uz_text("Ikki tilda"), "ru": RU}, at=days_ago(1))
    feed = parse(client, f"/ru/news/{office.organization.code}/rss.xml", "application/rss+xml")
    assert feed.feed.language == "ru"
    translated, fallback = feed.entries
    assert translated.title == "Открылась новая школа" and "Oʻzbekcha" not in translated.summary
    assert fallback.title == "Faqat oʻzbekcha" and "Oʻzbekcha" in fallback.summary
    assert fallback.link.startswith("http://testserver/ru/news/")


def test_a_decisions_feed_carries_the_signed_pdf(client, office):
    decision = published(
        office,
        kind="decision",
        texts={"uz": uz_text("Hokim qarori")},
        data={"decision_number": "125-Q", "decision_subject": "Obodonlashtirish", "decision_date": dt.date(2026, 3, 2)},
        pdf=True,
    )
    feed = parse(client, f"{EN}/news/{office.organization.code}/rss.xml?kind=decision", "application/rss+xml")
    (entry,) = feed.entries
    assert "Decision No. 125-Q of 02.03.2026" in entry.summary
    (enclosure,) = entry.enclosures
    assert enclosure.href == f"http://testserver/en/news/files/pdf/{decision.pk}/"
    assert enclosure.type == "application/pdf" and int(enclosure.length) == decision.signed_pdf.size


def test_a_withdrawn_item_leaves_the_feed_and_unsafe_markup_never_enters_it(client, office):
    from darcha.core.pagecache import content_changed
    from darcha.infoservice.publications.models import PublicationText

    kept = published(office, texts={"uz": uz_text("Qoladi")})
    gone = published(office, texts={"uz": uz_text("Ketadi")})
    services.publication_withdraw(actor=office.press, publication=gone, reason="Xato")
    PublicationText.objects.filter(publication=kept).update(body="<p>Matn</p><script>alert(1)</script>")
    content_changed(kind="publications")
    feed = parse(client, f"{EN}/news/rss.xml", "application/rss+xml")
    assert [entry.title for entry in feed.entries] == ["Qoladi"]
    assert "Matn" in feed.entries[0].summary
    raw = client.get(f"{EN}/news/rss.xml").content.decode()  # as written, before feedparser's own cleaning
    assert "&lt;p&gt;Matn&lt;/p&gt;" in raw and "&lt;script" not in raw and "alert" not in raw
