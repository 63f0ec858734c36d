"""The single window's whole story in the browser (issue 3), on the Namangan demo.

An operator registers a citizen's application for a property address (reviewed at the
architecture department, then registered at the cadastre), ticks the documents, attaches two
scans and prints both receipts. The architecture clerk approves; the cadastre clerk asks for a
missing document, which stops the clock and sends the citizen an SMS; the operator records the
supplement and the clock runs again; the cadastre clerk attaches the result and approves. The
citizen follows the application on the tracking page and through the Telegram bot, collects the
result at the front office and rates the service; anyone can check the result by its code.

Receipts and the result are saved under test-results/ and, when poppler's pdftoppm is there,
rendered to PNG next to the screenshots for a person to look at.
"""

import hashlib
import io
import re
import shutil
import subprocess
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.core.management import call_command
from playwright.sync_api import expect

from darcha.cases.models import Application, Rating, TelegramSubscription
from darcha.core.identifiers import format_phone, pinfl_check_digit, validate_phone
from darcha.notify.models import Message
from tests.notify.standins import TelegramBotStandIn

CENTER = "namangan-city-center"  # the demo center (darcha/demo/data/namangan/center.toml)
ARCHITECTURE, CADASTRE = "namangan-architecture", "namangan-cadastre"  # demo agencies (organizations.toml)

pytestmark = pytest.mark.e2e

RESULTS = Path(__file__).resolve().parents[2] / "test-results"
PASSWORD = "darcha-demo"
SERVICE = "address-assignment"
SERVICE_NAME = "Assignment or change of a property address"
APPLICANT = "Akmal Yusupov"
PHONE = "+998 90 517 42 36"
FIRST13 = "3150585" + "412703"  # a man born on 15.05.1985
PINFL = FIRST13 + str(pinfl_check_digit(FIRST13))
TOKEN = "424242:story-bot-secret"
CHAT = 5517000001
REQUESTED = "The cadastre (technical) passport of the house, original and one copy."
ADDRESS = "Namangan, Boburshoh street, 12"
CADASTRE_NUMBER = "14:08:01:02:07:0311"


# --- fixtures -------------------------------------------------------------------------------------
@pytest.fixture
def story_settings(settings, tmp_path, demo):
    settings.MEDIA_ROOT = tmp_path / "media"  # uploads and results stay out of the project's var/
    # Notices are only recorded (queued Messages): nobody runs the delivery worker here.
    settings.NOTIFY_EMAIL_BACKEND = settings.NOTIFY_SMS_BACKEND = settings.NOTIFY_TELEGRAM_BACKEND = "console"
    # The shared cache (Redis when configured) outlives a run: tracking lookups counted and the
    # bot's update offset from an earlier run must not carry over.
    cache.clear()
    yield settings
    cache.clear()


@pytest.fixture
def bot(story_settings):
    """The Bot API stand-in on a real socket; `darcha telegram --once` polls it."""
    server = TelegramBotStandIn(token=TOKEN).start()
    story_settings.NOTIFY_TELEGRAM_URL = server.url
    story_settings.NOTIFY_TELEGRAM_TOKEN = TOKEN
    yield server
    server.stop()


@pytest.fixture
def scans(tmp_path):
    """A real PDF (WeasyPrint) and a real PNG, as a scanner would hand them over."""
    import weasyprint
    from PIL import Image

    passport = tmp_path / "passport-scan.pdf"
    weasyprint.HTML(string="<h1>Pasport</h1><p>AB 1234567 · Yusupov Akmal</p>").write_pdf(passport)
    photo = tmp_path / "passport-page-2.png"
    Image.new("RGB", (240, 160), (205, 220, 240)).save(photo, "PNG")
    cadastre = tmp_path / "cadastre-passport.pdf"
    weasyprint.HTML(string="<h1>Kadastr pasporti</h1><p>Namangan, Bobur ko'chasi 12</p>").write_pdf(cadastre)
    result = tmp_path / "address-certificate.pdf"
    weasyprint.HTML(
        string="<h1>Manzil berilganligi haqida maʼlumotnoma</h1><p>Namangan shahri, Bobur koʻchasi, 12-uy.</p>"
    ).write_pdf(result)
    return {"passport": passport, "photo": photo, "supplement": cadastre, "result": result}


# --- helpers --------------------------------------------------------------------------------------
def sign_in(page, username: str) -> None:
    page.goto("/en/login/")
    page.fill("input[name='username']", username)
    page.fill("input[name='password']", PASSWORD)
    page.locator("form button[type='submit']").last.click()
    expect(page).to_have_url(re.compile(r"/desk/$"))


def staff_page(browser, live_server, username: str):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url)
    context.set_default_timeout(10_000)
    page = context.new_page()
    sign_in(page, username)
    return page


def notice(page):
    return page.locator(".messages .message--success")


def fetch_pdf(page, href: str, name: str) -> bytes:
    """The PDF behind a link, with the page's session; saved under test-results/ and rendered to PNG."""
    response = page.request.get(href)
    assert response.ok, (href, response.status)
    assert response.headers["content-type"].startswith("application/pdf")
    content = response.body()
    assert content.startswith(b"%PDF"), content[:40]
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.pdf").write_bytes(content)
    render(RESULTS / f"{name}.pdf")
    return content


def render(path: Path) -> None:
    """Every page as test-results/screenshots/<name>-<page>.png, if poppler is installed."""
    pdftoppm = shutil.which("pdftoppm")
    if pdftoppm is None:
        return
    shots = RESULTS / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    subprocess.run(  # noqa: S603 — a fixed tool on our own file
        [pdftoppm, "-png", "-r", "80", str(path), str(shots / path.stem)], check=True, timeout=60
    )


def pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(content)).pages)


def ask_bot(bot, number: str, code: str) -> str:
    """The citizen sends /status to the bot, which polls once and answers."""
    asked = len(bot.replies(CHAT))
    bot.say(f"/status {number} {code}", chat_id=CHAT, language_code="en")
    out = io.StringIO()
    call_command("telegram", "--once", stdout=out)
    assert out.getvalue() == "1 update(s), 1 repl(ies)\n"
    replies = bot.replies(CHAT)
    assert len(replies) == asked + 1
    return replies[-1]


def messages_to(template: str, address: str):
    return Message.objects.filter(template=template, address=address)


def open_task(page, agency: str, number: str) -> str:
    """Find the application in the agency's inbox and open its task; returns the task page's path."""
    page.goto(f"/en/office/{agency}/inbox/")
    row = page.locator("tr.office-row", has=page.locator("a.office-number", has_text=number))
    expect(row).to_have_count(1)
    row.locator("a.office-number").click()
    expect(page).to_have_url(re.compile(rf"/en/office/{agency}/tasks/\d+/$"))
    expect(page.locator("h1")).to_contain_text(number)
    return urlsplit(page.url).path


# --- the story ------------------------------------------------------------------------------------
def test_an_application_goes_from_intake_through_two_agencies_to_handover_rating_and_verification(
    browser, live_server, page, shot, scans, bot
):
    phone = validate_phone(PHONE)

    # 1. Intake at the front office.
    sign_in(page, "operator1")
    page.goto(f"/en/front/{CENTER}/applications/new/")
    page.locator(".case-services__list a", has_text=SERVICE_NAME).click()
    expect(page).to_have_url(re.compile(rf"\?service={SERVICE}$"))
    expect(page.locator("#service-title")).to_have_text(SERVICE_NAME)

    page.fill("#id_pinfl", PINFL)
    page.locator("button[name='find']").click()  # htmx: only the applicant part comes back
    expect(page.locator("#applicant .message")).to_contain_text("No applicant with this number is registered yet")
    page.fill("#id_name", APPLICANT)
    page.fill("#id_phone", PHONE)
    page.select_option("#id_language", "uz")

    # The title deed is fetched by the center itself: listed, not asked for.
    expect(page.locator(".case-by-center")).to_contain_text("Document confirming the right to the property")
    passport = page.locator("li.case-doc", has_text="Identity document")
    passport.locator("input[name='presented']").check()
    passport.locator("input[type='file']").set_input_files(str(scans["passport"]))
    page.locator("#id_extra").set_input_files(str(scans["photo"]))
    expect(page.locator(".case-fee__free")).to_be_visible()  # a free service: no fee to record
    shot(page, "application-1-intake")
    page.locator(".case-submit button[type='submit']").click()

    expect(page).to_have_url(re.compile(rf"/en/front/{CENTER}/applications/\d\d-\d{{7}}/$"))
    number = page.locator(".case-number--big").inner_text().strip()
    code = page.locator(".case-code").inner_text().strip()
    assert re.fullmatch(r"\d{6}", code)
    expect(notice(page)).to_contain_text(f"Application {number} is registered; access code {code}")
    application = Application.objects.get(number=number)
    assert (application.phone, application.language, application.applicant.pinfl) == (phone, "uz", PINFL)
    scanned = application.documents.filter(purpose="intake").exclude(file="")
    assert sorted(scanned.values_list("content_type", flat=True)) == ["application/pdf", "image/png"]
    expect(page.locator(".case-detail__side")).to_contain_text(format_phone(phone))
    expect(page.locator(".case-docs")).to_contain_text("passport-scan.pdf")
    expect(page.locator(".case-docs")).to_contain_text("PNG")
    shot(page, "application-1-detail")

    for layout, label in (("a4", "Receipt, A4"), ("80mm", "Receipt, 80 mm")):
        href = page.get_by_role("link", name=label).get_attribute("href")
        assert href.endswith(f"receipt.pdf?layout={layout}")
        text = pdf_text(fetch_pdf(page, href, f"application-receipt-{layout}"))
        assert number in text and code in text, text

    # The citizen asks the bot from the start; the chat then follows the application.
    reply = ask_bot(bot, number, code)
    assert f"Application {number}" in reply and SERVICE_NAME in reply and "Status: In progress" in reply
    assert code not in reply
    assert reply.endswith("You will get updates on this application here.")
    assert TelegramSubscription.objects.filter(application=application, chat_id=str(CHAT)).exists()

    # 2. The architecture department reviews and approves.
    arch = staff_page(browser, live_server, "clerk.arch")
    arch.goto(f"/en/office/{ARCHITECTURE}/inbox/")
    expect(arch.locator("a.office-number", has_text=number)).to_be_visible()
    shot(arch, "application-2-inbox-architecture")
    open_task(arch, ARCHITECTURE, number)
    expect(arch.locator(".office-actions")).to_be_visible()
    shot(arch, "application-2-task-architecture")
    arch.locator("#action-approve button[type='submit']").click()
    expect(notice(arch)).to_contain_text(f"Approved. Application {number} has moved on.")
    arch.context.close()

    # 3. The cadastre asks the citizen for a missing document: the clock stops, an SMS goes out.
    cadastre = staff_page(browser, live_server, "clerk")
    task_path = open_task(cadastre, CADASTRE, number)
    shot(cadastre, "application-3-task-cadastre")
    cadastre.fill("#comment-request_documents", REQUESTED)
    cadastre.locator("#action-request_documents button[type='submit']").click()
    expect(notice(cadastre)).to_contain_text("the term is stopped until they bring them")
    expect(cadastre.locator(".office-requested")).to_contain_text(REQUESTED)

    citizen_context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url)
    citizen_context.set_default_timeout(10_000)
    citizen = citizen_context.new_page()
    track = f"/en/track/{number}/?code={code}"
    citizen.goto(track)
    expect(citizen.locator("#needed-title")).to_have_text("We need something from you")
    expect(citizen.locator(".needed-list")).to_contain_text(REQUESTED)
    expect(citizen.get_by_text("The term is stopped while we wait for you")).to_be_visible()
    assert APPLICANT not in citizen.content()
    shot(citizen, "application-3-tracking-waiting")

    assert messages_to("documents_requested", phone).filter(channel="sms").count() == 1
    assert messages_to("documents_requested", str(CHAT)).filter(channel="telegram").count() == 1
    reply = ask_bot(bot, number, code)
    assert number in reply and f"Needed from you: {REQUESTED}" in reply

    # 4. The citizen brings it; the operator records the supplement and the clock runs again.
    page.reload()
    expect(page.locator("#supplement .case-requested")).to_contain_text(REQUESTED)
    page.locator("#supplement-files").set_input_files(str(scans["supplement"]))
    page.fill("#supplement-comment", "Cadastre passport, original seen, copy scanned.")
    shot(page, "application-4-supplement")
    page.locator("#supplement button[type='submit']").click()
    expect(notice(page)).to_contain_text("the term runs again")
    expect(page.locator("#supplement")).to_have_count(0)
    application.refresh_from_db()
    assert application.status == "in_progress" and application.paused_at is None

    citizen.goto(track)
    expect(citizen.locator("#now-title")).to_be_visible()
    expect(citizen.locator("#needed-title")).to_have_count(0)
    expect(citizen.get_by_text("The term is stopped")).to_have_count(0)
    shot(citizen, "application-4-tracking-running")

    # 5. The cadastre attaches the result and approves: the result is issued, the citizen told.
    cadastre.goto(task_path)
    cadastre.locator("#id_result_file").set_input_files(str(scans["result"]))
    cadastre.locator(".office-upload button[type='submit']").click()
    expect(notice(cadastre)).to_contain_text("The result is attached.")
    approve = cadastre.locator("#action-approve")
    # The step's output (the demo's result_fields of address-assignment): what the result and its check show.
    expect(approve.get_by_label("Address")).to_be_visible()
    approve.get_by_label("Address").fill(ADDRESS)
    approve.get_by_label("Cadastre number").fill(CADASTRE_NUMBER)
    approve.locator("input[name='confirm']").check()
    approve.locator("button[type='submit']").click()
    expect(notice(cadastre)).to_contain_text(f"The result of application {number} is issued")
    shot(cadastre, "application-5-result-issued")
    result_href = cadastre.get_by_role("link", name="Download (PDF)").get_attribute("href")
    result_pdf = fetch_pdf(cadastre, result_href, "application-result")
    cadastre.context.close()

    application.refresh_from_db()
    assert application.status == "ready" and application.outcome == "issued"
    assert messages_to("application_ready", phone).filter(channel="sms").count() == 1
    assert messages_to("application_ready", str(CHAT)).filter(channel="telegram").count() == 1

    citizen.goto(track)
    expect(citizen.locator("#ready-title")).to_have_text("Your result is ready")
    shot(citizen, "application-5-tracking-ready")
    reply = ask_bot(bot, number, code)
    assert number in reply and "Collect the result at" in reply

    # The verification code: on the operator's page and printed on the result's last page.
    page.reload()
    verification = page.locator(".case-result strong").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-9]{12}", verification)
    text = pdf_text(result_pdf)
    assert "Bobur" in text  # the clerk's own document comes first, the verification page after it
    assert verification in text, text  # the result is in the applicant's language: look for the code only
    printed = re.search(rf"https?://\S+/verify/{verification}/", text)
    assert printed, text  # the address under the QR code, for those who type it

    # 7. Handover at the front office: a number that is not the applicant's changes nothing …
    page.fill("#handover-identifier", "AB1234567")
    page.locator("#handover button[type='submit']").click()
    expect(page.locator("#handover .form-errors")).to_contain_text("does not match the applicant's")
    application.refresh_from_db()
    assert application.status == "ready"
    # … the applicant's own PINFL closes the application and brings the rating link.
    page.fill("#handover-identifier", PINFL)
    shot(page, "application-7-handover")
    page.locator("#handover button[type='submit']").click()
    expect(notice(page)).to_contain_text("The result is handed over and the application closed")
    expect(page.locator("#handover")).to_have_count(0)
    application.refresh_from_db()
    assert application.status == "closed"

    [request] = messages_to("rating_request", phone).filter(channel="sms")
    link = urlsplit(request.context["link"]).path  # on the public site's address, not this test server's
    token = re.search(r"/rate/([^/]+)/$", link).group(1)
    assert citizen.goto(link).ok
    citizen.goto(f"/en/rate/{token}/")
    citizen.locator("label[for='score-5']").click()
    citizen.fill("#id_comment", "Quick and polite, thank you.")
    shot(citizen, "application-7-rate")
    citizen.locator("form.pub-form button[type='submit']").click()
    expect(citizen.locator("#thanks-title")).to_have_text("Thank you for your rating")
    expect(citizen.get_by_text("You gave 5 stars.")).to_be_visible()
    shot(citizen, "application-7-rated")
    rating = Rating.objects.get(application=application)
    assert (rating.score, rating.comment) == (5, "Quick and polite, thank you.")

    # 8. Anyone checks the result: the address printed on it opens the check; the code is on record,
    # with what the cadastre filled in and no personal data; an altered code is not.
    assert citizen.goto(urlsplit(printed.group(0)).path).ok
    citizen.goto(f"/en/verify/{verification}/")
    expect(citizen.locator("h1")).to_have_text("A document was issued under this code")
    output = citizen.locator(".verify-output")
    expect(output).to_contain_text(ADDRESS)
    expect(output).to_contain_text(CADASTRE_NUMBER)
    facts = citizen.locator("section[aria-labelledby='facts-title'] .facts")
    expect(facts).to_contain_text(number)
    expect(facts).to_contain_text(SERVICE_NAME)
    expect(facts).to_contain_text(application.result.agency.name_en)
    expect(citizen.locator("code.hash")).to_have_text(hashlib.sha256(result_pdf).hexdigest())
    content = citizen.content()
    assert APPLICANT not in content and PINFL not in content
    shot(citizen, "application-8-verify")

    altered = verification[:-1] + ("A" if verification[-1] != "A" else "B")
    response = citizen.goto(f"/en/verify/{altered}/")
    assert response.status == 404
    expect(citizen.locator("h1")).to_have_text("No such document exists")
    shot(citizen, "application-8-verify-altered")
    citizen_context.close()
