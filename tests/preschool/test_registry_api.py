"""The registry's open-data API: /api/v1/preschool/kindergartens/ (list, filters, detail), anonymous and
read-only, paginated as the catalog's, held by the page cache, in the OpenAPI schema."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from drf_spectacular.generators import SchemaGenerator

from darcha.core import pagecache
from tests.preschool import test_registry

pytestmark = pytest.mark.django_db
# The registry pages' kindergartens, groups and queue (tests/preschool/test_registry.py).
city, world = test_registry.city, test_registry.world

LIST = "/api/v1/preschool/kindergartens/"


def codes(client, query: str = "") -> list[str]:
    answer = client.get(f"{LIST}?{query}")
    assert answer.status_code == 200, answer.content
    return [item["code"] for item in answer.json()["results"]]


def test_the_list_is_paginated_with_each_kindergartens_groups_and_figures(client, world):
    data = client.get(f"{LIST}?lang=en").json()
    assert data["count"] == 3 and data["next"] is None
    seven = data["results"][0]
    assert seven["code"] == "namangan-mtt-7" and seven["number"] == "7" and seven["kind"] == "state"
    assert seven["district"] == "namangan" and seven["mahalla"] == "Navbahor"
    assert seven["location"] == {"latitude": 40.9983, "longitude": 71.6726}
    assert seven["names"]["ru"] == "ДОУ № 7 «Кувонч»"
    g3 = seven["programs"][0]
    figures = ("id", "age_group", "language", "regime", "seats", "enrolled", "referrals_open", "placed")
    figures += ("free_places", "queue", "queue_privileged", "last_cutoff")
    assert {name: g3[name] for name in figures} == {
        "id": world["g3"].pk,
        "age_group": "3-4",
        "language": "uz",
        "regime": "9",
        "seats": 3,
        "enrolled": 1,
        "referrals_open": 1,
        "placed": 2,
        "free_places": 1,
        "queue": 3,
        "queue_privileged": 1,
        "last_cutoff": None,
    }
    assert g3["regime_label"] == "9 hours" and g3["last_cutoff_text"]
    assert g3["monthly_fee"] == {
        "one_child": 240_000,
        "each_of_several": 170_000,
        "valid_from": "2025-01-01",
        "set_by_kindergarten": False,
        "currency": "UZS",
    }


def test_page_size_pages_the_list(client, world):
    data = client.get(f"{LIST}?page_size=2").json()
    assert data["count"] == 3 and len(data["results"]) == 2 and "page=2" in data["next"]


@pytest.mark.parametrize(
    "query, found",
    [
        ("district=uychi", ["uychi-mtt-3"]),
        ("kind=private", ["namangan-mtt-12"]),
        ("language=ru", ["namangan-mtt-7"]),
        ("regime=10.5&age_group=4-5", ["namangan-mtt-7"]),
        ("free=true&language=ru", []),
        ("free=false&language=ru", ["namangan-mtt-7"]),
        ("q=Кувонч", ["namangan-mtt-7"]),
        ("q=12", ["namangan-mtt-12"]),
    ],
)
def test_filters(client, world, query, found):
    assert codes(client, query) == found


def test_the_list_carries_only_the_groups_asked_for(client, world):
    seven = client.get(f"{LIST}?language=ru").json()["results"][0]
    assert [(p["age_group"], p["language"]) for p in seven["programs"]] == [("4-5", "ru")]


@pytest.mark.parametrize(
    "query, field",
    [
        ("kind=alien", "kind"),
        ("regime=7", "regime"),
        ("free=maybe", "free"),
        ("colour=red", "colour"),
        ("district=nowhere", "district"),
        ("age=3-4", "age"),
    ],
)
def test_bad_filters_are_a_400_naming_the_field(client, world, query, field):
    answer = client.get(f"{LIST}?{query}")
    assert answer.status_code == 400
    assert answer.json()["code"] == "invalid" and field in answer.json()["errors"]


def test_the_detail_has_every_group_with_fee_and_cutoff_in_the_asked_language(client, world):
    data = client.get(f"{LIST}namangan-mtt-7/?lang=ru").json()
    assert data["name"] == "ДОУ № 7 «Кувонч»" and data["director"] == "Karimova Dilnoza"
    assert data["phone"] == "+998692270707"
    assert [p["language"] for p in data["programs"]] == ["uz", "ru"]
    russian = data["programs"][1]
    assert (russian["free_places"], russian["queue"], russian["last_cutoff"]) == (0, 1, None)
    assert russian["language_label"] == "Русский"
    private = client.get(f"{LIST}namangan-mtt-12/").json()["programs"][0]["monthly_fee"]
    assert private["set_by_kindergarten"] is True and private["one_child"] is None


def test_an_unknown_kindergarten_is_a_404(client, world):
    answer = client.get(f"{LIST}no-such-mtt/")
    assert answer.status_code == 404 and answer.json()["code"] == "not_found"


def test_the_api_is_read_only_for_anonymous(client, world):
    assert client.post(LIST, {}).status_code in (401, 403, 405)
    assert client.delete(f"{LIST}namangan-mtt-7/").status_code in (401, 403, 405)


def test_anonymous_answers_are_held(client, world, settings):
    settings.PAGE_CACHE_VERSION_SECONDS = 3600
    pagecache.content_version("preschool")
    first = client.get(LIST)
    with CaptureQueriesContext(connection) as queries:
        second = client.get(LIST)
    assert len(queries) == 0 and second.content == first.content and not second.cookies


def test_the_registry_is_in_the_openapi_schema():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    listing = schema["paths"]["/api/v1/preschool/kindergartens/"]["get"]
    assert {"district", "kind", "age_group", "language", "regime", "free", "q", "page"} <= {
        p["name"] for p in listing["parameters"]
    }
    assert "/api/v1/preschool/kindergartens/{code}/" in schema["paths"]
    program = schema["components"]["schemas"]["RegistryProgram"]["properties"]
    assert {"free_places", "queue", "queue_privileged", "monthly_fee", "last_cutoff"} <= set(program)
