"""Appeals from the Presidential Virtual Reception and People's Receptions (issue 13, part 1): the partner
API (token of a partner reception's clerk, idempotent by their number: 201 then 200, field errors, in the
OpenAPI schema) and the file import command (CSV or JSON, each row on its own, a report by line)."""

import base64
import json
from io import StringIO

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.test import override_settings
from drf_spectacular.generators import SchemaGenerator

from darcha.core.choices import Role
from darcha.core.services import api_token_create
from darcha.infoservice import services
from darcha.infoservice.choices import Channel, EventKind, NotConsideredGround
from darcha.infoservice.models import Appeal, Attachment, Event
from darcha.notify.models import Message
from tests.factories import PDF, staff
from tests.infoservice.helpers import PARTNER_CODE, calendar_2026, hokimiyat, partner, topic

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("_partners")]
URL = "/api/v1/appeals/imports/"


@pytest.fixture
def _partners():
    cache.clear()
    calendar_2026()
    with override_settings(APPEALS_PARTNERS=[f"{PARTNER_CODE}=virtual_reception"]):
        yield


@pytest.fixture
def place():
    return hokimiyat("chust")


@pytest.fixture
def token():
    return partner()[2]


def body(**fields):
    data = {
        "organization": "chust-hokimiyat",
        "number": "PM-2026-0012345",
        "received_at": "2026-11-30T16:20:00+05:00",
        "type": "complaint",
        "text": "Mahallamizda uch kundan beri ichimlik suvi yoʻq.",
        "language": "ru",
        "author": {"name": "Karimov Aziz", "address": "Chust sh., Navoiy koʻchasi, 5", "phone": "+998901234567"},
    }
    data.update(fields)
    return data


def post(client, token, data):
    return client.post(
        URL,
        data=json.dumps(data),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Token {token}",
        HTTP_ACCEPT_LANGUAGE="en",
    )


def test_a_partner_registers_an_appeal_and_the_author_is_acknowledged(
    client, place, token, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, token, body())
    assert response.status_code == 201, response.json()
    answer = response.json()
    appeal = Appeal.objects.get()
    assert answer["number"] == appeal.number and answer["external_number"] == "PM-2026-0012345"
    assert answer["external_source"] == "virtual_reception"
    assert "access_code" not in answer
    assert appeal.channel == Channel.VIRTUAL_RECEPTION
    assert appeal.type == "complaint" and appeal.language == "ru"
    assert appeal.events.get().data["external"] == {"received_at": "2026-11-30T16:20:00+05:00"}
    message = Message.objects.get(template="appeal_registered")
    assert message.address == "+998901234567" and message.language == "ru"


def test_a_resend_answers_200_with_the_appeal_registered_first(client, place, token):
    first = post(client, token, body())
    again = post(client, token, body(text="Another text", organization="nowhere"))
    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["number"] == first.json()["number"]
    assert Appeal.objects.count() == 1
    assert Appeal.objects.get().text.startswith("Mahallamizda")
    assert Event.objects.filter(kind=EventKind.REGISTERED).count() == 1


def test_an_appeal_without_the_author_is_registered_and_flagged(client, place, token):
    response = post(client, token, body(author={}))
    assert response.status_code == 201
    appeal = Appeal.objects.get()
    assert services.not_considered_ground(appeal) == NotConsideredGround.ANONYMOUS


def test_files_are_checked_by_content_and_a_bad_one_saves_nothing(client, place, token):
    bad = {"name": "scan.pdf", "content": base64.b64encode(b"MZ\x90\x00 not a pdf").decode()}
    good = {"name": "letter.pdf", "content": base64.b64encode(PDF).decode()}
    response = post(client, token, body(attachments=[good, bad]))
    assert response.status_code == 400
    assert response.json()["code"] == "invalid"
    assert "attachments" in response.json()["errors"]
    assert not Appeal.objects.exists() and not Attachment.objects.exists()
    response = post(client, token, body(attachments=[good]))
    assert response.status_code == 201
    assert Attachment.objects.get().content_type == "application/pdf"


def test_field_errors_are_nested_as_the_request_is(client, place, token):
    response = post(client, token, body(author={"name": "Karimov Aziz", "phone": "12345"}))
    assert response.status_code == 400
    assert set(response.json()["errors"]["author"]) == {"phone"}
    response = post(client, token, body(text="  "))
    assert response.status_code == 400 and "text" in response.json()["errors"]
    response = post(client, token, body(organization="no-such-hokimiyat", topic="nope", number=""))
    assert {"organization", "topic", "number"} <= set(response.json()["errors"])
    response = post(client, token, body(attachments=[{"name": "a.pdf", "content": "%%%"}]))
    assert response.status_code == 400
    assert not Appeal.objects.exists()


def test_a_topic_and_the_complained_body_by_code(client, place, token):
    topic("water")
    response = post(client, token, body(topic="water", complained_body=place.department.code))
    assert response.status_code == 201
    appeal = Appeal.objects.get()
    assert appeal.topic.code == "water" and appeal.complained_body == place.department


def test_only_a_partner_receptions_clerk_may_send(client, place):
    assert client.post(URL, data="{}", content_type="application/json").status_code == 401
    officer_token = api_token_create(actor=place.officer, user=place.officer, name="t")[1]
    response = post(client, officer_token, body())
    assert response.status_code == 403
    clerk = staff("other-clerk", place.department, Role.AGENCY_CLERK)
    response = post(client, api_token_create(actor=clerk, user=clerk, name="t")[1], body())
    assert response.status_code == 403
    assert not Appeal.objects.exists()


def test_the_endpoint_is_in_the_openapi_schema():
    schema = SchemaGenerator().get_schema(request=None, public=True)
    operation = schema["paths"][URL]["post"]
    assert {"201", "200", "400", "401", "403"} <= set(operation["responses"])
    assert operation["tags"] == ["appeals"]


# --- the file import -------------------------------------------------------------------------------

CSV = (
    "number,received_at,type,text,author_name,author_address,author_phone,signatories,consent_publish\n"
    "XQ-1,2026-11-30T10:00:00+05:00,application,Yoʻl chuqurlari,Karimov Aziz,Navoiy 5,+998901234567,,yes\n"
    "XQ-2,,proposal,Bogʻ barpo etish taklifi,,,,,\n"
    "XQ-3,,application,Suv yoʻq,Rahimova Dilnoza,Navoiy 7,12345,,\n"
    'XQ-4,,complaint,Jamoaviy shikoyat,,,,"Toshmatov Bekzod|Navoiy 9|;Olimova Zuhra|Navoiy 11|",\n'
    "XQ-5,,application,,Aliyev Sardor,Navoiy 13,,,\n"
)


def run(path, source="peoples_reception", organization="chust-hokimiyat"):
    out = StringIO()
    call_command("appeals_import", str(path), organization=organization, source=source, stdout=out)
    return out.getvalue()


def test_a_csv_file_is_imported_row_by_row_with_a_report(place, tmp_path):
    path = tmp_path / "appeals.csv"
    path.write_text(CSV, encoding="utf-8")
    report = run(path)
    assert "3 imported, 0 existing, 2 refused" in report
    assert "line 4: XQ-3 refused: author.phone:" in report
    assert "line 6: XQ-5 refused: text:" in report
    appeals = {a.external_number: a for a in Appeal.objects.all()}
    assert set(appeals) == {"XQ-1", "XQ-2", "XQ-4"}
    assert all(a.channel == Channel.PEOPLES_RECEPTION for a in appeals.values())
    assert appeals["XQ-1"].consent_publish
    assert services.not_considered_ground(appeals["XQ-2"]) == NotConsideredGround.ANONYMOUS
    assert list(appeals["XQ-4"].signatories.values_list("name", flat=True)) == ["Toshmatov Bekzod", "Olimova Zuhra"]
    assert appeals["XQ-4"].is_collective
    # Again: every imported row exists, the refused ones are refused again; nothing new.
    again = run(path)
    assert "0 imported, 3 existing, 2 refused" in again
    assert Appeal.objects.count() == 3


def test_a_json_file_shares_numbers_with_the_api_of_the_same_source(client, place, token, tmp_path):
    assert post(client, token, body(number="PM-1")).status_code == 201
    path = tmp_path / "appeals.json"
    rows = [body(number="PM-1"), body(number="PM-2", author={}), "nonsense"]
    path.write_text(json.dumps({"appeals": rows}), encoding="utf-8")
    report = run(path, source="virtual_reception")
    assert "1 imported, 1 existing, 1 refused" in report
    assert Appeal.objects.count() == 2
    imported = Appeal.objects.get(external_number="PM-2")
    assert imported.channel == Channel.VIRTUAL_RECEPTION and imported.registered_by is None


def test_another_source_is_a_file_import(place, tmp_path):
    path = tmp_path / "appeals.json"
    path.write_text(json.dumps([body(number="M-1")]), encoding="utf-8")
    assert "1 imported" in run(path, source="mail-2026")
    assert Appeal.objects.get().channel == Channel.IMPORT


@pytest.mark.parametrize(
    ("name", "content", "options", "message"),
    [
        ("a.txt", "x", {}, ".csv or .json"),
        ("a.json", "{not json", {}, "Cannot read"),
        ("a.json", '{"rows": 1}', {}, "list of appeals"),
        ("a.json", "[]", {"organization": "nowhere"}, "No hokimiyat"),
        ("a.json", "[]", {"source": "Bad Source!"}, "--source"),
    ],
)
def test_a_bad_file_or_option_is_a_command_error(place, tmp_path, name, content, options, message):
    from django.core.management.base import CommandError

    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        run(path, **options)
