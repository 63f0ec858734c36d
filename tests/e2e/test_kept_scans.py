"""Forms keep what was entered (issue 9, item 8), in the browser on the Namangan demo: an operator's intake
with a scan and a wrong phone comes back with the message beside the phone field and the scan kept;
the phone corrected, the application is registered with that scan, attached once. The tracking form
keeps the number after a wrong code, with the message beside the code."""

import re

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from darcha.cases.models import Application, PendingUpload
from darcha.core.identifiers import pinfl_check_digit

pytestmark = pytest.mark.e2e

CENTER = "namangan-city-center"
SERVICE = "address-assignment"
PASSWORD = "darcha-demo"
FIRST13 = "3150585" + "412704"
PINFL = FIRST13 + str(pinfl_check_digit(FIRST13))


@pytest.fixture
def media(settings, tmp_path, demo):
    settings.MEDIA_ROOT = tmp_path / "media"  # kept scans and documents stay out of the project's var/
    settings.NOTIFY_EMAIL_BACKEND = settings.NOTIFY_SMS_BACKEND = settings.NOTIFY_TELEGRAM_BACKEND = "console"
    cache.clear()
    yield settings
    cache.clear()


@pytest.fixture
def scan(tmp_path):
    import weasyprint

    path = tmp_path / "passport-scan.pdf"
    weasyprint.HTML(string="<h1>Pasport</h1><p>AB 7654321</p>").write_pdf(path)
    return path


def test_an_intake_sent_back_keeps_the_scan_and_shows_the_error_beside_the_field(page, media, scan, shot):
    page.goto("/en/login/")
    page.fill("input[name='username']", "operator1")
    page.fill("input[name='password']", PASSWORD)
    page.locator("form button[type='submit']").last.click()
    expect(page).to_have_url(re.compile(r"/desk/$"))

    page.goto(f"/en/front/{CENTER}/applications/new/?service={SERVICE}")
    page.fill("#id_pinfl", PINFL)
    page.fill("#id_name", "Dilshod Karimov")
    page.fill("#id_phone", "12")  # not a phone number
    passport = page.locator("li.case-doc", has_text="Identity document")
    passport.locator("input[name='presented']").check()
    passport.locator("input[type='file']").set_input_files(str(scan))
    page.locator(".case-submit button[type='submit']").click()

    # Back with the message beside the phone field, what was typed kept, and the scan kept.
    expect(page.locator("#id_phone-errors")).to_contain_text("Enter an Uzbek phone number")
    expect(page.locator("#id_phone")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#id_name")).to_have_value("Dilshod Karimov")
    passport = page.locator("li.case-doc", has_text="Identity document")
    expect(passport.locator(".kept-file")).to_contain_text(re.compile(r"kept: passport-scan\.pdf \(\d"))
    expect(passport.locator("input[name='presented']")).to_be_checked()
    assert PendingUpload.objects.count() == 1 and not Application.objects.filter(applicant__pinfl=PINFL).exists()
    shot(page, "kept-scans-1-sent-back")

    # The phone corrected, nothing attached again: registered with the kept scan.
    page.fill("#id_phone", "+998 90 517 42 37")
    page.locator(".case-submit button[type='submit']").click()
    expect(page).to_have_url(re.compile(rf"/en/front/{CENTER}/applications/\d\d-\d{{7}}/$"))
    expect(page.locator(".case-docs")).to_contain_text("passport-scan.pdf")
    application = Application.objects.get(applicant__pinfl=PINFL)
    scans = application.documents.exclude(file="")
    assert list(scans.values_list("original_name", flat=True)) == ["passport-scan.pdf"]
    assert scans.get().sha256 and not PendingUpload.objects.exists()
    shot(page, "kept-scans-2-registered")

    # Tracking: a wrong code keeps the number, the message is beside the code.
    wrong = f"{(int(application.access_code) + 1) % 1_000_000:06d}"
    page.goto("/en/track/")
    page.fill("#id_number", application.number)
    page.fill("#id_code", wrong)
    page.locator("form.pub-form button[type='submit']").click()
    expect(page.locator("#id_number")).to_have_value(application.number)
    expect(page.locator("#id_code")).to_have_value("")
    expect(page.locator("#id_code_error")).to_contain_text("No application with this number and code")
    expect(page.locator("#id_code")).to_be_focused()
    shot(page, "kept-scans-3-track")
