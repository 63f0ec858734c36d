"""The public read API of publications: the list with its filters and search, one publication, the
language asked for with the marked fallback, refusals of bad input, the schema and the query counts."""

import datetime as dt

import pytest

from darcha.infoservice.publications import services
from darcha.infoservice.publications.models import PublicationText
from tests.infoservice.publications.public_helpers import (
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
API = "/api/v1/publications/"


@pytest.fixture
def office(db):
    return Office()


def titles(data) -> list[str]:
    return [item["title"] for item in data["results"]]


def test_the_list_has_the_public_publications_the_latest_first(client, office):
    older = published(
        office,
        texts={"uz": uz_text("Yangi maktab ochildi", "Shahar markazida"), "ru": RU},
        data={"category": category(), "tags": [tag()]},
        at=days_ago(2),
        image=True,
    )
    published(office, kind="announcement", texts={"uz": uz_text("Eʼlon")}, at=days_ago(1))
    draft(office, texts_={"uz": uz_text("Qoralama")})
    data = client.get(API).json()
    assert data["count"] == 2 and titles(data) == ["Eʼlon", "Yangi maktab ochildi"]
    item = data["results"][1]
    image = older.images.get()
    assert item == {
        "id": older.pk,
        "organization": {"code": office.organization.code, "name": office.organization.name_uz},
        "kind": "news",
        "slug": older.slug,
        "url": f"http://testserver/news/{office.organization.code}/{older.slug}/",
        "published_at": item["published_at"],
        "updated_at": item["updated_at"],
        "category": {"code": "education", "name": "Taʼlim"},
        "tags": [{"code": "schools", "name": "Maktablar"}],
        "language": "uz",
        "fallback": False,
        "languages": ["uz", "ru"],
        "title": "Yangi maktab ochildi",
        "lead": "Shahar markazida",
        "summary": "Shahar markazida",
        "decision": None,
        "image": {
            "url": f"http://testserver/news/files/image/{image.pk}/",
            "width": image.width,
            "height": image.height,
            "alt": "Yangi maktab binosi",
        },
    }
    assert "body" not in item


def test_each_item_comes_in_the_language_asked_for_else_in_uzbek_marked(client, office):
    published(office, texts={"uz": uz_text("Faqat oʻzbekcha")}, at=days_ago(2))
    published(office, texts={"uz": uz_text("Yangi maktab"), "ru": RU, "en": ENGLISH}, at=days_ago(1))
    russian = client.get(API, {"lang": "ru"}).json()["results"]
    assert [(i["title"], i["language"], i["fallback"]) for i in russian] == [
        ("Открылась новая школа", "ru", False),
        ("Faqat oʻzbekcha", "uz", True),
    ]
    assert russian[0]["url"].startswith("http://testserver/ru/news/")
    english = client.get(API, HTTP_ACCEPT_LANGUAGE="en").json()["results"]
    assert english[0]["title"] == "A new school opened"


def test_filters_and_search(client, office):
    schools = tag()
    published(office, texts={"uz": uz_text("Yangi maktab ochildi"), "en": ENGLISH}, data={"tags": [schools]})
    published(office, kind="announcement", texts={"uz": uz_text("Yoʻl yopiladi")}, data={"category": category()})
    other = Office("pub-other-hokimiyat")
    published(other, texts={"uz": uz_text("Boshqa")})

    def get(**query):
        response = client.get(API, query)
        assert response.status_code == 200, response.content
        return sorted(titles(response.json()))

    assert get(organization=other.organization.code) == ["Boshqa"]
    assert get(kind="announcement") == ["Yoʻl yopiladi"]
    assert get(category="education") == ["Yoʻl yopiladi"]
    assert get(tag="schools") == ["Yangi maktab ochildi"]
    assert get(q="мактаб") == get(q="school") == ["Yangi maktab ochildi"]
    assert get(q="yol", organization=office.organization.code) == ["Yoʻl yopiladi"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("kind=gossip", "kind"),
        ("organization=nowhere", "organization"),
        ("category=nothing", "category"),
        ("tag=nothing", "tag"),
        ("sort=title", "sort"),
    ],
)
def test_bad_parameters_are_a_400_naming_the_field(client, office, query, field):
    response = client.get(f"{API}?{query}&lang=en")
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid" and field in body["errors"]


def test_one_publication_with_its_body_images_attachments_and_decision(client, office):
    decision = published(
        office,
        kind="decision",
        texts={"uz": uz_text("Hokim qarori", body="<p>Qaror <strong>matni</strong></p>")},
        data={"decision_number": "125-Q", "decision_subject": "Obodonlashtirish", "decision_date": dt.date(2026, 3, 2)},
        pdf=True,
        image=True,
    )
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.infoservice.publications.editing_helpers import pdf_bytes

    attachment = services.attachment_add(
        actor=office.press,
        publication=decision,
        upload=SimpleUploadedFile("ilova.pdf", pdf_bytes(), content_type="application/pdf"),
        title="Ilova",
    )
    data = client.get(f"{API}{decision.pk}/").json()
    assert data["body"] == "<p>Qaror <strong>matni</strong></p>"
    assert data["decision"] == {
        "number": "125-Q",
        "date": "2026-03-02",
        "subject": "Obodonlashtirish",
        "signed_pdf": f"http://testserver/news/files/pdf/{decision.pk}/",
    }
    assert [image["alt"] for image in data["images"]] == ["Yangi maktab binosi"]
    assert data["attachments"] == [
        {"url": f"http://testserver/news/files/attachment/{attachment.pk}/", "title": "Ilova"}
    ]
    PublicationText.objects.filter(publication=decision).update(body="<p>Matn</p><script>alert(1)</script>")
    from darcha.core.pagecache import content_changed

    content_changed(kind="publications")
    assert client.get(f"{API}{decision.pk}/").json()["body"] == "<p>Matn</p>"


def test_what_is_not_public_is_not_found(client, office):
    hidden = draft(office)
    withdrawn = published(office, texts={"uz": uz_text("Qaytarildi")})
    services.publication_withdraw(actor=office.press, publication=withdrawn, reason="Xato")
    for pk in (hidden.pk, withdrawn.pk, 999_999, "abc"):
        response = client.get(f"{API}{pk}/?lang=en")
        assert response.status_code == 404 and response.json()["code"] == "not_found"


def test_the_api_is_held_by_the_page_cache(client, office):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    published(office, texts={"uz": uz_text("Birinchi")})
    client.get(API)
    first = client.get(API)
    with CaptureQueriesContext(connection) as queries:
        again = client.get(API)
    assert len(queries) == 0 and again.content == first.content and first.has_header("ETag")
    published(office, texts={"uz": uz_text("Ikkinchi")})
    assert titles(client.get(API).json()) == ["Ikkinchi", "Birinchi"]


def test_the_endpoints_are_in_the_schema(client, db):
    import yaml

    schema = yaml.safe_load(client.get("/api/schema/").content)
    assert {"/api/v1/publications/", "/api/v1/publications/{id}/"} <= set(schema["paths"])
    parameters = {p["name"] for p in schema["paths"]["/api/v1/publications/"]["get"]["parameters"]}
    assert {"organization", "kind", "category", "tag", "q", "page", "page_size"} <= parameters


def test_the_list_and_an_item_cost_the_same_with_three_times_the_publications(client, office, query_counts):
    from darcha.core import pagecache

    schools = tag()

    def grow(n):
        for i in range(n):
            published(
                office,
                texts={"uz": uz_text(f"Maktab {i}"), "ru": RU} if i % 2 else {"uz": uz_text(f"Maktab {i}")},
                data={"category": category(), "tags": [schools]},
                image=i % 3 == 0,
            )

    def uncached(address):
        pagecache.reset()
        return client.get(address)

    grow(3)
    item = published(office, texts={"uz": uz_text("Bitta")}, data={"tags": [schools]}, image=True)
    for _round in range(2):
        query_counts.check("publications.api.list", lambda: uncached(API))
        query_counts.check("publications.api.search", lambda: uncached(f"{API}?q=maktab&tag=schools&lang=ru"))
        query_counts.check("publications.api.detail", lambda: uncached(f"{API}{item.pk}/"))
        grow(6)
