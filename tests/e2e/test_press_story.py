"""The information service's voice in the browser (issue 14): publications, the press, surveys.

1. The press secretary of a city hokimiyat drafts a decision in Uzbek (the other languages left to the
   marked fallback), with its number, date, subject and signed PDF, and schedules it for later. When its
   time comes the scheduler's job publishes it (the job function called here, with a clock past the time,
   as the scheduler would); the background tasks run at once, as a worker would. A reader who subscribed
   on /news/subscribe/ and confirmed through the link in the letter (the local SMTP stand-in) gets the
   decision by e-mail with its List-Unsubscribe header; a Telegram chat that sent `/subscribe <code>` to
   the citizens' bot gets it through the local Bot API stand-in. The item page shows it, marked as the
   Uzbek text on the English page, and the hokimiyat's RSS and Atom feeds (read with feedparser) hold it.
2. A journalist signs up on /press/join/ with an outlet not yet in the registry and applies for
   accreditation with the letterhead, passport, diploma and photo; the accreditation commission approves
   on its desk; the journalist downloads the card (PDF), and the address of its QR code, opened as a phone
   would, says the card is in force. The journalist sends a media request and the account shows its due
   date, 7 days on (moved past a day off).
3. A citizen answers a survey with the phone confirmed by the SMS code; trying again from another browser
   with the same phone is refused with the message; the press secretary publishes the results and the
   public results page shows them as a server-drawn SVG chart.

The hokimiyats are built with the unit tests' helpers, not the Namangan demo. Screenshots, the card and
the feeds are saved under test-results/ for a person to look at.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import re
from pathlib import Path
from urllib.parse import urlsplit

import feedparser
import pytest
from django.core.cache import cache
from django.utils import timezone
from PIL import Image
from playwright.sync_api import expect

from darcha.cases import telegram as bot
from darcha.core.models import Organization
from darcha.infoservice import terms
from darcha.infoservice.media.choices import AccreditationStatus
from darcha.infoservice.media.models import Accreditation, PressRequest
from darcha.infoservice.publications.choices import PublicationStatus
from darcha.infoservice.publications.models import Publication
from darcha.infoservice.publications.models_subscriptions import ChatSubscription, EmailSubscription, SubscriptionStatus
from darcha.infoservice.publications.services import publish_due
from darcha.infoservice.services._common import calendar
from darcha.infoservice.surveys.models import Response
from darcha.notify.models import Message
from tests.infoservice.helpers import calendar_2026
from tests.infoservice.media import helpers as media
from tests.infoservice.publications.editing_helpers import Office, pdf_bytes
from tests.infoservice.surveys import helpers as surveys
from tests.notify.helpers import TELEGRAM_TOKEN
from tests.notify.standins import SmtpStandIn, TelegramStandIn
from tests.qrcodes import pdf_qr_codes

pytestmark = pytest.mark.e2e

RESULTS = Path(__file__).resolve().parents[2] / "test-results"
SHOTS = RESULTS / "screenshots"
STAFF_PASSWORD = "correct horse battery"  # tests.factories.UserFactory's
CHAT = 5512345678

DECISION_TITLE = "Shahar koʻchalarini obodonlashtirish toʻgʻrisida"
DECISION_BODY = (
    "<p>Shahar hokimining qarori bilan 2026 yilda <strong>12 ta koʻcha</strong> obodonlashtiriladi.</p>"
    "<ul><li>Mustaqillik koʻchasi</li><li>Navoiy koʻchasi</li></ul>"
)
SUBSCRIBER = "nodira.karimova@example.uz"


# --- the stand-ins and the clock -----------------------------------------------------------------
@pytest.fixture
def hokimiyat_world(transactional_db, settings, tmp_path, live_server):
    """Committed rows for the live server; notices sent at once (the tasks immediate), e-mail through the
    SMTP stand-in, Telegram through the Bot API stand-in, SMS to the console channel; links printed on
    cards and in letters lead back to the live server."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.PUBLIC_BASE_URL = live_server.url
    settings.NOTIFY_SMS_BACKEND = "console"
    smtp = SmtpStandIn().start()
    settings.NOTIFY_EMAIL_BACKEND = "smtp"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", smtp.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.DEFAULT_FROM_EMAIL = "Darcha <noreply@darcha.example.uz>"
    telegram = TelegramStandIn(token=TELEGRAM_TOKEN).start()
    settings.NOTIFY_TELEGRAM_BACKEND = "telegram"
    settings.NOTIFY_TELEGRAM_URL = telegram.url
    settings.NOTIFY_TELEGRAM_TOKEN = TELEGRAM_TOKEN
    cache.clear()  # codes, limits and cached pages of an earlier run must not carry over
    calendar_2026()
    yield {"smtp": smtp, "telegram": telegram}
    smtp.stop()
    telegram.stop()
    cache.clear()


# --- helpers ---------------------------------------------------------------------------------------
def new_page(browser, live_server):
    context = browser.new_context(
        viewport={"width": 1280, "height": 900}, base_url=live_server.url, accept_downloads=True
    )
    context.set_default_timeout(10_000)
    return context.new_page()


def signed_in(browser, live_server, username: str, password: str = STAFF_PASSWORD):
    page = new_page(browser, live_server)
    page.goto("/en/login/")
    page.fill("input[name='username']", username)
    page.fill("input[name='password']", password)
    page.locator("form button[type='submit']").last.click()
    expect(page).not_to_have_url(re.compile(r"/login/"))
    return page


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def save(name: str, content: bytes) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / name
    path.write_bytes(content)
    return path


def save_pdf(content: bytes, name: str) -> None:
    """The PDF under test-results/, and each page rendered (PDFium) to test-results/screenshots/."""
    import pypdfium2

    save(f"{name}.pdf", content)
    SHOTS.mkdir(parents=True, exist_ok=True)
    document = pypdfium2.PdfDocument(content)
    try:
        for index, pdf_page in enumerate(document, start=1):
            pdf_page.render(scale=110 / 72).to_pil().save(SHOTS / f"{name}-{index}.png")
    finally:
        document.close()


def notice(page):
    return page.locator(".messages .message--success")


def pdf_upload(name: str) -> dict:
    return {"name": name, "mimeType": "application/pdf", "buffer": pdf_bytes()}


def photo_upload(name: str = "photo.jpg") -> dict:
    out = io.BytesIO()
    picture = Image.new("RGB", (300, 400), (205, 215, 225))
    for y in range(90, 330):  # a head and shoulders, so the card's photo is a picture, not a flat square
        for x in range(60, 240):
            if (x - 150) ** 2 / 55**2 + (y - 150) ** 2 / 70**2 <= 1 or (y > 240 and abs(x - 150) < 60 + (y - 240)):
                picture.putpixel((x, y), (70, 80, 100))
    picture.save(out, "JPEG")
    return {"name": name, "mimeType": "image/jpeg", "buffer": out.getvalue()}


def mail_to(smtp, address: str, subject_has: str = ""):
    found = [m for m in smtp.received if address in m.rcpt_tos and subject_has in (m.message["Subject"] or "")]
    assert found, f"no letter to {address} about {subject_has!r}: {[m.message['Subject'] for m in smtp.received]}"
    return found[-1]


def body_text(mail) -> str:
    part = mail.message.get_body(preferencelist=("plain", "html"))
    return part.get_content()


# --- 1. a decision, scheduled, goes out to the subscribers and the feeds ---------------------------
def test_a_scheduled_decision_goes_out_to_the_subscribers_the_page_and_the_feeds(browser, live_server, hokimiyat_world):
    smtp, telegram = hokimiyat_world["smtp"], hokimiyat_world["telegram"]
    office = Office("namangan-shahar")
    code = office.organization.code
    Organization.objects.filter(pk=office.organization.pk).update(
        name_uz="Namangan shahar hokimligi", name_ru="Хокимият города Наманган", name_en="Namangan city hokimiyat"
    )

    # A reader subscribes by e-mail and confirms through the link of the letter.
    reader = new_page(browser, live_server)
    reader.goto("/en/news/subscribe/")
    reader.fill("input[name='email']", SUBSCRIBER)
    reader.select_option("select[name='organization']", code)
    shot(reader, "press-1-subscribe")
    reader.get_by_role("button", name="Subscribe").click()
    expect(reader).to_have_url(re.compile(r"/en/news/subscribe/sent/$"))
    assert EmailSubscription.objects.get().status == SubscriptionStatus.PENDING
    confirmation = mail_to(smtp, SUBSCRIBER)
    [link] = [u for u in re.findall(r"https?://\S+", body_text(confirmation)) if "/subscribe/confirm/" in u]
    assert link.startswith(live_server.url)
    reader.goto(urlsplit(link).path)
    shot(reader, "press-1-subscribe-confirm")
    reader.locator("main form").get_by_role("button", name="Confirm").click()
    expect(reader.locator("h1")).to_be_visible()
    assert EmailSubscription.objects.get().status == SubscriptionStatus.ACTIVE
    shot(reader, "press-1-subscribe-confirmed")
    reader.context.close()

    # A Telegram chat follows the hokimiyat through the citizens' bot.
    reply = bot.answer(CHAT, f"/subscribe {code}", language="en")
    assert "Subscribed" in reply, reply
    assert ChatSubscription.objects.get().chat_id == str(CHAT)

    # The press secretary drafts the decision in Uzbek only.
    press = signed_in(browser, live_server, office.press.username)
    press.goto(f"/en/news/desk/{code}/new/?kind=decision")
    expect(press.locator("#lang-uz legend")).to_contain_text("default language, required")
    expect(press.locator("#id_kind")).to_have_value("decision")
    press.fill("#id_decision_number", "125-Q")
    press.fill("#id_decision_date", "2026-05-20")
    press.fill("#id_decision_subject", "Shahar obodonlashtirish rejasi")
    press.set_input_files("#id_signed_pdf", pdf_upload("qaror-125-Q.pdf"))
    press.fill("#id_title_uz", DECISION_TITLE)
    press.fill("#id_lead_uz", "Shahar hokimining 125-Q-son qarori")
    press.fill("#id_body_uz", DECISION_BODY)
    shot(press, "press-1-decision-draft")
    press.get_by_role("button", name="Save the draft").click()
    expect(notice(press)).to_contain_text("The draft is saved.")
    publication = Publication.objects.get()
    expect(press).to_have_url(re.compile(rf"/en/news/edit/{publication.pk}/$"))
    assert publication.kind == "decision" and publication.status == PublicationStatus.DRAFT
    assert list(publication.texts.values_list("language", flat=True)) == ["uz"]
    expect(press.locator("details.publication-language-details summary").first).to_contain_text(
        "readers see the Oʻzbekcha text, marked as such"
    )

    # … and schedules it two hours on.
    at = (timezone.localtime() + dt.timedelta(hours=2)).replace(second=0, microsecond=0)
    press.fill("#id_at", at.strftime("%Y-%m-%dT%H:%M"))
    press.locator("form.publication-schedule").get_by_role("button", name="Schedule").click()
    expect(press.locator(".page-head")).to_contain_text("to be published at")
    publication.refresh_from_db()
    assert publication.status == PublicationStatus.SCHEDULED and publication.publish_at == at
    shot(press, "press-1-decision-scheduled")
    assert not [m for m in smtp.received if DECISION_TITLE in (m.message["Subject"] or "")]  # not yet
    assert telegram.sent() == []

    # Its time comes: the scheduler's job publishes it.
    assert publish_due(now=at + dt.timedelta(seconds=30)) == 1
    publication.refresh_from_db()
    assert publication.status == PublicationStatus.PUBLISHED

    letter = mail_to(smtp, SUBSCRIBER, DECISION_TITLE)
    unsubscribe = letter.message["List-Unsubscribe"]
    assert unsubscribe and "/unsubscribe/" in unsubscribe
    assert letter.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    [message] = telegram.sent()
    assert message.json["chat_id"] == str(CHAT) and DECISION_TITLE in message.json["text"]
    save("press-1-decision-letter.eml", letter.message.as_bytes())

    press.reload()
    expect(press.locator(".page-head")).to_contain_text("published")
    shot(press, "press-1-decision-published")
    press.context.close()

    # The public: the hokimiyat's list, the item page (the Uzbek text, marked), the feeds.
    visitor = new_page(browser, live_server)
    visitor.goto(f"/en/news/{code}/")
    visitor.get_by_role("link", name=DECISION_TITLE).first.click()
    expect(visitor.locator("h1")).to_have_text(DECISION_TITLE)
    expect(visitor.locator("main")).to_contain_text("125-Q")
    expect(visitor.locator("main")).to_contain_text("12 ta koʻcha")
    assert visitor.locator("meta[property='og:title']").get_attribute("content").startswith(DECISION_TITLE)
    item_url = visitor.url
    shot(visitor, "press-1-decision-public")

    for name in ("rss.xml", "atom.xml"):
        answer = visitor.request.get(f"/en/news/{code}/{name}")
        assert answer.ok and "xml" in answer.headers["content-type"]
        save(f"press-1-feed-{name}", answer.body())
        feed = feedparser.parse(answer.body())
        assert not feed.bozo, feed.bozo_exception
        assert feed.version in ("rss20", "atom10")
        [entry] = [e for e in feed.entries if e.title == DECISION_TITLE]
        assert urlsplit(entry.link).path == urlsplit(item_url).path
    visitor.context.close()


# --- 2. a journalist is accredited, the card verifies; a media request's due date -----------------
def test_a_journalist_is_accredited_the_card_verifies_and_a_media_request_is_due_in_7_days(
    browser, live_server, hokimiyat_world
):
    place, commission = media.office("pop")
    hokimiyat = place.hokimiyat
    password = "Quill-and-ink-2026"

    # Sign-up, with an outlet not in the registry yet.
    journalist = new_page(browser, live_server)
    journalist.goto("/en/press/join/")
    journalist.fill("#id_full_name", "Dilnoza Karimova")
    journalist.fill("#id_phone", "+998 90 111 22 33")
    journalist.fill("#id_email", "dilnoza@example.org")
    journalist.fill("#id_position", "muxbir")
    journalist.locator("details summary", has_text="not in the registry").click()
    journalist.fill("#id_outlet_name", "Pop tongi")
    journalist.select_option("#id_outlet_kind", "online")
    journalist.fill("#id_registration_number", "1234")
    journalist.select_option("#id_organization", hokimiyat.code)
    journalist.fill("#id_username", "dilnoza")
    journalist.fill("#id_password", password)
    shot(journalist, "press-2-join")
    journalist.get_by_role("button", name="Sign up").click()
    expect(journalist).to_have_url(re.compile(r"/en/press/account/apply/$"))
    expect(notice(journalist)).to_contain_text("Your journalist's account is made")

    # The application with its documents.
    journalist.select_option("#id_organization", hokimiyat.code)
    journalist.fill("#id_specialisation", "Iqtisodiyot va qishloq xoʻjaligi")
    journalist.fill("#id_area", "Pop tumani")
    journalist.select_option("#id_correspondent", "staff")
    journalist.fill("#id_equipment", "Kamera Sony, diktofon")
    journalist.set_input_files("#id_letter", pdf_upload("blank.pdf"))
    journalist.set_input_files("#id_passport", pdf_upload("passport.pdf"))
    journalist.set_input_files("#id_diploma", pdf_upload("diploma.pdf"))
    journalist.set_input_files("#id_photo", photo_upload())
    shot(journalist, "press-2-apply")
    journalist.get_by_role("button", name="Submit the application").click()
    expect(notice(journalist)).to_be_visible()
    accreditation = Accreditation.objects.get()
    assert accreditation.status == AccreditationStatus.SUBMITTED and accreditation.photo
    shot(journalist, "press-2-applied")

    # The commission approves on its desk.
    desk = signed_in(browser, live_server, commission.username)
    desk.goto(f"/en/press/desk/{hokimiyat.code}/accreditation/")
    shot(desk, "press-2-commission-desk")
    desk.get_by_role("link", name="Dilnoza Karimova").first.click()
    expect(desk.locator("h1")).to_contain_text("Dilnoza Karimova")
    photo = desk.locator("img.acc-photo")
    expect(photo).to_be_visible()
    photo.evaluate("img => img.complete || new Promise(done => img.addEventListener('load', done))")
    assert photo.evaluate("img => img.naturalWidth") > 0, "the commission's page shows no photo"
    shot(desk, "press-2-commission-item")
    desk.get_by_role("button", name="Accredit").click()
    expect(notice(desk)).to_be_visible()
    accreditation.refresh_from_db()
    assert accreditation.status == AccreditationStatus.APPROVED and accreditation.card_code
    shot(desk, "press-2-commission-approved")
    desk.context.close()

    # The journalist downloads the card; its QR opens the verification page.
    journalist.goto("/en/press/account/")
    expect(journalist.locator(f"#accreditation-{accreditation.pk}")).to_contain_text(hokimiyat.name_uz)
    with journalist.expect_download() as download:
        journalist.get_by_role("link", name="Download the card (PDF)").click()
    card = Path(download.value.path()).read_bytes()
    assert card.startswith(b"%PDF")
    save_pdf(card, "press-2-card")
    codes = pdf_qr_codes(card)
    assert codes, "the card has no readable QR code"
    [link] = set(codes)
    assert link.startswith(live_server.url) and accreditation.card_code in link, link

    checker = new_page(browser, live_server)
    checker.goto(urlsplit(link).path)
    expect(checker.locator("main")).to_contain_text("in force today")
    expect(checker.locator("main")).to_contain_text("Dilnoza Karimova")
    shot(checker, "press-2-card-verified")
    checker.context.close()

    # A media request: answered within 7 days, the account shows the day.
    journalist.get_by_role("link", name="Send a press request").click()
    journalist.check("input[name='kind'][value='media']")
    journalist.select_option("#id_organization", hokimiyat.code)
    journalist.fill(
        "#id_text",
        "Tuman hokimi bilan 2026 yilgi yoʻl taʼmirlash rejasi haqida 20 daqiqalik intervyu oʻtkazishni soʻrayman.",
    )
    journalist.fill("#id_address", "Pop sh., Navoiy koʻchasi, 5-uy")
    shot(journalist, "press-2-request")
    journalist.get_by_role("button", name="Send the request").click()
    expect(notice(journalist)).to_be_visible()
    press_request = PressRequest.objects.select_related("appeal").get()
    appeal = press_request.appeal
    registered = terms.registration_day(appeal.received_at, calendar())
    due = terms.due_date(kind="media", type=appeal.type, registered=registered, calendar=calendar())
    assert 7 <= (due - registered).days <= 10 and timezone.localtime(appeal.due_at).date() == due
    shot(journalist, "press-2-request-sent")
    journalist.goto("/en/press/account/")
    row = journalist.locator(f"#request-{press_request.pk}")
    expect(row).to_contain_text(appeal.number)
    expect(row.locator(".acc-due")).to_have_attribute("data-due", f"{due:%Y-%m-%d}")
    shot(journalist, "press-2-account")
    journalist.context.close()


# --- 3. a survey answered once; the results as a chart --------------------------------------------
@pytest.fixture
def sms(caplog):
    """The SMS codes as the console channel delivered them (the text a provider would get), the latest to
    the survey helpers' phone: once delivered, the message keeps only the masked code."""
    caplog.set_level(logging.INFO, logger="darcha.notify.console")

    def latest_code() -> str:
        message = Message.objects.filter(template="otp", address=surveys.PHONE).latest("id")
        logged = [r for r in caplog.records if r.name == "darcha.notify.console" and isinstance(r.args, tuple)]
        [text] = [str(record.args[-1]) for record in logged if record.args[0] == message.pk]
        [code] = re.findall(r"(?<!\d)\d{6}(?!\d)", text)
        return code

    return latest_code


def confirm_phone(page, phone: str, sms) -> None:
    page.fill("#id_phone", phone)
    page.get_by_role("button", name="Send me the code").click()
    expect(page.locator("#id_code")).to_be_visible()
    page.fill("#id_code", sms())
    page.get_by_role("button", name="Confirm").click()


def test_a_citizen_answers_a_survey_once_and_the_published_results_show_the_chart(
    browser, live_server, hokimiyat_world, sms
):
    where = surveys.place("uychi")
    survey = surveys.survey(where)
    questions = surveys.questions(survey)

    citizen = new_page(browser, live_server)
    citizen.goto("/en/surveys/")
    citizen.get_by_role("link", name="Answer the survey").click()
    expect(citizen).to_have_url(re.compile(rf"/en/surveys/{survey.code}/$"))
    confirm_phone(citizen, "90 111 22 33", sms)
    form = citizen.locator("form[data-survey-form]")
    expect(form).to_contain_text("Main source")
    source, sites, trust, matrix, text = questions
    form.locator(f"#q{source.pk}").get_by_label("Internet").check()
    expect(form.locator(f"#q{sites.pk}")).to_be_visible()  # shown for the answer "Internet"
    form.locator(f"#q{sites.pk} input[type='checkbox']").first.check()
    form.locator(f"#q{trust.pk} input[value='4']").check()
    for row in matrix.rows.all():
        form.locator(f"input[name='q{matrix.pk}_r{row.pk}']").first.check()
    form.locator(f"#q{text.pk}-text").fill("Yangiliklar Telegramda ham chiqsin.")
    shot(citizen, "press-3-survey-form")
    citizen.get_by_role("button", name="Send my answers").click()
    expect(citizen).to_have_url(re.compile(r"/thanks/$"))
    assert Response.objects.filter(survey=survey).count() == 1
    shot(citizen, "press-3-survey-thanks")
    citizen.context.close()

    # The same phone from another browser: refused with the message.
    again = new_page(browser, live_server)
    again.goto(f"/en/surveys/{survey.code}/")
    confirm_phone(again, "+998 90 111 22 33", sms)
    refusal = again.locator("[data-survey-answered]")
    expect(refusal).to_contain_text("You have already answered this survey")
    assert Response.objects.filter(survey=survey).count() == 1
    shot(again, "press-3-survey-refused")

    # The press secretary publishes the results; the public page shows the SVG chart.
    press = signed_in(browser, live_server, where.press.username)
    press.goto(f"/en/surveys/manage/{survey.code}/results/")
    press.get_by_role("button", name="Publish every question").click()
    expect(press.locator(".survey-publish").first).to_contain_text("Public since")
    shot(press, "press-3-survey-publishing")
    press.context.close()

    again.goto(f"/en/surveys/{survey.code}/results/")
    chart = again.locator("svg.survey-chart").first
    expect(chart).to_be_visible()
    expect(chart.locator("title")).not_to_have_count(0)
    assert "Internet: 100.0 % (1)" in again.content()
    shot(again, "press-3-survey-results")
    again.context.close()
