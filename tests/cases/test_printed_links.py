"""Printed and sent links lead where the applicant can go (issue 9, item 1): the QR codes of receipts and
results, read from the rendered PDF as a phone reads them, and the links of the notices carry
PUBLIC_BASE_URL when set, else the address the request came in on (a server on port 8101, not 8000),
else the address `darcha serve` was started with (darcha.core.links)."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader

from darcha.cases.models import Task
from darcha.cases.receipts import receipt_pdf
from darcha.cases.services import track_lookup
from darcha.core.links import SERVED_AT
from darcha.notify import sealing
from darcha.notify.models import Message
from tests.cases.helpers import real_pdf
from tests.qrcodes import pdf_qr_codes

pytestmark = pytest.mark.django_db

HOST = "127.0.0.1:8101"  # `PORT=8101 make run`
ORIGIN = f"http://{HOST}"


@pytest.fixture(autouse=True)
def _no_public_base_url(settings, monkeypatch):
    settings.PUBLIC_BASE_URL = ""
    monkeypatch.delenv(SERVED_AT, raising=False)
    monkeypatch.delenv("PORT", raising=False)
    monkeypatch.delenv("HOST", raising=False)


def pdf_text(content: bytes) -> str:
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).split())


def open_task(application) -> Task:
    return Task.objects.select_related("agency").get(application=application, status="open")


def act(client, user, task, **data):
    client.force_login(user)
    address = f"/en/office/{task.agency.code}/tasks/{task.pk}/act/"
    response = client.post(address, {"action": "approve", "confirm": "1", **data}, HTTP_HOST=HOST)
    assert response.status_code == 303, response.content.decode()[-2000:]


def through_the_agencies(client, application, land_clerk, arch_clerk, *, upload: bool = False):
    act(client, land_clerk, open_task(application))
    task = open_task(application)
    if upload:
        client.force_login(arch_clerk)
        response = client.post(
            f"/en/office/{task.agency.code}/tasks/{task.pk}/result/",
            {"file": SimpleUploadedFile("permit.pdf", real_pdf(), content_type="application/pdf")},
            HTTP_HOST=HOST,
        )
        assert response.status_code == 303, response.content.decode()[-2000:]
    act(client, arch_clerk, task)
    application.refresh_from_db()
    with application.result.document.file.open("rb") as stored:
        return application.result.code, stored.read()


def tracking_address(application) -> str:
    return f"{ORIGIN}/track/{application.number}/?code={application.access_code}"


@pytest.mark.parametrize("layout", ["a4", "80mm"])
def test_the_receipt_printed_at_the_front_office_leads_to_the_server_it_came_from(
    client, application, operator, layout
):
    client.force_login(operator)
    address = f"/en/front/{application.center.code}/applications/{application.number}/receipt.pdf"
    response = client.get(address, {"layout": layout}, HTTP_HOST=HOST)
    assert response.status_code == 200
    assert pdf_qr_codes(response.content) == [tracking_address(application)]
    assert f"{ORIGIN}/track/" in pdf_text(response.content)  # the form's address, printed for typing in
    assert ":8000" not in pdf_text(response.content)


def test_the_receipt_leads_to_public_base_url_when_it_is_set(client, application, operator, settings):
    settings.PUBLIC_BASE_URL = "https://darcha.example.uz"
    client.force_login(operator)
    address = f"/en/front/{application.center.code}/applications/{application.number}/receipt.pdf"
    content = client.get(address, HTTP_HOST=HOST).content
    assert pdf_qr_codes(content) == [
        f"https://darcha.example.uz/track/{application.number}/?code={application.access_code}"
    ]


def test_a_receipt_made_outside_a_request_leads_to_the_address_serve_was_started_with(application, monkeypatch):
    monkeypatch.setenv(SERVED_AT, ORIGIN)
    assert pdf_qr_codes(receipt_pdf(application, "a4")) == [tracking_address(application)]


def test_the_generated_result_leads_to_its_verification_on_the_server_it_came_from(
    client, application, land_clerk, arch_clerk
):
    code, content = through_the_agencies(client, application, land_clerk, arch_clerk)
    assert pdf_qr_codes(content) == [f"{ORIGIN}/verify/{code}/"]
    assert f"{ORIGIN}/verify/{code}/" in pdf_text(content)


def test_an_uploaded_result_s_verification_page_leads_to_the_server_it_came_from(
    client, application, land_clerk, arch_clerk
):
    code, content = through_the_agencies(client, application, land_clerk, arch_clerk, upload=True)
    assert len(PdfReader(io.BytesIO(content)).pages) == 2  # the agency's page, then the verification
    assert pdf_qr_codes(content) == [f"{ORIGIN}/verify/{code}/"]


def test_the_rating_sms_links_to_the_server_the_handover_came_in_on(
    client, application, operator, land_clerk, arch_clerk, django_capture_on_commit_callbacks
):
    through_the_agencies(client, application, land_clerk, arch_clerk)
    client.force_login(operator)
    address = f"/en/front/{application.center.code}/applications/{application.number}/handover/"
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(address, {"identifier": "31203901230017"}, HTTP_HOST=HOST)
    assert response.status_code == 303
    notice = Message.objects.get(template="rating_request")
    assert notice.context["link"].startswith(f"{ORIGIN}/rate/")
    assert f"{ORIGIN}/rate/" in notice.body


def test_the_tracking_locked_notice_links_to_the_server_the_lookups_came_in_on(
    client, application, settings, django_capture_on_commit_callbacks
):
    from django.core.cache import cache

    cache.clear()
    settings.CASES_TRACK_NUMBER_FAILURES = 2
    wrong = f"{(int(application.access_code) + 1) % 1_000_000:06d}"
    with django_capture_on_commit_callbacks(execute=True):
        for n in range(2):
            client.get(f"/en/track/{application.number}/?code={wrong}", HTTP_HOST=HOST, REMOTE_ADDR=f"10.0.0.{n}")
    notice = Message.objects.get(template="tracking_locked")
    assert sealing.unseal(notice.sealed)["link"].startswith(f"{ORIGIN}/track/")
    cache.clear()


def test_a_tracking_locked_notice_outside_a_request_links_to_the_address_serve_was_started_with(
    application, settings, monkeypatch, django_capture_on_commit_callbacks
):
    from django.core.cache import cache

    cache.clear()
    monkeypatch.setenv(SERVED_AT, ORIGIN)
    settings.CASES_TRACK_NUMBER_FAILURES = 1
    wrong = f"{(int(application.access_code) + 1) % 1_000_000:06d}"
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(Exception):  # noqa: B017 — the refusal
        track_lookup(number=application.number, code=wrong, client="10.0.0.1")
    notice = Message.objects.get(template="tracking_locked")
    assert sealing.unseal(notice.sealed)["link"].startswith(f"{ORIGIN}/track/")
    cache.clear()
