"""The operator console in a browser: the demo operator signs in at window 1 and serves a citizen
with the keyboard alone."""

import datetime as dt
import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from darcha.catalog.models import Service
from darcha.core.audit import SYSTEM
from darcha.core.models import Organization, User
from darcha.queues.choices import Priority, TicketStatus
from darcha.queues.models import Counter, Ticket
from darcha.queues.services import ticket_issue, ticket_start

CENTER = "namangan-city-center"  # the demo center (darcha/demo/data/namangan/center.toml)

pytestmark = pytest.mark.e2e


def log_in(page, username: str) -> None:
    page.goto("/login/")
    page.fill("input[name='username']", username)
    page.fill("input[name='password']", "darcha-demo")
    page.locator("form button[type='submit'], form input[type='submit']").last.click()
    expect(page).to_have_url(re.compile(r"/desk/$"))


def window_one_services() -> tuple[Organization, list[Service]]:
    center = Organization.objects.get(code=CENTER)
    window = Counter.objects.get(center=center, number=1)
    services = list(Service.objects.filter(category__in=window.categories.all(), is_active=True).order_by("code"))
    return center, services


def issue(center, service, minutes_ago: float, **kwargs) -> Ticket:
    midnight = timezone.make_aware(dt.datetime.combine(timezone.localdate(), dt.time(0)))
    at = max(timezone.now() - dt.timedelta(minutes=minutes_ago), midnight)
    return ticket_issue(actor=SYSTEM, center=center, service=service, now=at, **kwargs)


def test_operator_serves_a_citizen_with_the_keyboard(page, shot):
    center, services = window_one_services()
    ticket = issue(center, services[0], 12, priority=Priority.DISABILITY)
    for number, service in enumerate(services[1:5], start=1):  # more people behind, for the counts
        issue(center, service, 10 - number, priority=Priority.ELDERLY if number == 2 else "")

    log_in(page, "operator1")
    expect(page.locator(f"a[href$='/queue/{CENTER}/console/']").first).to_be_visible()  # the desk panel
    shot(page, "desk-operator")
    page.goto(f"/queue/{CENTER}/console/1/")
    console = page.locator("#console")
    expect(console.locator("[data-key='N']")).to_be_disabled()  # not signed in yet

    page.keyboard.press("l")  # sign in
    expect(console.locator(".console-states")).to_be_visible()
    expect(console.locator("[data-waiting]")).to_have_text("5")

    page.keyboard.press("n")  # call next
    expect(console.locator(".console-number")).to_have_text(ticket.display)
    expect(console.locator(".console-service")).to_contain_text(services[0].name_uz)
    expect(console.locator("[data-waiting]")).to_have_text("4")
    expect(console.locator("[data-key='X']")).to_be_disabled()  # no-show only after the recalls

    page.keyboard.press("s")  # start
    expect(console.locator(".console-current--serving")).to_be_visible()
    expect(console.locator("[data-key='F']")).to_be_enabled()
    page.mouse.move(0, 0)
    shot(page, "console")

    page.keyboard.press("f")  # finish
    expect(console.locator(".console-number")).to_have_count(0)
    expect(console.locator(".console-alert--ok")).to_contain_text(ticket.display)
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.DONE and ticket.operator.username == "operator1"


def test_hold_transfer_and_a_refusal_in_place(page, shot):
    center, services = window_one_services()
    first = issue(center, services[0], 20)
    second = issue(center, services[1], 15)
    issue(center, services[2], 5)
    log_in(page, "operator1")
    page.goto(f"/queue/{CENTER}/console/1/")
    console = page.locator("#console")
    console.locator("[data-key='L']").click()  # the mouse works as well as the keys
    expect(console.locator(".console-states")).to_be_visible()

    page.keyboard.press("n")
    expect(console.locator(".console-number")).to_have_text(first.display)
    # Started meanwhile from another tab: this page is stale, and S is refused in place (409).
    ticket_start(actor=User.objects.get(username="operator1"), ticket=first)
    page.keyboard.press("s")
    expect(console.locator(".console-alert--error")).to_contain_text(first.display)
    expect(console.locator(".console-current--serving")).to_be_visible()  # and the panel is current again
    page.keyboard.press("h")  # the citizen steps aside to fill a form
    expect(console.locator(".console-held__list li")).to_have_count(1)
    page.keyboard.press("n")
    expect(console.locator(".console-number")).to_have_text(second.display)

    page.keyboard.press("t")  # transfer: a dialog; shortcuts sleep while it is open
    dialog = page.locator("#transfer-dialog")
    expect(dialog).to_be_visible()
    window3 = Counter.objects.get(center__code=CENTER, number=3)
    dialog.locator("select[name='counter']").select_option(value=str(window3.pk))
    page.mouse.move(0, 0)
    shot(page, "console-transfer")
    dialog.get_by_role("button").first.click()
    expect(dialog).to_have_count(0)
    expect(console.locator(".console-number")).to_have_count(0)  # the counter is free again
    second.refresh_from_db()
    assert second.status == TicketStatus.WAITING and second.target_counter.number == 3
    assert second.queued_at < first.issued_at + dt.timedelta(minutes=6)  # the original time is kept

    page.keyboard.press("1")  # return the held ticket
    expect(console.locator(".console-number")).to_have_text(first.display)
    expect(console.locator(".console-current--serving")).to_be_visible()


def test_choosing_a_counter(page, shot):
    log_in(page, "manager")
    page.goto(f"/ru/queue/{CENTER}/console/")
    expect(page.locator(".console-counter")).to_have_count(Counter.objects.filter(center__code=CENTER).count())
    shot(page, "console-choose")
