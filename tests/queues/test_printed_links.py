"""A ticket's QR code, read from the printed slip as a phone reads it, leads to the live page on the server the
kiosk reached (port 8101, not 8000), or to PUBLIC_BASE_URL when set; the API's live_url follows the same
rule (darcha.core.links, issue 9 item 1)."""

import pytest

from darcha.core.audit import SYSTEM
from darcha.core.links import SERVED_AT
from darcha.queues.services import ticket_issue
from tests.qrcodes import svg_qr_codes
from tests.queues.helpers import set_hours

pytestmark = pytest.mark.django_db

HOST = "127.0.0.1:8101"  # `PORT=8101 make run`


@pytest.fixture(autouse=True)
def _no_public_base_url(settings, monkeypatch):
    settings.PUBLIC_BASE_URL = ""
    monkeypatch.setenv(SERVED_AT, "http://127.0.0.1:8000")  # a request's own address comes first


@pytest.fixture
def ticket(center, counter, service_a):
    set_hours(center)  # open: the clock is at 10:00 of a working day (working_hours)
    return ticket_issue(actor=SYSTEM, center=center, service=service_a)


@pytest.mark.parametrize("page", ["/queue/test-center/kiosk/ticket/{code}/", "/queue/ticket/{code}/print/"])
def test_the_ticket_s_qr_code_leads_to_the_server_the_kiosk_reached(client, ticket, page):
    html = client.get(page.format(code=ticket.public_code), HTTP_HOST=HOST).content.decode()
    live = f"http://{HOST}/queue/ticket/{ticket.public_code}/"
    assert svg_qr_codes(html) == [live]
    assert live in html  # printed under the code, for typing in


def test_a_russian_ticket_s_qr_code_leads_to_the_russian_live_page(client, ticket):
    ticket.language = "ru"
    ticket.save(update_fields=["language"])
    html = client.get(f"/queue/ticket/{ticket.public_code}/print/", HTTP_HOST=HOST).content.decode()
    assert svg_qr_codes(html) == [f"http://{HOST}/ru/queue/ticket/{ticket.public_code}/"]


def test_the_ticket_s_qr_code_leads_to_public_base_url_when_it_is_set(client, ticket, settings):
    settings.PUBLIC_BASE_URL = "https://navbat.example.uz"
    html = client.get(f"/queue/ticket/{ticket.public_code}/print/", HTTP_HOST=HOST).content.decode()
    assert svg_qr_codes(html) == [f"https://navbat.example.uz/queue/ticket/{ticket.public_code}/"]


def test_the_api_s_live_url_is_on_the_server_it_was_asked(client, ticket, settings):
    response = client.get(f"/api/v1/queue/tickets/{ticket.public_code}/", HTTP_HOST=HOST)
    assert response.status_code == 200
    assert response.json()["live_url"] == f"http://{HOST}/queue/ticket/{ticket.public_code}/"
    settings.PUBLIC_BASE_URL = "https://navbat.example.uz"
    response = client.get(f"/api/v1/queue/tickets/{ticket.public_code}/", HTTP_HOST=HOST)
    assert response.json()["live_url"] == f"https://navbat.example.uz/queue/ticket/{ticket.public_code}/"
