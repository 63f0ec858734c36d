"""Printed links lead to the server they came from (issue 9, item 1), as `PORT=<port> make run` starts it on a
clean clone: the demo loaded with PORT set, then `darcha serve --port <port>`, PUBLIC_BASE_URL unset, on a
port that is not 8000. The operator prints a receipt and downloads a result of the demo; a ticket's slip is
shown in the browser; every QR code is read from what is printed (the PDF rendered to an image, the slip's
screenshot) as a phone reads it, and leads to that port."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.asgi_server import HOST, AsgiServer, free_port
from tests.qrcodes import image_qr_codes, pdf_qr_codes

pytestmark = pytest.mark.e2e

CENTER = "namangan-city-center"
PASSWORD = "darcha-demo"
RESULTS = Path(__file__).resolve().parents[2] / "test-results"

FIND = """
from darcha.config.asgi import application  # noqa: F401 — sets Django up
from darcha.cases.models import Application
applied = Application.objects.filter(center__code="namangan-city-center").order_by("pk")
print(applied.filter(result__isnull=True).first().number)
print(applied.filter(result__isnull=False).first().number)
"""
ISSUE = """
from darcha.config.asgi import application  # noqa: F401
from django.utils import timezone
from darcha.core.audit import SYSTEM
from darcha.core.models import Organization
from darcha.catalog.models import Service
from darcha.queues.selectors import counters_serving
from darcha.queues.services import ticket_issue
from tests.queues.helpers import a_working_morning
center = Organization.objects.get(code="namangan-city-center")
at = a_working_morning(timezone.localdate())  # the queue issues no ticket outside opening hours
served = next(s for s in Service.objects.filter(is_active=True).order_by("pk") if counters_serving(s, center).exists())
print(ticket_issue(actor=SYSTEM, center=center, service=served, now=at).public_code)
"""


class ServedLikeMakeRun(AsgiServer):
    """`darcha serve --port <port>` (the ASGI server as `make run` starts it), the demo loaded with PORT set."""

    @property
    def env(self) -> dict[str, str]:
        env = {**super().env, "PORT": str(self.port), "HOST": HOST}
        for name in ("PUBLIC_BASE_URL", "DARCHA_SERVED_AT"):
            env.pop(name, None)
        return env

    def command(self) -> list[str]:
        return [sys.executable, "-m", "darcha.manage", "serve", "--no-worker", "--no-scheduler"]

    def output(self, code: str) -> list[str]:
        process = self.python(code)
        out, err = process.communicate(timeout=120)
        assert process.returncode == 0, err[-3000:]
        return out.split()


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    folder = tmp_path_factory.mktemp("served")
    port = free_port()
    assert port != 8000
    server = ServedLikeMakeRun(
        database_url=f"sqlite:///{folder / 'darcha.sqlite3'}", log_path=folder / "serve.log", port=port
    )
    try:
        server.manage("migrate", "--noinput", "-v", "0")
        server.manage("load_demo", "--preschool-children", "120", "--appeals", "24")
        server.start()
        yield server
    finally:
        server.stop()


@pytest.fixture
def operator_page(browser, served):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=served.url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    page.goto("/en/login/")
    page.fill("input[name='username']", "operator1")
    page.fill("input[name='password']", PASSWORD)
    page.locator("form button[type='submit']").last.click()
    expect(page).to_have_url(re.compile(r"/desk/$"))
    yield page
    context.close()


def fetched_pdf(page, href: str, name: str) -> bytes:
    response = page.request.get(href)
    assert response.ok and response.headers["content-type"].startswith("application/pdf"), (href, response.status)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.pdf").write_bytes(response.body())
    return response.body()


def test_receipts_results_and_tickets_lead_to_the_port_the_server_was_started_on(browser, served, operator_page, shot):
    page = operator_page
    without_result, with_result = served.output(FIND)
    origin = re.escape(served.url)

    # The receipts, both layouts, printed from the application's page.
    page.goto(f"/en/front/{CENTER}/applications/{without_result}/")
    for layout in ("a4", "80mm"):
        href = page.locator(f"a[href$='receipt.pdf?layout={layout}']").get_attribute("href")
        [code] = pdf_qr_codes(fetched_pdf(page, href, f"printed-links-receipt-{layout}"))
        assert re.fullmatch(rf"{origin}/([a-z-]+/)?track/{without_result}/\?code=\d{{6}}", code), code

    # The result the demo's agencies issued, downloaded at the front office.
    page.goto(f"/en/front/{CENTER}/applications/{with_result}/")
    href = page.get_by_role("link", name="Download the result").get_attribute("href")
    codes = pdf_qr_codes(fetched_pdf(page, href, "printed-links-result"))
    assert codes and all(re.fullmatch(rf"{origin}/([a-z-]+/)?verify/[A-Z0-9]{{12}}/", c) for c in codes), codes
    verification = page.context.new_page()
    verification.goto(codes[0])  # the phone opens it: the result is genuine
    expect(verification.locator("main")).to_contain_text(with_result)

    # A ticket's slip, as the kiosk prints it: the QR code read from the browser's rendering.
    [ticket] = served.output(ISSUE)
    slip = browser.new_page(base_url=served.url)
    slip.goto(f"/queue/ticket/{ticket}/print/")
    image = slip.locator(".slip__qr svg").screenshot()
    shot(slip, "printed-links-ticket")
    assert image_qr_codes(image) == [f"{served.url}/queue/ticket/{ticket}/"]
    slip.close()
