"""Citizens' appeals' whole story in the browser (issue 13), at a district hokimiyat of its own.

A citizen writes to the Chust hokimiyat on the website: the phone is confirmed by the SMS code (read from
the console channel's log, as the citizen reads the phone), and the number and access code come back on
the page and by SMS. The appeals officer opens it: the routing model, trained on the hokimiyat's past
appeals, suggests the roads department, already chosen in the form, and the officer assigns it. The
department's executor extends the term for study and the author gets the written notice; the executor
drafts the answer, the hokim approves it and the letter goes out. The letter (PDF) carries a QR code that
opens its verification page. The author tracks the appeal with the number and code, downloads the letter
and says it does not satisfy them; the hokim's desk shows the flag. A complaint about the utilities
department is forwarded: not to that department (the page refuses it with the law's reason), but to the
region's water administration with the ground. An appeal without a name ends "not considered" with the
conclusion the hokim approves.

The hokimiyat (three departments, 36 appeals of the last days assigned to them) is built with
tests/infoservice/helpers rather than taken from the Namangan demo, which another part of the project
loads: here the suggestion is known in advance. Notices are delivered by running the queued background
tasks in this process, as the worker would. Screenshots and the letter (PDF, and rendered to PNG) are saved
under test-results/ for a person to look at.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import logging
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from darcha.core.calendar import WorkingCalendar
from darcha.core.choices import OrganizationKind
from darcha.core.models import User
from darcha.core.translit import latin_to_cyrillic
from darcha.infoservice import routing_model, terms
from darcha.infoservice.choices import AppealStatus, AppealType, EventKind, ExtensionKind, Outcome, Satisfaction
from darcha.infoservice.models import Appeal, Assignment, Forward, Topic
from darcha.infoservice.services import appeal_assign
from darcha.notify.models import Message
from darcha.notify.services import notices_muted
from tests.factories import OrganizationFactory
from tests.infoservice import helpers
from tests.qrcodes import pdf_qr_codes

pytestmark = pytest.mark.e2e

RESULTS = Path(__file__).resolve().parents[2] / "test-results"
SHOTS = RESULTS / "screenshots"
PASSWORD = "correct horse battery"  # tests.factories.UserFactory's
CODE = "chust"
HOKIMIYAT = f"{CODE}-hokimiyat"
ROADS, UTILITIES, GREENERY = (f"{CODE}-dept-{n}" for n in (1, 2, 3))  # helpers.hokimiyat's departments

CITIZEN = "Yusupov Akmal Rustamovich"
CITIZEN_ADDRESS = "Chust sh., Mustaqillik mahallasi, Bobur koʻchasi, 14-uy"
CITIZEN_PHONE = "+998 90 517 42 36"
APPEAL_TEXT = (
    "Bobur koʻchasida, 14-uy roʻparasida asfalt buzilib, katta chuqurlar paydo boʻlgan. Yomgʻirdan keyin "
    "suv toʻlib qoladi, mashinalar va bolalar oʻtolmaydi. Yoʻlni taʼmirlab berishingizni soʻraymiz."
)
STUDY_REASON = "Yoʻlning buzilgan qismini oʻlchash va smeta tuzish uchun joyida oʻrganish kerak."
ANSWER_TEXT = (
    "Murojaatingiz koʻrib chiqildi. Bobur koʻchasidagi yoʻlning 120 metrli qismi 2027 yil aprel oyida "
    "taʼmirlash rejasiga kiritildi; chuqurlar shu hafta vaqtincha shagʻal bilan toʻldiriladi."
)
NOT_SATISFIED_NOTE = "Chuqurlar hali ham toʻldirilmadi, aprelgacha kutib boʻlmaydi."


# --- the hokimiyat ------------------------------------------------------------------------------------
PAST = {  # topic code → (its department, what its past appeals say)
    "roads": (
        ROADS,
        ["yoʻl chuqurlari koʻpayib ketgan", "asfalt buzilgan yoʻlni taʼmirlang", "koʻprik yaroqsiz holatda"],
    ),
    "water": (
        UTILITIES,
        ["suv quvuri yorilgan", "ichimlik suvi kelmayapti", "kanalizatsiya toshib ketgan"],
    ),
    "greenery": (
        GREENERY,
        [
            "koʻcha chiroqlari yonmayapti",
            "daraxtlar qurib qolgan, koʻchat ekish kerak",
            "bogʻda oʻrindiqlar sinib ketgan",
        ],
    ),
}
MAHALLAS = ["Navbahor", "Guliston", "Doʻstlik", "Bahor", "Tinchlik", "Mustaqillik"]
NAMES = ["Karimov Aziz", "Rahimova Oydin", "Ergashev Javlon", "Toshmatova Gulnora", "Qodirov Sardor"]


def past_appeals(place, topics, today: dt.datetime) -> None:
    """Twelve appeals a topic over the last ten days, each assigned to its topic's department (what the
    routing model learns from), a third of them in Cyrillic. Notices of the past are not sent."""
    officer, departments = place.officer, {d.code: d for d in place.departments}
    names = itertools.cycle(NAMES)
    with notices_muted():
        for code, (department, phrases) in PAST.items():
            for number, phrase in enumerate(itertools.islice(itertools.cycle(phrases), 12)):
                text = f"{MAHALLAS[number % 6]} mahallasi, {number + 3}-uy. {phrase.capitalize()}. Yordam soʻraymiz."
                received = today - dt.timedelta(days=1 + number % 10, hours=number % 4)
                appeal = helpers.register(
                    place,
                    now=received,
                    text=latin_to_cyrillic(text) if number % 3 == 0 else text,
                    topic=topics[code],
                    author_name=next(names),
                    author_phone="",  # nobody's phone: no repeated-author matches with the story's citizens
                )
                appeal_assign(
                    actor=officer, appeal=appeal, executor=departments[department], now=received + dt.timedelta(hours=2)
                )


def named(user: User, first: str, last: str) -> User:
    User.objects.filter(pk=user.pk).update(first_name=first, last_name=last)
    user.refresh_from_db()
    return user


@pytest.fixture
def chust(working_hours, transactional_db, django_db_serialized_rollback, settings, tmp_path):
    """The Chust hokimiyat with its roads, utilities and greenery departments, the officer, the roads
    department's executor and the hokim; the region's water administration (an agency); three topics,
    36 past appeals and the routing model trained on them."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.NOTIFY_EMAIL_BACKEND = settings.NOTIFY_SMS_BACKEND = settings.NOTIFY_TELEGRAM_BACKEND = "console"
    cache.clear()  # SMS codes and tracking lookups counted by an earlier run must not carry over
    routing_model.forget()
    helpers.calendar_2026()
    place = helpers.hokimiyat(CODE, departments=3)
    named(place.officer, "Dilnoza", "Ergasheva")
    named(place.executor, "Bahodir", "Tursunov")
    named(place.hokim, "Sherzod", "Mamatov")
    water_administration = OrganizationFactory(
        code="namangan-suv-taminoti",
        kind=OrganizationKind.AGENCY,
        parent=place.region,
        name_uz="Namangan viloyati Suv taʼminoti boshqarmasi",
    )
    topics = {
        code: Topic.objects.create(code=code, name_uz=name_uz, name_ru=name_ru, name_en=name_en, order=order)
        for order, (code, name_uz, name_ru, name_en) in enumerate(
            [
                ("roads", "Yoʻllar va koʻpriklar", "Дороги и мосты", "Roads and bridges"),
                ("water", "Suv va kanalizatsiya", "Вода и канализация", "Water and sewerage"),
                ("greenery", "Obodonlashtirish", "Благоустройство", "Public spaces and lighting"),
            ]
        )
    }
    past_appeals(place, topics, working_hours)
    model = routing_model.train(seed=13)
    assert model.samples == 36
    yield {"place": place, "topics": topics, "water": water_administration}
    routing_model.forget()
    cache.clear()


@pytest.fixture
def sms(caplog):
    """What the console channel logged (the text an SMS provider would get): message id -> body."""
    caplog.set_level(logging.INFO, logger="darcha.notify.console")

    def sent() -> dict[int, str]:
        return {
            record.args[0]: str(record.args[-1])
            for record in caplog.records
            if record.name == "darcha.notify.console" and isinstance(record.args, tuple)
        }

    return sent


# --- helpers --------------------------------------------------------------------------------------
def new_page(browser, live_server):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url)
    context.set_default_timeout(10_000)
    return context.new_page()


def signed_in(browser, live_server, username: str):
    page = new_page(browser, live_server)
    page.goto("/en/login/")
    page.fill("input[name='username']", username)
    page.fill("input[name='password']", PASSWORD)
    page.locator("form button[type='submit']").last.click()
    expect(page).to_have_url(re.compile(r"/desk/$"))
    return page


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def notice(page):
    return page.locator(".messages .message--success")


def run_queued_tasks() -> list[str]:
    """What the background worker does, in this process: every task queued so far, oldest first, until
    none is left. A task that fails fails the test (the worker would only log it)."""
    from django_tasks_db.models import DBTaskResult

    ran = []
    for _ in range(1000):
        queued_task = DBTaskResult.objects.ready().first()
        if queued_task is None:
            return ran
        queued_task.claim("appeals-story")
        try:
            value = queued_task.task.call(*queued_task.args_kwargs["args"], **queued_task.args_kwargs["kwargs"])
        except Exception as error:
            queued_task.set_failed(error)
            raise
        queued_task.set_successful(value)
        ran.append(queued_task.task_path.rsplit(".", 1)[-1])
    pytest.fail("the tasks keep queueing more tasks")


def delivered(sms, template: str, appeal=None, address: str = "") -> str:
    """The text of the latest message of `template` (about `appeal`, or to `address`) as the console channel
    delivered it, once the queued deliveries have run."""
    run_queued_tasks()
    messages = Message.objects.filter(template=template)
    if appeal is not None:
        messages = messages.filter(object_id=str(appeal.pk))
    if address:
        messages = messages.filter(address=address)
    message = messages.latest("id")
    return sms()[message.pk]


def save_pdf(content: bytes, name: str) -> None:
    """The PDF under test-results/, and each page rendered (PDFium) to test-results/screenshots/."""
    import pypdfium2

    RESULTS.mkdir(parents=True, exist_ok=True)
    SHOTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / f"{name}.pdf").write_bytes(content)
    document = pypdfium2.PdfDocument(content)
    try:
        for index, pdf_page in enumerate(document, start=1):
            pdf_page.render(scale=110 / 72).to_pil().save(SHOTS / f"{name}-{index}.png")
    finally:
        document.close()


def open_action(page, name: str):
    """One of the appeal page's folded action forms, unfolded."""
    action = page.locator(f"#action-{name}")
    action.locator("summary").click()
    return action


# --- the story ------------------------------------------------------------------------------------
def test_an_appeal_goes_from_the_web_form_to_an_approved_letter_and_back_to_the_head(browser, live_server, chust, sms):
    place = chust["place"]
    roads = place.departments[0]
    utilities = place.departments[1]

    # 1. A citizen writes to the hokimiyat on the website, the phone confirmed by the SMS code.
    citizen = new_page(browser, live_server)
    citizen.goto("/en/appeals/new/")
    citizen.get_by_role("link", name=re.compile(place.hokimiyat.name_uz)).click()
    expect(citizen).to_have_url(re.compile(rf"/en/appeals/new/{HOKIMIYAT}/$"))
    citizen.fill("#id_phone", CITIZEN_PHONE)
    citizen.get_by_role("button", name="Send me the code").click()
    expect(citizen.locator("#id_code")).to_be_visible()
    otp = delivered(sms, "otp", address="+998905174236")
    [code] = re.findall(r"(?<!\d)\d{6}(?!\d)", otp)
    citizen.fill("#id_code", code)
    citizen.get_by_role("button", name="Confirm").click()
    expect(citizen.locator(".confirmed-phone")).to_contain_text("+998 90 517 42 36")
    citizen.fill("#id_author_name", CITIZEN)
    citizen.fill("#id_author_address", CITIZEN_ADDRESS)
    citizen.select_option("#id_language", "uz")
    citizen.check("input[name='type'][value='application']")
    citizen.fill("#id_text", APPEAL_TEXT)
    citizen.fill("#id_location_address", "Bobur koʻchasi, 14-uy roʻparasi")
    citizen.check("input[name='consent_publish']")
    shot(citizen, "appeals-1-web-form")
    citizen.get_by_role("button", name="Send the appeal").click()

    expect(citizen).to_have_url(re.compile(r"/en/appeals/new/done/$"))
    number = citizen.locator(".pub-number").inner_text().strip()
    appeal = Appeal.objects.get(number=number)
    assert appeal.author_name == CITIZEN and appeal.phone_confirmed and appeal.language == "uz"
    assert appeal.status == AppealStatus.REGISTERED and appeal.similar_to_id is None
    expect(citizen.locator("dl.codes")).to_contain_text(appeal.access_code)
    due = terms.local_day(appeal.due_at)
    assert due == terms.due_date(
        kind=appeal.kind,
        type=appeal.type,
        registered=terms.local_day(appeal.registered_at),
        calendar=WorkingCalendar.current(),
    )
    acknowledgement = delivered(sms, "appeal_registered", appeal)
    assert number in acknowledgement and appeal.access_code in acknowledgement  # the code the author keeps
    shot(citizen, "appeals-1-registered")
    citizen.context.close()

    # 2. The officer opens it: the routing model suggests the roads department, chosen in the form already.
    officer = signed_in(browser, live_server, place.officer.username)
    officer.goto(f"/en/appeals/desk/{HOKIMIYAT}/")
    officer.get_by_role("link", name=number).click()
    expect(officer).to_have_url(re.compile(rf"/en/appeals/case/{number}/$"))
    suggestion = officer.locator(".appeal-suggestion")
    expect(suggestion).to_contain_text("Roads and bridges")
    expect(suggestion).to_contain_text(roads.name_uz)
    expect(officer.locator("#assign-executor")).to_have_value(str(roads.pk))
    shot(officer, "appeals-2-officer-suggestion")
    officer.locator("#action-assign").get_by_role("button", name="Assign").click()
    expect(notice(officer)).to_contain_text(f"Appeal {number} is assigned to")
    assignment = Assignment.objects.get(appeal=appeal, role="main")
    assert assignment.executor == roads and assignment.suggested and 0.5 < assignment.confidence <= 1
    expect(officer.locator(".appeal-assignments")).to_contain_text("as suggested")
    shot(officer, "appeals-2-officer-assigned")

    # 3. The roads department's executor needs to study the place: the term is extended, the author told.
    executor = signed_in(browser, live_server, place.executor.username)
    executor.goto(f"/en/appeals/work/{ROADS}/")
    executor.get_by_role("link", name=number).click()
    extend = open_action(executor, "extend")
    expect(extend.locator("#extend-kind option")).to_have_count(1)  # study only: the head's is the hokim's
    extend.locator("#extend-reason").fill(STUDY_REASON)
    extend.get_by_role("button", name="Extend and tell the author").click()
    expect(notice(executor)).to_contain_text("the author is told in writing")
    appeal.refresh_from_db()
    extended_to = terms.study_due(terms.local_day(appeal.registered_at), WorkingCalendar.current())
    assert appeal.extended and terms.local_day(appeal.due_at) == extended_to > due
    extension = appeal.extensions.get()
    assert extension.kind == ExtensionKind.STUDY and extension.notice_id is not None
    told = delivered(sms, "appeal_extended", appeal)
    assert number in told and STUDY_REASON in told
    shot(executor, "appeals-3-executor-extended")

    # 4. The executor drafts the answer; the hokim approves it and the letter is sent.
    draft = executor.locator("#action-draft")
    draft.locator("#draft-outcome").select_option(Outcome.SATISFIED)
    draft.locator("#draft-text").fill(ANSWER_TEXT)
    draft.get_by_role("button", name="Send to the head for approval").click()
    expect(notice(executor)).to_contain_text("sent to the head for approval")
    executor.context.close()

    hokim = signed_in(browser, live_server, place.hokim.username)
    hokim.goto(f"/en/appeals/desk/{HOKIMIYAT}/head/")
    hokim.locator("#head-drafts ~ .table-wrap").get_by_role("link", name=number).click()
    approval = hokim.locator("#appeal-approval")
    expect(approval).to_contain_text(ANSWER_TEXT[:40])
    shot(hokim, "appeals-4-head-approval")
    approval.get_by_role("button", name="Approve and send the letter").click()
    expect(notice(hokim)).to_contain_text(f"appeal {number} is closed and the letter sent")
    appeal.refresh_from_db()
    assert appeal.status == AppealStatus.CLOSED and appeal.outcome == Outcome.SATISFIED
    answer = appeal.answers.get(approved_at__isnull=False)
    assert answer.approved_by == place.hokim and answer.sent_at is not None

    href = hokim.get_by_role("link", name="The letter (PDF)").get_attribute("href")
    letter = hokim.request.get(href)
    assert letter.ok and letter.headers["content-type"].startswith("application/pdf")
    content = letter.body()
    answer.refresh_from_db()  # rendered after the approval (its task, or this first download) and stored
    assert content.startswith(b"%PDF") and hashlib.sha256(content).hexdigest() == answer.sha256
    save_pdf(content, "appeals-4-letter")
    [link] = pdf_qr_codes(content)
    # The verification page in the author's language, at the address the letter was approved from.
    assert re.fullmatch(rf"{re.escape(live_server.url)}(/uz)?/appeals/verify/{answer.code}/", link), link
    answered = delivered(sms, "appeal_answered", appeal)
    assert link in answered
    shot(hokim, "appeals-4-head-approved")

    checker = new_page(browser, live_server)
    checker.goto(urlsplit(link).path)
    expect(checker.locator("h1")).to_be_visible()
    expect(checker.locator("main")).to_contain_text(number)
    expect(checker.locator("main")).to_contain_text(answer.sha256)
    assert CITIZEN not in checker.content()  # the author is named on the letter only
    shot(checker, "appeals-4-letter-verified")
    checker.context.close()

    # 5. The author tracks it with the number and the code from the SMS, downloads the letter and is not
    # satisfied; the head's desk shows the flag.
    author = new_page(browser, live_server)
    author.goto("/en/appeals/track/")
    author.fill("#id_number", number)
    author.fill("#id_code", appeal.access_code)
    author.get_by_role("button", name="Show my appeal").click()
    expect(author).to_have_url(re.compile(rf"/en/appeals/my/{number}/$"))
    expect(author.locator("section[aria-labelledby='ext-title']")).to_contain_text(STUDY_REASON)
    with author.expect_download() as download:
        author.locator(".ap-letters a").first.click()
    downloaded = Path(download.value.path()).read_bytes()
    assert hashlib.sha256(downloaded).hexdigest() == answer.sha256
    author.check(f"input[name='satisfaction'][value='{Satisfaction.NOT_SATISFIED}']")
    author.fill("textarea[name='note']", NOT_SATISFIED_NOTE)
    author.get_by_role("button", name="Send my rating").click()
    expect(notice(author)).to_contain_text("the head of the hokimiyat is told")
    appeal.refresh_from_db()
    assert appeal.satisfaction == Satisfaction.NOT_SATISFIED and appeal.flagged_to_head
    shot(author, "appeals-5-author-not-satisfied")
    author.context.close()

    hokim.goto(f"/en/appeals/desk/{HOKIMIYAT}/head/")
    flags = hokim.locator(".appeal-flags")
    expect(flags).to_contain_text(number)
    expect(flags).to_contain_text(NOT_SATISFIED_NOTE)
    expect(hokim.locator(".stat", has_text="not satisfied").locator(".stat__value")).to_have_text("1")
    shot(hokim, "appeals-5-head-flag")

    # 6. A complaint about the utilities department: never forwarded to it (refused on the page with the
    # law's reason), forwarded to the region's water administration with the ground.
    complaint = helpers.register(
        place,
        type=AppealType.COMPLAINT,
        complained_body=utilities,
        text=(
            "Kommunal xoʻjalik boʻlimi uyimizni ichimlik suvi tarmogʻiga ulashni asossiz rad etdi. "
            "Qarorni qayta koʻrib chiqishingizni soʻraymiz."
        ),
        author_name="Rahimova Malika",
        author_phone="+998911234567",
    )
    officer.goto(f"/en/appeals/case/{complaint.number}/")
    expect(officer.locator(".panel-note", has_text="never forwarded there")).to_contain_text(utilities.name_uz)
    forward = open_action(officer, "forward")
    forward.locator("#forward-to_organization").select_option(str(utilities.pk))
    forward.locator("#forward-ground").fill("Suv tarmogʻiga ulash masalasi shu boʻlim vakolatida.")
    forward.get_by_role("button", name="Forward").click()
    expect(officer.locator("#error-forward")).to_contain_text("the law forbids forwarding it there")
    complaint.refresh_from_db()
    assert complaint.is_open and not Forward.objects.filter(appeal=complaint).exists()
    shot(officer, "appeals-6-forward-refused")

    forward = officer.locator("#action-forward")  # open again, with the refused choice kept
    forward.locator("#forward-to_organization").select_option(str(chust["water"].pk))
    ground = (
        "Ichimlik suvi tarmogʻiga ulash boʻyicha tuman boʻlimining qarorlari ustidan shikoyatlarni "
        "viloyat boshqarmasi koʻradi."
    )
    forward.locator("#forward-ground").fill(ground)
    forward.get_by_role("button", name="Forward").click()
    expect(notice(officer)).to_contain_text(f"Appeal {complaint.number} is forwarded to")
    complaint.refresh_from_db()
    assert complaint.status == AppealStatus.CLOSED and complaint.outcome == Outcome.FORWARDED
    sent_on = complaint.forward
    assert sent_on.to_organization == chust["water"] and sent_on.ground == ground
    assert ground in delivered(sms, "appeal_forwarded", complaint)
    expect(officer.locator(".office-aside")).to_contain_text(ground)
    shot(officer, "appeals-6-forwarded")

    # 7. An appeal without a name is not considered: the officer's conclusion, approved by the hokim.
    nameless = helpers.register(
        place,
        author_name="",
        author_phone="+998935550011",
        text="Bozor yonidagi koʻchada chiroqlar yonmayapti, kechasi yurish xavfli.",
    )
    officer.goto(f"/en/appeals/case/{nameless.number}/")
    expect(officer.locator(".message--warning").first).to_contain_text("cannot be considered")
    conclusion = open_action(officer, "conclusion")
    expect(conclusion.locator("#conclusion-ground")).to_have_value(f"{Outcome.NOT_CONSIDERED}:anonymous")
    conclusion.locator("#conclusion-text").fill(
        "Murojaatda muallifning familiyasi, ismi va yashash joyi koʻrsatilmagan: qonunning 17-moddasiga koʻra "
        "koʻrib chiqilmaydi."
    )
    conclusion.get_by_role("button", name="Send the conclusion for approval").click()
    expect(notice(officer)).to_contain_text("The conclusion is sent to the head for approval")
    expect(officer.locator(".message--warning", has_text="cannot be considered")).to_have_count(0)  # drawn up
    shot(officer, "appeals-7-conclusion-drafted")
    officer.context.close()

    hokim.goto(f"/en/appeals/case/{nameless.number}/")
    expect(hokim.locator("#appeal-approval")).to_contain_text("Not considered")
    hokim.locator("#appeal-approval").get_by_role("button", name="Approve and send the letter").click()
    expect(notice(hokim)).to_contain_text(f"appeal {nameless.number} is closed")
    nameless.refresh_from_db()
    assert nameless.status == AppealStatus.CLOSED and nameless.outcome == Outcome.NOT_CONSIDERED
    conclusion_answer = nameless.answers.get()
    assert conclusion_answer.ground == "anonymous" and conclusion_answer.approved_by == place.hokim
    assert conclusion_answer.code and nameless.events.filter(kind=EventKind.NOT_CONSIDERED).exists()
    shot(hokim, "appeals-7-not-considered")
    href = hokim.locator(".appeal-answers").get_by_role("link", name="The letter (PDF)").get_attribute("href")
    content = hokim.request.get(href).body()
    conclusion_answer.refresh_from_db()
    assert conclusion_answer.file and hashlib.sha256(content).hexdigest() == conclusion_answer.sha256
    save_pdf(content, "appeals-7-conclusion-letter")
    [link] = pdf_qr_codes(content)
    assert link.endswith(f"/appeals/verify/{conclusion_answer.code}/")
    hokim.context.close()
