"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server."""

import os
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command

SHOTS = Path(__file__).resolve().parents[2] / "test-results" / "screenshots"
CHROMIUM_FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def _chromium() -> str:
    path = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not path:
        pytest.fail("Debian's chromium is not installed: run `make e2e`, which installs it")
    return path


# Every page of every browser test reports what the Content-Security-Policy refused and what the
# browser could not read in the Permissions-Policy header; a test that saw any fails (_no_policy_violations).
REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  const where = `${event.sourceFile || event.documentURI}:${event.lineNumber}`;
  console.error(`CSP violation: ${event.effectiveDirective} blocked ${event.blockedURI || "inline"} at ${where}`);
});
"""
POLICY_WORDS = ("CSP violation", "Content Security Policy", "Permissions-Policy", "Permissions policy")
_violations: list[str] = []


class _WatchedBrowser:
    """The browser, whose every new context reports policy violations into `_violations`."""

    def __init__(self, browser):
        self._browser = browser

    def __getattr__(self, name):
        return getattr(self._browser, name)

    def new_context(self, **options):
        context = self._browser.new_context(**options)
        context.add_init_script(REPORT_VIOLATIONS)

        def heard(message):
            if any(word in message.text for word in POLICY_WORDS):
                _violations.append(f"{message.page.url if message.page else '?'}: {message.text}")

        context.on("console", heard)
        return context


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the ORM calls made by fixtures here
    # are ordinary synchronous ones, so Django's async-safety guard does not apply (browser tests only).
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=_chromium(), args=CHROMIUM_FLAGS, headless=True)
        yield _WatchedBrowser(browser)
        browser.close()


@pytest.fixture(autouse=True)
def _no_policy_violations():
    _violations.clear()
    yield
    assert not _violations, "policy violations in the browser:\n" + "\n".join(_violations)


@pytest.fixture
def demo(transactional_db, django_db_serialized_rollback):
    # The live server needs committed rows; serialized rollback restores what migrations seeded
    # (the BRV table) after each test's flush.
    # A short kindergarten queue and a few appeals: the full ones take minutes, and every test loads the demo.
    call_command("load_demo", verbosity=0, preschool_children=120, appeals=24)


@pytest.fixture
def page(working_hours, browser, live_server, demo):
    # The live server runs in this process: its clock is the test's, 10:00 of a working day
    # (`working_hours`), so the demo center is open whatever the hour CI runs at.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, base_url=live_server.url)
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def shot():
    SHOTS.mkdir(parents=True, exist_ok=True)

    def save(page, name: str) -> Path:
        path = SHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return save
