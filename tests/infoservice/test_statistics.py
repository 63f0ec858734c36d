"""The public statistics on a small instance: counts by topic, channel and outcome, the share closed by the
due date, per hokimiyat; appeals per 10,000 residents by district (the latest population up to the year),
ranked by the rate and never by the raw count, districts without a population said so; what happened
today not counted yet; the same figures through the API; the page from the page cache."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.cache import cache
from django.utils import timezone

from darcha.core import pagecache
from darcha.core.choices import OrganizationKind
from darcha.infoservice import selectors
from darcha.infoservice.choices import Channel, Outcome
from darcha.infoservice.models import Population, Topic
from darcha.infoservice.services import AUTHOR
from darcha.infoservice.services.answers import answer_approve, answer_draft
from darcha.infoservice.services.intake import appeal_register
from darcha.infoservice.services.routing import appeal_assign
from tests.factories import OrganizationFactory
from tests.infoservice.work_helpers import at, file_appeal, fresh, hokimiyat_tree

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 12, 2)


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    pagecache.reset()
    yield
    cache.clear()
    pagecache.reset()


def close(tree, appeal, approved: dt.datetime):
    appeal_assign(actor=tree.officer, appeal=appeal, executor=tree.department, now=appeal.received_at)
    draft = answer_draft(
        actor=tree.executor, appeal=fresh(appeal), outcome=Outcome.EXPLAINED, text="Tushuntirildi.", now=approved
    )
    answer_approve(actor=tree.hokim, answer=draft, now=approved)


@pytest.fixture
def world(db):
    tree = hokimiyat_tree()
    roads = Topic.objects.create(code="roads", name_uz="Yo‘llar", name_en="Roads")
    water = Topic.objects.create(code="water", name_uz="Suv", name_en="Water")
    # A third district with a hokimiyat but no population figure.
    kosonsoy = OrganizationFactory(code="kosonsoy", kind=OrganizationKind.DISTRICT, parent=tree.region)
    kosonsoy_office = OrganizationFactory(
        code="kosonsoy-hokimiyat", kind=OrganizationKind.HOKIMIYAT, parent=kosonsoy, name_uz="Kosonsoy hokimligi"
    )
    Population.objects.create(district=tree.district, year=2026, residents=200_000)
    Population.objects.create(district=tree.district, year=2025, residents=150_000)  # the latest year wins
    other_district = tree.other_hokimiyat.parent
    Population.objects.create(district=other_district, year=2025, residents=50_000)  # the latest up to 2026

    chust = [
        file_appeal(tree, at(2026, 11, 2), topic=roads),
        file_appeal(tree, at(2026, 11, 3), topic=roads, text="Boshqa ko‘cha ham buzilgan, iltimos."),
        file_appeal(tree, at(2026, 11, 4), topic=water, channel=Channel.HOTLINE, text="Suv kelmayapti."),
        file_appeal(tree, at(2026, 11, 5), text="Mavzusiz murojaat matni."),
    ]
    close(tree, chust[0], at(2026, 11, 10))  # due 17 November: on time
    close(tree, chust[1], at(2026, 11, 25))  # due 18 November: late
    for day in (6, 7):
        appeal_register(
            actor=AUTHOR,
            organization=tree.other_hokimiyat,
            text=f"Pop tumanidagi murojaat {day}.",
            channel=Channel.WEB,
            author_name="Aliyev Bobur",
            author_address="Pop",
            received_at=at(2026, 11, day),
            now=at(2026, 11, day),
        )
    appeal_register(
        actor=AUTHOR,
        organization=kosonsoy_office,
        text="Kosonsoydagi murojaat.",
        channel=Channel.WEB,
        author_name="Aliyev Bobur",
        author_address="Kosonsoy",
        received_at=at(2026, 11, 8),
        now=at(2026, 11, 8),
    )
    # Received today: counted from tomorrow.
    file_appeal(tree, at(2026, 12, 2, 9), text="Bugun kelgan murojaat matni.")
    # Last year's: another year.
    file_appeal(tree, at(2025, 12, 20), text="O‘tgan yilgi murojaat matni.")
    return {"tree": tree, "roads": roads, "water": water, "kosonsoy": kosonsoy, "other_district": other_district}


def test_the_figures_of_a_small_instance(world):
    figures = selectors.appeal_statistics(year=2026, today=TODAY)
    assert figures["total"] == 7 and figures["closed"] == 2 and figures["on_time"] == 1
    assert figures["on_time_share"] == 50.0
    topics = {topic.code if topic else None: n for topic, n in figures["by_topic"]}
    assert topics == {"roads": 2, "water": 1, None: 4}
    assert dict(figures["by_channel"]) == {Channel.WEB: 6, Channel.HOTLINE: 1}
    assert dict(figures["by_outcome"]) == {Outcome.EXPLAINED: 2}
    offices = {row["hokimiyat"].code: row for row in figures["by_hokimiyat"]}
    assert offices["chust-hokimiyat"]["count"] == 4 and offices["chust-hokimiyat"]["on_time_share"] == 50.0
    assert offices["pop-hokimiyat"]["count"] == 2 and offices["pop-hokimiyat"]["on_time_share"] is None


def test_appeals_per_10000_residents_ranked_by_the_rate_not_the_count(world):
    figures = selectors.appeal_statistics(year=2026, today=TODAY)
    rows = [(row["district"].code, row["count"], row["residents"], row["rate"]) for row in figures["districts"]]
    # Pop: 2 appeals of 50,000 residents = 0.4; Chust: 4 of 200,000 (2026's figure, not 2025's) = 0.2.
    assert rows == [("pop", 2, 50_000, 0.4), ("chust", 4, 200_000, 0.2)]
    assert [row["bar"] for row in figures["districts"]] == [100.0, 50.0]
    assert figures["districts"][0]["population_year"] == 2025
    assert [(row["district"].code, row["count"]) for row in figures["unknown"]] == [("kosonsoy", 1)]


def test_the_day_asked_counts_what_came_before_it(world):
    assert selectors.appeal_statistics(year=2026, today=dt.date(2026, 12, 3))["total"] == 8
    assert selectors.appeal_statistics(year=2026, today=dt.date(2026, 11, 6))["total"] == 4
    # Closing counts as it stood then: on 20 November only the first was closed.
    then = selectors.appeal_statistics(year=2026, today=dt.date(2026, 11, 20))
    assert then["closed"] == 1 and then["on_time"] == 1


def test_one_hokimiyat_only(world):
    tree = world["tree"]
    figures = selectors.appeal_statistics(year=2026, hokimiyat=tree.other_hokimiyat, today=TODAY)
    assert figures["total"] == 2
    assert [row["district"].code for row in figures["districts"]] == ["pop"] and not figures["unknown"]


def test_the_page_shows_rates_with_their_counts_and_the_districts_without_population(client, world):
    if timezone.localdate() < TODAY:
        pytest.skip("the machine's clock is before the instance's days")
    html = client.get("/en/appeals/statistics/", {"year": "2026"}).content.decode()
    assert "Appeals per 10,000 residents" in html
    pop = html.index("Pop tumani")
    chust = html.index("Chust tumani", html.index("Per 10,000 residents"))
    assert pop < chust  # ranked by the rate
    assert "<strong>0.40</strong>" in html and "<strong>0.20</strong>" in html
    assert 'rect width="100.0"' in html and 'rect width="50.0"' in html  # server-drawn bars
    assert "Without a population figure" in html and "1 appeal" in html
    assert "<script" not in html.split("</header>")[1]


def test_the_api_gives_the_same_figures(client, world):
    if timezone.localdate() < TODAY:
        pytest.skip("the machine's clock is before the instance's days")
    data = client.get("/api/v1/appeals/statistics/", {"year": "2026"}).json()
    assert data["year"] == 2026 and data["on_time_share"] == 50.0
    assert data["districts"][0] == {
        "district": "pop",
        "count": 2,
        "residents": 50_000,
        "population_year": 2025,
        "per_10000": 0.4,
    }
    assert data["districts"][-1] == {
        "district": "kosonsoy",
        "count": 1,
        "residents": None,
        "population_year": None,
        "per_10000": None,
    }
    one = client.get("/api/v1/appeals/statistics/", {"year": "2026", "hokimiyat": "pop-hokimiyat"}).json()
    assert one["total"] == 2 and one["hokimiyat"] == "pop-hokimiyat"
    assert client.get("/api/v1/appeals/statistics/", {"year": "1999"}).status_code == 400
    assert client.get("/api/v1/appeals/statistics/", {"hokimiyat": "nowhere"}).status_code == 400
    assert client.get("/api/v1/appeals/statistics/", {"yaer": "2026"}).status_code == 400


def test_the_page_is_held_with_no_csrf_cookie(client, world, settings):
    settings.PAGE_CACHE_VERSION_SECONDS = 3600
    pagecache.content_version("appeals")
    first = client.get("/ru/appeals/statistics/")
    assert first.status_code == 200 and not first.cookies
    assert "csrfmiddlewaretoken" not in first.content.decode()
    second = client.get("/ru/appeals/statistics/")
    assert second.content == first.content and second["ETag"] == first["ETag"]


def test_the_api_is_in_the_openapi_schema(client):
    schema = client.get("/api/schema/", {"format": "json"}).json()
    assert "/api/v1/appeals/statistics/" in schema["paths"]
    assert "/api/v1/appeals/archive/" in schema["paths"]
    assert "/api/v1/appeals/archive/{number}/" in schema["paths"]
