"""The public web form: the hokimiyat chosen, the phone confirmed by an SMS code, the appeal with its
files, location and signatories registered through appeal_register (channel web), the done page with the
number, access code and due date. Bad input (no name without the author's say-so, a file that is not a
PDF or image, a complaint without the body, no text) gets a translated message and registers nothing."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from darcha.cases.models import PendingUpload
from darcha.infoservice.choices import AppealType, Channel
from darcha.infoservice.models import Appeal, Signatory
from darcha.notify.models import Message
from darcha.notify.selectors import message_values
from tests.factories import PDF
from tests.infoservice import helpers

pytestmark = pytest.mark.django_db

PHONE = "+998901112233"


@pytest.fixture(autouse=True)
def _clean_cache():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def place(db):
    helpers.calendar_2026()
    return helpers.hokimiyat("chust")


def url(place, lang="/en") -> str:
    return f"{lang}/appeals/new/{place.hokimiyat.code}/"


def sms_code(phone=PHONE) -> str:
    return message_values(Message.objects.filter(template="otp", address=phone).latest("id"))["code"]


def confirm_phone(client, place):
    assert client.post(url(place), {"step": "phone", "phone": "90 111 22 33"}).status_code == 303
    assert client.post(url(place), {"step": "code", "code": sms_code()}).status_code == 303


def form(**changes) -> dict:
    data = {
        "step": "submit",
        "author_name": "Karimov Aziz",
        "author_address": "Chust sh., Navoiy koʻchasi, 5",
        "author_email": "",
        "language": "ru",
        "type": AppealType.APPLICATION,
        "complained_body": "",
        "topic": "",
        "text": "Mahallamizdagi yoʻl chuqurlarini tuzatib berishingizni soʻraymiz.",
        "location_address": "",
        "latitude": "",
        "longitude": "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def text(response) -> str:
    return response.content.decode()


def test_the_hokimiyats_to_write_to_are_listed_by_region(client, place):
    page = client.get("/en/appeals/new/")
    assert page.status_code == 200
    assert place.hokimiyat.name_uz in text(page) and url(place) in text(page)


def test_an_appeal_sent_online_end_to_end(client, place, django_capture_on_commit_callbacks):
    topic = helpers.topic("roads", takes_location=True)
    first = client.get(url(place))
    assert first.status_code == 200 and 'name="phone"' in text(first)
    confirm_phone(client, place)
    shown = client.get(url(place))
    assert 'name="text"' in text(shown) and "+998 90 111 22 33" in text(shown)
    with django_capture_on_commit_callbacks(execute=True):
        sent = client.post(
            url(place),
            form(
                topic=str(topic.pk),
                consent_publish="on",
                location_address="Navoiy koʻchasi, 5",
                latitude="41.003400",
                longitude="71.237500",
                signer_1_name="Aliyeva Malika",
                signer_1_address="Chust sh., Navoiy 7",
                signer_1_phone="",
                attachments=SimpleUploadedFile("photo.pdf", PDF, content_type="application/pdf"),
            ),
        )
    assert sent.status_code == 303 and sent["Location"].endswith("/appeals/new/done/")
    appeal = Appeal.objects.get()
    assert appeal.channel == Channel.WEB and appeal.phone_confirmed and appeal.author_phone == PHONE
    assert appeal.author_name == "Karimov Aziz" and appeal.language == "ru" and appeal.topic == topic
    assert appeal.consent_publish and str(appeal.latitude) == "41.003400"
    assert appeal.is_collective and list(Signatory.objects.values_list("name", flat=True)) == [
        "Karimov Aziz",
        "Aliyeva Malika",
    ]
    assert appeal.attachments.count() == 1
    done = client.get(sent["Location"])
    assert appeal.number in text(done) and appeal.access_code in text(done)
    assert f"/en/appeals/my/{appeal.number}/" in text(done)
    # The author's page is open in this session without the code.
    assert client.get(f"/en/appeals/my/{appeal.number}/").status_code == 200
    # The acknowledgement went to the phone.
    assert Message.objects.filter(template="appeal_registered", address=PHONE).exists()


def test_the_form_needs_a_confirmed_phone(client, place):
    sent = client.post(url(place), form())
    assert sent.status_code == 400 and "Confirm your phone number first" in text(sent)
    assert not Appeal.objects.exists()


def test_a_wrong_sms_code_confirms_nothing(client, place):
    client.post(url(place), {"step": "phone", "phone": "90 111 22 33"})
    wrong = "000000" if sms_code() != "000000" else "111111"
    refused = client.post(url(place), {"step": "code", "code": wrong})
    assert refused.status_code == 400
    assert 'name="text"' not in text(client.get(url(place)))


def test_no_name_is_warned_of_before_anything_is_sent(client, place):
    confirm_phone(client, place)
    warned = client.post(url(place), form(author_name=""))
    assert warned.status_code == 400
    assert "registered but not considered" in text(warned) and 'name="send_anonymous"' in text(warned)
    assert not Appeal.objects.exists()
    # Adding the name sends it normally; sending anyway registers it, marked for "not considered".
    sent = client.post(url(place), form(author_name="", send_anonymous="on"))
    assert sent.status_code == 303
    appeal = Appeal.objects.get()
    assert appeal.author_name == ""
    assert appeal.events.get().data["not_considered_ground"] == "anonymous"
    assert "will not be considered" in text(client.get(sent["Location"]))


def test_no_residence_is_warned_of_too_in_russian(client, place):
    confirm_phone(client, place)
    warned = client.post(url(place), form(author_address=""), HTTP_ACCEPT_LANGUAGE="ru")
    assert warned.status_code == 400 and not Appeal.objects.exists()


def test_a_file_that_is_not_a_pdf_or_image_is_refused_and_nothing_is_registered(client, place):
    confirm_phone(client, place)
    refused = client.post(
        url(place),
        form(attachments=SimpleUploadedFile("virus.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")),
    )
    assert refused.status_code == 400
    assert "is not a PDF, JPEG, PNG file" in text(refused)
    assert not Appeal.objects.exists() and not PendingUpload.objects.exists()


def test_a_file_of_a_form_sent_back_is_kept_for_the_next_try(client, place):
    confirm_phone(client, place)
    back = client.post(
        url(place),
        form(author_name="", attachments=SimpleUploadedFile("scan.pdf", PDF, content_type="application/pdf")),
    )
    assert back.status_code == 400 and "scan.pdf" in text(back)
    draft = back.context["draft"]
    sent = client.post(url(place), form(draft=draft))
    assert sent.status_code == 303
    assert Appeal.objects.get().attachments.count() == 1 and not PendingUpload.objects.exists()


def test_a_complaint_names_the_body_complained_about(client, place):
    confirm_phone(client, place)
    missing = client.post(url(place), form(type=AppealType.COMPLAINT))
    assert missing.status_code == 400 and "Say which body" in text(missing)
    assert not Appeal.objects.exists()
    sent = client.post(url(place), form(type=AppealType.COMPLAINT, complained_body=str(place.department.pk)))
    assert sent.status_code == 303
    appeal = Appeal.objects.get()
    assert appeal.type == AppealType.COMPLAINT and appeal.complained_body == place.department


def test_no_text_and_a_bad_location_are_field_messages(client, place):
    confirm_phone(client, place)
    empty = client.post(url(place), form(text=""))
    assert empty.status_code == 400 and not Appeal.objects.exists()
    half = client.post(url(place), form(latitude="41.0"))
    assert half.status_code == 400 and "Give both the latitude and the longitude" in text(half)
    assert not Appeal.objects.exists()


def test_an_unknown_hokimiyat_is_not_found(client, place):
    assert client.get("/en/appeals/new/nowhere/").status_code == 404
