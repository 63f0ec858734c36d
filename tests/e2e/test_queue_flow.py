"""The queue end to end, in three browsers at once against one ASGI server: a citizen takes a ticket
at the kiosk, the operator at window 1 calls it, the board in the hall shows it through its event
stream, and the operator serves and finishes."""

import re

import pytest
from playwright.sync_api import expect

from tests.e2e.asgi_server import asgi_server  # noqa: F401 — the fixture

CENTER = "namangan-city-center"  # the demo center (darcha/demo/data/namangan/center.toml)

pytestmark = pytest.mark.e2e


def context(browser, server, width=1280, height=900):
    ctx = browser.new_context(viewport={"width": width, "height": height}, base_url=server.url)
    ctx.add_init_script("window.print = () => {};")  # the kiosk prints on load; no printer here
    ctx.set_default_timeout(10_000)
    return ctx


def test_kiosk_ticket_is_called_shown_on_the_board_and_served(browser, asgi_server, shot):  # noqa: F811
    board_ctx = context(browser, asgi_server, 1920, 1080)
    board = board_ctx.new_page()
    board.goto(f"/queue/{CENTER}/board/")
    board.locator("#board-unlock-enable").click()
    board.wait_for_function("() => window.darchaBoard.events >= 1")  # the stream's first snapshot

    kiosk_ctx = context(browser, asgi_server, 1920, 1080)
    kiosk = kiosk_ctx.new_page()
    kiosk.goto(f"/queue/{CENTER}/kiosk/")
    kiosk.locator(".kiosk-tile", has_text=re.compile("FHDYO")).first.click()  # civil registry: window 1
    kiosk.locator(".kiosk-tile--service").first.click()
    kiosk.locator("label.kiosk-choice--none").click()
    kiosk.locator("[data-issue]").click()
    number = kiosk.locator("[data-ticket-number]")
    expect(number).to_have_text(re.compile(r"^[A-Z]-\d{3}$"))
    ticket = number.inner_text()
    shot(kiosk, "flow-kiosk-ticket")

    desk_ctx = context(browser, asgi_server)
    console = desk_ctx.new_page()
    console.goto("/login/")
    console.fill("input[name='username']", "operator1")
    console.fill("input[name='password']", "darcha-demo")
    console.locator("form button[type='submit']").last.click()
    expect(console).to_have_url(re.compile(r"/desk/$"))
    console.goto(f"/queue/{CENTER}/console/1/")
    panel = console.locator("#console")
    console.keyboard.press("l")  # sign in at window 1
    expect(panel.locator(".console-states")).to_be_visible()
    console.keyboard.press("n")  # call next: the kiosk's ticket is the only one waiting
    expect(panel.locator(".console-number")).to_have_text(ticket)

    expect(board.locator("#now-ticket")).to_have_text(ticket, timeout=2000)  # pushed, not polled
    expect(board.locator("#now-window")).to_contain_text("1-oyna")
    shot(board, "flow-board")

    console.keyboard.press("s")  # start
    expect(panel.locator(".console-current--serving")).to_be_visible()
    shot(console, "flow-console")
    console.keyboard.press("f")  # finish
    expect(panel.locator(".console-alert--ok")).to_contain_text(ticket)
    expect(panel.locator(".console-number")).to_have_count(0)

    for ctx in (board_ctx, kiosk_ctx, desk_ctx):
        ctx.close()
