"""The kiosk on a touch screen: category → service → priority → a printed ticket; the live page; the
kiosk outside opening hours."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from darcha.catalog.models import Service
from darcha.core.models import User
from darcha.queues.models import Ticket
from darcha.queues.selectors import counters_serving
from darcha.queues.services import operator_sign_in, ticket_call_next

CENTER = "namangan-city-center"  # the demo center (darcha/demo/data/namangan/center.toml)

pytestmark = pytest.mark.e2e

KIOSK = f"/queue/{CENTER}/kiosk/"
LANDSCAPE = {"width": 1920, "height": 1080}
PORTRAIT = {"width": 1080, "height": 1920}
# The kiosk prints with window.print(); the test counts the calls instead of opening a dialog.
COUNT_PRINTS = "window.__prints = 0; window.print = () => { window.__prints += 1; };"


def fits_the_screen(page) -> None:
    overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
    assert overflow <= 0, f"the kiosk scrolls sideways by {overflow}px"


def test_kiosk_issues_a_ticket_and_shows_it_for_printing(page, shot):
    page.add_init_script(COUNT_PRINTS)
    page.set_viewport_size(LANDSCAPE)
    page.goto(KIOSK)
    expect(page.locator("html")).to_have_attribute("lang", "uz")
    tiles = page.locator(".kiosk-tile")
    expect(tiles.first).to_be_visible()
    assert tiles.first.bounding_box()["height"] >= 72
    fits_the_screen(page)
    shot(page, "kiosk-start")

    page.set_viewport_size(PORTRAIT)
    fits_the_screen(page)
    shot(page, "kiosk-start-portrait")
    page.set_viewport_size(LANDSCAPE)

    tiles.first.click()
    expect(page).to_have_url(re.compile(r"/kiosk/category/[\w-]+/$"))
    shot(page, "kiosk-services")
    page.locator(".kiosk-tile--service").first.click()
    expect(page).to_have_url(re.compile(r"/kiosk/service/[\w-]+/$"))
    expect(page.locator("input[name='priority']")).to_have_count(5)
    page.locator("label.kiosk-choice--none").click()  # "General queue": no priority
    expect(page.locator("input[data-priority='none']")).to_be_checked()
    page.locator("[data-keypad] button[data-key='9']").first.wait_for()
    shot(page, "kiosk-details")
    page.set_viewport_size(PORTRAIT)
    shot(page, "kiosk-details-portrait")
    page.set_viewport_size(LANDSCAPE)

    page.locator("[data-issue]").click()
    expect(page).to_have_url(re.compile(r"/kiosk/ticket/[\w-]+/$"))
    number = page.locator("[data-ticket-number]")
    expect(number).to_have_text(re.compile(r"^[A-Z]{1,2}-\d{3}$"))
    expect(page.locator(".slip svg.qr")).to_be_visible()
    page.wait_for_function("() => window.__prints === 1")  # printed once, on load
    fits_the_screen(page)
    shot(page, "kiosk-ticket")

    # The QR code's address opens the live page of the same ticket.
    live_url = page.locator(".slip__url").inner_text()
    ticket = number.inner_text()
    page.goto(live_url)
    expect(page.locator("h1")).to_contain_text(ticket)
    expect(page.locator("#ticket-status")).to_have_attribute("data-status", "waiting")
    expect(page.locator("[data-ahead]")).to_have_text(re.compile(r"^\d+$"))
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "ticket-live")

    # An operator calls it: the page, polling, tells the citizen which window to go to.
    call_next_at_the_counter_serving(Ticket.objects.get(public_code=live_url.rstrip("/").rsplit("/", 1)[-1]))
    expect(page.locator("#ticket-status")).to_have_attribute("data-status", "called", timeout=15_000)
    expect(page.locator("[data-counter]")).to_be_visible()
    shot(page, "ticket-live-called")


def call_next_at_the_counter_serving(ticket):
    operator = User.objects.get(username="operator1")
    counter = counters_serving(ticket.service, ticket.center).order_by("number").first()
    operator_sign_in(actor=operator, counter=counter)
    assert ticket_call_next(actor=operator, counter=counter) == ticket


def test_kiosk_with_a_phone_typed_on_its_keypad(page):
    page.add_init_script(COUNT_PRINTS)
    page.set_viewport_size(PORTRAIT)
    page.goto(KIOSK)
    page.locator(".kiosk-tile").nth(1).click()
    page.locator(".kiosk-tile--service").first.click()
    page.locator("label.kiosk-choice", has=page.locator("input[data-priority='elderly']")).click()
    for key in "901234567":
        page.locator(f"[data-keypad] button[data-key='{key}']").click()
    expect(page.locator("[data-phone]")).to_have_value("90 123 45 67")
    page.locator("[data-keypad] button[data-key='back']").click()
    page.locator("[data-keypad] button[data-key='7']").click()
    page.locator("[data-issue]").click()
    expect(page.locator(".slip__priority")).to_be_visible()
    expect(page.locator("[data-ticket-number]")).to_have_text(re.compile(r"^[A-Z]{1,2}-\d{3}$"))


def test_kiosk_speaks_four_languages_and_returns_to_uzbek_when_left_alone(page, shot):
    page.clock.install()
    page.set_viewport_size(LANDSCAPE)
    page.goto(KIOSK)
    # The first category (civil registry) by its name in each language; the interface's own words
    # follow the translation catalogs.
    names = {"ru": "гражданского состояния", "en": "Civil registry", "uz-cyrl": "Фуқаролик", "uz": "Fuqarolik"}
    for code, name in names.items():
        page.locator(f".kiosk-langs [data-lang='{code}']").click()
        expect(page.locator("html")).to_have_attribute("lang", code)
        expect(page.locator(".kiosk-langs [aria-current='true']")).to_have_attribute("data-lang", code)
        expect(page.locator(".kiosk-tile").first).to_contain_text(name)
    page.locator(".kiosk-langs [data-lang='ru']").click()
    page.locator(".kiosk-tile").first.click()
    expect(page).to_have_url(re.compile(r"/ru/queue/.+/kiosk/category/"))
    page.clock.run_for(61_000)  # a minute untouched
    expect(page).to_have_url(re.compile(rf"^[^?]*://[^/]+{KIOSK}$"))
    expect(page.locator("html")).to_have_attribute("lang", "uz")


def test_done_returns_to_the_start_after_15_seconds(page):
    page.add_init_script(COUNT_PRINTS)
    page.clock.install()
    page.goto("/en" + KIOSK)
    page.locator(".kiosk-tile").first.click()
    page.locator(".kiosk-tile--service").first.click()
    page.locator("[data-issue]").click()
    expect(page).to_have_url(re.compile(r"/kiosk/ticket/"))
    page.clock.run_for(16_000)
    expect(page).to_have_url(re.compile(rf"^[^?]*://[^/]+{KIOSK}$"))


def page_length_mm(page) -> float:
    page.wait_for_function("() => document.querySelector('.slip[data-page-size]') !== null")
    css = page.locator(".slip[data-page-size]").get_attribute("data-page-size")
    return float(re.search(r"size: 80mm (\d+)mm", css).group(1))


def test_ticket_prints_on_one_80_mm_page_as_long_as_the_ticket(page, shot):
    page.add_init_script(COUNT_PRINTS)
    page.set_viewport_size(LANDSCAPE)
    page.goto(KIOSK)
    page.locator(".kiosk-tile").first.click()
    page.locator(".kiosk-tile--service").first.click()
    page.locator("[data-issue]").click()
    on_kiosk = page_length_mm(page)  # measured on the kiosk screen, where the ticket is shown enlarged
    live_url = page.locator(".slip__url").inner_text()

    page.goto(live_url + "print/")
    expect(page.locator(".slip svg.qr")).to_be_visible()
    shot(page, "ticket-print")
    on_paper = page_length_mm(page)
    assert 90 <= on_paper <= 160 and abs(on_kiosk - on_paper) <= 2, (on_kiosk, on_paper)

    page.emulate_media(media="print")
    width = page.locator(".slip").bounding_box()["width"]
    assert abs(width - 80 / 25.4 * 96) < 1, width  # 80 mm at 96 px per inch
    expect(page.locator(".print-page__actions")).to_be_hidden()
    pdf = page.pdf(prefer_css_page_size=True)
    boxes = re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf)
    assert len(set(boxes)) == 1 and len(re.findall(rb"/Type\s*/Page\b", pdf)) == 1, boxes
    width_pt, height_pt = (float(n) for n in boxes[0])
    assert abs(width_pt - 80 / 25.4 * 72) < 1 and abs(height_pt - on_paper / 25.4 * 72) < 1


def test_operator_issues_a_ticket_for_a_citizen_and_it_prints(page, shot):
    page.add_init_script(COUNT_PRINTS)
    page.goto("/login/")
    page.fill("input[name='username']", "operator1")
    page.fill("input[name='password']", "darcha-demo")
    page.locator("form button[type='submit']").last.click()
    expect(page).to_have_url(re.compile(r"/desk/$"))
    page.goto(f"/queue/{CENTER}/tickets/issue/")
    page.locator("select[name='service']").select_option(index=1)
    page.locator("select[name='priority']").select_option("disability")
    shot(page, "ticket-issue-operator")
    page.locator("form button[type='submit']").last.click()
    expect(page).to_have_url(re.compile(r"/queue/ticket/[\w-]+/print/\?print=1$"))
    expect(page.locator(".slip__number")).to_have_text(re.compile(r"^[A-Z]{1,2}-\d{3}$"))
    expect(page.locator(".slip__priority")).to_be_visible()
    page.wait_for_function("() => window.__prints === 1")


# --- outside opening hours (issue 9, item 3) ---------------------------------------------------------
def test_at_night_the_kiosk_says_when_the_center_opens_and_issues_nothing(page, monkeypatch, shot):
    from tests.queues.helpers import at, set_clock

    night = at(dt.time(1, 45))  # the demo center opens at 09:00 on working days
    set_clock(monkeypatch, night)
    page.set_viewport_size(LANDSCAPE)
    page.goto(f"/en{KIOSK}")
    expect(page.locator("[data-closed-text]")).to_have_text("Closed. Opens today at 09:00")
    expect(page.locator(".kiosk-tile")).to_have_count(0)
    expect(page.locator("[data-issue]")).to_have_count(0)
    expect(page.locator("html")).to_have_attribute("lang", "en")
    fits_the_screen(page)
    shot(page, "kiosk-closed")
    # In the page's language, with its own switcher: the Uzbek kiosk says so too, with no way to a ticket.
    page.locator("[data-lang='uz']").first.click()
    expect(page.locator("html")).to_have_attribute("lang", "uz")
    expect(page.locator("[data-closed]")).to_be_visible()
    expect(page.locator(".kiosk-tile")).to_have_count(0)
    # A service page opened directly offers nothing either, and the booking check-in waits for opening.
    service = counters_serving_any()
    page.goto(f"/en{KIOSK}service/{service}/")
    expect(page.locator("[data-closed-text]")).to_have_text("Closed. Opens today at 09:00")
    expect(page.locator("[data-issue]")).to_have_count(0)
    page.goto(f"/en/queue/{CENTER}/check-in/")
    expect(page.locator("[data-closed-text]")).to_be_visible()
    assert not Ticket.objects.exists()


def test_a_booked_visitors_live_page_shows_the_time_and_the_estimate_from_it(page, working_hours):
    from darcha.core.audit import SYSTEM
    from darcha.queues.choices import BOOKED_RANK
    from darcha.queues.services import ticket_issue
    from tests.queues.helpers import at

    service = Service.objects.get(code=counters_serving_any())
    booked = at(dt.time(11, 30))  # the clock is at 10:00: an hour and a half ahead
    ticket = ticket_issue(
        actor=SYSTEM,
        center=service_center(),
        service=service,
        queued_at=booked,
        rank=BOOKED_RANK,
        language="en",
    )
    page.goto(f"/en/queue/ticket/{ticket.public_code}/")
    expect(page.locator("[data-booked-at]")).to_have_text("11:30")
    expect(page.locator("[data-wait]")).to_have_text("called at about 11:30")


def service_center():
    from darcha.core.models import Organization

    return Organization.objects.get(code=CENTER)


def counters_serving_any() -> str:
    """A service the demo center's windows serve."""
    from darcha.queues.selectors import center_services

    return center_services(service_center()).order_by("code").first().code
