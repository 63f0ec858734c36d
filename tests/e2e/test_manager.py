"""The demo center manager's live board and statistics, in the browser, over a morning of work
made through the service functions."""

import datetime as dt
import itertools
import re

import pytest
from django.db.models import Q
from django.utils import timezone
from playwright.sync_api import expect

from darcha.catalog.models import Service
from darcha.core.audit import SYSTEM
from darcha.core.choices import Role
from darcha.core.models import Organization, User
from darcha.core.services import membership_grant
from darcha.queues.choices import TicketStatus
from darcha.queues.models import Counter, Ticket
from darcha.queues.services import (
    operator_set_state,
    operator_sign_in,
    ticket_call_next,
    ticket_finish,
    ticket_issue,
    ticket_no_show,
    ticket_recall,
    ticket_start,
)
from tests.queues.helpers import set_clock

CENTER = "namangan-city-center"  # the demo center (darcha/demo/data/namangan/center.toml)
PASSWORD = "darcha-demo"  # the demo users' password (users.toml)

pytestmark = pytest.mark.e2e

BUSY = [TicketStatus.CALLED, TicketStatus.SERVING]


def _service(counter: Counter) -> Service:
    return (
        Service.objects.filter(Q(category__in=counter.categories.all()) | Q(pk__in=counter.services.all()))
        .filter(is_active=True)
        .order_by("code")
        .first()
    )


def _free(operator, counter: Counter, at: dt.datetime) -> None:
    """Finish the counter's current citizen, if any."""
    current = Ticket.objects.filter(counter=counter, status__in=BUSY).first()
    if current is None:
        return
    if current.status == TicketStatus.CALLED:
        current = ticket_start(actor=operator, ticket=current, now=at)
    ticket_finish(actor=operator, ticket=current, now=at)


CALLS = itertools.count(1)


def _next(operator, counter: Counter, at: dt.datetime) -> Ticket | None:
    """Free the counter, call the next citizen; one call in six, nobody comes."""
    _free(operator, counter, at)
    ticket = ticket_call_next(actor=operator, counter=counter, now=at)
    if ticket is None:
        return None
    if next(CALLS) % 6 == 0:
        for _ in range(2):
            ticket_recall(actor=operator, ticket=ticket, now=at)
        return ticket_no_show(actor=operator, ticket=ticket, now=at)
    return ticket_start(actor=operator, ticket=ticket, now=at + dt.timedelta(seconds=40))


@pytest.fixture
def morning(demo, working_hours, monkeypatch):
    """Four windows staffed since the center opened at 09:00, tickets every few minutes, then the state
    now (13:00 of a working day, the clock ticking on): window 1 has just called a citizen, window 6 is
    on a break, a citizen for window 8 (nobody there) has waited 22 minutes."""
    set_clock(monkeypatch, working_hours.replace(hour=13), ticking=True)
    now = timezone.now()
    start = timezone.localtime(now).replace(hour=9, minute=0, second=0, microsecond=0)  # the demo center opens
    center = Organization.objects.get(code=CENTER)
    windows = {c.number: c for c in Counter.objects.filter(center=center)}
    staff = [User.objects.get(username="operator1"), User.objects.get(username="operator2")]
    for username, first, last in [("operator3", "Nodir", "Rahimov"), ("operator4", "Gulnora", "Saidova")]:
        user = User.objects.create_user(username, first_name=first, last_name=last, password="x" * 16)  # noqa: S106
        membership_grant(actor=SYSTEM, user=user, organization=center, role=Role.OPERATOR)
        staff.append(user)
    desks = list(zip(staff, [windows[1], windows[2], windows[3], windows[6]], strict=True))
    for index, (operator, counter) in enumerate(desks):
        operator_sign_in(actor=operator, counter=counter, now=start + dt.timedelta(minutes=4 * index))
    services = [_service(counter) for _, counter in desks]

    steps = 24
    history_end = now - dt.timedelta(minutes=25)
    for step in range(steps):
        at = start + dt.timedelta(minutes=15) + (history_end - start - dt.timedelta(minutes=15)) * step / steps
        ticket_issue(actor=SYSTEM, center=center, service=services[step % 4], now=at)
        if step % 3 == 2:
            for operator, counter in desks:
                _next(operator, counter, at + dt.timedelta(minutes=1))

    minutes_ago = lambda m: now - dt.timedelta(minutes=m)  # noqa: E731
    ticket_issue(actor=SYSTEM, center=center, service=_service(windows[8]), now=minutes_ago(22))
    for operator, counter in desks:
        _next(operator, counter, minutes_ago(12))
    operator4, window6 = desks[3]
    _free(operator4, window6, minutes_ago(8))
    operator_set_state(actor=operator4, session=operator4.counter_sessions.get(ended_at=None), state="break",
                       now=minutes_ago(6))  # fmt: skip
    ticket_issue(actor=SYSTEM, center=center, service=services[3], now=minutes_ago(4))
    ticket_issue(actor=SYSTEM, center=center, service=services[1], now=minutes_ago(9))
    _next(*desks[1], minutes_ago(7))
    _free(*desks[0], minutes_ago(3))
    ticket_issue(actor=SYSTEM, center=center, service=services[0], now=minutes_ago(2))
    called = ticket_call_next(actor=desks[0][0], counter=windows[1], now=now)
    assert called is not None
    return {"center": center, "called": called, "services": services, "operator4": operator4}


def _log_in_as_manager(page) -> None:
    page.goto("/login/")
    page.fill("input[name='username']", "manager")
    page.fill("input[name='password']", PASSWORD)
    page.locator("form button[type='submit'], form input[type='submit']").last.click()
    expect(page).to_have_url(re.compile(r"/desk/$"))


def test_manager_board_and_stats(page, shot, morning):
    center, called = morning["center"], morning["called"]
    _log_in_as_manager(page)

    page.goto(f"/en/queue/{center.code}/manager/")
    expect(page.locator("h1")).to_have_text("Live queue board")
    counters = page.locator("#board-counters + .table-wrap")
    first_row = counters.locator("tbody tr").first
    expect(first_row).to_contain_text(called.display)
    expect(first_row).to_contain_text("Shahzoda")
    expect(counters).to_contain_text("On a break")
    expect(counters).to_contain_text("Nobody signed in")
    longest = page.locator("#longest-wait")
    expect(longest).to_have_class(re.compile(r"stat--alert"))
    expect(longest).to_contain_text(re.compile(r"2[2-4]:\d\d"))
    expect(page.locator(".wait--over")).to_have_count(1)
    waiting = page.locator(".manager-stats .stat").nth(1).locator(".stat__value")
    before = int(waiting.inner_text())
    shot(page, "manager-board")

    # A new ticket reaches the board by itself (the 5-second htmx poll, or the event stream).
    ticket_issue(actor=SYSTEM, center=center, service=morning["services"][3])
    expect(waiting).to_have_text(str(before + 1), timeout=9_000)

    page.get_by_role("link", name="Statistics").click()
    expect(page).to_have_url(re.compile(rf"/en/queue/{center.code}/stats/$"))
    expect(page.locator("h1")).to_have_text("Queue statistics")
    issued = Ticket.objects.filter(center=center, day=timezone.localdate()).count()
    expect(page.locator(".manager-stats .stat").first).to_contain_text(str(issued))
    expect(page.locator("svg.hour-chart rect.hour-chart__tickets").first).to_be_visible()
    expect(page.locator("#stats-counters + .table-wrap")).to_contain_text("Window 1")
    expect(page.locator("#stats-operators").locator("..")).to_contain_text("Gulnora Saidova")
    expect(page.locator("#stats-services").locator("..").locator("..")).to_contain_text(
        morning["services"][0].name_en or morning["services"][0].name_uz
    )
    shot(page, "stats")

    # A period ending before it starts is refused with a message, and no figures.
    response = page.goto(f"/en/queue/{center.code}/stats/?date_from=2025-03-04&date_to=2025-03-03")
    assert response.status == 400
    expect(page.locator(".form-errors")).to_contain_text("must not be after its end")

    with page.expect_download() as download:
        page.goto(f"/en/queue/{center.code}/stats/")
        page.get_by_role("link", name="Download CSV").click()
    assert download.value.suggested_filename.startswith(f"queue-{center.code}-")
