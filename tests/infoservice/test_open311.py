"""Open311 GeoReport v2 (`darcha.infoservice.open311`): a client discovers the endpoint, lists the services
(appeal topics that take a location), reads a definition, posts a request (JSON and XML), gets its token
and reads the request back; lists with the specification's filters and defaults; every malformed request
gets the specification's error list with its status in both formats, changes nothing, and never a 500;
the author's personal data is never in a GET answer; api keys are issued once and stored hashed."""

from __future__ import annotations

import datetime as dt
import json
import re
from xml.etree import ElementTree as ET

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from darcha.core.choices import OrganizationKind
from darcha.core.errors import Forbidden
from darcha.core.models import User
from darcha.infoservice import open311
from darcha.infoservice.choices import AppealStatus, Channel, Outcome
from darcha.infoservice.models import Appeal, Open311Client, Topic
from darcha.infoservice.services import AUTHOR, appeal_withdraw, not_considered_ground
from tests.factories import OrganizationFactory
from tests.infoservice.helpers import hokimiyat

pytestmark = pytest.mark.django_db

BASE = "/open311/v2"
NAME, PHONE, EMAIL = "Aziz", "+998901234567", "aziz.karimov@example.uz"
SURNAME = "Karimovskiy"


# --- builders -------------------------------------------------------------------------------------
@pytest.fixture(autouse=True)
def _english(client):
    # The descriptions asserted below are the English msgids; a request without a language gets Uzbek.
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"


@pytest.fixture
def place():
    return hokimiyat("chust")


@pytest.fixture
def admin_user():
    return User.objects.create_superuser("open311-admin", "admin@example.uz", "x")


@pytest.fixture
def topics():
    pothole = Topic.objects.create(
        code="road-potholes",
        name_uz="Yoʻl chuqurlari",
        name_ru="Ямы на дорогах",
        name_en="Potholes",
        description_uz="Koʻchalardagi chuqurlar",
        takes_location=True,
        keywords="road, pothole, asphalt",
        order=10,
        attributes=[
            {
                "code": "size",
                "datatype": "singlevaluelist",
                "required": True,
                "description": {"uz": "Qanchalik katta?", "ru": "Какого размера?"},
                "values": [{"key": "small", "name": "Under a metre"}, {"key": "large", "name": "Over a metre"}],
            },
            {"code": "depth", "datatype": "number", "description": "How deep, cm?"},
            {"code": "since", "datatype": "datetime", "description": "Since when?"},
            {
                "code": "hazards",
                "datatype": "multivaluelist",
                "description": "What is at risk?",
                "values": [{"key": "cars", "name": "Cars"}, {"key": "children", "name": "Children"}],
            },
            {"code": "note", "datatype": "string", "description": "Anything else"},
            {"code": "", "datatype": "string"},  # no code: not an attribute
        ],
    )
    lighting = Topic.objects.create(
        code="street-lighting", name_uz="Koʻcha yoritilishi", takes_location=True, keywords="lamp", order=20
    )
    Topic.objects.create(code="pensions", name_uz="Pensiyalar", takes_location=False, order=5)
    Topic.objects.create(code="old-location", name_uz="Eski", takes_location=True, is_active=False, order=1)
    return pothole, lighting


@pytest.fixture
def key(place, admin_user):
    _client, secret = open311.open311_client_create(actor=admin_user, name="Mahalla app", organization=place.hokimiyat)
    return secret


def jurisdiction(place) -> dict:
    return {"jurisdiction_id": place.hokimiyat.code}


def report(place, key, **fields) -> dict:
    """A valid POST body (fields override; None drops one)."""
    body = {
        "api_key": key,
        "jurisdiction_id": place.hokimiyat.code,
        "service_code": "road-potholes",
        "lat": "40.9982",
        "long": "71.2376",
        "address_string": "Navoiy koʻchasi, 12",
        "attribute[size]": "large",
        "description": "Navoiy koʻchasida katta chuqur, mashinalar oʻtolmayapti.",
        "first_name": NAME,
        "last_name": SURNAME,
        "phone": PHONE,
        "email": EMAIL,
        "media_url": "https://photos.example.uz/pothole.jpg",
    }
    body.update(fields)
    return {name: value for name, value in body.items() if value is not None}


def parsed(response, fmt: str):
    """The body as data: JSON as is; XML parsed with ElementTree (so it is well-formed) into the same shape."""
    if fmt == "json":
        assert response["Content-Type"] == "application/json; charset=utf-8"
        return json.loads(response.content)
    assert response["Content-Type"] == "text/xml; charset=utf-8"
    assert response.content.startswith(b'<?xml version="1.0" encoding="utf-8"?>')
    return ET.fromstring(response.content)  # noqa: S314 (our own answer, parsed to prove it well-formed)


def errors(response, fmt: str) -> list[tuple[int, str]]:
    """The specification's error list: (code, description) pairs."""
    body = parsed(response, fmt)
    if fmt == "json":
        assert isinstance(body, list)
        return [(item["code"], item["description"]) for item in body]
    assert body.tag == "errors"
    return [(int(item.findtext("code")), item.findtext("description")) for item in body.findall("error")]


def xml_requests(root) -> list[dict]:
    assert root.tag == "service_requests"
    return [{child.tag: child.text for child in request} for request in root.findall("request")]


def post(client, fmt: str, body: dict, **extra):
    return client.post(f"{BASE}/requests.{fmt}", body, **extra)


# --- discovery and services -------------------------------------------------------------------------
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_discovery_names_the_endpoint_and_both_formats(client, fmt):
    response = client.get(f"{BASE}/discovery.{fmt}")
    assert response.status_code == 200
    body = parsed(response, fmt)
    if fmt == "json":
        endpoint = body["endpoints"][0]
        assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"
        assert endpoint["url"].endswith("/open311/v2")
        assert endpoint["formats"] == ["text/xml", "application/json"]
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+05:00", body["changeset"])
        assert body["key_service"] and body["contact"]
    else:
        assert body.tag == "discovery"
        assert body.findtext("endpoints/endpoint/url").endswith("/open311/v2")
        assert [f.text for f in body.findall("endpoints/endpoint/formats/format")] == ["text/xml", "application/json"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_services_are_the_active_topics_that_take_a_location(client, place, topics, fmt):
    response = client.get(f"{BASE}/services.{fmt}", jurisdiction(place))
    assert response.status_code == 200
    body = parsed(response, fmt)
    if fmt == "xml":
        assert body.tag == "services"
        body = [{child.tag: child.text for child in service} for service in body.findall("service")]
    assert [service["service_code"] for service in body] == ["road-potholes", "street-lighting"]
    pothole, lighting = body
    assert pothole["service_name"] == "Potholes"
    assert pothole["description"] == "Koʻchalardagi chuqurlar"  # no English one: the Uzbek
    assert pothole["type"] == "realtime"
    assert pothole["keywords"] == "road, pothole, asphalt"
    assert "group" in pothole
    assert pothole["metadata"] == (True if fmt == "json" else "true")
    assert lighting["metadata"] == (False if fmt == "json" else "false")


def test_services_speak_the_language_asked_for(client, place, topics):
    response = client.get(f"{BASE}/services.json", jurisdiction(place), HTTP_ACCEPT_LANGUAGE="ru")
    assert response.json()[0]["service_name"] == "Ямы на дорогах"
    assert response["Content-Language"] == "ru"
    response = client.get(f"{BASE}/services.json", jurisdiction(place), HTTP_ACCEPT_LANGUAGE="uz")
    assert response.json()[0]["service_name"] == "Yoʻl chuqurlari"
    definition = client.get(f"{BASE}/services/road-potholes.json", {**jurisdiction(place), "lang": "ru"}).json()
    assert definition["attributes"][0]["description"] == "Какого размера?"


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_service_definition_lists_the_attributes_in_order(client, place, topics, fmt):
    response = client.get(f"{BASE}/services/road-potholes.{fmt}", jurisdiction(place))
    assert response.status_code == 200
    body = parsed(response, fmt)
    if fmt == "json":
        assert body["service_code"] == "road-potholes"
        size = body["attributes"][0]
        assert size == {
            "variable": True,
            "code": "size",
            "datatype": "singlevaluelist",
            "required": True,
            "datatype_description": None,
            "order": 1,
            "description": "Qanchalik katta?",
            "values": [{"key": "small", "name": "Under a metre"}, {"key": "large", "name": "Over a metre"}],
        }
        assert [a["code"] for a in body["attributes"]] == ["size", "depth", "since", "hazards", "note"]
        assert "values" not in body["attributes"][1]
    else:
        assert body.tag == "service_definition"
        assert body.findtext("service_code") == "road-potholes"
        first = body.find("attributes/attribute")
        assert first.findtext("code") == "size"
        assert first.findtext("required") == "true"
        assert first.findtext("variable") == "true"
        assert first.findtext("order") == "1"
        assert [v.findtext("key") for v in first.findall("values/value")] == ["small", "large"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize("code", ["pensions", "old-location", "no-such-topic"])
def test_a_service_that_is_not_offered_is_404(client, place, topics, fmt, code):
    response = client.get(f"{BASE}/services/{code}.{fmt}", jurisdiction(place))
    assert response.status_code == 404
    assert errors(response, fmt) == [(404, "service_code provided was not found.")]


# --- posting a request and reading it back ---------------------------------------------------------
@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_a_client_posts_a_request_gets_its_token_and_reads_it_back(client, place, topics, key, fmt):
    response = post(
        client,
        fmt,
        report(place, key, **{"attribute[depth]": "15", "attribute[hazards][]": ["cars", "children"]}),
    )
    assert response.status_code == 200, response.content
    body = parsed(response, fmt)
    token = body[0]["token"] if fmt == "json" else xml_requests(body)[0]["token"]
    if fmt == "json":
        assert list(body[0]) == ["token"]

    appeal = Appeal.objects.get(open311_token=token)
    assert appeal.channel == Channel.OPEN311
    assert appeal.topic.code == "road-potholes"
    assert appeal.organization == place.hokimiyat
    assert (str(appeal.latitude), str(appeal.longitude)) == ("40.998200", "71.237600")
    assert appeal.location_address == "Navoiy koʻchasi, 12"
    assert appeal.open311_attributes == {"size": "large", "depth": "15", "hazards": ["cars", "children"]}
    assert appeal.open311_media_url == "https://photos.example.uz/pothole.jpg"
    assert appeal.author_name == f"{NAME} {SURNAME}"
    assert (appeal.author_phone, appeal.author_email) == (PHONE, EMAIL)

    response = client.get(f"{BASE}/tokens/{token}.{fmt}", jurisdiction(place))
    assert response.status_code == 200
    body = parsed(response, fmt)
    found = body[0] if fmt == "json" else xml_requests(body)[0]
    assert found == {"service_request_id": appeal.number, "token": token}

    response = client.get(f"{BASE}/requests/{appeal.number}.{fmt}", jurisdiction(place))
    assert response.status_code == 200
    body = parsed(response, fmt)
    request = body[0] if fmt == "json" else xml_requests(body)[0]
    assert request["service_request_id"] == appeal.number
    assert request["status"] == "open"
    assert request["service_code"] == "road-potholes"
    assert request["service_name"] == "Potholes"
    assert request["description"] == "Navoiy koʻchasida katta chuqur, mashinalar oʻtolmayapti."
    assert request["agency_responsible"] == place.hokimiyat.name  # no executor assigned yet
    assert appeal.number in request["service_notice"]
    assert request["address"] == "Navoiy koʻchasi, 12"
    assert request["media_url"] == "https://photos.example.uz/pothole.jpg"
    assert request["requested_datetime"] == timezone.localtime(appeal.received_at).isoformat(timespec="seconds")
    assert request["requested_datetime"].endswith("+05:00")
    assert request["expected_datetime"] == timezone.localtime(appeal.due_at).isoformat(timespec="seconds")
    assert request["updated_datetime"].endswith("+05:00")
    if fmt == "json":
        assert (request["lat"], request["long"]) == (40.9982, 71.2376)
    else:
        assert (float(request["lat"]), float(request["long"])) == (40.9982, 71.2376)


def test_get_answers_never_carry_the_authors_personal_data(client, place, topics, key):
    token = post(client, "json", report(place, key)).json()[0]["token"]
    appeal = Appeal.objects.get(open311_token=token)
    answers = (
        [client.get(f"{BASE}/requests.{fmt}", jurisdiction(place)).content.decode() for fmt in ("json", "xml")]
        + [
            client.get(f"{BASE}/requests/{appeal.number}.{fmt}", jurisdiction(place)).content.decode()
            for fmt in ("json", "xml")
        ]
        + [client.get(f"{BASE}/tokens/{token}.{fmt}", jurisdiction(place)).content.decode() for fmt in ("json", "xml")]
    )
    for answer in answers:
        assert appeal.number in answer
        for secret in (SURNAME, PHONE, "901234567", EMAIL, appeal.access_code):
            assert secret not in answer


def test_only_appeals_that_came_through_open311_are_listed(client, place, topics, key):
    from tests.infoservice.helpers import register

    web = register(place, topic=topics[0], latitude="40.1", longitude="71.1", location_address="Web street")
    post(client, "json", report(place, key))
    listed = client.get(f"{BASE}/requests.json", jurisdiction(place)).json()
    assert len(listed) == 1 and listed[0]["service_request_id"] != web.number
    assert client.get(f"{BASE}/requests/{web.number}.json", jurisdiction(place)).status_code == 404


def test_a_request_with_an_address_and_no_description_is_registered_with_a_readable_text(client, place, topics, key):
    body = report(place, key, lat=None, long=None, description=None, phone=None)
    body.update({"attribute[hazards]": "children"})
    response = post(client, "xml", body)
    assert response.status_code == 200
    appeal = Appeal.objects.get(open311_token=xml_requests(parsed(response, "xml"))[0]["token"])
    assert appeal.latitude is None and appeal.location_address == "Navoiy koʻchasi, 12"
    assert appeal.text.splitlines()[:2] == ["Potholes", "Navoiy koʻchasi, 12"]  # in the request's language
    assert "Over a metre" in appeal.text and "Children" in appeal.text


# --- who the author is (Law ZRU-445: anonymous appeals are not considered) ------------------------------
def test_a_named_request_records_the_district_of_its_location_as_the_residence(client, place, topics, key):
    token = post(client, "json", report(place, key)).json()[0]["token"]
    appeal = Appeal.objects.get(open311_token=token)
    assert appeal.author_name == f"{NAME} {SURNAME}"
    assert appeal.author_address == "Chust tumani"  # the client's hokimiyat's district
    assert not_considered_ground(appeal) is None  # not anonymous: considered like any other appeal


def test_the_residence_is_named_in_the_requests_language(client, place, topics, key):
    place.district.name_ru = "Чустский район"
    place.district.save()
    token = post(client, "json", report(place, key), HTTP_ACCEPT_LANGUAGE="ru").json()[0]["token"]
    appeal = Appeal.objects.get(open311_token=token)
    assert (appeal.language, appeal.author_address) == ("ru", "Чустский район")


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize(
    "fields",
    [{"first_name": None, "last_name": None}, {"first_name": "  "}, {"last_name": None}],
)
def test_a_request_without_the_authors_name_is_400_and_registers_nothing(client, place, topics, key, fmt, fields):
    response = post(client, fmt, report(place, key, **fields))
    assert response.status_code == 400
    found = errors(response, fmt)
    assert [description for _code, description in found] == [
        "first_name and last_name are required: the hokimiyat does not consider anonymous appeals."
    ]
    assert not Appeal.objects.exists()


def test_a_request_with_no_phone_and_no_email_is_400_and_registers_nothing(client, place, topics, key):
    response = post(client, "json", report(place, key, phone=None, email=""))
    assert response.status_code == 400
    assert errors(response, "json") == [
        (400, "A phone or an email is required: the answer to the request is sent there.")
    ]
    assert post(client, "json", report(place, key, phone=None)).status_code == 200  # an e-mail is enough
    assert post(client, "json", report(place, key, email=None)).status_code == 200  # and so is a phone
    assert Appeal.objects.count() == 2


def test_an_anonymous_request_lists_both_problems_at_once(client, place, topics, key):
    body = report(place, key, first_name=None, last_name=None, phone=None, email=None)
    found = [description for _code, description in errors(post(client, "xml", body), "xml")]
    assert len(found) == 2 and "anonymous" in found[0] and "phone or an email" in found[1]


def test_a_closed_request_shows_its_outcome(client, place, topics, key):
    token = post(client, "json", report(place, key)).json()[0]["token"]
    appeal = appeal_withdraw(actor=AUTHOR, appeal=Appeal.objects.get(open311_token=token))
    request = client.get(f"{BASE}/requests/{appeal.number}.json", jurisdiction(place)).json()[0]
    assert request["status"] == "closed"
    with translation.override("en"):  # the answer's language: no Accept-Language, no lang
        assert request["status_notes"] == str(Outcome.TERMINATED.label)
    assert request["service_notice"].startswith("Closed on")
    assert request["updated_datetime"] == timezone.localtime(appeal.closed_at).isoformat(timespec="seconds")


def test_xml_escapes_what_the_client_wrote_and_drops_what_xml_cannot_carry(client, place, topics, key):
    text = 'Chuqur <b>"katta"</b> & xavfli\x01\x0b — ]]> tamom'
    post(client, "json", report(place, key, description=text))
    number = Appeal.objects.get().number
    root = parsed(client.get(f"{BASE}/requests/{number}.xml", jurisdiction(place)), "xml")
    assert xml_requests(root)[0]["description"] == 'Chuqur <b>"katta"</b> & xavfli — ]]> tamom'


# --- malformed requests -----------------------------------------------------------------------------
MALFORMED_POSTS = [
    ({"api_key": None}, 403, "api_key was not provided"),
    ({"api_key": "not-a-key"}, 403, "Invalid api_key received"),
    ({"jurisdiction_id": "nowhere"}, 404, "jurisdiction_id provided was not found"),
    ({"service_code": None}, 400, "service_code was not provided"),
    ({"service_code": "no-such-topic"}, 404, "service_code provided was not found"),
    ({"service_code": "pensions"}, 404, "service_code provided was not found"),
    ({"lat": None, "long": None, "address_string": None}, 400, "A location is required"),
    ({"lat": None, "long": None, "address_string": None, "address_id": "77"}, 400, "address_id is not known"),
    ({"long": None}, 400, "Give both lat and long"),
    ({"lat": "north"}, 400, "lat is not a number"),
    ({"lat": "NaN"}, 400, "lat is not a number"),
    ({"long": "1e999999"}, 400, "long is outside"),
    ({"lat": "91"}, 400, "lat is outside"),
    ({"attribute[colour]": "red"}, 400, "attribute[colour] is not an attribute"),
    ({"attribute[size]": None}, 400, "attribute[size] is required"),
    ({"attribute[size]": "huge"}, 400, "attribute[size] has no value huge"),
    ({"attribute[hazards][]": ["cars", "dogs"]}, 400, "attribute[hazards] has no value dogs"),
    ({"attribute[depth]": "deep"}, 400, "attribute[depth] is not a number"),
    ({"attribute[depth]": "Infinity"}, 400, "attribute[depth] is not a number"),
    ({"attribute[since]": "last week"}, 400, "attribute[since] is not a W3C date"),
    ({"attribute[note]": "x" * 256}, 400, "attribute[note] is longer than 255"),
    ({"email": "aziz@"}, 400, "email is not a valid e-mail address"),
    ({"email": "a" * 250 + "@x.uz"}, 400, "email is not a valid e-mail address"),
    ({"phone": "12345"}, 400, "phone: Enter an Uzbek phone number"),
    ({"media_url": "javascript:alert(1)"}, 400, "media_url is not a web address"),
    ({"description": "x" * 4001}, 400, "description is longer than 4000"),
    ({"address_string": "x" * 256}, 400, "address_string is longer than 255"),
    ({"first_name": "x" * 101}, 400, "first_name and last_name are at most 100"),
]


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize(("fields", "status", "described"), MALFORMED_POSTS)
def test_a_malformed_post_gets_the_error_list_and_registers_nothing(
    client, place, topics, key, fmt, fields, status, described
):
    response = post(client, fmt, report(place, key, **fields))
    assert response.status_code == status, response.content
    found = errors(response, fmt)
    assert all(code == status for code, _description in found)
    assert any(described in description for _code, description in found), found
    assert not Appeal.objects.exists()


def test_every_problem_of_a_post_is_listed_at_once(client, place, topics, key):
    body = report(place, key, lat="x", **{"attribute[size]": None, "attribute[depth]": "y"}, email="@")
    found = [description for _code, description in errors(post(client, "json", body), "json")]
    assert len(found) == 4, found


def test_a_key_of_another_hokimiyat_is_refused(client, place, topics, key, admin_user):
    other = hokimiyat("pop")
    response = post(client, "json", report(place, key, jurisdiction_id=other.hokimiyat.code))
    assert response.status_code == 403
    assert errors(response, "json") == [(403, f"This api_key is not for the jurisdiction {other.hokimiyat.code}.")]
    client_row = Open311Client.objects.get()
    client_row.is_active = False
    client_row.save()
    response = post(client, "xml", report(place, key))
    assert errors(response, "xml")[0][0] == 403
    assert not Appeal.objects.exists()


def test_the_api_key_is_read_from_the_body_only(client, place, topics, key):
    body = report(place, key, api_key=None)
    response = client.post(f"{BASE}/requests.json?api_key={key}", body)
    assert response.status_code == 403


def test_a_body_that_is_not_a_form_is_403_or_400_never_500(client, place, topics, key):
    response = client.post(
        f"{BASE}/requests.json", data=json.dumps(report(place, key)), content_type="application/json"
    )
    assert response.status_code == 403  # no form, so no api_key
    response = client.post(
        f"{BASE}/requests.xml", data=b"--broken\r\n", content_type="multipart/form-data; boundary=broken"
    )
    assert response.status_code in (400, 403)
    errors(response, "xml")


def test_jurisdiction_id_is_required_only_while_darcha_serves_several_hokimiyats(client, place, topics, key):
    assert client.get(f"{BASE}/services.json").status_code == 200  # the one hokimiyat
    assert post(client, "json", report(place, key, jurisdiction_id=None)).status_code == 200
    OrganizationFactory(code="pop-hokimiyat", kind=OrganizationKind.HOKIMIYAT, parent=place.region)
    for path in ("services.json", "services/road-potholes.json", "requests.json"):
        response = client.get(f"{BASE}/{path}")
        assert response.status_code == 400
        assert errors(response, "json")[0][1].startswith("jurisdiction_id was not provided")
    response = post(client, "xml", report(place, key, jurisdiction_id=None))
    assert response.status_code == 400
    assert client.get(f"{BASE}/services.json", {"jurisdiction_id": "nowhere"}).status_code == 404


@pytest.mark.parametrize(
    ("path", "status", "fmt", "described"),
    [
        ("services.csv", 400, "xml", "Give the format as the file extension"),
        ("services", 400, "xml", "Give the format as the file extension"),
        ("services/road-potholes", 400, "xml", "Give the format as the file extension"),
        ("requests.JSON", 200, None, None),
        ("requests/NO-26-000001.json", 404, "json", "service_request_id provided was not found"),
        ("tokens/0000.xml", 404, "xml", "token provided was not found"),
        ("tokens/.json", 400, "xml", "Give the format"),  # a token ".json" with no extension
        ("nothing-here.json", 404, "json", "No such Open311 resource"),
        ("requests/a/b.xml", 404, "xml", "No such Open311 resource"),
        ("", 404, "xml", "No such Open311 resource"),
    ],
)
def test_unknown_formats_and_resources(client, place, topics, path, status, fmt, described):
    response = client.get(f"{BASE}/{path}", jurisdiction(place))
    assert response.status_code == status
    if described:
        assert described in errors(response, fmt)[0][1]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_other_methods_are_405(client, place, topics, fmt):
    response = client.delete(f"{BASE}/requests.{fmt}")
    assert response.status_code == 405
    assert response["Allow"] == "GET, POST, HEAD"
    assert errors(response, fmt)[0][0] == 405
    response = client.post(f"{BASE}/services.{fmt}", jurisdiction(place))
    assert response.status_code == 405
    assert response["Allow"] == "GET, HEAD"


# --- listing requests ---------------------------------------------------------------------------------
def submit(place, client_row, topic, *, now, **fields) -> Appeal:
    data = open311.RequestInput(topic=topic, address=fields.pop("address", "Navoiy 1"), **fields)
    return open311.open311_request_submit(client=client_row, data=data, now=now)


@pytest.fixture
def history(place, topics, key):
    """Open311 requests received 1, 10, 50 and 100 days ago (pothole, pothole, lighting, pothole); the
    10-day-old one closed."""
    pothole, lighting = topics
    row = Open311Client.objects.get()
    now = timezone.now()
    made = {
        days: submit(place, row, topic, now=now - dt.timedelta(days=days), description=f"{days} days ago")
        for days, topic in ((1, pothole), (10, pothole), (50, lighting), (100, pothole))
    }
    appeal_withdraw(actor=AUTHOR, appeal=made[10])
    return made


def listed(client, place, fmt="json", **params) -> list[str]:
    response = client.get(f"{BASE}/requests.{fmt}", {**jurisdiction(place), **params})
    assert response.status_code == 200, response.content
    body = parsed(response, fmt)
    rows = body if fmt == "json" else xml_requests(body)
    return [row["description"] for row in rows]


@pytest.mark.parametrize("fmt", ["json", "xml"])
def test_by_default_the_last_90_days_newest_first(client, place, history, fmt):
    assert listed(client, place, fmt) == ["1 days ago", "10 days ago", "50 days ago"]


def test_filters_by_service_code_status_and_ids(client, place, history):
    assert listed(client, place, service_code="street-lighting") == ["50 days ago"]
    assert listed(client, place, service_code="street-lighting,road-potholes") == [
        "1 days ago",
        "10 days ago",
        "50 days ago",
    ]
    assert listed(client, place, service_code="no-such") == []
    assert listed(client, place, status="closed") == ["10 days ago"]
    assert listed(client, place, status="open") == ["1 days ago", "50 days ago"]
    assert listed(client, place, status="open,closed") == ["1 days ago", "10 days ago", "50 days ago"]
    ids = f"{history[100].number}, {history[1].number.lower()},{history[1].number}"
    # service_request_id overrides every other filter, the 90 days too.
    assert listed(client, place, service_request_id=ids, status="closed") == ["1 days ago", "100 days ago"]


def test_filters_by_dates(client, place, history):
    def iso(days: int) -> str:
        return timezone.localtime(timezone.now() - dt.timedelta(days=days)).isoformat(timespec="seconds")

    assert listed(client, place, start_date=iso(120), end_date=iso(40)) == ["50 days ago", "100 days ago"]
    assert listed(client, place, start_date=iso(120)) == ["50 days ago", "100 days ago"]  # 90 days from the start
    assert listed(client, place, end_date=iso(5)) == ["10 days ago", "50 days ago"]  # 90 days up to the end
    day = timezone.localtime(timezone.now() - dt.timedelta(days=10)).date().isoformat()
    assert listed(client, place, start_date=day, end_date=day) == ["10 days ago"]  # a whole day
    # A "+" left unescaped in the query arrives as a space, and is understood.
    raw = iso(60).replace("+", " ")
    assert listed(client, place, start_date=raw) == ["1 days ago", "10 days ago", "50 days ago"]
    utc = (timezone.now() - dt.timedelta(days=60)).astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    assert listed(client, place, start_date=utc) == ["1 days ago", "10 days ago", "50 days ago"]


def test_at_most_1000_results(client, place, history, monkeypatch):
    monkeypatch.setattr(open311, "MAX_RESULTS", 2)
    assert listed(client, place) == ["1 days ago", "10 days ago"]


@pytest.mark.parametrize("fmt", ["json", "xml"])
@pytest.mark.parametrize(
    ("params", "described"),
    [
        ({"start_date": "yesterday"}, "start_date is not a W3C date"),
        ({"end_date": "2026-13-45"}, "end_date is not a W3C date"),
        ({"start_date": "1899-01-01"}, "start_date is outside the years"),
        ({"start_date": "2026-05-01", "end_date": "2026-04-01"}, "start_date is after end_date"),
        ({"start_date": "2026-01-01", "end_date": "2026-06-01"}, "may not span more than 90 days"),
        ({"status": "pending"}, "status is open or closed"),
    ],
)
def test_malformed_searches_are_400(client, place, topics, fmt, params, described):
    response = client.get(f"{BASE}/requests.{fmt}", {**jurisdiction(place), **params})
    assert response.status_code == 400
    assert any(described in description for _code, description in errors(response, fmt))


def test_the_list_costs_the_same_queries_however_many_requests(client, place, topics, key):
    row = Open311Client.objects.get()
    now = timezone.now()

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(f"{BASE}/requests.json", jurisdiction(place)).status_code == 200
        return len(queries)

    submit(place, row, topics[0], now=now - dt.timedelta(hours=2))
    client.get(f"{BASE}/requests.json", jurisdiction(place))  # warm the process's caches
    few = count()
    for hours in range(3, 9):
        submit(place, row, topics[hours % 2], now=now - dt.timedelta(hours=hours))
    assert count() == few


# --- limits ---------------------------------------------------------------------------------------------
@override_settings(OPEN311_POSTS_PER_ADDRESS=2)
def test_posts_are_limited_per_address(client, place, topics, key):
    assert post(client, "json", report(place, key, phone="")).status_code == 200
    assert post(client, "json", report(place, key, api_key="wrong")).status_code == 403
    response = post(client, "xml", report(place, key, phone=""))
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0
    assert errors(response, "xml")[0][0] == 429
    assert Appeal.objects.count() == 1


@override_settings(OPEN311_REQUESTS_PER_PHONE=1)
def test_acknowledgements_to_one_phone_are_limited(client, place, topics, key):
    assert post(client, "json", report(place, key)).status_code == 200
    response = post(client, "json", report(place, key))
    assert response.status_code == 429
    assert "phone number" in errors(response, "json")[0][1]
    assert post(client, "json", report(place, key, phone="")).status_code == 200


@override_settings(OPEN311_READS_PER_ADDRESS=2)
def test_reads_are_limited_per_address(client, place, topics):
    for _ in range(2):
        assert client.get(f"{BASE}/services.json", jurisdiction(place)).status_code == 200
    response = client.get(f"{BASE}/services.json", jurisdiction(place))
    assert response.status_code == 429
    assert errors(response, "json")[0][0] == 429


# --- no input gives a 500 ---------------------------------------------------------------------------------
PARAMETERS = [
    "api_key",
    "jurisdiction_id",
    "service_code",
    "lat",
    "long",
    "address_string",
    "address_id",
    "attribute[size]",
    "attribute[depth]",
    "attribute[since]",
    "attribute[hazards][]",
    "attribute[",
    "attribute[]",
    "email",
    "phone",
    "description",
    "media_url",
    "first_name",
    "service_request_id",
    "start_date",
    "end_date",
    "status",
]
junk = st.text(st.characters(blacklist_categories=("Cs",)), max_size=30) | st.sampled_from(
    ["", "NaN", "-0", "1e400", "9" * 40, "2026-02-30", "2026-03-01T25:00", "open,closed,,", "large", "road-potholes"]
)


@settings(max_examples=60, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(body=st.dictionaries(st.sampled_from(PARAMETERS), junk, max_size=8), fmt=st.sampled_from(["json", "xml", "x"]))
def test_no_input_gives_a_500(client, place, topics, key, body, fmt):
    for key_given in (False, True):
        data = {**body, "api_key": key} if key_given else body
        response = client.post(f"{BASE}/requests.{fmt}", data)
        assert response.status_code < 500
        errors(response, fmt if fmt != "x" else "xml") if response.status_code >= 400 else parsed(response, fmt)
    response = client.get(f"{BASE}/requests.{fmt}", body)
    assert response.status_code < 500
    parsed(response, fmt if fmt != "x" else "xml")


# --- api keys and their administration ---------------------------------------------------------------------
def test_a_key_is_stored_hashed_and_only_an_administrator_issues_one(place, admin_user):
    row, secret = open311.open311_client_create(actor=admin_user, name="App", organization=place.hokimiyat)
    assert row.key_hash == open311.key_hash(secret) and secret not in row.key_hash
    assert open311.client_for_key(secret) == row
    new = open311.open311_client_rotate(actor=admin_user, client=row)
    assert open311.client_for_key(secret) is None and open311.client_for_key(new) == row
    with pytest.raises(Forbidden):
        open311.open311_client_create(actor=place.officer, name="App", organization=place.hokimiyat)
    with pytest.raises(Forbidden):
        open311.open311_client_rotate(actor=place.officer, client=row)


def test_the_admin_shows_a_new_key_once(client, place, admin_user):
    client.force_login(admin_user)
    response = client.post(
        "/admin/infoservice/open311client/add/",
        {"name": "Mahalla app", "organization": place.hokimiyat.pk, "is_active": "on"},
    )
    assert response.status_code == 200, response.content[:2000]
    row = Open311Client.objects.get()
    shown = re.search(rb'<code class="open311-key">([^<]+)</code>', response.content).group(1).decode()
    assert open311.client_for_key(shown) == row
    change = client.get(f"/admin/infoservice/open311client/{row.pk}/change/")
    assert change.status_code == 200
    assert shown.encode() not in change.content and row.key_hash.encode() not in change.content

    response = client.post(
        "/admin/infoservice/open311client/",
        {"action": "issue_new_key", "_selected_action": [row.pk]},
    )
    assert response.status_code == 200
    again = re.search(rb'<code class="open311-key">([^<]+)</code>', response.content).group(1).decode()
    assert again != shown
    assert open311.client_for_key(again) == Open311Client.objects.get() and open311.client_for_key(shown) is None


def test_the_admin_is_for_administrators_only(client, place):
    client.force_login(place.officer)
    assert client.get("/admin/infoservice/open311client/add/").status_code in (302, 403)


def test_open311_appeals_enter_the_ordinary_workflow(client, place, topics, key):
    post(client, "json", report(place, key))
    appeal = Appeal.objects.get()
    assert appeal.status == AppealStatus.REGISTERED
    assert appeal.number and appeal.access_code and appeal.due_at > appeal.received_at
