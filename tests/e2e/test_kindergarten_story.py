"""Kindergarten admission's whole story in the browser (issue 12), in a small city of its own.

A newborn arrives through the partner API of the registry office. A mother applies at the front office
for her daughter with a privilege (a large family) and its scan; the operator prints the receipt, whose QR
code opens the family's page. The district's officer confirms the privilege, prepares the main campaign
and runs it from the department's desk: the run is a background task, run here in this process as the
worker would, and the page shows the report once the bar reaches the end. The family sees its referral and
why it stands where it stands in the queue of the group it ranked first. The kindergarten's director enrols
the child with the code the family got by SMS (read from the console channel's log, as the family reads
its phone). A child leaves another kindergarten: the seat goes to the next child, whose move frees a seat
for the next family the same day. A referral not taken up lapses when its term is over, and its seat is
offered to the next child at once.

The city (two state kindergartens, five children ahead of the story) is built with tests/preschool/helpers
rather than taken from the Namangan demo, whose queue of thousands another part of the project owns:
here every position is known in advance. Screenshots and the receipt (PDF, and rendered to PNG) are saved
under test-results/ for a person to look at.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.utils import timezone
from playwright.sync_api import expect

from darcha.core.audit import SYSTEM
from darcha.core.choices import OrganizationKind, Role
from darcha.core.identifiers import pinfl_check_digit, validate_phone
from darcha.core.services import api_token_create
from darcha.notify.models import Message
from darcha.preschool import ages
from darcha.preschool import services as preschool
from darcha.preschool.choices import (
    AgeGroup,
    CampaignKind,
    CampaignStatus,
    Channel,
    EnrollmentStatus,
    PlacementStatus,
    Relation,
)
from darcha.preschool.models import Benefit, Campaign, EnrollmentApplication, Placement
from darcha.preschool.services.campaigns import referral_code_matches
from darcha.preschool.services.intake import BenefitClaim
from tests.factories import OrganizationFactory, PersonFactory, staff
from tests.preschool import helpers
from tests.qrcodes import pdf_qr_codes

pytestmark = pytest.mark.e2e

RESULTS = Path(__file__).resolve().parents[2] / "test-results"
SHOTS = RESULTS / "screenshots"
PASSWORD = "correct horse battery"  # tests.factories.UserFactory's
CITY = "yangiobod"
CENTER = "yangiobod-center"
REGISTRY_OFFICE = "yangiobod-fhdyo"

MOTHER = "Yusupova Dilfuza Akmalovna"
MOTHER_PHONE = "+998 90 517 42 36"
FIRST13 = "4150590" + "412703"  # a woman born on 15.05.1990
MOTHER_PINFL = FIRST13 + str(pinfl_check_digit(FIRST13))
DAUGHTER = "Yusupova Madina Akmalovna"
CERTIFICATE = "I-NA 7654321"
NEWBORN_MOTHER13 = "4200395" + "512116"  # a woman born on 20.03.1995
NEWBORN_MOTHER_PINFL = NEWBORN_MOTHER13 + str(pinfl_check_digit(NEWBORN_MOTHER13))
PRIVILEGE_DOCUMENT = "Mahalla certificate No 118 of 14.11.2026"


# --- the city -------------------------------------------------------------------------------------
def born_aged(years: int) -> dt.date:
    """A child `years` old on the next reference date (a month past a birthday)."""
    day = ages.reference_date(ages.school_year_for(timezone.now()))
    return day.replace(year=day.year - years) - dt.timedelta(days=31)


_certificates = iter(range(1_000_001, 10**7))


def queued(city, name: str, choices, *, days_ago: int, phone: str, privilege=None, checker=None):
    """A child already in the queue (registered by the system, as at birth), its privilege confirmed."""
    claims = [BenefitClaim(benefit=privilege, evidence_reference="Mahalla certificate")] if privilege else []
    application = preschool.application_register(
        actor=SYSTEM,
        child_name=name,
        birth_date=born_aged(3),
        birth_certificate=f"I-NA{next(_certificates)}",
        applicant=PersonFactory(),
        relation=Relation.PARENT,
        district=city,
        choices=list(choices),
        phone=phone,
        language="en",
        benefits=claims,
        queue_date=timezone.now() - dt.timedelta(days=days_ago),
    )
    for claim in application.benefits.all():
        preschool.benefit_decide(actor=checker, claim=claim, confirm=True)
    return application


@pytest.fixture
def city(working_hours, transactional_db, django_db_serialized_rollback, settings, tmp_path):
    """Yangiobod: a city with its preschool department, a center, the registry office (a birth partner), two
    state kindergartens and five children in the queue.

    No. 12 has one seat in its 3–4 group and an early group; No. 7 two seats in its 3–4 group. Ahead of the
    story: Oydin (privileged, longest in the queue, ranks No. 12 only), Javlon (privileged, No. 12 then No. 7),
    Bobur (no privilege, in the queue the longest of all, No. 12 then No. 7), Sardor (no privilege, No. 7)."""
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRESCHOOL_BIRTH_PARTNERS = [REGISTRY_OFFICE]
    settings.NOTIFY_EMAIL_BACKEND = settings.NOTIFY_SMS_BACKEND = settings.NOTIFY_TELEGRAM_BACKEND = "console"
    cache.clear()  # tracking lookups counted by an earlier run must not carry over

    region = OrganizationFactory(code="yangiobod-region", kind=OrganizationKind.REGION, name_uz="Namangan viloyati")
    place = OrganizationFactory(code=CITY, kind=OrganizationKind.CITY, parent=region, name_uz="Yangiobod shahri")
    department = OrganizationFactory(
        code=f"{CITY}-mtt-bolimi",
        kind=OrganizationKind.PRESCHOOL_DEPARTMENT,
        parent=place,
        name_uz="Yangiobod shahar maktabgacha ta'lim bo'limi",
    )
    center = OrganizationFactory(
        code=CENTER, kind=OrganizationKind.CENTER, parent=place, name_uz="Yangiobod Davlat xizmatlari markazi"
    )
    registry = OrganizationFactory(
        code=REGISTRY_OFFICE, kind=OrganizationKind.AGENCY, parent=place, name_uz="Yangiobod FHDYO bo'limi"
    )
    helpers.fee_table()
    twelve, seven = helpers.kindergarten(place, 12), helpers.kindergarten(place, 7)
    groups = {
        "12-early": helpers.program(twelve, AgeGroup.EARLY, seats=2),
        "12": helpers.program(twelve, AgeGroup.G3, seats=1),
        "7": helpers.program(seven, AgeGroup.G3, seats=2),
    }
    large_family = Benefit.objects.create(
        code="large-family",
        name_uz="Ko'p bolali oilalar farzandlari",
        name_en="Children of large families",
        evidence_uz="Mahalla fuqarolar yig'inining ma'lumotnomasi",
        evidence_en="A certificate of the mahalla that the family has 4 or more children under 18",
        tier=1,
        valid_from=dt.date(2021, 5, 20),
    )
    officer = staff("officer", department, Role.PRESCHOOL_OFFICER, first_name="Nodira", last_name="Qodirova")
    children = {
        "oydin": queued(
            place,
            "Rahimova Oydin",
            [groups["12"]],
            days_ago=400,
            phone="+998901110001",
            privilege=large_family,
            checker=officer,
        ),
        "javlon": queued(
            place,
            "Ergashev Javlon",
            [groups["12"], groups["7"]],
            days_ago=300,
            phone="+998901110002",
            privilege=large_family,
            checker=officer,
        ),
        "bobur": queued(place, "Karimov Bobur", [groups["12"], groups["7"]], days_ago=500, phone="+998901110003"),
        "sardor": queued(place, "Toshmatov Sardor", [groups["7"]], days_ago=200, phone="+998901110004"),
    }
    clerk = staff("fhdyo.clerk", registry, Role.AGENCY_CLERK)
    _token, secret = api_token_create(actor=clerk, user=clerk, name="birth registrations")
    staff("operator", center, Role.OPERATOR, first_name="Aziza", last_name="Nazarova")
    directors = {
        "12": staff("director.12", twelve.organization, Role.KINDERGARTEN_DIRECTOR),
        "7": staff("director.7", seven.organization, Role.KINDERGARTEN_DIRECTOR),
    }
    yield {
        "place": place,
        "center": center,
        "twelve": twelve,
        "seven": seven,
        "groups": groups,
        "benefit": large_family,
        "officer": officer,
        "directors": directors,
        "children": children,
        "token": secret,
    }
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


@pytest.fixture
def evidence_scan(tmp_path) -> Path:
    """A photographed mahalla certificate, as the family hands it over (a real PNG)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (620, 420), (250, 248, 240))
    draw = ImageDraw.Draw(image)
    draw.rectangle((12, 12, 607, 407), outline=(60, 80, 120), width=4)
    for y, line in enumerate(
        [
            "MAHALLA FUQAROLAR YIG'INI",
            "Ma'lumotnoma No 118",
            "Yusupovlar oilasida 18 yoshgacha",
            "4 nafar farzand bor.",
            "14.11.2026",
        ]
    ):
        draw.text((50, 60 + 60 * y), line, fill=(20, 30, 60))
    path = tmp_path / "mahalla-certificate.png"
    image.save(path, "PNG")
    return path


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
    none is left (a task may queue more). A task that fails fails the test (the worker would only log it)."""
    from django_tasks_db.models import DBTaskResult

    ran = []
    for _ in range(1000):
        queued_task = DBTaskResult.objects.ready().first()
        if queued_task is None:
            return ran
        queued_task.claim("kindergarten-story")
        try:
            value = queued_task.task.call(*queued_task.args_kwargs["args"], **queued_task.args_kwargs["kwargs"])
        except Exception as error:
            queued_task.set_failed(error)
            raise
        queued_task.set_successful(value)
        ran.append(queued_task.task_path.rsplit(".", 1)[-1])
    pytest.fail("the tasks keep queueing more tasks")


def referral_sms(sms, application) -> tuple[Placement, str]:
    """The open referral of a child and the code in the SMS its family got (from the console channel)."""
    placement = Placement.objects.get(application=application, status=PlacementStatus.OFFERED)
    message = Message.objects.filter(template="preschool_referral", object_id=str(application.pk)).latest("id")
    body = sms()[message.pk]
    codes = [code for code in re.findall(r"(?<!\d)\d{6}(?!\d)", body) if referral_code_matches(placement, code)]
    assert len(codes) == 1, body
    return placement, codes[0]


def offered(application) -> Placement | None:
    return Placement.objects.filter(application=application, status=PlacementStatus.OFFERED).first()


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


def open_family_page(page, application) -> None:
    """The family's page as the receipt's QR code opens it (number and access code), the code then
    dropped from the address."""
    page.goto(f"/en/preschool/family/{application.number}/?code={application.access_code}")
    expect(page).to_have_url(re.compile(rf"/en/preschool/family/{application.number}/$"))


# --- the story ------------------------------------------------------------------------------------
def test_a_child_goes_from_the_queue_to_a_kindergarten_and_freed_seats_reach_the_next_families(
    browser, live_server, city, sms, evidence_scan, monkeypatch
):
    place, groups, children = city["place"], city["groups"], city["children"]
    twelve, seven = city["twelve"], city["seven"]

    # 1. A newborn arrives from the registry office's system, with the kindergartens of the birth form.
    api = new_page(browser, live_server)
    birth = {
        "birth_record": "FHDYO-2026-004512",
        "registered_at": (timezone.now() - dt.timedelta(hours=3)).isoformat(),
        "district": CITY,
        "language": "uz",
        "child": {
            "name": "Aliyev Temur Shavkatovich",
            "birth_date": (timezone.localdate() - dt.timedelta(days=6)).isoformat(),
            "birth_certificate": "I-NA 1234567",
        },
        "applicant": {"name": "Aliyeva Nilufar", "pinfl": NEWBORN_MOTHER_PINFL, "phone": "+998901110005"},
        "kindergartens": [{"kindergarten": twelve.organization.code}, {"kindergarten": seven.organization.code}],
    }
    headers = {"Authorization": f"Token {city['token']}", "Accept-Language": "en"}
    response = api.request.post("/api/v1/preschool/births/", data=birth, headers=headers)
    assert response.status == 201, response.text()
    registered = response.json()
    # The early group of No. 12; No. 7 has none, so its 3–4 group.
    assert [(c["kindergarten"], c["age_group"]) for c in registered["choices"]] == [
        (twelve.organization.code, AgeGroup.EARLY),
        (seven.organization.code, AgeGroup.G3),
    ]
    newborn = EnrollmentApplication.objects.get(number=registered["number"])
    assert newborn.channel == Channel.BIRTH_REGISTRATION and newborn.status == EnrollmentStatus.WAITING
    resent = api.request.post("/api/v1/preschool/births/", data=birth, headers=headers)
    assert resent.status == 200 and resent.json() == registered  # idempotent by the birth record
    assert EnrollmentApplication.objects.filter(birth_record="FHDYO-2026-004512").count() == 1
    api.context.close()

    # 2. A mother applies for her daughter at the front office, with a privilege and its scan.
    desk = signed_in(browser, live_server, "operator")
    desk.goto(f"/en/preschool/front/{CENTER}/new/")
    desk.fill("#id_pinfl", MOTHER_PINFL)
    desk.locator("button[name='find']").click()
    expect(desk.locator("#applicant .message")).to_contain_text("No applicant with this number is registered yet")
    desk.fill("#id_name", MOTHER)
    desk.fill("#id_phone", MOTHER_PHONE)
    desk.select_option("#id_language", "uz")
    desk.check("input[name='relation'][value='parent']")
    desk.fill("#id_child_name", DAUGHTER)
    desk.fill("#id_birth_certificate", CERTIFICATE)
    with desk.expect_response(lambda r: r.request.method == "POST" and "/front/" in r.url):
        desk.fill("#id_birth_date", born_aged(3).isoformat())  # htmx lists the groups she may join
    expect(desk.locator("#choices .message--info")).to_contain_text("Age is counted on")
    expect(desk.locator("#choices")).to_contain_text("2 groups of 3 in the district's kindergartens are listed")
    benefit = city["benefit"]
    desk.check(f"#id_benefit_{benefit.pk}")
    desk.fill(f"#id_reference_{benefit.pk}", PRIVILEGE_DOCUMENT)
    desk.set_input_files(f"#id_evidence_{benefit.pk}", str(evidence_scan))
    desk.select_option("#id_choice_1", str(groups["12"].pk))
    desk.select_option("#id_choice_2", str(groups["7"].pk))
    expect(desk.locator("#id_choice_1")).to_have_value(str(groups["12"].pk))
    shot(desk, "kindergarten-2-front-office")
    desk.locator(".case-submit button[type='submit']").click()

    expect(desk).to_have_url(re.compile(rf"/en/preschool/front/{CENTER}/applications/[A-Z0-9-]+/$"))
    number = desk.locator(".case-number--big").inner_text().strip()
    code = desk.locator(".case-code").inner_text().strip()
    assert re.fullmatch(r"\d{6}", code)
    expect(notice(desk)).to_contain_text(f"number {number}")
    madina = EnrollmentApplication.objects.get(number=number)
    assert madina.child.name == DAUGHTER and madina.phone == validate_phone(MOTHER_PHONE)
    assert madina.applicant.pinfl == MOTHER_PINFL and madina.language == "uz"
    assert [p.program for p in madina.preferences.order_by("rank")] == [groups["12"], groups["7"]]
    [claim] = madina.benefits.all()
    assert claim.status == "claimed" and claim.evidence_reference == PRIVILEGE_DOCUMENT and claim.evidence_file
    expect(desk.locator(".ps-chosen").first).to_contain_text("12-son MTT")
    shot(desk, "kindergarten-2-front-office-done")

    href = desk.get_by_role("link", name="Print the receipt").get_attribute("href")
    receipt = desk.request.get(href)
    assert receipt.ok and receipt.headers["content-type"].startswith("application/pdf")
    content = receipt.body()
    assert content.startswith(b"%PDF")
    save_pdf(content, "kindergarten-2-receipt")
    [link] = pdf_qr_codes(content)
    # The family's page at the address the receipt was printed from, the access code in it.
    assert link == f"{live_server.url}/preschool/family/{number}/?code={code}"
    desk.context.close()

    # 3. The district's officer checks the scan and confirms the privilege, then runs the main campaign.
    office = signed_in(browser, live_server, "officer")
    office.goto(f"/en/preschool/privileges/{CITY}/")
    row = office.locator("tr", has=office.locator(".case-number", has_text=number))
    row.get_by_role("link", name="Check").click()
    expect(office.locator("img.ps-scan")).to_be_visible()
    office.check("input[name='decision'][value='confirm']")
    office.fill("input[name='note']", "Original certificate seen; 4 children under 18.")
    shot(office, "kindergarten-3-privilege")
    office.get_by_role("button", name="Record the decision").click()
    expect(notice(office)).to_contain_text(f"The privilege of {DAUGHTER} is confirmed")
    claim.refresh_from_db()
    assert claim.status == "confirmed"

    office.goto(f"/en/preschool/desk/district/{CITY}/")
    office.get_by_role("button", name="Prepare the campaign").click()
    expect(office).to_have_url(re.compile(rf"/en/preschool/desk/district/{CITY}/campaigns/\d+/$"))
    campaign_url = urlsplit(office.url).path
    office.get_by_role("button", name="Run the campaign").click()
    expect(office.locator("#campaign-progress")).to_contain_text("Queued: waiting for the background worker")
    shot(office, "kindergarten-3-campaign-queued")

    # The bar polls the server every second; while the worker's run uses the database here, the polls
    # are held off (the live server shares this process's database connection), then let through.
    def polled(url: str) -> bool:
        return urlsplit(url).path.endswith("/progress/")

    with office.expect_response(lambda response: polled(response.url)):
        pass  # the bar is polling
    office.route(polled, lambda route: route.abort())
    with office.expect_event("requestfailed", lambda request: polled(request.url), timeout=5_000):
        pass  # the poll in flight, if any, has been answered
    assert "run_campaign" in run_queued_tasks()
    office.unroute(polled)
    report = office.locator("section[aria-labelledby='campaign-report']")
    expect(report).to_be_visible(timeout=10_000)  # the next poll answers HX-Refresh: the page reloads
    expect(office.locator("#campaign-progress")).to_contain_text("The campaign is done")
    expect(report.locator(".stat", has_text="referrals issued").locator(".stat__value")).to_have_text("3")
    # Bobur and Sardor; the newborn, whose early group takes it in a later year, is not in this campaign.
    expect(report.locator(".stat", has_text="still waiting").locator(".stat__value")).to_have_text("2")
    expect(report).to_contain_text("Children of large families")
    shot(office, "kindergarten-3-campaign-report")
    campaign = Campaign.objects.get(district=place, kind=CampaignKind.MAIN)
    assert campaign.status == CampaignStatus.DONE and campaign_url.endswith(f"/campaigns/{campaign.pk}/")
    assert (campaign.report["placed"], campaign.report["waiting"]) == (3, 2)

    # Oydin has No. 12's one seat; the two other privileged children No. 7's two; Bobur and Sardor wait.
    assert offered(children["oydin"]).program == groups["12"]
    assert offered(children["javlon"]).program == groups["7"]
    assert offered(madina).program == groups["7"]
    assert offered(children["bobur"]) is None and offered(children["sardor"]) is None
    assert offered(newborn) is None  # a newborn waits for the year its group takes it

    # 4. The family opens its page with the number and access code from the receipt.
    family = new_page(browser, live_server)
    family.goto("/en/preschool/track/")
    family.fill("#id_number", number)
    family.fill("#id_code", code)
    family.get_by_role("button", name="Show my child's place").click()
    expect(family).to_have_url(re.compile(rf"/en/preschool/family/{number}/$"))
    referral = family.locator("section[aria-labelledby='referral-title']")
    expect(referral).to_contain_text("7-son MTT")
    expect(referral).to_contain_text("Take it up by")
    first_choice = family.locator(".ps-choice").first
    expect(first_choice).to_contain_text("12-son MTT")
    expect(first_choice.locator(".ps-position")).to_have_text("2")  # Javlon, privileged earlier, is ahead
    expect(first_choice).to_contain_text("1 of the children ahead has a privilege")
    expect(family.locator(".history")).to_contain_text("referral", ignore_case=True)
    expect(family.locator(".ps-reasons").first).to_be_visible()  # every change of position with its reason
    assert DAUGHTER not in family.content()  # initials only, on a page anyone with the code may open
    shot(family, "kindergarten-4-family-page")

    # 5. The director of No. 7 enrols her with the code the family got by SMS; a wrong code changes nothing.
    placement, sms_code = referral_sms(sms, madina)
    director = signed_in(browser, live_server, "director.7")
    director.goto(f"/en/preschool/desk/kindergarten/{seven.organization.code}/")
    line = director.locator(f"#referral-{placement.pk}")
    expect(line).to_contain_text(DAUGHTER)
    wrong = f"{(int(sms_code) + 1) % 10**6:06d}"
    line.locator("input[name='code']").fill(wrong)
    line.get_by_role("button", name="Enrol").click()
    expect(director.locator(f"#error-enrol-{placement.pk}")).to_contain_text("The code does not match this referral")
    shot(director, "kindergarten-5-director-wrong-code")
    placement.refresh_from_db()
    assert placement.status == PlacementStatus.OFFERED
    line = director.locator(f"#referral-{placement.pk}")
    line.locator("input[name='code']").fill(sms_code)
    line.get_by_role("button", name="Enrol").click()
    expect(notice(director)).to_be_visible()
    placement.refresh_from_db()
    assert placement.status == PlacementStatus.ENROLLED
    expect(director.locator("section[aria-labelledby='desk-attending']")).to_contain_text(DAUGHTER)
    shot(director, "kindergarten-5-director-enrolled")
    director.context.close()

    # 6. Oydin (enrolled at No. 12 meanwhile) leaves: Javlon moves up to No. 12, and the seat he leaves at
    # No. 7 reaches Bobur, the next family, the same day.
    oydin_referral, oydin_code = referral_sms(sms, children["oydin"])
    preschool.placement_enrol(actor=city["directors"]["12"], placement=oydin_referral, code=oydin_code)
    run_queued_tasks()
    director = signed_in(browser, live_server, "director.12")
    director.goto(f"/en/preschool/desk/kindergarten/{twelve.organization.code}/")
    leaving = director.locator(f"#child-{oydin_referral.pk}")
    leaving.locator("summary").click()
    leaving.locator("input[name='reason']").fill("The family moved to Tashkent.")
    leaving.get_by_role("button", name="Record that the child left").click()
    expect(notice(director)).to_be_visible()
    assert "allocate_continuous" in run_queued_tasks()
    today = timezone.localdate()
    moved_up, cascaded = offered(children["javlon"]), offered(children["bobur"])
    assert moved_up.program == groups["12"] and cascaded.program == groups["7"]
    assert timezone.localdate(cascaded.offered_at) == today
    director.reload()
    expect(director.locator(f"#referral-{moved_up.pk}")).to_contain_text("Ergashev Javlon")
    shot(director, "kindergarten-6-director-child-left")
    director.context.close()

    next_family = new_page(browser, live_server)
    open_family_page(next_family, children["bobur"])
    expect(next_family.locator("section[aria-labelledby='referral-title']")).to_contain_text("7-son MTT")
    shot(next_family, "kindergarten-6-next-family-referral")
    next_family.context.close()

    # 7. Javlon takes his referral up; Bobur's family does not come: past its term it lapses, and the seat
    # goes to Sardor at once.
    javlon_referral, javlon_code = referral_sms(sms, children["javlon"])
    preschool.placement_enrol(actor=city["directors"]["12"], placement=javlon_referral, code=javlon_code)
    run_queued_tasks()
    cascaded.refresh_from_db()
    # 10:00 on the day after the term's last day, when the lapse job finds it.
    last_day = timezone.localdate(cascaded.expires_at - dt.timedelta(microseconds=1))
    later = timezone.make_aware(dt.datetime.combine(last_day + dt.timedelta(days=1), dt.time(10)))
    shift = later - timezone.now()
    ticking = timezone.now
    monkeypatch.setattr(timezone, "now", lambda: ticking() + shift)
    assert preschool.placements_lapse_due() == 1
    cascaded.refresh_from_db()
    assert cascaded.status == PlacementStatus.LAPSED
    assert "allocate_continuous" in run_queued_tasks()
    reoffered = offered(children["sardor"])
    assert reoffered is not None and reoffered.program == groups["7"]
    assert timezone.localdate(reoffered.offered_at) == timezone.localdate(later)

    lapsed_family = new_page(browser, live_server)
    open_family_page(lapsed_family, children["bobur"])
    expect(lapsed_family.locator("section[aria-labelledby='referral-title']")).to_have_count(0)
    expect(lapsed_family.locator(".history")).to_contain_text("lapsed", ignore_case=True)
    shot(lapsed_family, "kindergarten-7-referral-lapsed")
    open_family_page(lapsed_family, children["sardor"])
    expect(lapsed_family.locator("section[aria-labelledby='referral-title']")).to_contain_text("7-son MTT")
    shot(lapsed_family, "kindergarten-7-seat-reoffered")
    lapsed_family.context.close()

    director = signed_in(browser, live_server, "director.7")  # a fresh session: weeks have passed
    director.goto(f"/en/preschool/desk/kindergarten/{seven.organization.code}/")
    expect(director.locator(f"#referral-{reoffered.pk}")).to_contain_text("Toshmatov Sardor")
    shot(director, "kindergarten-7-director-reoffered")
    director.context.close()
    family.context.close()
    office.context.close()
