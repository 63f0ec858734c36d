"""The public archive: only answered appeals whose authors consented and that the officer published, with
the officer's text and never the author's name, address, phone or original text; filters by topic,
hokimiyat and outcome; a page per published appeal; the same through the API; served from the page cache
with no CSRF token or cookie, and a new publication seen at once."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext

from darcha.core import pagecache
from darcha.infoservice.choices import Outcome
from darcha.infoservice.models import Topic
from darcha.infoservice.services.answers import answer_approve, answer_draft
from darcha.infoservice.services.author import appeal_publish
from darcha.infoservice.services.routing import appeal_assign
from tests.infoservice.work_helpers import at, file_appeal, fresh, hokimiyat_tree

pytestmark = pytest.mark.django_db

AUTHOR_NAME = "Karimov Anvar"
AUTHOR_ADDRESS = "Chust, Navbahor ko‘chasi, 12"
ORIGINAL = "Ko‘chamizdagi yo‘l buzilgan, ta’mirlashni so‘raymiz. Uyim raqami 12, telefonim 90 111 22 33."


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    pagecache.reset()
    yield
    cache.clear()
    pagecache.reset()


@pytest.fixture
def tree(db):
    return hokimiyat_tree()


@pytest.fixture
def roads(db):
    return Topic.objects.create(code="roads", name_uz="Yo‘llar", name_en="Roads")


def answered(tree, *, outcome=Outcome.SATISFIED, day=2, **fields):
    received = at(2026, 11, day)
    fields.setdefault("text", ORIGINAL)
    appeal = file_appeal(tree, received, **fields)
    appeal_assign(actor=tree.officer, appeal=appeal, executor=tree.department, now=received + dt.timedelta(hours=1))
    draft = answer_draft(
        actor=tree.executor,
        appeal=fresh(appeal),
        outcome=outcome,
        text="Hurmatli Karimov Anvar! Yo‘l ta’mirlanadi.",
        now=received + dt.timedelta(days=5),
    )
    answer_approve(actor=tree.hokim, answer=draft, now=received + dt.timedelta(days=6))
    return fresh(appeal)


def publish(tree, appeal, text="Ko‘chadagi yo‘l chuqurlari haqida. Yo‘l 2027 yil bahorida ta’mirlanadi."):
    return appeal_publish(actor=tree.officer, appeal=appeal, published_text=text, now=at(2026, 11, 20))


@pytest.fixture
def world(tree, roads):
    shown = publish(tree, answered(tree, consent_publish=True, topic=roads))
    refused = publish(
        tree,
        answered(tree, consent_publish=True, outcome=Outcome.REFUSED, day=3),
        text="Maktab yonida svetofor o‘rnatish so‘ralgan. Rejada yo‘q.",
    )
    unpublished = answered(tree, consent_publish=True, day=4)  # consented, never published
    no_consent = answered(tree, day=5)  # published only with consent: the service refuses the rest
    return {"shown": shown, "refused": refused, "unpublished": unpublished, "no_consent": no_consent}


def text(response) -> str:
    return response.content.decode()


def test_the_archive_shows_only_what_was_consented_and_published(client, world):
    html = text(client.get("/en/appeals/archive/"))
    assert world["shown"].number in html and world["refused"].number in html
    assert world["unpublished"].number not in html and world["no_consent"].number not in html
    assert "2027 yil bahorida" in html


def test_no_personal_data_on_the_archive_pages_or_in_the_api(client, world):
    appeal = world["shown"]
    pages = [
        text(client.get("/en/appeals/archive/")),
        text(client.get(f"/en/appeals/archive/{appeal.number}/")),
        text(client.get("/api/v1/appeals/archive/")),
        text(client.get(f"/api/v1/appeals/archive/{appeal.number}/")),
    ]
    for html in pages:
        assert AUTHOR_NAME not in html and AUTHOR_ADDRESS not in html
        assert "901112233" not in html and "90 111 22 33" not in html
        assert ORIGINAL not in html and "Hurmatli" not in html  # neither the original nor the letter


def test_an_unpublished_appeal_has_no_archive_page(client, world):
    assert client.get(f"/en/appeals/archive/{world['unpublished'].number}/").status_code == 404
    assert client.get(f"/api/v1/appeals/archive/{world['no_consent'].number}/").status_code == 404


def test_filters_by_topic_hokimiyat_and_outcome(client, world, roads, tree):
    by_topic = text(client.get("/en/appeals/archive/", {"topic": roads.pk}))
    assert world["shown"].number in by_topic and world["refused"].number not in by_topic
    by_outcome = text(client.get("/en/appeals/archive/", {"outcome": "refused"}))
    assert world["refused"].number in by_outcome and world["shown"].number not in by_outcome
    other = text(client.get("/en/appeals/archive/", {"hokimiyat": tree.other_hokimiyat.pk}))
    assert world["shown"].number not in other and "No published answers match." in other
    mine = text(client.get("/en/appeals/archive/", {"hokimiyat": tree.hokimiyat.pk, "outcome": "nonsense"}))
    assert world["shown"].number in mine and world["refused"].number in mine  # an unknown outcome: ignored


def test_the_api_lists_and_filters_published_appeals(client, world, roads, tree):
    listed = client.get("/api/v1/appeals/archive/").json()
    assert listed["count"] == 2
    first = listed["results"][0]
    assert set(first) == {
        "number",
        "hokimiyat",
        "topic",
        "type",
        "outcome",
        "received",
        "answered",
        "published_at",
        "text",
    }
    by_topic = client.get("/api/v1/appeals/archive/", {"topic": "roads"}).json()
    assert [row["number"] for row in by_topic["results"]] == [world["shown"].number]
    assert by_topic["results"][0]["hokimiyat"] == {"code": tree.hokimiyat.code, "name": tree.hokimiyat.name_uz}
    unknown = client.get("/api/v1/appeals/archive/", {"topic": "nowhere"})
    assert unknown.status_code == 400 and "topic" in unknown.json()["errors"]
    typo = client.get("/api/v1/appeals/archive/", {"topik": "roads"})
    assert typo.status_code == 400


@pytest.fixture
def held(settings):
    settings.PAGE_CACHE_VERSION_SECONDS = 3600
    pagecache.content_version("appeals")


@pytest.mark.parametrize("page", ["/appeals/", "/en/appeals/new/", "/ru/appeals/archive/?outcome=refused"])
def test_anonymous_pages_come_from_the_cache_with_no_csrf_cookie(client, world, held, page):
    first = client.get(page)
    assert first.status_code == 200 and not first.cookies
    assert "csrfmiddlewaretoken" not in first.content.decode()
    with CaptureQueriesContext(connection) as queries:
        second = client.get(page)
    assert len(queries) == 0 and second.content == first.content and not second.cookies


def test_a_publication_is_seen_at_once(client, world, held, tree):
    page = "/en/appeals/archive/"
    assert world["unpublished"].number not in text(client.get(page))
    publish(tree, world["unpublished"], text="Ariq tozalandi.")  # appeal_publish gives "appeals" a new version
    assert world["unpublished"].number in text(client.get(page))


def _queries(client, path) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


@pytest.mark.parametrize("path", ["/en/appeals/archive/", "/api/v1/appeals/archive/", "/en/appeals/statistics/"])
def test_the_public_lists_cost_the_same_queries_however_many_appeals(client, tree, roads, path):
    publish(tree, answered(tree, consent_publish=True, topic=roads))
    cache.clear()
    pagecache.reset()
    few = _queries(client, path)
    for day in (3, 4, 5):
        publish(tree, answered(tree, consent_publish=True, day=day, text=f"Boshqa mavzudagi murojaat {day}."))
    cache.clear()
    pagecache.reset()
    assert _queries(client, path) == few
